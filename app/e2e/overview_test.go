package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// overviewRefresh bounds how long the overview takes to show new activity: it re-fetches on
// the live poller's news (every 5 s) and every 15 s, and a port scan becomes one event only
// when its window (10 s) has passed.
const overviewRefresh = 45 * time.Second

// landOnOverview checks that login ends on the overview, the landing page of every role.
func landOnOverview(b *browser) {
	b.t.Helper()
	b.do("land on the overview", chromedp.WaitVisible(chromedp.CSS("#overview-tiles .tile")))
	if got := b.text("#page-title"); got != "Overview" {
		b.t.Errorf("landing page title = %q, want Overview", got)
	}
	if hash := eval[string](b, `location.hash`); !strings.HasPrefix(hash, "#/overview") {
		b.t.Errorf("landing hash = %q, want #/overview", hash)
	}
	if first := eval[string](b, `document.querySelector('.sidebar li a').id`); first != "nav-overview" {
		b.t.Errorf("first sidebar item = %q, want nav-overview", first)
	}
}

// rootPassword is a password the SSH honeypot accepts for root (from its accept list).
func rootPassword(t *testing.T, api *apiClient) string {
	t.Helper()
	for _, sv := range localSensor(t, api).Services {
		if sv.Name != "ssh" {
			continue
		}
		var cfg struct {
			Accept []string `json:"accept"`
		}
		if err := json.Unmarshal(sv.Config, &cfg); err != nil {
			t.Fatal(err)
		}
		for _, a := range cfg.Accept {
			if user, pass, _ := strings.Cut(a, ":"); user == "root" {
				return pass
			}
		}
	}
	t.Fatal("the SSH honeypot accepts no password for root")
	return ""
}

// sshSession logs in with the real OpenSSH client and runs a command; the error is returned
// (a refused login fails, as it should).
func sshSession(t *testing.T, addr, user, password, command string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sshpass", append([]string{"-p", password, "ssh", "-o", "PubkeyAuthentication=no"},
		sshArgs(addr, user, command)...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// httpVisits asks the HTTP honeypot for a few pages, as a scanner would.
func httpVisits(t *testing.T, addr string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	for _, path := range []string{"/", "/admin", "/wp-login.php", "/.env"} {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		if path == "/admin" {
			req.SetBasicAuth("admin", "e2e-basic-secret")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s from the HTTP honeypot: %v", path, err)
		}
		resp.Body.Close()
	}
}

// bucketBox is one bar of the timeline: its span and where it is on the screen.
type bucketBox struct {
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	From  string  `json:"from"`
	To    string  `json:"to"`
	Total int     `json:"total"`
}

// bucketAt returns the n-th bar with events (negative n counts from the end), scrolled into view.
func bucketAt(b *browser, n int) bucketBox {
	b.t.Helper()
	return eval[bucketBox](b, fmt.Sprintf(`(() => {
		const g = [...document.querySelectorAll('.chart g.bucket')].filter(g => +g.dataset.total > 0).at(%d);
		g.closest('.chart').scrollIntoView({block: 'center'});
		const r = g.querySelector('rect.hit').getBoundingClientRect();
		return {x: r.left + r.width / 2, y: r.top + r.height / 2, from: g.dataset.from, to: g.dataset.to, total: +g.dataset.total};
	})()`, n))
}

// listSpan reads from and to of the event list's hash and checks them against a bar's span
// (the list's "to" includes its bound, so it is the bar's end less one millisecond).
func listSpan(b *browser, from, to string) url.Values {
	b.t.Helper()
	q := hashValues(b)
	hash := eval[string](b, `location.hash`)
	wantFrom, _ := time.Parse(time.RFC3339Nano, from)
	wantTo, _ := time.Parse(time.RFC3339Nano, to)
	gotFrom, err1 := time.Parse(time.RFC3339Nano, q.Get("from"))
	gotTo, err2 := time.Parse(time.RFC3339Nano, q.Get("to"))
	if err1 != nil || err2 != nil || !gotFrom.Equal(wantFrom) || !gotTo.Equal(wantTo.Add(-time.Millisecond)) {
		b.t.Errorf("event list hash %q: want from=%s and to=%s less 1 ms", hash, from, to)
	}
	return q
}

// hashValues is the query of the page's hash.
func hashValues(b *browser) url.Values {
	b.t.Helper()
	_, query, _ := strings.Cut(eval[string](b, `location.hash`), "?")
	q, _ := url.ParseQuery(query)
	return q
}

// tableIDs are the ids of the event list's rows.
func tableIDs(b *browser) []int64 {
	return eval[[]int64](b, rowsJS+`.map(r => Number(r.dataset.id))`)
}

// waitRowsLike waits until the event list shows exactly the events the API lists for query.
func waitRowsLike(b *browser, what string, api *apiClient, query url.Values) []int64 {
	b.t.Helper()
	want := api.eventIDs(query.Encode())
	if !poll(b, fmt.Sprintf(`JSON.stringify(%s.map(r => Number(r.dataset.id))) === %s`, rowsJS, jsString(want)), 10*time.Second) {
		b.screenshot("failed-" + slug(what))
		b.t.Fatalf("%s: rows %v, want the events the API lists for %s: %v", what, tableIDs(b), query.Encode(), want)
	}
	return want
}

// TestOverviewRealActivity: after an SSH login with the real OpenSSH client, HTTP requests and
// an nmap scan against the appliance's own honeypots, the open overview shows the activity by
// itself (tiles, chart, top lists); a click on a bar, a drag across bars and a click on the
// top source open the event list filtered to exactly those events; the attackers page lists
// the source and its page shows the credentials tried.
func TestOverviewRealActivity(t *testing.T) {
	needTools(t, "ssh", "sshpass", "nmap")
	b := newBrowser(t)
	srv, api, hp := startHoneypots(t)
	password := rootPassword(t, api)
	// An older event from another address: a bar's span must leave it out.
	branch := api.createSensor("branch-pi", api.groupID("Default"))
	ingest(t, srv, branch, wireEvent{Timestamp: time.Now().Add(-5 * time.Hour).Unix(), Service: "recon",
		Source: "192.0.2.99", TargetPort: 3389, Protocol: "tcp", Summary: "Connection attempt on TCP 3389"})

	b.do("open the app", chromedp.Navigate(srv.URL))
	logIn(b, "admin", adminPassword)
	landOnOverview(b)

	// Real activity while the overview is open: it must move by itself.
	if out, err := sshSession(t, hp.addr["ssh"], "root", password, "uname -a"); err != nil {
		t.Logf("ssh as root: %v %s", err, out)
	}
	if out, err := sshSession(t, hp.addr["ssh"], "oracle", "e2e-wrong-password", "id"); err == nil {
		t.Errorf("ssh as oracle with a wrong password was let in: %s", out)
	}
	httpVisits(t, hp.addr["http"])
	scan := exec.Command("nmap", "-sT", "-Pn", "-p", strings.Join(hp.recon, ","), "127.0.0.1")
	if out, err := scan.CombinedOutput(); err != nil {
		t.Fatalf("nmap: %v\n%s", err, out)
	}

	ready := `(() => {
		const n = (id) => Number((document.querySelector('#' + id + ' .tile-value')?.textContent || '0').replace(/,/g, ''));
		const has = (list, v) => !!document.querySelector('#top-' + list + ' li[data-value="' + v + '"]');
		return n('tile-class-3') >= 2 && n('tile-class-4') >= 1 && document.querySelectorAll('.chart rect.seg').length > 0
			&& has('sources', '127.0.0.1') && has('usernames', 'root') && has('usernames', 'oracle') && has('services', 'ssh');
	})()`
	if !poll(b, ready, overviewRefresh) {
		b.screenshot("failed-overview-activity")
		t.Fatalf("the overview did not show the activity within %v: tiles %q, sources %q, user names %q", overviewRefresh,
			b.text("#overview-tiles"), b.text("#top-sources"), b.text("#top-usernames"))
	}
	b.screenshot("overview")
	if label := eval[string](b, `document.querySelector('.chart-svg').getAttribute('aria-label')`); !strings.Contains(label, "events") {
		t.Errorf("chart label = %q, want a summary of the events", label)
	}
	if n := eval[int](b, `document.querySelectorAll('.chart .sr-only table tbody tr').length`); n < 2 {
		t.Errorf("the chart's table for screen readers has %d rows, want one per hour with events (2 or more)", n)
	}
	if got := b.text("#tile-sensors"); !strings.Contains(got, "online") {
		t.Errorf("sensors tile = %q", got)
	}
	if !eval[bool](b, `!!document.querySelector('#tile-mail')`) {
		t.Error("the admin sees no mail queue tile")
	}
	if !eval[bool](b, `[...document.querySelectorAll('#recent-critical tbody tr')].some(r => r.textContent.includes('127.0.0.1'))`) {
		t.Error("the newest critical events do not list 127.0.0.1")
	}

	// Pointing at a bar shows its counts.
	last := bucketAt(b, -1)
	b.do("point at the newest bar", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, last.X, last.Y))
	waitText(b, ".chart-tip", "Total")

	// A click on the newest bar: exactly its events, whatever their status.
	b.do("click the newest bar", chromedp.MouseClickXY(last.X, last.Y), chromedp.WaitVisible(chromedp.CSS("#events-table")))
	q := listSpan(b, last.From, last.To)
	if q.Get("status") != "all" {
		t.Errorf("status in the hash = %q, want all", q.Get("status"))
	}
	span := url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}}
	ids := waitRowsLike(b, "the newest bar's events", api, span)
	if len(ids) < 4 {
		t.Errorf("the newest bar lists %d events, want the SSH, HTTP and scan events", len(ids))
	}
	if slices.Contains(eval[[]string](b, rowsJS+`.map(r => r.querySelector('td.source').textContent)`), "192.0.2.99") {
		t.Error("the list of the newest bar shows the event of 5 hours ago")
	}
	if v := eval[string](b, `document.getElementById('filter-from').value`); v == "" {
		t.Error("the From filter is empty after a bar click")
	}
	b.screenshot("overview-bar-click")

	// Dragging from the oldest to the newest bar: the whole span, the old event included.
	b.do("back to the overview", chromedp.Click(chromedp.CSS("#nav-overview")), chromedp.WaitVisible(chromedp.CSS(".chart rect.seg")))
	first, last := bucketAt(b, 0), bucketAt(b, -1)
	if first.From == last.From {
		t.Fatalf("one bar only (%s): the 5 hours old event has no bar of its own", first.From)
	}
	b.do("drag across the bars",
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, first.X, first.Y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, (first.X+last.X)/2, first.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, last.X, last.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, last.X, last.Y, chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.WaitVisible(chromedp.CSS("#events-table")))
	q = listSpan(b, first.From, last.To)
	waitRowsLike(b, "the dragged span's events", api, url.Values{"from": {q.Get("from")}, "to": {q.Get("to")}})
	waitText(b, "#events-table", "192.0.2.99")

	// The top source: the event list of that address in the period.
	b.do("back to the overview", chromedp.Click(chromedp.CSS("#nav-overview")), chromedp.WaitVisible(chromedp.CSS("#top-sources li")))
	b.do("click the top source",
		chromedp.Click(chromedp.CSS(`#top-sources li[data-value="127.0.0.1"] a.top-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#filter-chips .chip[data-key="source"]`)))
	waitText(b, `#filter-chips .chip[data-key="source"]`, "127.0.0.1")
	q = hashValues(b)
	if q.Get("source") != "127.0.0.1" || q.Get("from") == "" || q.Get("to") == "" {
		t.Errorf("hash of the top source's list = %v, want source=127.0.0.1 and the period's from and to", q)
	}
	waitRowsLike(b, "the top source's events", api, url.Values{"source": {"127.0.0.1"}, "from": {q.Get("from")}, "to": {q.Get("to")}})
	sources := eval[[]string](b, rowsJS+`.map(r => r.querySelector('td.source').textContent)`)
	for _, s := range sources {
		if s != "127.0.0.1" {
			t.Errorf("the top source's list shows a row from %s", s)
		}
	}
	b.screenshot("overview-top-source")

	// The attackers page lists the address; its page shows the credentials tried.
	b.do("open the attackers page", chromedp.Click(chromedp.CSS("#nav-attackers")),
		chromedp.WaitVisible(chromedp.CSS(`#attackers-table tr[data-source="127.0.0.1"]`)))
	b.screenshot("attackers")
	b.do("open the attacker 127.0.0.1",
		chromedp.Click(chromedp.CSS(`#attackers-table tr[data-source="127.0.0.1"] td.source a`)),
		chromedp.WaitVisible(chromedp.CSS(`#attacker-credentials tr[data-user="root"]`)))
	if got := b.text(`#attacker-credentials tr[data-user="root"]`); !strings.Contains(got, password) || !strings.Contains(got, "accepted") {
		t.Errorf("credential row of root = %q, want password %q accepted", got, password)
	}
	waitText(b, `#attacker-credentials tr[data-user="oracle"]`, "rejected")
	waitText(b, "#page-title", "127.0.0.1")
	b.screenshot("attacker")
	b.assertNoPageErrors()
}
