package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// screenshotDir is where the layout tests put their screenshots for a reviewer:
// $HONEYSENS_E2E_SCREENSHOTS (CI sets it to dist/screenshots), else a fixed folder in the
// system temp dir that each run overwrites. The folder is logged.
func screenshotDir(t *testing.T, sub string) string {
	t.Helper()
	root := os.Getenv("HONEYSENS_E2E_SCREENSHOTS")
	if root == "" {
		root = filepath.Join(os.TempDir(), "honeysens-screenshots")
	}
	dir := filepath.Join(root, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// shoot saves a PNG of the screen as dir/name.png: what a user sees first, at the size
// of the device.
func shoot(b *browser, dir, name string) {
	b.t.Helper()
	png := run(b, "screenshot "+name, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// recordConsoleErrors adds console.error calls to the page errors the browser reports.
func recordConsoleErrors(b *browser) {
	b.t.Helper()
	err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventConsoleAPICalled); ok && e.Type == runtime.ConsoleAPICalledTypeError {
			msg := "console.error:"
			for _, a := range e.Args {
				msg += " " + string(a.Value) + a.Description
			}
			b.mu.Lock()
			b.errors = append(b.errors, msg)
			b.mu.Unlock()
		}
	})
	if err != nil {
		b.t.Fatal(err)
	}
}

// seedLayout fills an appliance with what every page shows: a second group, a sensor,
// 60 events (one with a long summary and an interaction log), an archived one, a filter
// rule with a long name and a webhook.
func seedLayout(t *testing.T, srv *server, api *apiClient) {
	t.Helper()
	group := api.groupID("Default")
	api.must("POST", "/api/groups", map[string]any{"name": "Branch office Hamburg-Altona"}, nil, http.StatusCreated)
	s := api.createSensor("lab-sensor-with-a-long-name", group)
	now := time.Now()
	var batch []wireEvent
	for i := range 60 {
		batch = append(batch, toWire(seedEvent{
			source: fmt.Sprintf("198.51.100.%d", i+1), service: "recon",
			summary: "Connection attempt on TCP 3389", minutes: 2 + i, port: 3389,
		}, now))
	}
	batch = append(batch, toWire(seedEvent{source: "172.20.0.1", service: "ssh",
		summary: "SSH login as root (3 commands) with a summary long enough to need two lines in the list",
		minutes: 1, port: 22}, now))
	ingest(t, srv, s, batch...)
	api.must("POST", "/api/filters", map[string]any{"name": "Ignore the vulnerability scanner of the IT department",
		"group": group, "description": "Weekly scan from the security team", "enabled": true,
		"conditions": []map[string]any{{"attribute": "source", "value": "203.0.113.250"}}}, nil, http.StatusCreated)
	api.must("POST", "/api/outputs", map[string]any{"type": "webhook", "name": "Chat of the night shift", "events": "critical",
		"enabled": false, "config": map[string]any{"url": "https://chat.example.org/hooks/night-shift-0123456789abcdef"}}, nil, http.StatusCreated)
	ids := api.eventIDs("source=198.51.100.60")
	api.must("DELETE", "/api/events", map[string]any{"ids": ids, "dataset": "live", "archive": true}, nil, http.StatusOK)
}

// visit opens a route by its hash and waits for a selector of its content.
func visit(b *browser, hash, ready string) {
	b.t.Helper()
	b.do("open "+hash,
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = %s`, quoteJS(hash))),
		chromedp.WaitVisible(chromedp.CSS(ready)))
}

// openDialogBy clicks a control and waits for the modal dialog.
func openDialogBy(b *browser, sel string) {
	b.t.Helper()
	b.do("open a dialog with "+sel, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS("dialog[open]")))
}

// closeDialog closes the open dialog with Escape.
func closeDialog(b *browser) {
	b.t.Helper()
	b.do("close the dialog", chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))
}

// checkFits fails when the page scrolls sideways.
func checkFits(b *browser, what string) {
	b.t.Helper()
	w := eval[[]float64](b, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if w[0] > w[1] {
		b.t.Errorf("%s: the page is %v px wide on a %v px screen", what, w[0], w[1])
	}
}

// checkCards fails when a list that is a stack of cards on a phone is laid out as table
// rows there, or scrolls sideways inside its panel.
func checkCards(b *browser, what, table string) {
	b.t.Helper()
	got := eval[[]float64](b, fmt.Sprintf(`(t => [getComputedStyle(t.querySelector('tbody tr')).display === 'table-row' ? 1 : 0,
		Math.max(...[t, t.closest('.table-wrap') || t].map(e => e.scrollWidth - e.clientWidth))])(document.querySelector(%s))`, quoteJS(table)))
	if got[0] == 1 {
		b.t.Errorf("%s: the rows are table rows on a phone, want cards", what)
	}
	if got[1] > 1 {
		b.t.Errorf("%s: the list scrolls %v px sideways inside its panel", what, got[1])
	}
}

// checkNavInView fails when a tab of the navigation is (partly) outside the screen.
func checkNavInView(b *browser) {
	b.t.Helper()
	out := eval[[]string](b, `[...document.querySelectorAll('.sidebar a')].filter(a => {
		const r = a.getBoundingClientRect();
		return r.left < 0 || r.right > innerWidth;
	}).map(a => a.textContent)`)
	if len(out) > 0 {
		b.t.Errorf("navigation tabs outside the screen: %q", out)
	}
}

// checkResetAligned fails when the Reset filters button does not end where the filters' widest
// row ends.
func checkResetAligned(b *browser, what, reset string) {
	b.t.Helper()
	d := eval[float64](b, fmt.Sprintf(`(r => r.getBoundingClientRect().right - Math.max(...[...r.closest('.filters').querySelectorAll('.filter')]
		.map(f => f.getBoundingClientRect().right)))(document.querySelector(%s))`, quoteJS(reset)))
	if d < -2 || d > 2 {
		b.t.Errorf("%s: Reset filters ends %v px from the filters' right edge, want them aligned", what, d)
	}
}

// eventRowDisplay is how the first event row is laid out: table-row, or a card (grid).
func eventRowDisplay(b *browser) string {
	return eval[string](b, `getComputedStyle(document.querySelector('#events-table tbody tr[data-id]')).display`)
}

// cardLists are the pages whose tables are a card per row on a phone, with the table.
var cardLists = map[string]string{
	"05-attackers": "#attackers-table", "11-sensors": "#sensors-table",
	"13-users-groups": `[data-testid="user-table"]`, "18-audit": `[data-testid="audit-table"]`,
	"16-integrations": "#outputs-table",
}

// TestResponsiveLayout visits every page on a phone (390×844) and on a laptop (1366×800):
// nothing scrolls sideways, no page throws, the event list is a stack of cards on the phone
// and a table on the laptop, dialogs keep their values readable. Screenshots of every
// view go to the folder the test logs.
func TestResponsiveLayout(t *testing.T) {
	b := newBrowser(t)
	recordConsoleErrors(b)
	srv := startServer(t)
	api := adminAPI(t, srv)
	seedLayout(t, srv, api)
	b.do("open the app", chromedp.Navigate(srv.URL))

	t.Run("phone", func(t *testing.T) {
		b.t = t
		defer func() { b.t = t }()
		dir := screenshotDir(t, "phone-390x844")
		b.do("phone-sized viewport", chromedp.EmulateViewport(390, 844))
		b.do("see the login page", chromedp.WaitVisible(chromedp.CSS("#login-username")))
		checkFits(b, "login")
		shoot(b, dir, "00-login")
		logIn(b, "admin", adminPassword)
		landOnOverview(b)
		checkNavInView(b)

		pages := []struct{ name, hash, ready string }{
			{"01-overview", "#/overview", "#overview-tiles .tile"},
			{"02-events", "#/events", "#events-table tbody tr[data-id]"},
			{"05-attackers", "#/attackers", "#attackers-table tr[data-source]"},
			{"06-attacker", "#/attackers/172.20.0.1", "#attacker-facts"},
			{"07-archive", "#/events?dataset=archive", "#events-table tbody tr[data-id]"},
			{"08-archive-settings", "#/system/archive", "#archive-save"},
			{"09-filters", "#/filters", "#filters-table tbody tr[data-id]"},
			{"11-sensors", "#/sensors", "#sensors-table tbody tr[data-id]"},
			{"13-users-groups", "#/users", `[data-testid="group-table"]`},
			{"14-system", "#/system", "#system-backup"},
			{"15-mail", "#/system/mail", "#smtp-host"},
			{"16-templates", "#/system/templates", "#template-type"},
			{"16-metrics", "#/system/metrics", "#metrics-enabled"},
			{"16-integrations", "#/system/integrations", "#outputs-table tr.output-row"},
			{"17-account", "#/account", "#token-name"},
			{"18-audit", "#/audit", `[data-testid="audit-table"]`},
		}
		for _, p := range pages {
			visit(b, p.hash, p.ready)
			checkFits(b, p.name)
			shoot(b, dir, p.name)
			if table, ok := cardLists[p.name]; ok {
				checkCards(b, p.name, table)
			}
			switch p.name {
			case "02-events":
				if d := eventRowDisplay(b); d == "table-row" {
					t.Errorf("on a phone the event rows are laid out as %q, want cards", d)
				}
				if eval[bool](b, `document.querySelector('#filter-dataset').checkVisibility()`) {
					t.Error("on a phone the event filters are open before the Filters button is pressed")
				}
				b.do("open the filter panel", chromedp.Click(chromedp.CSS("#filters-toggle")),
					chromedp.WaitVisible(chromedp.CSS("#filter-dataset")))
				checkFits(b, "events filter panel")
				shoot(b, dir, "03-events-filters")
				b.do("close the filter panel", chromedp.Click(chromedp.CSS("#filters-toggle")),
					chromedp.WaitNotVisible(chromedp.CSS("#filter-dataset")))
				openDialogBy(b, `#events-table tr[data-id] .show-details`)
				checkFits(b, "event details")
				// Values one character per line would make their column a few pixels wide.
				if w := eval[float64](b, `Math.min(...[...document.querySelectorAll('dialog[open] .event-props dd')].map(d => d.getBoundingClientRect().width))`); w < 120 {
					t.Errorf("event details: the narrowest value is %v px wide, want it readable", w)
				}
				if w := eval[[]float64](b, `[document.querySelector('dialog[open]').getBoundingClientRect().width, innerWidth]`); w[0] < w[1]-1 {
					t.Errorf("event details dialog is %v px wide on a %v px screen, want it full-screen", w[0], w[1])
				}
				// The foot sits at the bottom of the screen, with no blank strip under it.
				if gap := eval[float64](b, `innerHeight - document.querySelector('dialog[open] .dialog-foot').getBoundingClientRect().bottom`); gap > 1 {
					t.Errorf("event details: %v px blank under the dialog's foot, want none", gap)
				}
				shoot(b, dir, "04-event-details")
				closeDialog(b)
			case "09-filters":
				openDialogBy(b, "#filter-add")
				checkFits(b, "filter dialog")
				shoot(b, dir, "10-filter-dialog")
				closeDialog(b)
			case "11-sensors":
				openDialogBy(b, "#sensors-table .sensor-edit")
				checkFits(b, "sensor dialog")
				shoot(b, dir, "12-sensor-dialog")
				closeDialog(b)
			}
		}
		checkNavInView(b)
		b.do("log out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-username")))
		b.assertNoPageErrors()
	})

	t.Run("laptop", func(t *testing.T) {
		b.t = t
		dir := screenshotDir(t, "laptop-1366x800")
		b.do("laptop-sized viewport", chromedp.EmulateViewport(1366, 800))
		logIn(b, "admin", adminPassword)
		landOnOverview(b)
		shoot(b, dir, "01-overview")
		visit(b, "#/events", "#events-table tbody tr[data-id]")
		checkFits(b, "events")
		if d := eventRowDisplay(b); d != "table-row" {
			t.Errorf("on a laptop the event rows are laid out as %q, want a table", d)
		}
		if !eval[bool](b, `document.querySelector('#filter-dataset').checkVisibility()`) {
			t.Error("on a laptop the event filters are hidden")
		}
		const aboveFold = `(scrollTo(0, 0), [...document.querySelectorAll('#events-table tbody tr[data-id]')].filter(r => r.getBoundingClientRect().bottom <= innerHeight).length)`
		t.Logf("event rows above the fold at 1366×800: %d", eval[int](b, aboveFold))
		checkResetAligned(b, "events", "#filter-reset")
		shoot(b, dir, "02-events")
		b.do("switch to compact rows", chromedp.Click(chromedp.CSS("#density-toggle")),
			chromedp.WaitVisible(chromedp.CSS("html.compact #events-table")))
		t.Logf("event rows above the fold at 1366×800, compact: %d", eval[int](b, aboveFold))
		shoot(b, dir, "03-events-compact")
		b.do("a 1280 px screen", chromedp.EmulateViewport(1280, 800))
		checkFits(b, "compact events at 1280 px")
		w := eval[float64](b, `document.querySelector('#events-table th[data-sort="summary"]').getBoundingClientRect().width`)
		t.Logf("Details column at 1280×800, compact: %v px", w)
		if w < 120 {
			t.Errorf("compact rows at 1280 px: the Details column is %v px wide, want room for its words", w)
		}
		shoot(b, dir, "03-events-compact-1280")
		b.do("back to 1366 px", chromedp.EmulateViewport(1366, 800))
		// The choice is remembered.
		b.do("the compact rows survive a reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("html.compact #events-table tbody tr[data-id]")))
		b.do("back to comfortable rows", chromedp.Click(chromedp.CSS("#density-toggle")),
			chromedp.WaitNotPresent(chromedp.CSS("html.compact")))
		for _, p := range []struct{ name, hash, ready string }{
			{"04-attackers", "#/attackers", "#attackers-table tr[data-source]"},
			{"05-sensors", "#/sensors", "#sensors-table tbody tr[data-id]"},
			{"06-users-groups", "#/users", `[data-testid="group-table"]`},
			{"07-audit", "#/audit", `[data-testid="audit-table"]`},
		} {
			visit(b, p.hash, p.ready)
			checkFits(b, p.name)
			shoot(b, dir, p.name)
		}
		checkResetAligned(b, "audit log", "#audit-reset")
		b.assertNoPageErrors()
	})
}
