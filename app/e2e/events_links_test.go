package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// sessionReport is an event as this appliance's remote sensors report it: with the tried
// values as structured fields and, for a session that is still open, its id, a revision and
// the ongoing flag (a later revision grows the same event).
type sessionReport struct {
	wireEvent
	Session  string           `json:"session,omitempty"`
	Revision int              `json:"revision,omitempty"`
	Ongoing  bool             `json:"ongoing,omitempty"`
	Logins   []map[string]any `json:"logins,omitempty"`
	Commands []string         `json:"commands,omitempty"`
	Paths    []string         `json:"paths,omitempty"`
}

// report posts reports signed as the sensor and fails unless the server takes them all.
func report(t *testing.T, srv *server, s sensor, reports ...sessionReport) {
	t.Helper()
	status, raw := signedPost(t, srv, s, "/api/events", map[string]any{"sensor": s.ID, "events": reports})
	var res struct {
		Accepted int `json:"accepted"`
	}
	if status != http.StatusOK || json.Unmarshal(raw, &res) != nil || res.Accepted != len(reports) {
		t.Fatalf("report %d events = %d %s, want all accepted", len(reports), status, raw)
	}
}

func login(user, password string, accepted bool) map[string]any {
	return map[string]any{"user": user, "password": password, "accepted": accepted}
}

// interaction builds n "Sensor interaction" lines at time at.
func interaction(at int64, lines ...string) []wireDetail {
	var out []wireDetail
	for i, l := range lines {
		ts := at + int64(i)
		out = append(out, wireDetail{Timestamp: &ts, Type: 1, Data: l})
	}
	return out
}

// TestEventsLinkFilters: the event list takes its filters from the hash (as the overview and
// attackers pages link to it), shows the ones without a control as removable chips, writes
// every change back to the hash, and a reload shows the same list.
func TestEventsLinkFilters(t *testing.T) {
	b, srv, api := openEvents(t)
	s := api.createSensor("dmz-pi", api.groupID("Default"))
	at := time.Now().Add(-10 * time.Minute).Unix()
	report(t, srv, s,
		sessionReport{wireEvent: wireEvent{Timestamp: at, Service: "ssh", Source: "198.51.100.10", TargetPort: 22, Protocol: "tcp",
			Summary: "SSH: login as root", Details: interaction(at, "login attempt [root/toor] succeeded", "CMD: uname -a")},
			Logins: []map[string]any{login("root", "toor", true)}, Commands: []string{"uname -a"}},
		sessionReport{wireEvent: wireEvent{Timestamp: at + 60, Service: "http", Source: "198.51.100.10", TargetPort: 80, Protocol: "tcp",
			Summary: "HTTP: GET /admin", Details: interaction(at+60, "GET /admin")}, Paths: []string{"/admin"}},
		sessionReport{wireEvent: wireEvent{Timestamp: at + 120, Service: "ssh", Source: "198.51.100.11", TargetPort: 22, Protocol: "tcp",
			Summary: "SSH: 1 failed login as admin", Details: interaction(at+120, "login attempt [admin/admin] failed")},
			Logins: []map[string]any{login("admin", "admin", false)}},
		sessionReport{wireEvent: wireEvent{Timestamp: at + 180, Service: "recon", Source: "198.51.100.12", TargetPort: 3389, Protocol: "tcp",
			Summary: "Connection attempt on TCP 3389"}})
	api.must("PATCH", "/api/events", map[string]any{"filter": map[string]any{"source": "198.51.100.12"}, "status": 2}, nil, http.StatusOK)
	open := func(hash string) {
		b.t.Helper()
		b.do("open "+hash, chromedp.Navigate(srv.URL+hash), chromedp.WaitVisible(chromedp.CSS("#events-table")))
	}

	open("#/events?source=198.51.100.10&status=all")
	waitSources(b, "the events of one source", []string{"198.51.100.10", "198.51.100.10"})
	waitText(b, `#filter-chips .chip[data-key="source"]`, "198.51.100.10")
	if v := eval[string](b, `document.getElementById('filter-status').value`); v != "" {
		t.Errorf("status filter = %q, want All", v)
	}
	b.screenshot("events-link-source")
	b.do("remove the source chip", chromedp.Click(chromedp.CSS(`#filter-chips .chip[data-key="source"] .chip-remove`)))
	waitSources(b, "every event, of every status", []string{"198.51.100.12", "198.51.100.11", "198.51.100.10", "198.51.100.10"})
	if hash := eval[string](b, `location.hash`); strings.Contains(hash, "source=") || !strings.Contains(hash, "status=all") {
		t.Errorf("hash after removing the chip = %q, want status=all and no source", hash)
	}
	if eval[bool](b, `!document.getElementById('filter-chips').hidden`) {
		t.Error("the chip row still shows without chips")
	}

	// A tried value, then a control changed: both survive a reload through the hash.
	open("#/events?username=admin&status=all")
	waitSources(b, "the event that tried the user name admin", []string{"198.51.100.11"})
	waitText(b, `#filter-chips .chip[data-key="username"]`, "User name")
	pick(b, "#filter-classification", "3")
	if !poll(b, `location.hash.includes('classification=3') && location.hash.includes('username=admin')`, 5*time.Second) {
		t.Errorf("hash after choosing a classification = %q", eval[string](b, `location.hash`))
	}
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#filter-chips .chip[data-key="username"]`)))
	waitSources(b, "the same list after a reload", []string{"198.51.100.11"})
	if v := eval[string](b, `document.getElementById('filter-classification').value`); v != "3" {
		t.Errorf("classification after the reload = %q, want 3", v)
	}

	open("#/events?service=http&target_port=80&status=all&sort=source&order=asc")
	waitSources(b, "the HTTP event on port 80", []string{"198.51.100.10"})
	waitText(b, "#filter-chips", "Target port")
	if !eval[bool](b, `document.querySelector('th[data-sort="source"]').classList.contains('sorted')`) {
		t.Error("sort=source from the hash is not the list's sort")
	}
	open("#/events?command=uname%20-a&status=all")
	waitSources(b, "the event that ran uname -a", []string{"198.51.100.10"})
	open("#/events?path=%2Fadmin&status=all")
	waitSources(b, "the event that asked for /admin", []string{"198.51.100.10"})

	// The number after a summary says what it counts.
	row := fmt.Sprintf(`tr[data-id="%d"]`, api.eventIDs("username=root")[0])
	open("#/events?status=all")
	b.do("wait for the rows", chromedp.WaitVisible(chromedp.CSS(row+" .lines-badge")))
	if title := eval[string](b, `document.querySelector('`+row+` .lines-badge').title`); !strings.Contains(title, "2 lines of sensor interaction") {
		t.Errorf("title of the count next to the summary = %q", title)
	}
	b.do("reset the filters", chromedp.Click(chromedp.CSS("#filter-reset")))
	waitSources(b, "open events only", []string{"198.51.100.11", "198.51.100.10", "198.51.100.10"})
	if hash := eval[string](b, `location.hash`); hash != "#/events" {
		t.Errorf("hash after a reset = %q, want #/events", hash)
	}
	b.assertNoPageErrors()
}

// TestEventsOngoing: an event whose session is still open shows as ongoing in the list and
// in its details; when the session grows and ends, both follow by themselves (no new event
// arrives, so only the ongoing refresh can show it), and the ticked box stays ticked.
func TestEventsOngoing(t *testing.T) {
	b, srv, api := openEvents(t)
	s := api.createSensor("shell-pi", api.groupID("Default"))
	at := time.Now().Add(-time.Minute).Unix()
	first := sessionReport{wireEvent: wireEvent{Timestamp: at, Service: "ssh", Source: "203.0.113.70", SourcePort: 50123,
		TargetPort: 22, Protocol: "tcp", Summary: "SSH: login as root, 1 command",
		Details: interaction(at, "login attempt [root/root] succeeded", "CMD: id")},
		Session: "e2e-session-1", Revision: 1, Ongoing: true,
		Logins: []map[string]any{login("root", "root", true)}, Commands: []string{"id"}}
	report(t, srv, s, first)
	report(t, srv, s, sessionReport{wireEvent: wireEvent{Timestamp: at, Service: "recon", Source: "203.0.113.71",
		TargetPort: 3389, Protocol: "tcp", Summary: "Connection attempt on TCP 3389"}})
	ids := api.sourceIDs()
	row := fmt.Sprintf(`tr[data-id="%d"]`, ids["203.0.113.70"])
	other := fmt.Sprintf(`tr[data-id="%d"]`, ids["203.0.113.71"])

	b.do("the ongoing event is marked", chromedp.WaitVisible(chromedp.CSS(row+" .ongoing")))
	if title := eval[string](b, `document.querySelector('`+row+` .ongoing').title`); !strings.Contains(title, "still connected") {
		t.Errorf("ongoing badge title = %q", title)
	}
	if n := eval[int](b, `document.querySelectorAll('#events-table .ongoing').length`); n != 1 {
		t.Errorf("%d rows are marked ongoing, want 1", n)
	}
	b.do("tick the other row", chromedp.Click(chromedp.CSS(other+" input.row-select")), chromedp.WaitVisible(chromedp.CSS("#bulk-bar")))
	b.do("open the details", chromedp.Click(chromedp.CSS(row+" button.show-details")),
		chromedp.WaitVisible(chromedp.CSS("#event-details .dialog-head .ongoing")))
	b.screenshot("event-ongoing")

	// The session goes on and ends: revision 2 is final.
	final := first
	final.Revision, final.Ongoing = 2, false
	final.Summary = "SSH: login as root, 3 commands"
	final.Details = interaction(at, "login attempt [root/root] succeeded", "CMD: id", "CMD: uname -a", "CMD: exit")
	final.Commands = []string{"id", "uname -a", "exit"}
	report(t, srv, s, final)
	if !poll(b, `document.querySelectorAll('#details-interaction .log-line').length === 4 && !document.querySelector('#event-details .ongoing')`, 12*time.Second) {
		t.Errorf("the open details did not follow the session: %q", b.text("#event-details"))
	}
	b.do("close the details", chromedp.Click(chromedp.CSS(`#event-details [data-testid="dialog-close"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#event-details")))
	waitText(b, row+" td.summary", "3 commands")
	if eval[bool](b, `!!document.querySelector('`+row+` .ongoing')`) {
		t.Error("the row is still marked ongoing after the session ended")
	}
	if !eval[bool](b, `document.querySelector('`+other+` input.row-select').checked`) {
		t.Error("the ticked row lost its tick when the ongoing row was refreshed")
	}
	if got := api.eventIDs("source=203.0.113.70"); len(got) != 1 || got[0] != ids["203.0.113.70"] {
		t.Errorf("events of the session = %v, want the one event %d", got, ids["203.0.113.70"])
	}
	b.assertNoPageErrors()
}
