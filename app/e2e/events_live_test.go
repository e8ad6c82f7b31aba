package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestEventsLiveUpdate: with the list open, an event ingested from Go appears by itself,
// highlighted, while the user's ticked checkbox and scroll position stay, and the sidebar
// badge counts the New events on every page.
func TestEventsLiveUpdate(t *testing.T) {
	b, srv, api := openEvents(t)
	s := api.createSensor("office-pi", api.groupID("Default"))
	now := time.Now()
	var batch []wireEvent
	for i := range 30 {
		batch = append(batch, wireEvent{Timestamp: now.Add(-time.Duration(30-i) * time.Minute).Unix(), Service: "recon",
			Source: fmt.Sprintf("198.51.100.%d", i+1), TargetPort: 3389, Protocol: "tcp", Summary: "Connection attempt"})
	}
	ingest(t, srv, s, batch...)
	waitText(b, "#events-total", "of 30")
	waitText(b, "#nav-events-badge", "30")

	ticked := api.sourceIDs()["198.51.100.5"]
	tickedSel := fmt.Sprintf(`tr[data-id="%d"] input.row-select`, ticked)
	b.do("tick a row further down and scroll to it",
		chromedp.ScrollIntoView(chromedp.CSS(tickedSel)),
		chromedp.Click(chromedp.CSS(tickedSel)),
		chromedp.WaitVisible(chromedp.CSS("#bulk-bar")))
	scrollY := eval[float64](b, `window.scrollY`)
	if scrollY < 100 {
		t.Fatalf("scrollY = %v: the page did not scroll, the test cannot check that it stays", scrollY)
	}

	ingest(t, srv, s, wireEvent{Timestamp: time.Now().Unix(), Service: "recon", Source: "203.0.113.200",
		TargetPort: 5900, Protocol: "tcp", Summary: "Connection attempt on TCP 5900"})
	fresh := api.sourceIDs()["203.0.113.200"]
	if !poll(b, fmt.Sprintf(`!!document.querySelector('tr[data-id="%d"].row-new')`, fresh), 12*time.Second) {
		b.screenshot("failed-live-update")
		t.Fatal("the new event did not show up highlighted within 12s")
	}
	b.screenshot("events-live-update")
	if !eval[bool](b, `document.querySelector('`+tickedSel+`').checked`) {
		t.Error("the ticked checkbox was cleared by the live update")
	}
	if n := eval[int](b, `document.querySelectorAll('#events-table tr.row-new').length`); n != 1 {
		t.Errorf("%d rows are highlighted as new, want 1", n)
	}
	if y := eval[float64](b, `window.scrollY`); y < scrollY-1 || y > scrollY+1 {
		t.Errorf("scrollY = %v after the live update, want %v", y, scrollY)
	}
	waitText(b, "#bulk-bar", "1 selected")
	waitText(b, "#events-total", "of 31")
	waitText(b, "#nav-events-badge", "31")

	b.do("the badge is on other pages too",
		chromedp.Click(chromedp.CSS("#nav-account")),
		chromedp.WaitVisible(chromedp.CSS("#token-name")))
	waitText(b, "#nav-events-badge", "31")
	api.must("PATCH", "/api/events", map[string]any{"ids": []int64{fresh}, "status": 1}, nil, http.StatusOK)
	waitText(b, "#nav-events-badge", "30")
	b.assertNoPageErrors()
}

// xss are markup strings an attacker controls through a sensor or a honeypot session.
var xss = []string{`<img src=x onerror=alert(1)>`, `"><script>alert(2)</script>`}

// TestEventsXSS: attacker-controlled text (summary, details, payload, comment) shows as
// literal text in the list and in the details dialog; nothing of it runs or becomes markup.
func TestEventsXSS(t *testing.T) {
	b, srv, api := openEvents(t)
	var dialogs atomic.Int32
	chromedp.Listen(b.ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			// Dismiss it, or the page would hang on the dialog.
			go chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	})

	s := api.createSensor("web-sensor", api.groupID("Default"))
	both := xss[0] + " " + xss[1]
	at := time.Now().Unix()
	ingest(t, srv, s, wireEvent{Timestamp: at, Service: "ssh", Source: "192.0.2.66", SourcePort: 4444, TargetPort: 22,
		Protocol: "tcp", Summary: both,
		Details: []wireDetail{{Type: 0, Data: xss[0]}, {Timestamp: &at, Type: 1, Data: xss[1]}},
		Packets: []wirePacket{{Timestamp: at, Protocol: 1, Port: 22, Payload: b64(both)}}})
	id := api.sourceIDs()["192.0.2.66"]
	api.must("PATCH", "/api/events", map[string]any{"ids": []int64{id}, "status": 1, "comment": xss[1] + xss[0]},
		nil, http.StatusOK)

	row := fmt.Sprintf(`tr[data-id="%d"]`, id)
	b.do("the event is listed", chromedp.WaitVisible(chromedp.CSS(row)))
	waitText(b, row, xss[1]+xss[0])
	b.do("open its details",
		chromedp.Click(chromedp.CSS(row+" button.show-details")),
		chromedp.WaitVisible(chromedp.CSS("#details-packets pre.payload")))
	b.screenshot("event-details-xss")

	text := eval[string](b, `document.body.innerText`)
	for _, s := range xss {
		if n := strings.Count(text, s); n < 4 {
			t.Errorf("%q shows %d times as text, want it in the list, the summary, the details and the comment", s, n)
		}
	}
	if got := b.text("#details-packets pre.payload"); got != both {
		t.Errorf("payload = %q, want %q", got, both)
	}
	if n := eval[int](b, `document.querySelectorAll('img[src="x"], img').length`); n != 0 {
		t.Errorf("%d <img> elements in the page", n)
	}
	injected := eval[int](b, `[...document.querySelectorAll('script')].filter(s => !s.src || s.textContent.includes('alert')).length`)
	if injected != 0 {
		t.Errorf("%d injected <script> elements in the page", injected)
	}
	// Give a would-be handler a moment to fire before checking.
	time.Sleep(500 * time.Millisecond)
	if n := dialogs.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened", n)
	}
	b.assertNoPageErrors()
}

// TestEventsObserverReadOnly: observers may list, view and export events, but the UI offers
// them no edit or remove controls (the API refuses those anyway).
func TestEventsObserverReadOnly(t *testing.T) {
	b, srv, api := openEvents(t)
	group := api.groupID("Default")
	api.must("POST", "/api/users", map[string]any{"login": "olivia", "full_name": "Olivia Observer",
		"email": "olivia@example.org", "role": 1, "groups": []int64{group}, "password": "observer-pass-1",
		"must_change_password": false}, nil, http.StatusCreated)
	s := api.createSensor("branch-sensor", group)
	ingest(t, srv, s, wireEvent{Timestamp: time.Now().Unix(), Service: "recon", Source: "192.0.2.77",
		TargetPort: 445, Protocol: "tcp", Summary: "Connection attempt on TCP 445"})

	b.do("log out the admin", chromedp.Click(chromedp.CSS("#logout")))
	logIn(b, "olivia", "observer-pass-1")
	landOnOverview(b)
	openEventsNav(b)
	row := fmt.Sprintf(`tr[data-id="%d"]`, api.sourceIDs()["192.0.2.77"])
	b.do("the observer sees the event",
		chromedp.WaitVisible(chromedp.CSS(row+" button.show-details")),
		chromedp.Click(chromedp.CSS(row+" input.row-select")),
		chromedp.WaitVisible(chromedp.CSS("#bulk-export")),
		chromedp.Click(chromedp.CSS("#scope-menu")),
		chromedp.WaitVisible(chromedp.CSS("#scope-all-export")))
	b.screenshot("events-observer")
	visible := eval[[]string](b, `[...document.querySelectorAll('button.edit-event, button.remove-event, #bulk-edit, #bulk-remove, #scope-page-edit, #scope-page-remove, #scope-all-edit, #scope-all-remove')].filter(e => e.offsetParent !== null).map(e => e.id || e.className)`)
	if len(visible) != 0 {
		t.Errorf("observer sees edit/remove controls: %v", visible)
	}
	status, csv := fetchText(b, eval[string](b, `document.getElementById('bulk-export').href`))
	if status != http.StatusOK || !strings.Contains(csv, "192.0.2.77") {
		t.Errorf("observer export = %d %q", status, csv)
	}
	b.assertNoPageErrors()
}
