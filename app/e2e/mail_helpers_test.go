package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"honeysens/app/mail/mailtest"
)

// mailWait bounds every wait for a mail: delivery is immediate, so this only matters when
// something is broken.
const mailWait = 20 * time.Second

// smtpSettings is GET /api/settings/smtp.
type smtpSettings struct {
	Enabled      bool   `json:"enabled"`
	Host         string `json:"host"`
	Port         int    `json:"port"`
	Encryption   string `json:"encryption"`
	From         string `json:"from"`
	User         string `json:"user"`
	PasswordSet  bool   `json:"password_set"`
	StormLimit   int    `json:"storm_limit"`
	StormMinutes int    `json:"storm_minutes"`
	WeeklyAt     string `json:"weekly_at"`
	WeeklyTZ     string `json:"weekly_tz"`
}

// smtp reads the SMTP settings and the raw answer (to check what it does not contain).
func (c *apiClient) smtp() (smtpSettings, string) {
	c.t.Helper()
	var s smtpSettings
	_, raw := c.call("GET", "/api/settings/smtp", nil, &s)
	return s, string(raw)
}

// enableMail points the appliance at the sink (plain SMTP, no login) and switches mail on.
func (c *apiClient) enableMail(sink *mailtest.Server) {
	c.t.Helper()
	c.must("PATCH", "/api/settings/smtp", map[string]any{"enabled": true, "host": sink.Host, "port": sink.Port,
		"encryption": "none", "from": "honeysens@example.org"}, nil, http.StatusOK)
}

// contact is one notification contact of a group, as the API has it.
type contact struct {
	User           *int64 `json:"user"`
	Email          string `json:"email"`
	AllEvents      bool   `json:"all_events"`
	CriticalEvents bool   `json:"critical_events"`
	WeeklySummary  bool   `json:"weekly_summary"`
	SensorTimeout  bool   `json:"sensor_timeout"`
}

// setContacts replaces a group's contacts.
func (c *apiClient) setContacts(group int64, list []contact) {
	c.t.Helper()
	c.must("PATCH", fmt.Sprintf("/api/groups/%d", group), map[string]any{"contacts": list}, nil, http.StatusOK)
}

// contacts reads a group's contacts.
func (c *apiClient) contacts(group int64) []contact {
	c.t.Helper()
	var g struct {
		Contacts []contact `json:"contacts"`
	}
	c.must("GET", fmt.Sprintf("/api/groups/%d", group), nil, &g, http.StatusOK)
	return g.Contacts
}

// createUser adds an observer with the e-mail address (may be empty) and returns its id.
func (c *apiClient) createUser(login, email string) int64 {
	c.t.Helper()
	var u struct {
		ID int64 `json:"id"`
	}
	c.must("POST", "/api/users", map[string]any{"login": login, "full_name": "", "email": email, "role": 1,
		"groups": []int64{}, "password": login + "-password-1", "must_change_password": false}, &u, http.StatusCreated)
	return u.ID
}

// apiMail is one mail of GET /api/mails.
type apiMail struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Recipient string `json:"recipient"`
	Subject   string `json:"subject"`
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	Body      string `json:"body"`
}

// outbox is GET /api/mails.
type outbox struct {
	Items  []apiMail      `json:"items"`
	Counts map[string]int `json:"counts"`
}

func (c *apiClient) outbox(status string) outbox {
	c.t.Helper()
	q := url.Values{"limit": {"100"}}
	if status != "" {
		q.Set("status", status)
	}
	var o outbox
	c.must("GET", "/api/mails?"+q.Encode(), nil, &o, http.StatusOK)
	return o
}

// waitOutbox polls the outbox until done says it is as expected, else fails showing it.
func (c *apiClient) waitOutbox(what string, done func(outbox) bool) outbox {
	c.t.Helper()
	deadline := time.Now().Add(mailWait)
	for {
		o := c.outbox("")
		if done(o) {
			return o
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("outbox: %s not reached within %s: counts %v, items %+v", what, mailWait, o.Counts, o.Items)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// mailsTo returns the mails the sink received for one address.
func mailsTo(msgs []mailtest.Received, addr string) []mailtest.Received {
	var out []mailtest.Received
	for _, m := range msgs {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// subjects lists the subjects of mails, for failure messages.
func subjects(msgs []mailtest.Received) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Subject
	}
	return out
}

// headerLines returns the raw header lines of a mail as sent (up to the empty line).
func headerLines(raw []byte) []string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			break
		}
		lines = append(lines, line)
	}
	return lines
}

// openSystemPanel goes to System and opens one panel by its card (system-link-<name>).
func openSystemPanel(b *browser, name, ready string) {
	b.t.Helper()
	b.do("open System → "+name,
		chromedp.Click(chromedp.CSS("#nav-system")),
		chromedp.WaitVisible(chromedp.CSS("#system-link-"+name)),
		chromedp.Click(chromedp.CSS("#system-link-"+name)),
		chromedp.WaitVisible(chromedp.CSS(ready)))
}

// inputValue reads the current value of an input or select.
func inputValue(b *browser, sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`document.querySelector(%s).value`, quoteJS(sel)))
}

// typeInto replaces an input's text by typing, as a user would.
func typeInto(b *browser, sel, text string) {
	b.t.Helper()
	b.do("type into "+sel,
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).value = ''`, quoteJS(sel))),
		chromedp.SendKeys(chromedp.CSS(sel), text))
}

// fieldError returns the visible error text under the field named name ("" when none shows).
func fieldError(b *browser, name string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(() => { const e = document.querySelector('[data-field=' + CSS.escape(%s) + '] .field-error');
		return e && !e.hidden ? e.textContent : ''; })()`, quoteJS(name)))
}

// waitFieldError waits until the field's error shows and contains want.
func waitFieldError(b *browser, name, want string) {
	b.t.Helper()
	expr := fmt.Sprintf(`(() => { const e = document.querySelector('[data-field=' + CSS.escape(%s) + '] .field-error');
		return !!e && !e.hidden && e.textContent.includes(%s); })()`, quoteJS(name), quoteJS(want))
	if !poll(b, expr, 10*time.Second) {
		b.screenshot("failed-field-" + slug(name))
		b.t.Fatalf("field %s: error = %q, want it to contain %q", name, fieldError(b, name), want)
	}
}
