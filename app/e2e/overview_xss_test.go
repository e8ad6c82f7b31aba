package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOverviewAndAttackerShowTriedValuesAsText: user names, passwords, commands and paths an
// attacker chose show as literal text in the overview's top lists, on the attacker's page and in
// the event list's filter chip; none of it becomes markup.
func TestOverviewAndAttackerShowTriedValuesAsText(t *testing.T) {
	b, srv, api := openEvents(t)
	s := api.createSensor("xss-sensor", api.groupID("Default"))
	ingest(t, srv, s, wireEvent{Timestamp: time.Now().Unix(), Service: "ssh", Source: "198.51.100.66", TargetPort: 22,
		Protocol: "tcp", Summary: "SSH session",
		Logins:   []wireLogin{{User: xss[0], Password: xss[1], Accepted: true}},
		Commands: []string{xss[1] + "; " + xss[0]}, Paths: []string{"/" + xss[0]}})

	checkInert := func(where string) {
		t.Helper()
		if n := eval[int](b, `document.querySelectorAll('img').length`); n != 0 {
			t.Errorf("%s: %d <img> elements", where, n)
		}
		if n := eval[int](b, `[...document.querySelectorAll('script')].filter(s => !s.src).length`); n != 0 {
			t.Errorf("%s: %d inline <script> elements", where, n)
		}
	}
	b.do("open the overview", chromedp.Click(chromedp.CSS("#nav-overview")))
	if !poll(b, `!!document.querySelector('#top-usernames li') && !!document.querySelector('#top-paths li')`, 20*time.Second) {
		t.Fatalf("top lists not filled: %q", b.text("#top-usernames"))
	}
	for list, want := range map[string]string{"usernames": xss[0], "passwords": xss[1], "commands": xss[1] + "; " + xss[0], "paths": "/" + xss[0]} {
		if got := b.text("#top-" + list + " li"); !strings.Contains(got, want) {
			t.Errorf("top %s shows %q, want the text %q", list, got, want)
		}
	}
	checkInert("overview")

	b.do("open the attacker", chromedp.Navigate(srv.URL+"#/attackers/198.51.100.66"))
	if !poll(b, `document.body.innerText.includes(`+quoteJS(xss[1])+`)`, 20*time.Second) {
		t.Fatalf("attacker page lacks the password: %q", eval[string](b, `document.body.innerText`))
	}
	text := eval[string](b, `document.body.innerText`)
	for _, want := range []string{xss[0], xss[1]} {
		if !strings.Contains(text, want) {
			t.Errorf("attacker page lacks the text %q", want)
		}
	}
	checkInert("attacker page")

	b.do("list the events of the user name", chromedp.Navigate(srv.URL+"#/events?status=0,1,2,3&username="+url.QueryEscape(xss[0])))
	if !poll(b, `document.querySelectorAll('#events-table tbody tr[data-id]').length === 1`, 20*time.Second) {
		t.Fatalf("the user name's filter does not list its event: %q", b.text("#events-table"))
	}
	if !strings.Contains(eval[string](b, `document.body.innerText`), xss[0]) {
		t.Error("the filter chip does not show the user name as text")
	}
	checkInert("event list")
	b.assertNoPageErrors()
}
