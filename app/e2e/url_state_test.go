package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// sourcesJS reads the Source column of the event list, top to bottom.
const sourcesJS = rowsJS + `.map(r => r.querySelector('td.source').textContent)`

// back goes one step back in the tab's history and waits for the selector.
func back(b *browser, ready string) {
	b.t.Helper()
	b.do("go back", chromedp.Evaluate[chromedp.Void](`history.back()`), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// reload reloads the tab and waits for the selector.
func reload(b *browser, ready string) {
	b.t.Helper()
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// valueOf reads the value of an input or select.
func valueOf(b *browser, sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`document.querySelector(%s).value`, quoteJS(sel)))
}

// inNewTab opens url in a second tab of the same browser (same session), runs check
// there and closes the tab.
func inNewTab(b *browser, url string, check func(tab *browser)) {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	tab := &browser{t: b.t, ctx: ctx}
	if err := chromedp.Listen(ctx, tab.record); err != nil {
		b.t.Fatal(err)
	}
	tab.do("open the link in a new tab", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(url))
	check(tab)
	tab.assertNoPageErrors()
}

// TestEventsURLState: the event list's filters, sort, search, page size and page live in
// the address. A reload and the same address in another tab show the same list; Back
// returns to the view before each change. A search too short to run after a real one
// empties the list and says why; so does a time range that ends before it starts.
func TestEventsURLState(t *testing.T) {
	b, srv, api := openEvents(t)
	s := api.createSensor("dmz-sensor-01", api.groupID("Default"))
	now := time.Now()
	events := slices.Clone(workflowEvents)
	for i := range 20 {
		events = append(events, seedEvent{fmt.Sprintf("198.51.100.%d", 10+i), "recon", "Connection attempt on TCP 445", 100 + i, 445})
	}
	var wire []wireEvent
	for _, e := range events {
		wire = append(wire, toWire(e, now))
	}
	ingest(t, srv, s, wire...)
	all := newestFirst(events)
	waitSources(b, "newest first", all[:min(50, len(all))])

	// Page size 25, then the second page.
	pick(b, "#page-size", "25")
	waitSources(b, "the first 25", all[:25])
	b.do("next page", chromedp.Click(chromedp.CSS("#page-next")))
	waitSources(b, "the second page", all[25:])
	if q := hashValues(b); q.Get("limit") != "25" || q.Get("page") != "2" || q.Get("cursor") == "" {
		t.Errorf("hash of the second page = %v, want limit=25, page=2 and a cursor", q)
	}
	reload(b, "#events-table tbody tr[data-id]")
	waitSources(b, "the second page after a reload", all[25:])
	waitText(b, "#events-total", "26–32 of 32")
	back(b, "#events-table tbody tr[data-id]")
	waitSources(b, "Back: the first page", all[:25])
	if got := valueOf(b, "#page-size"); got != "25" {
		t.Errorf("page size after Back = %q, want 25", got)
	}

	// Classification, sort and a search, each a history entry.
	pick(b, "#filter-classification", "2")
	attempts := func(list []string) []string {
		var out []string
		for _, src := range list {
			if strings.HasPrefix(src, "192.0.2.2") || strings.HasPrefix(src, "198.51.100.") {
				out = append(out, src)
			}
		}
		return out
	}
	byTime := attempts(all)
	waitSources(b, "connection attempts", byTime[:25])
	b.do("sort by source", chromedp.Click(chromedp.CSS(`th[data-sort="source"]`)))
	bySource := slices.Sorted(slices.Values(byTime))
	waitSources(b, "connection attempts by source", bySource[:25])
	b.do("search", chromedp.SendKeys(chromedp.CSS("#filter-search"), "TCP 3389\r"))
	found := []string{"192.0.2.21", "192.0.2.22", "192.0.2.23", "192.0.2.24", "192.0.2.25"}
	waitSources(b, "the search by source", found)
	q := hashValues(b)
	if q.Get("classification") != "2" || q.Get("sort") != "source" || q.Get("order") != "asc" || q.Get("limit") != "25" || q.Get("q") != "TCP 3389" {
		t.Errorf("hash = %v, want classification, sort, order, limit and q", q)
	}
	link := eval[string](b, `location.href`)

	reload(b, "#events-table tbody tr[data-id]")
	waitSources(b, "the same list after a reload", found)
	if got := []string{valueOf(b, "#filter-classification"), valueOf(b, "#filter-search"), valueOf(b, "#page-size")}; !slices.Equal(got, []string{"2", "TCP 3389", "25"}) {
		t.Errorf("controls after a reload = %q, want classification 2, the search and 25 per page", got)
	}
	inNewTab(b, link, func(tab *browser) {
		tab.do("the shared list", chromedp.WaitVisible(chromedp.CSS("#events-table tbody tr[data-id]")))
		waitSources(tab, "the same list in a new tab", found)
		if arrow := eval[string](tab, `document.querySelector('th[data-sort="source"]').getAttribute('aria-sort')`); arrow != "ascending" {
			t.Errorf("new tab: source column aria-sort = %q, want ascending", arrow)
		}
	})

	back(b, "#events-table tbody tr[data-id]")
	waitSources(b, "Back: before the search", bySource[:25])
	if got := valueOf(b, "#filter-search"); got != "" {
		t.Errorf("search box after Back = %q, want it empty", got)
	}
	back(b, "#events-table tbody tr[data-id]")
	waitSources(b, "Back: before sorting", byTime[:25])
	back(b, "#events-table tbody tr[data-id]")
	waitSources(b, "Back: before the classification", all[:25])

	// A real search, then two letters: the list empties and says why.
	b.do("search again", chromedp.SendKeys(chromedp.CSS("#filter-search"), "TCP 3389\r"))
	waitSources(b, "the search by time", []string{"192.0.2.23", "192.0.2.21", "192.0.2.24", "192.0.2.22", "192.0.2.25"})
	b.do("two letters", chromedp.Evaluate[chromedp.Void](`document.getElementById('filter-search').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#filter-search"), "TC\r"))
	waitSources(b, "no rows for a search too short", []string{})
	waitText(b, "#events-problem", "at least 3 characters")

	// A time range that ends before it starts is refused with a message, not "0 of 0".
	b.do("clear the search", chromedp.Click(chromedp.CSS("#filter-reset")))
	waitSources(b, "filters reset", all[:25])
	setInput(b, "#filter-from", now.Format("2006-01-02T15:04:05"))
	setInput(b, "#filter-to", now.Add(-time.Hour).Format("2006-01-02T15:04:05"))
	waitSources(b, "no rows for an inverted range", []string{})
	waitText(b, "#events-problem", "ends before it starts")
	b.do("the inputs say so too", chromedp.WaitVisible(chromedp.CSS("#filter-range-error")))
	b.assertNoPageErrors()
}

// TestPeriodURLState: the overview's and the attackers page's period, group, search and
// sort live in the address; a reload keeps them and Back returns to the choice before.
func TestPeriodURLState(t *testing.T) {
	b, srv, api := openEvents(t)
	s := api.createSensor("dmz-sensor-01", api.groupID("Default"))
	now := time.Now()
	ingest(t, srv, s,
		toWire(seedEvent{"192.0.2.50", "recon", "Scan", 5, 0}, now),
		toWire(seedEvent{"192.0.2.60", "recon", "Scan", 60 * 24 * 3, 0}, now))

	b.do("open the overview", chromedp.Click(chromedp.CSS("#nav-overview")), chromedp.WaitVisible(chromedp.CSS("#overview-tiles .tile")))
	pick(b, "#period", "7d")
	pick(b, "#period", "30d")
	if q := hashValues(b); q.Get("period") != "30d" {
		t.Errorf("overview hash = %v, want period=30d", q)
	}
	reload(b, "#overview-tiles .tile")
	if got := valueOf(b, "#period"); got != "30d" {
		t.Errorf("period after a reload = %q, want 30d", got)
	}
	back(b, "#overview-tiles .tile")
	if got := valueOf(b, "#period"); got != "7d" {
		t.Errorf("period after Back = %q, want 7d", got)
	}
	back(b, "#overview-tiles .tile")
	if got := valueOf(b, "#period"); got != "24h" {
		t.Errorf("period after a second Back = %q, want 24h", got)
	}

	b.do("open the attackers", chromedp.Click(chromedp.CSS("#nav-attackers")),
		chromedp.WaitVisible(chromedp.CSS(`#attackers-table tr[data-source="192.0.2.50"]`)))
	attackers := func(tab *browser, what string, want []string) {
		tab.t.Helper()
		expr := fmt.Sprintf(`JSON.stringify([...document.querySelectorAll('#attackers-table tr[data-source]')].map(r => r.dataset.source)) === %s`, jsString(want))
		if !poll(tab, expr, 10*time.Second) {
			tab.t.Fatalf("%s: attackers = %q, want %v", what, tab.text("#attackers-table tbody"), want)
		}
	}
	attackers(b, "the last 24 hours", []string{"192.0.2.50"})
	pick(b, "#period", "7d")
	attackers(b, "the last 7 days", []string{"192.0.2.50", "192.0.2.60"})
	b.do("sort by address, descending", chromedp.Click(chromedp.CSS(`#attackers-table th[data-sort="source"]`)),
		chromedp.Click(chromedp.CSS(`#attackers-table th[data-sort="source"]`)))
	attackers(b, "by address, descending", []string{"192.0.2.60", "192.0.2.50"})
	b.do("search", chromedp.SendKeys(chromedp.CSS("#attackers-search"), "192.0.2.60\r"))
	attackers(b, "the search", []string{"192.0.2.60"})
	link := eval[string](b, `location.href`)
	reload(b, "#attackers-table tr[data-source]")
	attackers(b, "the search after a reload", []string{"192.0.2.60"})
	inNewTab(b, link, func(tab *browser) {
		tab.do("the shared attackers list", chromedp.WaitVisible(chromedp.CSS("#attackers-table tr[data-source]")))
		attackers(tab, "the search in a new tab", []string{"192.0.2.60"})
		if got := valueOf(tab, "#period"); got != "7d" {
			t.Errorf("new tab: period = %q, want 7d", got)
		}
	})
	back(b, "#attackers-table tr[data-source]")
	attackers(b, "Back: before the search", []string{"192.0.2.60", "192.0.2.50"})
	back(b, "#attackers-table tr[data-source]")
	back(b, "#attackers-table tr[data-source]")
	attackers(b, "Back: before sorting", []string{"192.0.2.50", "192.0.2.60"})
	back(b, "#attackers-table tr[data-source]")
	attackers(b, "Back: the last 24 hours", []string{"192.0.2.50"})
	if got := valueOf(b, "#period"); got != "24h" {
		t.Errorf("attackers period after Back = %q, want 24h", got)
	}
	b.assertNoPageErrors()
}
