package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"honeysens/app/mail/mailtest"
)

// TestMailSettingsPanel walks the manual's e-mail paragraph in the browser: System → E-mail
// notifications, fill in the SMTP server and credentials, send a test mail with the unsaved
// values, save, click DISABLED to enable; after a reload the values are kept and the password
// is not shown. A closed port shows the server's "refused" message in the panel.
func TestMailSettingsPanel(t *testing.T) {
	b, _, api := openEvents(t)
	const sinkUser, sinkPass = "mailer", "sink pass 1"
	sink := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain, User: sinkUser, Password: sinkPass})

	openSystemPanel(b, "mail", "#smtp-host")
	if got := b.text("#page-title"); got != "E-mail notifications" {
		t.Errorf("page title = %q, want E-mail notifications", got)
	}
	if got := b.text("#smtp-enabled"); got != "DISABLED" {
		t.Errorf("switch = %q, want DISABLED on a fresh install", got)
	}
	if got := eval[string](b, `document.getElementById('smtp-enabled').getAttribute('aria-checked')`); got != "false" {
		t.Errorf("switch aria-checked = %q, want false", got)
	}
	if got := eval[string](b, `document.getElementById('smtp-password').placeholder`); got != "none stored" {
		t.Errorf("password placeholder = %q, want none stored", got)
	}
	if eval[bool](b, `!document.getElementById('smtp-password-remove').closest('label').hidden`) {
		t.Error("the panel offers to remove a password although none is stored")
	}

	// 1. The server's values, not saved yet: the test mail uses them as they are.
	typeInto(b, "#smtp-host", sink.Host)
	setInput(b, "#smtp-port", strconv.Itoa(sink.Port))
	pick(b, "#smtp-encryption", "none")
	typeInto(b, "#smtp-from", "honeysens@example.org")
	typeInto(b, "#smtp-user", sinkUser)
	typeInto(b, "#smtp-password", sinkPass)
	typeInto(b, "#smtp-test-to", "ops@example.org")
	b.do("send a test mail with the unsaved values", chromedp.Click(chromedp.CSS("#smtp-test-send")))
	waitText(b, "#smtp-test-result", "accepted")
	if cls := eval[string](b, `document.getElementById('smtp-test-message').className`); !strings.Contains(cls, "success") {
		t.Errorf("test mail result class = %q, want a success notice", cls)
	}
	got := sink.Wait(t, 1, mailWait)[0]
	if got.Subject != "HoneySens test notification" || !slices.Equal(got.To, []string{"ops@example.org"}) ||
		got.From != "honeysens@example.org" || got.AuthUser != sinkUser {
		t.Errorf("test mail: subject %q, from %q, to %v, login %q; want the test notification to ops@example.org, logged in as %s",
			got.Subject, got.From, got.To, got.AuthUser, sinkUser)
	}
	if s, _ := api.smtp(); s.Host != "" || s.PasswordSet {
		t.Errorf("sending the test mail stored settings: %+v", s)
	}
	b.screenshot("mail-test-sent")

	// 2. Save, then click DISABLED to enable.
	b.do("save", chromedp.Click(chromedp.CSS("#smtp-save")))
	waitText(b, "#smtp-saved", "Saved.")
	want := smtpSettings{Host: sink.Host, Port: sink.Port, Encryption: "none", From: "honeysens@example.org", User: sinkUser,
		PasswordSet: true, StormLimit: 10, StormMinutes: 10, WeeklyAt: "09:00", WeeklyTZ: "UTC"}
	if s, raw := api.smtp(); s != want || strings.Contains(raw, sinkPass) {
		t.Errorf("saved settings = %+v (raw %s), want %+v without the password", s, raw, want)
	}
	if v := inputValue(b, "#smtp-password"); v != "" {
		t.Errorf("the password box holds %q after saving, want it empty", v)
	}
	b.do("click DISABLED", chromedp.Click(chromedp.CSS("#smtp-enabled")))
	waitText(b, "#smtp-enabled", "ENABLED")
	if got := eval[string](b, `document.getElementById('smtp-enabled').getAttribute('aria-checked')`); got != "true" {
		t.Errorf("switch aria-checked = %q, want true", got)
	}
	want.Enabled = true
	if s, _ := api.smtp(); s != want {
		t.Errorf("settings after enabling = %+v, want %+v", s, want)
	}
	b.screenshot("mail-settings-enabled")

	// 3. After a reload the values are kept; the password is not shown anywhere.
	b.do("reload the page", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#smtp-host")))
	for sel, wantValue := range map[string]string{
		"#smtp-host": sink.Host, "#smtp-port": strconv.Itoa(sink.Port), "#smtp-encryption": "none",
		"#smtp-from": "honeysens@example.org", "#smtp-user": sinkUser, "#smtp-password": "",
		"#smtp-storm-limit": "10", "#smtp-storm-minutes": "10", "#smtp-weekly-at": "09:00", "#smtp-weekly-tz": "UTC",
	} {
		if got := inputValue(b, sel); got != wantValue {
			t.Errorf("after reload %s = %q, want %q", sel, got, wantValue)
		}
	}
	if got := b.text("#smtp-enabled"); got != "ENABLED" {
		t.Errorf("switch after reload = %q, want ENABLED", got)
	}
	if ph := eval[string](b, `document.getElementById('smtp-password').placeholder`); !strings.Contains(ph, "stored") || strings.Contains(ph, "none") {
		t.Errorf("password placeholder = %q, want it to say a password is stored", ph)
	}
	if eval[bool](b, fmt.Sprintf(`document.documentElement.outerHTML.includes(%s) || [...document.querySelectorAll('input')].some(i => i.value.includes(%[1]s))`, quoteJS(sinkPass))) {
		t.Error("the stored password shows in the page")
	}

	// 4. With the password box empty, the test mail logs in with the stored password.
	typeInto(b, "#smtp-test-to", "second@example.org")
	b.do("send a test mail with the stored password", chromedp.Click(chromedp.CSS("#smtp-test-send")))
	waitText(b, "#smtp-test-result", "second@example.org")
	if m := sink.Wait(t, 2, mailWait)[1]; !slices.Equal(m.To, []string{"second@example.org"}) || m.AuthUser != sinkUser {
		t.Errorf("second test mail to %v, login %q; want second@example.org logged in as %s", m.To, m.AuthUser, sinkUser)
	}

	// 5. A closed port: the stored password is not sent to another server unless typed again;
	// then the server's message shows in the panel, as an alert.
	closed := freePort(t)
	setInput(b, "#smtp-port", closed)
	b.do("send a test mail to another port", chromedp.Click(chromedp.CSS("#smtp-test-send")))
	waitText(b, "#smtp-test-message", "marked fields")
	typeInto(b, "#smtp-password", sinkPass)
	b.do("send a test mail to a closed port", chromedp.Click(chromedp.CSS("#smtp-test-send")))
	waitText(b, "#smtp-test-message", "refused")
	msg := b.text("#smtp-test-message")
	if !strings.Contains(msg, closed) || eval[string](b, `document.getElementById('smtp-test-message').getAttribute('role')`) != "alert" {
		t.Errorf("refusal = %q, want the server's message naming port %s, shown as an alert", msg, closed)
	}
	b.screenshot("mail-test-refused")

	// 6. An invalid target address is flagged at its field.
	typeInto(b, "#smtp-test-to", "not-an-address")
	b.do("send a test mail to an invalid address", chromedp.Click(chromedp.CSS("#smtp-test-send")))
	waitFieldError(b, "to", "")
	waitText(b, "#smtp-test-message", "not sent")

	// 7. Switching off changes only the switch: the unsaved port stays unsaved.
	b.do("click ENABLED", chromedp.Click(chromedp.CSS("#smtp-enabled")))
	waitText(b, "#smtp-enabled", "DISABLED")
	want.Enabled = false
	if s, _ := api.smtp(); s != want {
		t.Errorf("settings after disabling = %+v, want %+v", s, want)
	}
	if got := inputValue(b, "#smtp-port"); got != closed {
		t.Errorf("port box = %q after disabling, want the unsaved %s kept", got, closed)
	}

	// 8. Remove the stored password.
	setInput(b, "#smtp-port", strconv.Itoa(sink.Port))
	b.do("tick Remove the stored password", chromedp.Click(chromedp.CSS("#smtp-password-remove")))
	if !eval[bool](b, `document.getElementById('smtp-password').disabled`) {
		t.Error("the password box stays usable while Remove the stored password is ticked")
	}
	b.do("save", chromedp.Click(chromedp.CSS("#smtp-save")))
	waitText(b, "#smtp-saved", "Saved.")
	if s, _ := api.smtp(); s.PasswordSet || s.User != sinkUser {
		t.Errorf("after removing the password: %+v, want no password and the user kept", s)
	}
	if ph := eval[string](b, `document.getElementById('smtp-password').placeholder`); ph != "none stored" {
		t.Errorf("password placeholder = %q, want none stored", ph)
	}

	// 9. Enabling needs a complete server: the missing host is flagged, the switch stays off.
	setInput(b, "#smtp-host", "")
	b.do("click DISABLED with no host", chromedp.Click(chromedp.CSS("#smtp-enabled")))
	waitFieldError(b, "host", "host name")
	if got := b.text("#smtp-enabled"); got != "DISABLED" {
		t.Errorf("switch = %q after a refused enable, want DISABLED", got)
	}
	if s, _ := api.smtp(); s.Enabled || s.Host != sink.Host {
		t.Errorf("settings after a refused enable = %+v, want them unchanged", s)
	}
	b.screenshot("mail-enable-refused")
	b.assertNoPageErrors()
}

// TestMailContacts adds an e-mail contact (all events) and a user contact (critical events)
// in the group form, then ingests a Honeypot event and a connection attempt: the all-events
// contact gets both mails, the critical contact only the Honeypot one, and the outbox in
// System → E-mail notifications lists them as sent.
func TestMailContacts(t *testing.T) {
	b, srv, api := openEvents(t)
	sink := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain})
	api.enableMail(sink)
	carol := api.createUser("carol", "carol@example.org")
	nomail := api.createUser("nomail", "")
	group := api.groupID("Default")

	row := func(i int) string { return fmt.Sprintf(`#contact-list .contact-row[data-index="%d"]`, i) }
	b.do("open the Default group's form",
		chromedp.Click(chromedp.CSS("#nav-users")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-name="Default"]`)),
		chromedp.Click(chromedp.CSS(`tr[data-name="Default"] [data-testid="group-edit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#contact-add")))
	waitText(b, "#group-contacts", "No contacts yet")

	// An address contact; first with a bad address and no kind ticked: both flagged in the row.
	b.do("add a contact", chromedp.Click(chromedp.CSS("#contact-add")), chromedp.WaitVisible(chromedp.CSS(row(0))))
	pick(b, row(0)+" .contact-type", "email")
	typeInto(b, row(0)+" .contact-email", "not-an-address")
	b.do("save the incomplete contact", chromedp.Click(chromedp.CSS("#group-save")))
	waitFieldError(b, "contacts.0.kinds", "Tick at least one kind")
	waitFieldError(b, "contacts.0.email", "")
	b.screenshot("group-contacts-errors")
	typeInto(b, row(0)+" .contact-email", "all@example.org")
	b.do("tick All events", chromedp.Click(chromedp.CSS(row(0)+` input[data-kind="all_events"]`)))

	// A registered user; users without an address are marked and cannot be chosen.
	b.do("add a second contact", chromedp.Click(chromedp.CSS("#contact-add")), chromedp.WaitVisible(chromedp.CSS(row(1))))
	if got := inputValue(b, row(1)+" .contact-type"); got != "user" {
		t.Errorf("a new contact's type = %q, want user (users with an address exist)", got)
	}
	type option struct {
		Disabled bool   `json:"disabled"`
		Text     string `json:"text"`
	}
	opt := eval[option](b, fmt.Sprintf(`(() => { const o = document.querySelector(%s); return {disabled: o.disabled, text: o.textContent}; })()`,
		quoteJS(fmt.Sprintf(`%s .contact-user option[value="%d"]`, row(1), nomail))))
	if !opt.Disabled || !strings.Contains(opt.Text, "no e-mail address") {
		t.Errorf("the user without an address is offered as %+v, want it marked and disabled", opt)
	}
	pick(b, row(1)+" .contact-user", strconv.FormatInt(carol, 10))
	b.do("tick Critical events", chromedp.Click(chromedp.CSS(row(1)+` input[data-kind="critical_events"]`)))
	b.screenshot("group-contacts")
	b.do("save the group",
		chromedp.Click(chromedp.CSS("#group-save")),
		chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))

	wantContacts := []string{"address all@example.org [all_events]", fmt.Sprintf("user %d [critical_events]", carol)}
	if got := contactStrings(api.contacts(group)); !slices.Equal(got, wantContacts) {
		t.Errorf("stored contacts = %q, want %q", got, wantContacts)
	}

	// Reload and open the form again: both contacts show as saved.
	b.do("reopen the form after a reload",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-name="Default"]`)),
		chromedp.Click(chromedp.CSS(`tr[data-name="Default"] [data-testid="group-edit"]`)),
		chromedp.WaitVisible(chromedp.CSS(row(1))))
	shown := eval[[]string](b, `[...document.querySelectorAll('#contact-list .contact-row')].map(r => {
		const byUser = r.querySelector('.contact-type').value === 'user';
		const target = byUser ? 'user ' + r.querySelector('.contact-user').value : 'address ' + r.querySelector('.contact-email').value;
		return target + ' [' + [...r.querySelectorAll('input.contact-kind:checked')].map(i => i.dataset.kind).join(' ') + ']';
	})`)
	if !slices.Equal(shown, wantContacts) {
		t.Errorf("the form shows contacts %q, want %q", shown, wantContacts)
	}
	b.do("close the form", chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))

	// A Honeypot event (ssh) and a connection attempt.
	s := api.createSensor("mail-sensor", group)
	now := time.Now().Unix()
	ingest(t, srv, s,
		wireEvent{Timestamp: now, Service: "ssh", Source: "192.0.2.51", SourcePort: 40001, TargetPort: 22, Protocol: "tcp",
			Summary: "SSH login as root"},
		wireEvent{Timestamp: now, Service: "recon", Source: "192.0.2.52", SourcePort: 40002, TargetPort: 3389, Protocol: "tcp",
			Summary: "Connection attempt on TCP 3389"})
	ids := api.sourceIDs()
	critical, other := ids["192.0.2.51"], ids["192.0.2.52"]

	o := api.waitOutbox("3 mails sent", func(o outbox) bool { return o.Counts["sent"] >= 3 && o.Counts["queued"] == 0 })
	if len(o.Items) != 3 || o.Counts["sent"] != 3 {
		t.Errorf("outbox = %v %+v, want exactly 3 sent mails", o.Counts, o.Items)
	}
	msgs := sink.Wait(t, 3, mailWait)
	all, crit := mailsTo(msgs, "all@example.org"), mailsTo(msgs, "carol@example.org")
	if len(msgs) != 3 || len(all) != 2 || len(crit) != 1 {
		t.Fatalf("mails: %d in all, %d to all@ %q, %d to carol@ %q; want 2 to the all-events contact and 1 to the critical one",
			len(msgs), len(all), subjects(all), len(crit), subjects(crit))
	}
	idIn := func(subject string, id int64) bool { return strings.Contains(subject, fmt.Sprintf("#%d ", id)) }
	if !(idIn(all[0].Subject, critical) && idIn(all[1].Subject, other) || idIn(all[0].Subject, other) && idIn(all[1].Subject, critical)) {
		t.Errorf("all-events subjects = %q, want one for event #%d and one for #%d", subjects(all), critical, other)
	}
	if !idIn(crit[0].Subject, critical) || !strings.Contains(crit[0].Subject, "Critical") {
		t.Errorf("critical contact's subject = %q, want the critical event #%d", crit[0].Subject, critical)
	}
	if !strings.Contains(crit[0].Body, "SSH login as root") || !strings.Contains(crit[0].Body, fmt.Sprintf("Event %d ", critical)) {
		t.Errorf("critical mail body = %q, want the event and its summary", crit[0].Body)
	}

	// The outbox in the System panel lists them as sent.
	openSystemPanel(b, "mail", "#outbox-table")
	if !poll(b, `document.querySelectorAll('#outbox-table tr.outbox-row[data-status="sent"]').length === 3`, 10*time.Second) {
		b.screenshot("failed-outbox")
		t.Fatalf("outbox table = %q, want 3 sent mails", b.text("#outbox-table"))
	}
	table := b.text("#outbox-table")
	for _, want := range []string{"all@example.org", "carol@example.org", crit[0].Subject, "Sent"} {
		if !strings.Contains(table, want) {
			t.Errorf("outbox table = %q, want it to show %q", table, want)
		}
	}
	if got := b.text("#outbox-counts"); !strings.Contains(got, "Sent 3") || !strings.Contains(got, "Queued 0") || !strings.Contains(got, "Failed 0") {
		t.Errorf("outbox counts = %q, want Queued 0, Sent 3, Failed 0", got)
	}
	b.screenshot("mail-outbox")
	var carolMail int64
	for _, m := range o.Items {
		if m.Recipient == "carol@example.org" {
			carolMail = m.ID
		}
	}
	b.do("open carol's mail",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#outbox-table tr.outbox-row[data-id="%d"]`, carolMail))),
		chromedp.WaitVisible(chromedp.CSS("#mail-view-body")))
	if body := b.text("#mail-view-body"); !strings.Contains(body, "SSH login as root") || !strings.Contains(body, fmt.Sprintf("Event %d ", critical)) {
		t.Errorf("mail view = %q, want the event mail's text", body)
	}
	b.screenshot("mail-view")
	b.do("close the mail", chromedp.Click(chromedp.CSS(`#mail-view [data-testid="dialog-close"]`)), chromedp.WaitNotPresent(chromedp.CSS("#mail-view")))
	pick(b, "#outbox-status", "failed")
	waitText(b, "#outbox-table", "No failed mails.")
	b.assertNoPageErrors()
}

// contactStrings describes contacts as "address a@b [kinds]" or "user 3 [kinds]".
func contactStrings(list []contact) []string {
	var out []string
	for _, c := range list {
		var kinds []string
		for _, k := range []struct {
			on   bool
			name string
		}{{c.AllEvents, "all_events"}, {c.CriticalEvents, "critical_events"}, {c.WeeklySummary, "weekly_summary"}, {c.SensorTimeout, "sensor_timeout"}} {
			if k.on {
				kinds = append(kinds, k.name)
			}
		}
		target := "address " + c.Email
		if c.User != nil {
			target = fmt.Sprintf("user %d", *c.User)
			if c.Email != "" {
				target += " and address " + c.Email
			}
		}
		out = append(out, fmt.Sprintf("%s [%s]", target, strings.Join(kinds, " ")))
	}
	return out
}

// templateItem is one entry of GET /api/templates.
type templateItem struct {
	Type    string  `json:"type"`
	Default string  `json:"default_body"`
	Custom  *string `json:"custom_body"`
}

func (c *apiClient) template(kind string) templateItem {
	c.t.Helper()
	var list struct {
		Items []templateItem `json:"items"`
	}
	c.must("GET", "/api/templates", nil, &list, http.StatusOK)
	for _, it := range list.Items {
		if it.Type == kind {
			return it
		}
	}
	c.t.Fatalf("no template %q in %+v", kind, list.Items)
	return templateItem{}
}

// TestMailTemplates: System → Notification templates: pick the event notification, see its
// variables, tick "Use custom template", get the unknown variable flagged, preview with the
// sample data, save; the next event mail uses the text; reset to default.
func TestMailTemplates(t *testing.T) {
	b, srv, api := openEvents(t)
	def := api.template("event").Default
	openSystemPanel(b, "templates", "#template-type")
	if got := b.text("#page-title"); got != "Notification templates" {
		t.Errorf("page title = %q, want Notification templates", got)
	}
	pick(b, "#template-type", "event")
	vars := b.text("#template-variables")
	for _, want := range []string{"{{ID}} — Event ID", "{{SUMMARY}}", "{{SENSOR}}"} {
		if !strings.Contains(vars, want) {
			t.Errorf("variables = %q, want %q listed", vars, want)
		}
	}
	if strings.TrimSpace(b.text("#template-description")) == "" {
		t.Error("the template's description is empty")
	}
	if checked(b, "#template-custom") || !eval[bool](b, `document.getElementById('template-body').readOnly`) || inputValue(b, "#template-body") != def {
		t.Error("unticked, the text box does not show the default template read-only")
	}

	b.do("tick Use custom template", chromedp.Click(chromedp.CSS("#template-custom")))
	if eval[bool](b, `document.getElementById('template-body').readOnly`) {
		t.Fatal("the text box stays read-only with Use custom template ticked")
	}
	setInput(b, "#template-body", "Alert {{ID}} from {{NOPE}}\n{{SUMMARY}}")
	b.do("save a template with an unknown variable", chromedp.Click(chromedp.CSS("#template-save")))
	waitFieldError(b, "body", "Unknown variable {{NOPE}}")
	waitText(b, "#template-state", "not saved")
	if c := api.template("event").Custom; c != nil {
		t.Errorf("the invalid template was stored: %q", *c)
	}
	b.screenshot("template-error")

	const custom = "Alert {{ID}} on {{SENSOR}}\nWhat: {{SUMMARY}}\n"
	setInput(b, "#template-body", custom)
	b.do("preview", chromedp.Click(chromedp.CSS("#template-preview")), chromedp.WaitVisible(chromedp.CSS("#template-preview-body")))
	if got := b.text("#template-preview-body"); !strings.Contains(got, "Alert 4711 on office-pi") || !strings.Contains(got, "What: SSH login") {
		t.Errorf("preview = %q, want the text with the sample event 4711 of office-pi", got)
	}
	if got := b.text("#template-preview-subject"); !strings.Contains(got, "4711") {
		t.Errorf("preview subject = %q, want the sample event's id", got)
	}
	if msg := fieldError(b, "body"); msg != "" {
		t.Errorf("the old error %q stays after a good preview", msg)
	}
	b.screenshot("template-preview")
	b.do("save", chromedp.Click(chromedp.CSS("#template-save")))
	waitText(b, "#template-saved", "custom template is in use")
	if c := api.template("event").Custom; c == nil || *c != custom {
		t.Errorf("stored template = %v, want %q", c, custom)
	}
	if opt := eval[string](b, `document.querySelector('#template-type option[value="event"]').textContent`); !strings.Contains(opt, "(custom)") {
		t.Errorf("type option = %q, want it marked custom", opt)
	}

	// The next event mail is written with it.
	sink := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain})
	api.enableMail(sink)
	group := api.groupID("Default")
	api.setContacts(group, []contact{{Email: "soc@example.org", AllEvents: true}})
	s := api.createSensor("tmpl-sensor", group)
	ingest(t, srv, s, wireEvent{Timestamp: time.Now().Unix(), Service: "ssh", Source: "192.0.2.61", SourcePort: 40001,
		TargetPort: 22, Protocol: "tcp", Summary: "SSH login attempt"})
	id := api.sourceIDs()["192.0.2.61"]
	m := sink.Wait(t, 1, mailWait)[0]
	if want := fmt.Sprintf("Alert %d on tmpl-sensor\nWhat: SSH login attempt\n", id); !strings.Contains(m.Body, want) {
		t.Errorf("event mail body = %q, want the custom text %q", m.Body, want)
	}

	// Kept across a reload; then back to the default.
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#template-type")))
	if !checked(b, "#template-custom") || inputValue(b, "#template-body") != custom {
		t.Errorf("after reload: custom ticked %v, text %q; want the saved custom text", checked(b, "#template-custom"), inputValue(b, "#template-body"))
	}
	b.do("reset to default",
		chromedp.Click(chromedp.CSS("#template-reset")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-ok")),
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	waitText(b, "#template-saved", "default template is in use")
	if checked(b, "#template-custom") || inputValue(b, "#template-body") != def || !eval[bool](b, `document.getElementById('template-body').readOnly`) {
		t.Error("after the reset the editor does not show the default template read-only")
	}
	if c := api.template("event").Custom; c != nil {
		t.Errorf("after the reset the custom text is still stored: %q", *c)
	}
	b.assertNoPageErrors()
}

// TestMailHostileEvent: an event whose summary and details carry markup and a forged header
// line gives a mail with no extra header and no extra recipient, and the mail's text shows
// in the browser as literal text (no element, no script).
func TestMailHostileEvent(t *testing.T) {
	b, srv, api := openEvents(t)
	var dialogs atomic.Int32
	chromedp.Listen(b.ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			// Dismiss it, or the page would hang on the dialog.
			go chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	sink := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain})
	api.enableMail(sink)
	group := api.groupID("Default")
	api.setContacts(group, []contact{{Email: "soc@example.org", AllEvents: true}})

	const img = `<img src=x onerror=alert(1)>`
	const hostile = img + "\r\nBcc: evil@example.org"
	s := api.createSensor("hostile-sensor", group)
	at := time.Now().Unix()
	ingest(t, srv, s, wireEvent{Timestamp: at, Service: "ssh", Source: "192.0.2.66", SourcePort: 4444, TargetPort: 22,
		Protocol: "tcp", Summary: hostile,
		Details: []wireDetail{{Type: 0, Data: hostile}, {Timestamp: &at, Type: 1, Data: hostile + "\r\n"}}})

	m := sink.Wait(t, 1, mailWait)[0]
	if !slices.Equal(m.To, []string{"soc@example.org"}) {
		t.Errorf("envelope recipients = %v, want only soc@example.org", m.To)
	}
	if bcc := m.Header.Get("Bcc"); bcc != "" {
		t.Errorf("the mail has a Bcc header %q", bcc)
	}
	for _, line := range headerLines(m.Raw) {
		if strings.HasPrefix(strings.ToLower(line), "bcc:") || strings.Contains(line, "evil@") {
			t.Errorf("forged header line %q", line)
		}
	}
	for _, line := range strings.Split(m.Body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "Bcc:") {
			t.Errorf("a line of the body starts with the forged header: %q", line)
		}
	}
	if !strings.Contains(m.Body, img) || !strings.Contains(m.Body, `\r\nBcc: evil@example.org`) {
		t.Errorf("body = %q, want the markup as text and the line break written as \\r\\n", m.Body)
	}
	if len(sink.Messages()) != 1 {
		t.Errorf("the sink received %d mails, want 1", len(sink.Messages()))
	}

	o := api.waitOutbox("the mail sent", func(o outbox) bool { return o.Counts["sent"] == 1 })
	openSystemPanel(b, "mail", "#outbox-table")
	row := fmt.Sprintf(`#outbox-table tr.outbox-row[data-id="%d"]`, o.Items[0].ID)
	b.do("open the mail",
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row)),
		chromedp.WaitVisible(chromedp.CSS("#mail-view-body")))
	waitText(b, "#mail-view-body", img)
	if got := b.text("#mail-view-body"); !strings.Contains(got, `\r\nBcc: evil@example.org`) {
		t.Errorf("mail view = %q, want the escaped line break shown literally", got)
	}
	if n := eval[int](b, `document.getElementById('mail-view-body').children.length`); n != 0 {
		t.Errorf("the mail text became %d element(s)", n)
	}
	if n := eval[int](b, `document.querySelectorAll('img').length`); n != 0 {
		t.Errorf("%d <img> elements in the page", n)
	}
	b.screenshot("mail-view-hostile")
	// Give a would-be handler a moment to fire before checking.
	time.Sleep(500 * time.Millisecond)
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened", n)
	}
	b.assertNoPageErrors()
}

// TestMailOutboxRetry: while the mail server is down an event mail waits in the outbox with
// the server's error; once it is back, "Retry now" sends it and the table shows it sent.
func TestMailOutboxRetry(t *testing.T) {
	b, srv, api := openEvents(t)
	sink := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain})
	api.enableMail(sink)
	group := api.groupID("Default")
	api.setContacts(group, []contact{{Email: "ops@example.org", AllEvents: true}})
	sink.Stop()

	s := api.createSensor("outage-sensor", group)
	ingest(t, srv, s, wireEvent{Timestamp: time.Now().Unix(), Service: "recon", Source: "192.0.2.71", SourcePort: 40001,
		TargetPort: 3389, Protocol: "tcp", Summary: "Connection attempt on TCP 3389"})
	api.waitOutbox("a failed attempt", func(o outbox) bool {
		return len(o.Items) == 1 && o.Items[0].Status == "queued" && o.Items[0].Attempts >= 1
	})

	openSystemPanel(b, "mail", "#outbox-table")
	waitText(b, "#outbox-table", "refused")
	if got := b.text("#outbox-counts"); !strings.Contains(got, "Queued 1") {
		t.Errorf("outbox counts = %q, want Queued 1", got)
	}
	if st := eval[string](b, `document.querySelector('#outbox-table tr.outbox-row').dataset.status`); st != "queued" {
		t.Errorf("row status = %q, want queued", st)
	}
	b.screenshot("mail-outbox-queued")

	sink.Restart(t)
	b.do("retry now", chromedp.Click(chromedp.CSS("#outbox-retry")))
	waitText(b, "#outbox-notice", "will be sent again")
	if got := sink.Wait(t, 1, mailWait)[0]; !slices.Equal(got.To, []string{"ops@example.org"}) {
		t.Errorf("delivered to %v, want ops@example.org", got.To)
	}
	// The table refreshes itself every 10 seconds.
	if !poll(b, `document.querySelector('#outbox-table tr.outbox-row')?.dataset.status === 'sent'`, 25*time.Second) {
		b.screenshot("failed-outbox-sent")
		t.Errorf("outbox table = %q, want the mail shown sent", b.text("#outbox-table"))
	}
	b.assertNoPageErrors()
}
