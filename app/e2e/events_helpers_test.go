package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// openEvents starts a server with the admin password set, and a browser logged in as admin
// on the events page (opened from the sidebar: the overview is the landing page).
func openEvents(t *testing.T) (*browser, *server, *apiClient) {
	t.Helper()
	b := newBrowser(t)
	srv := startServer(t)
	api := adminAPI(t, srv)
	b.do("open the app", chromedp.Navigate(srv.URL))
	logIn(b, "admin", adminPassword)
	landOnOverview(b)
	openEventsNav(b)
	return b, srv, api
}

// openEventsNav opens the events page through the sidebar.
func openEventsNav(b *browser) {
	b.t.Helper()
	b.do("open the events page", chromedp.Click(chromedp.CSS("#nav-events")), chromedp.WaitVisible(chromedp.CSS("#events-table")))
	if got := b.text("#page-title"); got != "Events" {
		b.t.Errorf("events page title = %q, want Events", got)
	}
}

// jsString quotes a Go value as a JavaScript string literal of its JSON, for comparisons
// like JSON.stringify(list) === '["a","b"]' inside the page.
func jsString(v any) string {
	j, _ := json.Marshal(v)
	q, _ := json.Marshal(string(j))
	return string(q)
}

// rowsJS is the list of event rows of the table, as a JavaScript expression.
const rowsJS = `[...document.querySelectorAll('#events-table tbody tr[data-id]')]`

// waitSources waits until the table's Source column reads want, top to bottom, and shows
// what it read instead when it does not.
func waitSources(b *browser, what string, want []string) {
	b.t.Helper()
	expr := fmt.Sprintf(`JSON.stringify(%s.map(r => r.querySelector('td.source').textContent)) === %s`, rowsJS, jsString(want))
	if !poll(b, expr, 10*time.Second) {
		got := eval[[]string](b, rowsJS+`.map(r => r.querySelector('td.source').textContent)`)
		b.screenshot("failed-" + slug(what))
		b.t.Fatalf("%s: sources = %v, want %v", what, got, want)
	}
}

// waitText waits until the element's text contains want.
func waitText(b *browser, sel, want string) {
	b.t.Helper()
	expr := fmt.Sprintf(`(document.querySelector(%s)?.innerText || '').includes(%s)`, quoteJS(sel), quoteJS(want))
	if !poll(b, expr, 10*time.Second) {
		got := eval[string](b, fmt.Sprintf(`document.querySelector(%s)?.innerText ?? '(missing)'`, quoteJS(sel)))
		b.screenshot("failed-wait-" + slug(sel))
		b.t.Fatalf("%s: text = %q, want it to contain %q", sel, got, want)
	}
}

// quoteJS is a Go string as a JavaScript string literal (JSON strings are valid JS).
func quoteJS(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// poll evaluates a JavaScript condition until it is true or the timeout passes.
func poll(b *browser, expr string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(b.ctx, timeout+2*time.Second)
	defer cancel()
	return chromedp.Do(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(timeout))) == nil
}

// pick chooses an option of a <select> and fires the change event, as a user would.
func pick(b *browser, sel, value string) {
	b.t.Helper()
	b.do("choose "+value+" in "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const s = document.querySelector(%s); s.value = %s; s.dispatchEvent(new Event('change', {bubbles: true})); })()`,
		quoteJS(sel), quoteJS(value))))
}

// fetchText GETs a same-origin URL from the page (with the session cookie) and returns the
// status and body, e.g. for the CSV export the UI links to.
func fetchText(b *browser, url string) (int, string) {
	b.t.Helper()
	type answer struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	res := eval[answer](b, fmt.Sprintf(`fetch(%s, {credentials: 'same-origin'}).then(async r => ({status: r.status, body: await r.text()}))`, quoteJS(url)))
	return res.Status, res.Body
}

// sourceIDs maps each live event's source address to its id (sources are unique per test).
func (c *apiClient) sourceIDs() map[string]int64 {
	c.t.Helper()
	var page struct {
		Items []struct {
			ID     int64  `json:"id"`
			Source string `json:"source"`
		} `json:"items"`
	}
	c.must("GET", "/api/events?limit=500", nil, &page, http.StatusOK)
	m := map[string]int64{}
	for _, e := range page.Items {
		m[e.Source] = e.ID
	}
	return m
}
