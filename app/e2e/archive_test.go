package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// archiveSettings is GET/PATCH /api/settings/archive.
type archiveSettings struct {
	MoveDays int    `json:"move_days"`
	KeepDays int    `json:"keep_days"`
	Prefer   bool   `json:"prefer"`
	RunAt    string `json:"run_at"`
}

// eventTotal is the total of GET /api/events for a query (e.g. "dataset=archive").
func (c *apiClient) eventTotal(query string) int {
	c.t.Helper()
	var page struct {
		Total int `json:"total"`
	}
	c.must("GET", "/api/events?limit=1&"+query, nil, &page, http.StatusOK)
	return page.Total
}

// setInput sets the value of an input and fires input and change, as typing would (number
// and time inputs do not take SendKeys text reliably).
func setInput(b *browser, sel, value string) {
	b.t.Helper()
	b.do("set "+sel+" to "+value, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const i = document.querySelector(%s); i.value = %s;
		  i.dispatchEvent(new Event('input', {bubbles: true})); i.dispatchEvent(new Event('change', {bubbles: true})); })()`,
		quoteJS(sel), quoteJS(value))))
}

// pageFetch sends a JSON request from the page with the session cookie and its CSRF token,
// as the UI would, and returns status and body.
func pageFetch(b *browser, method, path string, body any) (int, string) {
	b.t.Helper()
	type answer struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	res := eval[answer](b, fmt.Sprintf(`(async () => {
		const s = await (await fetch('/api/session', {credentials: 'same-origin'})).json();
		const r = await fetch(%s, {method: %s, credentials: 'same-origin',
			headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token}, body: %s});
		return {status: r.status, body: await r.text()};
	})()`, quoteJS(path), quoteJS(method), jsString(body)))
	return res.Status, res.Body
}

// checked tells whether the checkbox matching sel is ticked.
func checked(b *browser, sel string) bool {
	b.t.Helper()
	return eval[bool](b, fmt.Sprintf(`document.querySelector(%s).checked`, quoteJS(sel)))
}

// TestArchiveRemoveReadOnlyPurge walks the manual's archive section in the browser: remove an
// event with "Move events to archive" ticked, find it under Dataset → Archive read-only,
// remove it for good; then System → Event archive: the pre-tick preference, field errors,
// saving and "Run now".
func TestArchiveRemoveReadOnlyPurge(t *testing.T) {
	b, srv, api := openEvents(t)
	s := api.createSensor("archive-sensor", api.groupID("Default"))
	now := time.Now()
	events := []seedEvent{
		{"198.51.100.1", "recon", "Scan", 3, 0},
		{"198.51.100.2", "ssh", "SSH login attempt", 2, 22},
		{"198.51.100.3", "recon", "Connection attempt on TCP 445", 1, 445},
	}
	var wire []wireEvent
	for _, e := range events {
		wire = append(wire, toWire(e, now))
	}
	ingest(t, srv, s, wire...)
	ids := api.sourceIDs()
	row := func(src string) string { return fmt.Sprintf(`tr[data-id="%d"]`, ids[src]) }
	waitSources(b, "all three events", newestFirst(events))

	// 1. Remove with "Move events to archive" ticked (not pre-ticked: the preference is off).
	b.do("open the Remove dialog",
		chromedp.Click(chromedp.CSS(row("198.51.100.1")+" button.remove-event")),
		chromedp.WaitVisible(chromedp.CSS("#remove-archive")))
	if checked(b, "#remove-archive") {
		t.Error("Move events to archive is pre-ticked although the preference is off")
	}
	b.do("tick Move events to archive", chromedp.Click(chromedp.CSS("#remove-archive")))
	if got := b.text("#remove-confirm"); got != "Move to archive" {
		t.Errorf("confirm button = %q, want Move to archive", got)
	}
	b.do("confirm", chromedp.Click(chromedp.CSS("#remove-confirm")), chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	waitSources(b, "the archived event left the live list", newestFirst(events, "198.51.100.1"))
	if n := api.eventTotal("dataset=archive"); n != 1 {
		t.Fatalf("archive holds %d events, want 1", n)
	}

	// 2. Dataset → Archive: the event is there, read-only.
	pick(b, "#filter-dataset", "archive")
	waitSources(b, "the archive holds it", []string{"198.51.100.1"})
	archRow := `#events-table tbody tr[data-id]`
	if n := eval[int](b, `document.querySelectorAll('#events-table button.edit-event').length`); n != 0 {
		t.Errorf("archived rows offer %d Edit buttons", n)
	}
	b.do("open the archived event's details",
		chromedp.Click(chromedp.CSS(archRow+" button.show-details")),
		chromedp.WaitVisible(chromedp.CSS("#event-details .event-props")))
	title := b.text("#event-details .dialog-head")
	if want := fmt.Sprintf("Archived event #%d", ids["198.51.100.1"]); !strings.Contains(title, want) {
		t.Errorf("details title = %q, want %q", title, want)
	}
	if props := b.text("#event-details .event-props"); !strings.Contains(props, "archive-sensor") || !strings.Contains(props, "Default") {
		t.Errorf("archived details = %q, want the sensor and group names", props)
	}
	// Nothing in the dialog edits the event: no form controls, no Edit or filter button.
	controls := eval[[]string](b, `[...document.querySelectorAll('#event-details input, #event-details select, #event-details textarea, #event-details button')]
		.map(e => e.tagName + ':' + (e.innerText || e.id || ''))`)
	for _, c := range controls {
		if c != "BUTTON:Close" {
			t.Errorf("the archived event's details offer %q; want only Close", c)
		}
	}
	b.screenshot("archive-details")
	b.do("close the details",
		chromedp.Click(chromedp.CSS(`#event-details [data-testid="dialog-close"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#event-details")))

	status, body := pageFetch(b, "PATCH", "/api/events",
		map[string]any{"filter": map[string]string{"dataset": "archive"}, "status": 2, "comment": "x"})
	if status != http.StatusBadRequest || !strings.Contains(body, "read-only") {
		t.Errorf("PATCH of archived events = %d %s, want 400 saying they are read-only", status, body)
	}

	// 3. Remove it from the archive: permanent, the dialog says so and offers no archive box.
	b.do("open the Remove dialog in the archive",
		chromedp.Click(chromedp.CSS(archRow+" button.remove-event")),
		chromedp.WaitVisible(chromedp.CSS("#remove-confirm")))
	waitText(b, `[data-testid="remove-dialog"]`, "removed permanently")
	if eval[bool](b, `document.getElementById('remove-archive') !== null`) {
		t.Error("the archive's Remove dialog offers Move events to archive")
	}
	if got := b.text("#remove-confirm"); got != "Remove permanently" {
		t.Errorf("confirm button = %q, want Remove permanently", got)
	}
	b.screenshot("archive-remove-dialog")
	b.do("remove it for good", chromedp.Click(chromedp.CSS("#remove-confirm")), chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	waitText(b, "#events-table", "No events match")
	if n := api.eventTotal("dataset=archive"); n != 0 {
		t.Errorf("archive holds %d events after the permanent removal, want 0", n)
	}
	if n := api.eventTotal(""); n != 2 {
		t.Errorf("live list holds %d events, want the other 2", n)
	}
	pick(b, "#filter-dataset", "live")
	waitSources(b, "live again", newestFirst(events, "198.51.100.1"))

	// 4. System → Event archive.
	b.do("open System",
		chromedp.Click(chromedp.CSS("#nav-system")),
		chromedp.WaitVisible(chromedp.CSS("#system-link-archive")))
	b.screenshot("system-index")
	b.do("open Event archive",
		chromedp.Click(chromedp.CSS("#system-link-archive")),
		chromedp.WaitVisible(chromedp.CSS("#archive-prefer")))
	if got := b.text("#page-title"); got != "Event archive" {
		t.Errorf("page title = %q, want Event archive", got)
	}
	if !eval[bool](b, `document.getElementById('nav-system').classList.contains('active')`) {
		t.Error("the System sidebar item is not marked active on its panel")
	}
	if checked(b, "#archive-prefer") || run(b, "read move days", chromedp.Value(chromedp.CSS("#archive-move-days"))) != "0" ||
		run(b, "read run at", chromedp.Value(chromedp.CSS("#archive-run-at"))) != "03:00" {
		t.Error("the panel does not show the default settings (off, 0 days, 03:00)")
	}

	// A value out of range: the server's message shows under the input.
	setInput(b, "#archive-move-days", "5000")
	b.do("save an out-of-range value",
		chromedp.Click(chromedp.CSS("#archive-save")),
		chromedp.WaitVisible(chromedp.CSS(`[data-field="move_days"] .field-error`)))
	if msg := b.text(`[data-field="move_days"] .field-error`); !strings.Contains(msg, "3650") {
		t.Errorf("move_days error = %q, want the allowed range", msg)
	}
	b.screenshot("system-archive-error")

	b.do("tick the preference", chromedp.Click(chromedp.CSS("#archive-prefer")))
	setInput(b, "#archive-move-days", "30")
	setInput(b, "#archive-keep-days", "365")
	setInput(b, "#archive-run-at", "02:30")
	b.do("save", chromedp.Click(chromedp.CSS("#archive-save")))
	waitText(b, "#archive-saved", "Saved.")
	if eval[bool](b, `!!document.querySelector('[data-field="move_days"] .field-error:not([hidden])')`) {
		t.Error("the field error stays after a successful save")
	}
	var got archiveSettings
	api.must("GET", "/api/settings/archive", nil, &got, http.StatusOK)
	if want := (archiveSettings{MoveDays: 30, KeepDays: 365, Prefer: true, RunAt: "02:30"}); got != want {
		t.Errorf("saved settings = %+v, want %+v", got, want)
	}

	b.do("run the job now", chromedp.Click(chromedp.CSS("#archive-run-now")), chromedp.WaitVisible(chromedp.CSS("#archive-run-result")))
	result := b.text("#archive-run-result")
	if !regexp.MustCompile(`^\d+ events? moved, \d+ deleted\.$`).MatchString(result) {
		t.Errorf("run result = %q, want like \"12 events moved, 0 deleted.\"", result)
	}
	b.screenshot("system-archive")

	// The preference pre-ticks the box the next time a Remove dialog opens.
	b.do("back to the events",
		chromedp.Click(chromedp.CSS("#nav-events")),
		chromedp.WaitVisible(chromedp.CSS(row("198.51.100.2"))),
		chromedp.Click(chromedp.CSS(row("198.51.100.2")+" button.remove-event")),
		chromedp.WaitVisible(chromedp.CSS("#remove-archive")))
	if !checked(b, "#remove-archive") {
		t.Error("Move events to archive is not pre-ticked although the preference is on")
	}
	if got := b.text("#remove-confirm"); got != "Move to archive" {
		t.Errorf("confirm button = %q, want Move to archive for the pre-ticked box", got)
	}
	b.screenshot("archive-remove-preticked")
	b.do("cancel", chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	b.assertNoPageErrors()
}

// TestArchiveGroupDelete deletes a group in the browser with "Move the events of its sensors
// to the archive" ticked (pre-ticked by the preference) and checks through the API that its
// sensor's events are archived with the group's name, while other groups keep theirs. The
// group of the appliance's own sensor cannot be deleted: the dialog shows the server's 409.
func TestArchiveGroupDelete(t *testing.T) {
	b, srv, api := openEvents(t)
	var g struct {
		ID int64 `json:"id"`
	}
	api.must("POST", "/api/groups", map[string]any{"name": "Branch office", "members": []int64{}}, &g, http.StatusCreated)
	branch := api.createSensor("branch-sensor", g.ID)
	other := api.createSensor("hq-sensor", api.groupID("Default"))
	now := time.Now()
	ingest(t, srv, branch,
		toWire(seedEvent{"203.0.113.1", "recon", "Scan", 5, 0}, now),
		toWire(seedEvent{"203.0.113.2", "ssh", "SSH login attempt", 4, 22}, now))
	ingest(t, srv, other, toWire(seedEvent{"203.0.113.3", "recon", "Scan", 3, 0}, now))
	api.must("PATCH", "/api/settings/archive", map[string]any{"prefer": true}, nil, http.StatusOK)

	b.do("open Users and groups",
		chromedp.Click(chromedp.CSS("#nav-users")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-name="Branch office"]`)))

	// The Default group holds the appliance's own sensor: refused, with the server's message.
	b.do("try to delete the Default group",
		chromedp.Click(chromedp.CSS(`tr[data-name="Default"] [data-testid="group-delete"]`)),
		chromedp.WaitVisible(chromedp.CSS("#group-remove-archive")),
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="confirm-dialog"] .form-error`)))
	if msg := b.text(`[data-testid="confirm-dialog"] .form-error`); !strings.Contains(msg, "own sensor") {
		t.Errorf("refusal = %q, want the server's message about the appliance's own sensor", msg)
	}
	b.do("close it", chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))

	b.do("delete the branch group",
		chromedp.Click(chromedp.CSS(`tr[data-name="Branch office"] [data-testid="group-delete"]`)),
		chromedp.WaitVisible(chromedp.CSS("#group-remove-archive")))
	if !checked(b, "#group-remove-archive") {
		t.Error("Move the events of its sensors to the archive is not pre-ticked although the preference is on")
	}
	b.screenshot("group-delete-dialog")
	b.do("confirm",
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")),
		chromedp.WaitNotPresent(chromedp.CSS(`tr[data-name="Branch office"]`)))
	waitText(b, "#group-notice", "2 events moved to the archive")

	var arch struct {
		Items []struct {
			Source string `json:"source"`
			Group  any    `json:"group"`
			Sensor any    `json:"sensor"`
		} `json:"items"`
		Total int `json:"total"`
	}
	api.must("GET", "/api/events?dataset=archive&limit=50", nil, &arch, http.StatusOK)
	if arch.Total != 2 {
		t.Fatalf("archive holds %d events, want the branch sensor's 2: %+v", arch.Total, arch.Items)
	}
	for _, e := range arch.Items {
		if !strings.HasPrefix(e.Source, "203.0.113.") || e.Source == "203.0.113.3" ||
			!strings.Contains(fmt.Sprint(e.Group), "Branch office") || !strings.Contains(fmt.Sprint(e.Sensor), "branch-sensor") {
			t.Errorf("archived event %+v, want a branch event with its group and sensor names", e)
		}
	}
	if ids := api.eventIDs(""); len(ids) != 1 {
		t.Errorf("live events = %v, want only the Default group's one", ids)
	}
	b.assertNoPageErrors()
}
