package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tileValue is the number a tile of the overview shows.
func tileValue(b *browser, id string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`Number((document.querySelector('#%s .tile-value')?.textContent || '-1').replace(/,/g, ''))`, id))
}

// waitTopSources waits until the overview's top sources are exactly want (in order).
func waitTopSources(b *browser, what string, want []string) {
	b.t.Helper()
	expr := fmt.Sprintf(`JSON.stringify([...document.querySelectorAll('#top-sources li')].map(li => li.dataset.value)) === %s`, jsString(want))
	if !poll(b, expr, 10*time.Second) {
		b.screenshot("failed-" + slug(what))
		b.t.Fatalf("%s: top sources = %q, want %v", what, b.text("#top-sources"), want)
	}
}

// TestAttackerActions: the overview and the attackers pages follow the chosen group; on an
// attacker's page a manager sets the status of all its events (one bulk change, with the
// count in the dialog), creates a filter rule for its address (group pre-chosen) and lists
// its events; an observer of one group sees that group only and no actions.
func TestAttackerActions(t *testing.T) {
	b, srv, api := openEvents(t)
	def := api.groupID("Default")
	var branch struct {
		ID int64 `json:"id"`
	}
	api.must("POST", "/api/groups", map[string]any{"name": "Branch office"}, &branch, http.StatusCreated)
	hq := api.createSensor("hq-pi", def)
	out := api.createSensor("branch-pi", branch.ID)
	at := time.Now().Add(-20 * time.Minute).Unix()
	report(t, srv, hq,
		sessionReport{wireEvent: wireEvent{Timestamp: at, Service: "ssh", Source: "203.0.113.50", TargetPort: 22, Protocol: "tcp",
			Summary: "SSH: 1 failed login as pi"}, Logins: []map[string]any{login("pi", "raspberry", false)}},
		sessionReport{wireEvent: wireEvent{Timestamp: at + 60, Service: "ssh", Source: "203.0.113.50", TargetPort: 22, Protocol: "tcp",
			Summary: "SSH: login as root"}, Logins: []map[string]any{login("root", "123456", true)}},
		sessionReport{wireEvent: wireEvent{Timestamp: at + 120, Service: "recon", Source: "203.0.113.50", TargetPort: 5900, Protocol: "tcp",
			Summary: "Connection attempt on TCP 5900"}})
	report(t, srv, out,
		sessionReport{wireEvent: wireEvent{Timestamp: at, Service: "ssh", Source: "203.0.113.60", TargetPort: 22, Protocol: "tcp",
			Summary: "SSH: 1 failed login as admin"}, Logins: []map[string]any{login("admin", "admin", false)}},
		sessionReport{wireEvent: wireEvent{Timestamp: at + 30, Service: "ssh", Source: "203.0.113.60", TargetPort: 22, Protocol: "tcp",
			Summary: "SSH: 1 failed login as admin"}, Logins: []map[string]any{login("admin", "1234", false)}})

	// The overview of all groups, then of the branch only (kept in the hash).
	b.do("open the overview", chromedp.Click(chromedp.CSS("#nav-overview")), chromedp.WaitVisible(chromedp.CSS("#period-group")))
	waitTopSources(b, "all groups", []string{"203.0.113.50", "203.0.113.60"})
	if n := tileValue(b, "tile-class-3"); n != 4 {
		t.Errorf("Honeypot tile of all groups = %d, want 4", n)
	}
	pick(b, "#period-group", fmt.Sprint(branch.ID))
	waitTopSources(b, "the branch", []string{"203.0.113.60"})
	if n := tileValue(b, "tile-class-3"); n != 2 {
		t.Errorf("Honeypot tile of the branch = %d, want 2", n)
	}
	if hash := eval[string](b, `location.hash`); !strings.Contains(hash, fmt.Sprintf("group=%d", branch.ID)) {
		t.Errorf("overview hash = %q, want the group", hash)
	}
	if href := eval[string](b, `document.querySelector('#tile-class-3').getAttribute('href')`); !strings.Contains(href, fmt.Sprintf("group=%d", branch.ID)) || !strings.Contains(href, "classification=3") {
		t.Errorf("Honeypot tile links to %q, want the branch's Honeypot events", href)
	}
	pick(b, "#period", "7d")
	pick(b, "#period-group", "")
	waitTopSources(b, "all groups again", []string{"203.0.113.50", "203.0.113.60"})
	b.screenshot("overview-groups")

	// By keyboard the chart is one tab stop: focus shows the newest bar with events, Enter lists them.
	b.do("focus the chart", chromedp.Focus(chromedp.CSS(".chart-svg")), chromedp.WaitVisible(chromedp.CSS(".chart-tip")))
	b.do("press Enter", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("#events-table")))
	if q := hashValues(b); q.Get("from") == "" || q.Get("to") == "" || q.Get("status") != "all" {
		t.Errorf("event list after Enter on the chart: hash %v, want status=all with from and to", q)
	}
	if !poll(b, rowsJS+`.length > 0`, 10*time.Second) {
		t.Error("Enter on the chart's newest bar lists no events")
	}

	// The attackers list, searched by network.
	b.do("open the attackers page", chromedp.Click(chromedp.CSS("#nav-attackers")),
		chromedp.WaitVisible(chromedp.CSS(`#attackers-table tr[data-source="203.0.113.60"]`)))
	b.do("search a network", chromedp.SendKeys(chromedp.CSS("#attackers-search"), "203.0.113.48/29\r"))
	if !poll(b, `[...document.querySelectorAll('#attackers-table tr[data-source]')].map(r => r.dataset.source).join() === '203.0.113.50'`, 10*time.Second) {
		t.Fatalf("attackers in 203.0.113.48/29: %q", b.text("#attackers-table tbody"))
	}
	row := `#attackers-table tr[data-source="203.0.113.50"]`
	if got := b.text(row); !strings.Contains(got, "3 new") || !strings.Contains(got, "hq-pi") || !strings.Contains(got, "ssh") {
		t.Errorf("attacker row = %q, want 3 new events, its sensor and services", got)
	}
	b.do("a bad search says why", chromedp.Evaluate[chromedp.Void](`document.getElementById('attackers-search').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#attackers-search"), "not-an-address\r"),
		chromedp.WaitVisible(chromedp.CSS("#attackers-search-error")))
	b.do("search the address", chromedp.Evaluate[chromedp.Void](`document.getElementById('attackers-search').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#attackers-search"), "203.0.113.50\r"),
		chromedp.WaitNotVisible(chromedp.CSS("#attackers-search-error")))
	b.do("open the attacker", chromedp.Click(chromedp.CSS(row+" td.when")), chromedp.WaitVisible(chromedp.CSS("#attacker-facts")))
	waitText(b, "#attacker-facts", "3 New")
	waitText(b, `#attacker-credentials tr[data-user="pi"]`, "raspberry")

	// Set the status of all its events: the dialog names how many.
	b.do("open the status dialog", chromedp.Click(chromedp.CSS("#attacker-set-status")),
		chromedp.WaitVisible(chromedp.CSS("#attacker-status-value")))
	waitText(b, "#attacker-status-count", "3 live events")
	pick(b, "#attacker-status-value", "3")
	b.screenshot("attacker-status-dialog")
	b.do("set them Ignored", chromedp.SendKeys(chromedp.CSS("#attacker-status-comment"), "lab scanner"),
		chromedp.Click(chromedp.CSS("#attacker-status-save")), chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	waitText(b, "#attacker-notice", "3 events from 203.0.113.50 set to Ignored")
	if ids := api.eventIDs("source=203.0.113.50&status=3"); len(ids) != 3 {
		t.Errorf("Ignored events of 203.0.113.50 = %v, want 3", ids)
	}
	if ids := api.eventIDs("source=203.0.113.60&status=0"); len(ids) != 2 {
		t.Errorf("New events of 203.0.113.60 = %v, want its 2 untouched", ids)
	}
	waitText(b, "#attacker-facts", "none New")

	// A filter rule for the address: the group whose sensor saw it is chosen already.
	b.do("open the filter rule dialog", chromedp.Click(chromedp.CSS("#attacker-create-filter")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="filter-dialog"] .condition-value`)))
	if v := eval[string](b, `document.querySelector('[data-testid="filter-dialog"] .condition-value').value`); v != "203.0.113.50" {
		t.Errorf("condition value = %q, want the address", v)
	}
	if v := eval[string](b, `document.getElementById('rule-group').value`); v != fmt.Sprint(def) {
		t.Errorf("rule group = %q, want Default (%d), where its sensor is", v, def)
	}
	b.do("save the rule", chromedp.Click(chromedp.CSS("#filter-save")), chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
	waitText(b, "#attacker-notice", "added")
	rule, ok := api.filterRules()["Source 203.0.113.50"]
	if !ok || rule.Group != def || len(rule.Conditions) != 1 || rule.Conditions[0].Value != "203.0.113.50" {
		t.Errorf("filter rules = %+v, want \"Source 203.0.113.50\" in Default with one source condition", api.filterRules())
	}

	b.do("show its events", chromedp.Click(chromedp.CSS("#attacker-events")),
		chromedp.WaitVisible(chromedp.CSS(`#filter-chips .chip[data-key="source"]`)))
	waitSources(b, "the attacker's events, of every status", []string{"203.0.113.50", "203.0.113.50", "203.0.113.50"})

	// On a phone the pages stack into one column and nothing scrolls sideways.
	b.do("phone-sized viewport", chromedp.EmulateViewport(390, 844))
	for _, page := range []struct{ hash, ready string }{
		{"#/overview", "#top-sources li"}, {"#/attackers", "#attackers-table tr[data-source]"}, {"#/attackers/203.0.113.50", "#attacker-facts"},
	} {
		b.do("open "+page.hash+" on a phone", chromedp.Navigate(srv.URL+page.hash), chromedp.WaitVisible(chromedp.CSS(page.ready)))
		b.screenshot("narrow-" + slug(page.hash))
		if w := eval[[]float64](b, `[document.documentElement.scrollWidth, innerWidth]`); w[0] > w[1]+1 {
			t.Errorf("%s is %v px wide on a %v px screen", page.hash, w[0], w[1])
		}
		if page.hash == "#/overview" {
			if cols := eval[string](b, `getComputedStyle(document.querySelector('.top-grid')).gridTemplateColumns`); strings.Contains(cols, " ") {
				t.Errorf("the overview's lists sit in columns %q on a phone, want one", cols)
			}
		}
	}
	if cols := eval[string](b, `getComputedStyle(document.querySelector('.attacker-grid')).gridTemplateColumns`); strings.Contains(cols, " ") {
		t.Errorf("the attacker page's lists sit in columns %q on a phone, want one", cols)
	}
	b.do("back to the desktop viewport", chromedp.EmulateViewport(1280, 800))

	// An observer of the branch: that group only, no group choice, no actions.
	api.must("POST", "/api/users", map[string]any{"login": "bea", "full_name": "Bea Branch", "email": "bea@example.org",
		"role": 1, "groups": []int64{branch.ID}, "password": "observer-pass-1", "must_change_password": false}, nil, http.StatusCreated)
	b.do("log out the admin", chromedp.Click(chromedp.CSS("#logout")))
	logIn(b, "bea", "observer-pass-1")
	landOnOverview(b)
	waitTopSources(b, "the observer's group", []string{"203.0.113.60"})
	if eval[bool](b, `!document.getElementById('period-group').closest('.period-field').hidden`) {
		t.Error("an observer of one group is offered a group choice")
	}
	if eval[bool](b, `!!document.getElementById('tile-mail')`) {
		t.Error("an observer sees the mail queue")
	}
	b.do("the observer's attackers", chromedp.Click(chromedp.CSS("#nav-attackers")),
		chromedp.WaitVisible(chromedp.CSS(`#attackers-table tr[data-source="203.0.113.60"]`)))
	if n := eval[int](b, `document.querySelectorAll('#attackers-table tr[data-source]').length`); n != 1 {
		t.Errorf("the observer sees %d attackers, want 1", n)
	}
	b.do("open it", chromedp.Click(chromedp.CSS(`#attackers-table tr[data-source="203.0.113.60"] td.source a`)),
		chromedp.WaitVisible(chromedp.CSS("#attacker-facts")))
	if eval[bool](b, `!!document.querySelector('#attacker-set-status, #attacker-create-filter')`) {
		t.Error("an observer is offered to change an attacker's events or create a filter rule")
	}
	b.do("another group's attacker", chromedp.Navigate(srv.URL+"#/attackers/203.0.113.50"),
		chromedp.WaitVisible(chromedp.CSS("#attacker-none")))
	b.assertNoPageErrors()
}
