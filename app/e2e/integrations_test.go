package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"honeysens/app/mail/mailtest"
)

// hookReceiver is a webhook receiver whose answer the test sets; it keeps the summaries of the
// events it was sent.
type hookReceiver struct {
	mu        sync.Mutex
	status    int
	summaries []string
}

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var body struct{ Event struct{ Summary string } }
	b, _ := io.ReadAll(req.Body)
	json.Unmarshal(b, &body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.summaries = append(r.summaries, body.Event.Summary)
	w.WriteHeader(r.status)
	// Markup in an answer, which the page shows as the last error: it must stay text.
	io.WriteString(w, `<img id="injected" src="x">`)
}

func (r *hookReceiver) set(status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = status
}

// waitRequests waits until the receiver got n requests, each with the test event.
func (r *hookReceiver) waitRequests(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r.mu.Lock()
		got := append([]string(nil), r.summaries...)
		r.mu.Unlock()
		if len(got) >= n {
			for _, s := range got {
				if !strings.Contains(s, "TEST EVENT") {
					t.Errorf("the receiver got %q, want the test event", s)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver got %d requests, want %d", len(got), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestIntegrationsPage: System → Integrations checks an output's fields, adds a webhook, sends
// the test event through it, shows the receiver's failure (as text) and the queue, and "Retry
// now" delivers it.
func TestIntegrationsPage(t *testing.T) {
	rcv := &hookReceiver{status: http.StatusServiceUnavailable}
	hook := httptest.NewServer(rcv)
	defer hook.Close()
	b := newBrowser(t)
	srv := startServer(t)
	adminAPI(t, srv)
	b.do("open the app", chromedp.Navigate(srv.URL))
	logIn(b, "admin", adminPassword)
	landOnOverview(b)
	openSystemPanel(b, "integrations", "#outputs-table")

	b.do("a syslog output without a host is refused",
		chromedp.Click(chromedp.CSS("#output-add-syslog")),
		chromedp.WaitVisible(chromedp.CSS("#output-host")))
	typeInto(b, "#output-name", "SIEM")
	b.do("save", chromedp.Click(chromedp.CSS("#output-save")))
	waitFieldError(b, "config.host", "host")
	b.do("cancel", chromedp.Click(chromedp.CSS(`[data-testid="output-dialog"] .dialog-foot .btn:not(.primary)`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="output-dialog"]`)))

	b.do("add a webhook",
		chromedp.Click(chromedp.CSS("#output-add-webhook")),
		chromedp.WaitVisible(chromedp.CSS("#output-url")))
	typeInto(b, "#output-name", "Chat")
	typeInto(b, "#output-url", hook.URL+"/hooks/abc")
	b.do("save", chromedp.Click(chromedp.CSS("#output-save")),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="output-dialog"]`)))
	waitText(b, "#outputs-table", "Chat")

	b.do("send the test event", chromedp.Click(chromedp.CSS("#test-event")))
	waitText(b, "#outputs-notice", "Test event #")
	rcv.waitRequests(t, 1)
	// The table refreshes itself every 10 seconds.
	waitTextFor(b, ".output-row .output-error", "503", 25*time.Second)
	if got := b.text(".output-row .output-error"); !strings.Contains(got, `<img id="injected"`) {
		t.Errorf("last error = %q, want the receiver's answer as text", got)
	}
	if eval[bool](b, `document.getElementById('injected') !== null`) {
		t.Error("the receiver's answer became markup")
	}
	if got := b.text(".output-row .output-queued"); got != "1" {
		t.Errorf("queued = %q, want 1", got)
	}
	b.screenshot("integrations-failed")

	rcv.set(http.StatusOK)
	b.do("retry now", chromedp.Click(chromedp.CSS(".output-row .output-retry")))
	waitText(b, "#outputs-notice", "will be sent again")
	rcv.waitRequests(t, 2)
	if !poll(b, `document.querySelector('.output-row .output-queued')?.textContent === '0'
		&& document.querySelector('.output-row .output-success')?.textContent !== '—'`, 25*time.Second) {
		b.screenshot("failed-integrations-delivered")
		t.Errorf("outputs table = %q, want the message delivered", b.text("#outputs-table"))
	}
	b.assertNoPageErrors()
}

// TestTestEventMailed: the test event reaches the mail contacts of its sensor's group, as a
// real event would.
func TestTestEventMailed(t *testing.T) {
	sink := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain})
	srv := startServer(t)
	api := adminAPI(t, srv)
	api.enableMail(sink)
	api.setContacts(api.groupID("Default"), []contact{{Email: "ops@example.org", CriticalEvents: true}})
	api.must("POST", "/api/settings/testevent", map[string]any{}, nil, http.StatusCreated)
	m := sink.Wait(t, 1, mailWait)[0]
	if !slices.Equal(m.To, []string{"ops@example.org"}) || !strings.Contains(m.Body, "TEST EVENT") {
		t.Errorf("mail to %v:\n%s", m.To, m.Body)
	}
}
