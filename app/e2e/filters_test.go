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

// manualRule is the manual's example: port scans from 192.168.3.5 are noise.
const manualRule = "Port scans from 192.168.3.5"

// apiRule is a filter rule as GET /api/filters lists it.
type apiRule struct {
	ID         int64  `json:"id"`
	Group      int64  `json:"group"`
	Name       string `json:"name"`
	Enabled    bool   `json:"enabled"`
	Hits       int64  `json:"hits"`
	Conditions []struct {
		Attribute string `json:"attribute"`
		Value     string `json:"value"`
	} `json:"conditions"`
}

// filterRules lists the rules the API client may see, by name.
func (c *apiClient) filterRules() map[string]apiRule {
	c.t.Helper()
	var list struct {
		Items []apiRule `json:"items"`
	}
	c.must("GET", "/api/filters", nil, &list, http.StatusOK)
	m := map[string]apiRule{}
	for _, r := range list.Items {
		m[r.Name] = r
	}
	return m
}

// ingestCounted posts signed events and returns how many the server accepted and how many
// filter rules dropped.
func ingestCounted(t *testing.T, srv *server, s sensor, events ...wireEvent) (accepted, dropped int) {
	t.Helper()
	status, raw := signedPost(t, srv, s, "/api/events", map[string]any{"sensor": s.ID, "events": events})
	var res struct {
		Accepted int `json:"accepted"`
		Dropped  int `json:"dropped"`
	}
	if status != http.StatusOK || json.Unmarshal(raw, &res) != nil {
		t.Fatalf("ingest %d events = %d %s, want 200", len(events), status, raw)
	}
	return res.Accepted, res.Dropped
}

// scanEvent is a port scan as the recon honeypot reports it; the server classifies it Scan.
func scanEvent(source string, ago time.Duration) wireEvent {
	return wireEvent{Timestamp: time.Now().Add(-ago).Unix(), Service: "recon", Source: source,
		SourcePort: 40123, Protocol: "tcp", Summary: "Scan"}
}

// openFilters goes to the Filters page through the sidebar.
func openFilters(b *browser) {
	b.t.Helper()
	b.do("open the filters page",
		chromedp.Click(chromedp.CSS("#nav-filters")),
		chromedp.WaitVisible(chromedp.CSS("#filters-table")))
	if got := b.text("#page-title"); got != "Filters" {
		b.t.Errorf("page title = %q, want Filters", got)
	}
}

// conditionRows reads the condition rows of the open filter dialog as "attribute=value".
func conditionRows(b *browser) []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll('.condition-row')].map(r =>
		r.querySelector('select.condition-attribute').value + '=' + r.querySelector('.condition-value').value)`)
}

// TestFiltersWorkflow walks the manual's filter section: create the example rule through
// the dialog (after a refused invalid source), see it drop a matching event through signed
// ingest while the other event is listed and the counter goes to 1, disable it so the same
// event is listed, and create a rule pre-filled from an event's details.
func TestFiltersWorkflow(t *testing.T) {
	b, srv, api := openEvents(t)
	group := api.groupID("Default")
	s := api.createSensor("lab-sensor", group)

	openFilters(b)
	waitText(b, "#filters-table tbody", "No filter rules yet.")
	if opts := eval[[]string](b, `[...document.querySelectorAll('#filter-group-select option')].map(o => o.textContent)`); len(opts) < 2 || opts[0] != "All groups" {
		t.Errorf("group filter options = %v, want All groups + the groups", opts)
	}

	// The Add dialog: group, name, description, then the conditions.
	b.do("open the Add dialog",
		chromedp.Click(chromedp.CSS("#filter-add")),
		chromedp.WaitVisible(chromedp.CSS("#filter-name")))
	pick(b, "#rule-group", fmt.Sprint(group))
	b.do("name the rule",
		chromedp.SendKeys(chromedp.CSS("#filter-name"), manualRule),
		chromedp.SendKeys(chromedp.CSS("#filter-description"), "The vulnerability scanner of the IT department."))
	const row1, row2 = ".condition-row:nth-child(1)", ".condition-row:nth-child(2)"
	pick(b, row1+" select.condition-attribute", "classification")
	if tag := eval[string](b, `document.querySelector('.condition-row:nth-child(1) .condition-value').tagName`); tag != "SELECT" {
		t.Errorf("classification value control = %s, want a SELECT", tag)
	}
	pick(b, row1+" .condition-value", "4")
	b.do("add a second condition",
		chromedp.Click(chromedp.CSS("#condition-add")),
		chromedp.WaitVisible(chromedp.CSS(row2+" select.condition-attribute")))

	// The value input follows the attribute.
	pick(b, row2+" select.condition-attribute", "protocol")
	if opts := eval[[]string](b, `[...document.querySelectorAll('.condition-row:nth-child(2) select.condition-value option')].map(o => o.value)`); strings.Join(opts, ",") != "tcp,udp,icmp" {
		t.Errorf("protocol options = %v, want tcp,udp,icmp", opts)
	}
	pick(b, row2+" select.condition-attribute", "source")
	type control struct {
		Tag, Placeholder string
	}
	if c := eval[control](b, `(() => { const e = document.querySelector('.condition-row:nth-child(2) .condition-value'); return {Tag: e.tagName, Placeholder: e.placeholder}; })()`); c.Tag != "INPUT" || !strings.Contains(c.Placeholder, "/24") {
		t.Errorf("source value control = %+v, want a text input with a CIDR example", c)
	}

	// An invalid source is refused with the error at its condition row.
	b.do("save with an invalid source",
		chromedp.SendKeys(chromedp.CSS(row2+" input.condition-value"), "192.168.3"),
		chromedp.Click(chromedp.CSS("#filter-save")))
	waitText(b, row2+" .cond-value .field-error", "address")
	b.screenshot("filters-dialog-error")
	if eval[bool](b, `!document.querySelector('.condition-row:nth-child(1) .cond-value .field-error').hidden`) {
		t.Error("the error shows at the first condition too")
	}
	b.do("fix the source and save",
		chromedp.SendKeys(chromedp.CSS(row2+" input.condition-value"), ".5"),
		chromedp.Click(chromedp.CSS("#filter-save")),
		chromedp.WaitNotPresent(chromedp.CSS("#filter-name")))

	rule, ok := api.filterRules()[manualRule]
	if !ok || rule.Group != group || !rule.Enabled || len(rule.Conditions) != 2 ||
		rule.Conditions[0].Attribute != "classification" || rule.Conditions[0].Value != "4" ||
		rule.Conditions[1].Attribute != "source" || rule.Conditions[1].Value != "192.168.3.5" {
		t.Fatalf("rule saved by the dialog = %+v", rule)
	}
	row := fmt.Sprintf(`#filters-table tr[data-id="%d"]`, rule.ID)
	waitText(b, row+" td.filter-name", manualRule)
	waitText(b, row+" td.filter-status", "Enabled")
	if got := b.text(row + " td.filter-hits"); got != "0" {
		t.Errorf("new rule's counter = %q, want 0", got)
	}
	b.screenshot("filters-page")

	// One matching and one non-matching port scan through signed ingest.
	accepted, dropped := ingestCounted(t, srv, s, scanEvent("192.168.3.5", 60*time.Second), scanEvent("192.168.3.6", 50*time.Second))
	if accepted != 1 || dropped != 1 {
		t.Errorf("ingest: accepted %d, dropped %d; want 1 and 1", accepted, dropped)
	}
	// The page refreshes its counters by itself (every 10 s).
	waitTextFor(b, row+" td.filter-hits", "1", 14*time.Second)
	b.screenshot("filters-page-counter")

	b.do("open the events page",
		chromedp.Click(chromedp.CSS("#nav-events")),
		chromedp.WaitVisible(chromedp.CSS("#events-table")))
	waitSources(b, "only the non-matching event is listed", []string{"192.168.3.6"})
	if ids := api.eventIDs("classification=4"); len(ids) != 1 {
		t.Errorf("live Scan events = %v, want the one non-matching event (the server classifies recon \"Scan\" as Scan)", ids)
	}

	// Disabled with the leftmost action button: the same event is listed now.
	openFilters(b)
	b.do("wait for the rule's row", chromedp.WaitVisible(chromedp.CSS(row+" td.actions .btn")))
	if first := eval[string](b, fmt.Sprintf(`document.querySelector(%s).className`, quoteJS(row+" td.actions .btn"))); !strings.Contains(first, "filter-toggle") {
		t.Errorf("leftmost action = %q, want the enable/disable toggle", first)
	}
	b.do("disable the rule", chromedp.Click(chromedp.CSS(row+" button.filter-toggle")))
	waitText(b, row+" td.filter-status", "Disabled")
	if api.filterRules()[manualRule].Enabled {
		t.Fatal("the toggle did not disable the rule")
	}
	if accepted, dropped := ingestCounted(t, srv, s, scanEvent("192.168.3.5", 10*time.Second)); accepted != 1 || dropped != 0 {
		t.Errorf("ingest with the rule disabled: accepted %d, dropped %d; want 1 and 0", accepted, dropped)
	}
	b.do("reload the filters page", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(row)))
	if got := b.text(row + " td.filter-hits"); got != "1" {
		t.Errorf("counter after a disabled rule let an event through = %q, want 1", got)
	}
	if hits := api.filterRules()[manualRule].Hits; hits != 1 {
		t.Errorf("API hits = %d, want 1", hits)
	}

	b.do("back to the events page",
		chromedp.Click(chromedp.CSS("#nav-events")),
		chromedp.WaitVisible(chromedp.CSS("#events-table")))
	waitSources(b, "the matching event is listed while the rule is disabled", []string{"192.168.3.5", "192.168.3.6"})

	// "Create filter rule from this event" opens the dialog pre-filled.
	id := api.sourceIDs()["192.168.3.6"]
	b.do("open the event's details",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#events-table tr[data-id="%d"] button.show-details`, id))),
		chromedp.WaitVisible(chromedp.CSS("#details-create-filter")),
		chromedp.Click(chromedp.CSS("#details-create-filter")),
		chromedp.WaitVisible(chromedp.CSS("#filter-name")))
	b.screenshot("filters-from-event")
	if got := eval[string](b, `document.getElementById('filter-name').value`); got != fmt.Sprintf("Event %d noise", id) {
		t.Errorf("pre-filled name = %q", got)
	}
	if got := eval[string](b, `document.getElementById('rule-group').value`); got != fmt.Sprint(group) {
		t.Errorf("pre-filled group = %q, want %d", got, group)
	}
	want := []string{"source=192.168.3.6", "classification=4", "protocol=tcp", "service=recon"}
	if got := conditionRows(b); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("pre-filled conditions = %v, want %v", got, want)
	}
	// The operator drops the protocol condition before saving.
	b.do("remove the protocol condition and save",
		chromedp.Click(chromedp.CSS(".condition-row:nth-child(3) button.condition-remove")),
		chromedp.Click(chromedp.CSS("#filter-save")),
		chromedp.WaitNotPresent(chromedp.CSS("#filter-name")))
	waitText(b, "#details-notice", "added")
	fromEvent, ok := api.filterRules()[fmt.Sprintf("Event %d noise", id)]
	if !ok || len(fromEvent.Conditions) != 3 || fromEvent.Conditions[2].Attribute != "service" || !fromEvent.Enabled {
		t.Errorf("rule created from the event = %+v", fromEvent)
	}
	b.assertNoPageErrors()
}

// TestFiltersObserverReadOnly: the group filter narrows the admin's list; observers see the
// rules and counters of their own groups only, with no Add, toggle, edit or remove, and no
// "Create filter rule" in the event details.
func TestFiltersObserverReadOnly(t *testing.T) {
	b, srv, api := openEvents(t)
	group := api.groupID("Default")
	api.must("POST", "/api/filters", map[string]any{"name": manualRule, "group": group,
		"description": "Scanner", "conditions": []map[string]string{
			{"attribute": "classification", "value": "4"}, {"attribute": "source", "value": "192.168.3.5"}}},
		nil, http.StatusCreated)
	api.must("POST", "/api/users", map[string]any{"login": "oscar", "full_name": "Oscar Observer",
		"email": "oscar@example.org", "role": 1, "groups": []int64{group}, "password": "observer-pass-1",
		"must_change_password": false}, nil, http.StatusCreated)
	var branch struct {
		ID int64 `json:"id"`
	}
	api.must("POST", "/api/groups", map[string]any{"name": "Branch", "members": []int64{}}, &branch, http.StatusCreated)
	api.must("POST", "/api/filters", map[string]any{"name": "Branch printers", "group": branch.ID,
		"conditions": []map[string]string{{"attribute": "target_port", "value": "9100-9102"}}}, nil, http.StatusCreated)
	s := api.createSensor("observed-sensor", group)
	ingest(t, srv, s, scanEvent("192.168.3.9", 30*time.Second))

	// The admin sees both groups' rules and can narrow the list to one group.
	openFilters(b)
	waitText(b, "#filters-table tbody", "Branch printers")
	pick(b, "#filter-group-select", fmt.Sprint(branch.ID))
	if !poll(b, `[...document.querySelectorAll('#filters-table tr[data-id]')].map(r => r.dataset.name).join() === 'Branch printers'`, 10*time.Second) {
		t.Errorf("group filter Branch shows %v", eval[[]string](b, `[...document.querySelectorAll('#filters-table tr[data-id]')].map(r => r.dataset.name)`))
	}

	b.do("log out the admin", chromedp.Click(chromedp.CSS("#logout")))
	logIn(b, "oscar", "observer-pass-1")
	landOnOverview(b)
	openFilters(b)
	waitText(b, "#filters-table tbody", manualRule)
	b.screenshot("filters-observer")
	if names := eval[[]string](b, `[...document.querySelectorAll('#filters-table tr[data-id]')].map(r => r.dataset.name)`); len(names) != 1 {
		t.Errorf("observer of Default sees rules %v, want only %q", names, manualRule)
	}
	if opts := eval[[]string](b, `[...document.querySelectorAll('#filter-group-select option')].map(o => o.textContent)`); strings.Join(opts, ",") != "All groups,Default" {
		t.Errorf("observer's group filter = %v, want All groups,Default", opts)
	}
	if n := eval[int](b, `document.querySelectorAll('#filter-add, #filters-table .filter-toggle, #filters-table .filter-edit, #filters-table .filter-remove').length`); n != 0 {
		t.Errorf("observer sees %d edit controls on the filters page", n)
	}

	b.do("open an event's details",
		chromedp.Click(chromedp.CSS("#nav-events")),
		chromedp.WaitVisible(chromedp.CSS("#events-table tbody tr[data-id] button.show-details")),
		chromedp.Click(chromedp.CSS("#events-table tbody tr[data-id] button.show-details")),
		chromedp.WaitVisible(chromedp.CSS("#details-summary")))
	if eval[bool](b, `!!document.getElementById('details-create-filter')`) {
		t.Error("observer is offered \"Create filter rule from this event\"")
	}
	b.assertNoPageErrors()
}
