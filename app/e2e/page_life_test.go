package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// shownPage is a route of the UI and a CSS selector that is on screen once the page has
// loaded (and so has started what keeps it current).
type shownPage struct {
	hash, ready string
}

// pagesWithData sets up what makes every list non-empty (a sensor with events from three
// addresses, one filter rule) and returns the pages that keep themselves current.
func pagesWithData(t *testing.T, srv *server, api *apiClient) (sensor, []shownPage) {
	t.Helper()
	group := api.groupID("Default")
	s := api.createSensor("lobby-pi", group)
	now := time.Now().Unix()
	for i := range 3 {
		ingest(t, srv, s, wireEvent{Timestamp: now - int64(60*(3-i)), Service: "recon",
			Source: fmt.Sprintf("198.51.100.%d", i+7), TargetPort: 3389, Protocol: "tcp", Summary: "Connection attempt"})
	}
	api.must("POST", "/api/filters", map[string]any{"name": "Printer noise", "group": group,
		"conditions": []map[string]string{{"attribute": "source", "value": "192.0.2.9"}}}, nil, http.StatusCreated)
	return s, []shownPage{
		{"#/overview", "#overview-tiles .tile"},
		{"#/attackers", "#attackers-table tr[data-source]"},
		{"#/events", "#events-table tr[data-id]"},
		{"#/sensors", "#sensors-table tr[data-id]"},
		{"#/filters", "#filters-table tr[data-id]"},
		{"#/system/mail", "#outbox-counts .outbox-count"},
		{"#/system/integrations", "#outputs-table tbody tr"},
		{"#/attackers/198.51.100.7", "#attacker-facts"},
	}
}

// show opens the page by its address, as a link would, and waits until it has loaded.
func show(b *browser, p shownPage) {
	b.t.Helper()
	b.do("open "+p.hash, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = %s`, quoteJS(p.hash))))
	if !poll(b, fmt.Sprintf(`!!document.querySelector(%s)`, quoteJS(p.ready)), 10*time.Second) {
		b.screenshot("failed-open-" + slug(p.hash))
		b.t.Fatalf("%s: %s did not show within 10s", p.hash, p.ready)
	}
}

// requestLog is the browser's network log (CDP) of API requests, "METHOD /api/…?query", in
// the order the page sent them.
type requestLog struct {
	mu    sync.Mutex
	reqs  []string
	marks int
}

func watchRequests(b *browser) *requestLog {
	l := &requestLog{}
	chromedp.Listen(b.ctx, func(ev any) {
		e, ok := ev.(*network.EventRequestWillBeSent)
		if !ok {
			return
		}
		if u, err := url.Parse(e.Request.URL); err == nil && strings.HasPrefix(u.Path, "/api/") {
			l.mu.Lock()
			l.reqs = append(l.reqs, e.Request.Method+" "+u.RequestURI())
			l.mu.Unlock()
		}
	})
	return l
}

func (l *requestLog) since(from int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.reqs[from:]...)
}

func (l *requestLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reqs)
}

// during runs trigger and returns the API requests the page sent from then on, up to a marker
// request the test sends after it: everything the trigger started is logged before the marker.
func (l *requestLog) during(b *browser, trigger func()) []string {
	b.t.Helper()
	from := l.len()
	trigger()
	l.marks++
	mark := fmt.Sprintf("GET /api/session?mark=%d", l.marks)
	eval[bool](b, fmt.Sprintf(`fetch(%s).then(() => true)`, quoteJS(strings.TrimPrefix(mark, "GET "))))
	var reqs []string
	waitFor(b.t, "the marker request in the network log", 10*time.Second, func() bool {
		reqs = l.since(from)
		for i, r := range reqs {
			if r == mark {
				reqs = reqs[:i]
				return true
			}
		}
		return false
	})
	return reqs
}

// livePoll is the request of the events badge, which polls on every page.
const livePoll = "GET /api/events/updates?"

// expectRequests checks that the requests are the live poll's and, per prefix, exactly the
// number wanted.
func expectRequests(t *testing.T, what string, reqs []string, want map[string]int) {
	t.Helper()
	got := map[string]int{}
next:
	for _, r := range reqs {
		if strings.HasPrefix(r, livePoll) {
			continue
		}
		for prefix := range want {
			if strings.HasPrefix(r, prefix) {
				got[prefix]++
				continue next
			}
		}
		t.Errorf("%s: unexpected request %s", what, r)
	}
	for prefix, n := range want {
		if got[prefix] != n {
			t.Errorf("%s: %d requests %s…, want %d (all: %q)", what, got[prefix], prefix, n, reqs)
		}
	}
}

// reshowTab tells the page the browser tab was shown again, which refreshes what a page keeps
// current at once instead of on its next tick.
func reshowTab(b *browser) {
	b.t.Helper()
	b.do("show the tab again", chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new Event('visibilitychange'))`))
}

// TestLeftPagesStopRefreshing: after 20 navigations between the pages that keep themselves
// current, none of the pages left fetches anything, neither on its timer, nor on new events,
// nor when the tab is shown again; the page shown fetches once per occasion, as on its first
// visit.
func TestLeftPagesStopRefreshing(t *testing.T) {
	b := newBrowser(t)
	srv := startServer(t)
	api := adminAPI(t, srv)
	s, pages := pagesWithData(t, srv, api)
	log := watchRequests(b)
	b.do("open the app", chromedp.Navigate(srv.URL))
	logIn(b, "admin", adminPassword)
	landOnOverview(b)

	for i := range 20 {
		show(b, pages[(i+1)%len(pages)])
	}
	account := shownPage{"#/account", "#token-name"}
	show(b, account)
	newEvent := func(n int) func() {
		return func() {
			reshowTab(b)
			ingest(t, srv, s, wireEvent{Timestamp: time.Now().Unix(), Service: "recon",
				Source: fmt.Sprintf("203.0.113.%d", n), TargetPort: 22, Protocol: "tcp", Summary: "Connection attempt"})
			waitText(b, "#nav-events-badge", fmt.Sprint(3+n))
		}
	}
	expectRequests(t, "the account page after new events and a shown tab", log.during(b, newEvent(1)), nil)

	// The pages refresh every 10 or 15 s; the live poll runs every 5 s, so 16 s hold at most
	// four of its requests.
	from := log.len()
	time.Sleep(16 * time.Second)
	quiet := log.since(from)
	expectRequests(t, "16 s on the account page", quiet, nil)
	if len(quiet) > 4 {
		t.Errorf("%d live polls in 16 s, want at most 4 (one poller): %q", len(quiet), quiet)
	}

	show(b, pages[2])
	expectRequests(t, "the events page on a new event", log.during(b, newEvent(2)),
		map[string]int{"GET /api/events?": 1})
	show(b, pages[0])
	expectRequests(t, "the overview when the tab is shown again", log.during(b, func() { reshowTab(b) }),
		map[string]int{"GET /api/overview?": 1})
	show(b, pages[3])
	expectRequests(t, "the sensors page when the tab is shown again", log.during(b, func() { reshowTab(b) }),
		map[string]int{"GET /api/sensors": 1, "GET /api/groups": 1})
	b.assertNoPageErrors()
}

// endOtherSessions ends every session of the client's user but its own (the browser's).
func (c *apiClient) endOtherSessions() {
	c.t.Helper()
	var list struct {
		Items []struct {
			ID      string `json:"id"`
			Current bool   `json:"current"`
		} `json:"items"`
	}
	c.must("GET", "/api/sessions", nil, &list, http.StatusOK)
	for _, s := range list.Items {
		if !s.Current {
			c.must("DELETE", "/api/sessions/"+s.ID, nil, nil, http.StatusNoContent)
		}
	}
}

// waitSessionEnded waits for the login page with its note that the session ended.
func waitSessionEnded(b *browser, where string) {
	b.t.Helper()
	if !poll(b, `!!document.querySelector('#login-note')`, 15*time.Second) {
		b.screenshot("failed-session-end-" + slug(where))
		b.t.Fatalf("%s: the login page did not show within 15s of the session's end", where)
	}
	waitText(b, "#login-note", "Your session has ended")
	if hash := eval[string](b, `location.hash`); hash != "#/login" {
		b.t.Errorf("%s: hash %q on the login page, want #/login", where, hash)
	}
}

// TestSessionEndReturnsToPage: a link opened while logged out, and every page the session ends
// on, lead to the login page and after the login back to the page, in the view it showed;
// another user who may not see that page lands on the overview.
func TestSessionEndReturnsToPage(t *testing.T) {
	b := newBrowser(t)
	srv := startServer(t)
	api := adminAPI(t, srv)
	_, pages := pagesWithData(t, srv, api)
	api.must("POST", "/api/users", map[string]any{"login": "olga", "full_name": "Olga Observer",
		"email": "olga@example.org", "role": 1, "groups": []int64{api.groupID("Default")}, "password": "observer-pass-1",
		"must_change_password": false}, nil, http.StatusCreated)

	sensors := pages[3]
	b.do("open a link while logged out", chromedp.Navigate(srv.URL+sensors.hash))
	logIn(b, "admin", adminPassword)
	show(b, sensors)
	if hash := eval[string](b, `location.hash`); hash != sensors.hash {
		t.Errorf("after the login the hash is %q, want %q", hash, sensors.hash)
	}

	pages = append(pages,
		shownPage{"#/events?status=all&source=198.51.100.8", "#events-table tr[data-id]"},
		shownPage{"#/account", "#token-name"},
		shownPage{"#/users", `[data-testid="user-row"]`},
		shownPage{"#/audit", "#audit-user"},
		shownPage{"#/system/archive", "#archive-run-at"})
	for _, p := range pages {
		show(b, p)
		want := eval[string](b, `location.hash`)
		api.endOtherSessions()
		waitSessionEnded(b, p.hash)
		logIn(b, "admin", adminPassword)
		if !poll(b, fmt.Sprintf(`!!document.querySelector(%s)`, quoteJS(p.ready)), 10*time.Second) {
			b.screenshot("failed-back-to-" + slug(p.hash))
			t.Fatalf("%s: not shown again after the login", p.hash)
		}
		if hash := eval[string](b, `location.hash`); hash != want {
			t.Errorf("after the login the hash is %q, want %q as before the session ended", hash, want)
		}
	}

	show(b, shownPage{"#/users", `[data-testid="user-row"]`})
	api.endOtherSessions()
	waitSessionEnded(b, "#/users")
	logIn(b, "olga", "observer-pass-1")
	landOnOverview(b)
	b.assertNoPageErrors()
}
