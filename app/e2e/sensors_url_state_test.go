package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// sensorNames waits until the Sensors list shows exactly want, top to bottom.
func sensorNames(b *browser, what string, want []string) {
	b.t.Helper()
	expr := fmt.Sprintf(`JSON.stringify([...document.querySelectorAll('#sensors-table tbody tr[data-id]')].map(r => r.dataset.name)) === %s`, jsString(want))
	if !poll(b, expr, 10*time.Second) {
		b.t.Fatalf("%s: sensors = %q, want %v", what, b.text("#sensors-table tbody"), want)
	}
}

// TestSensorsURLState: the Sensors list's search, status filter and sort live in the
// address; a reload and a shared link show the same list and Back returns to the view
// before each change.
func TestSensorsURLState(t *testing.T) {
	b, srv, api := openEvents(t)
	group := api.groupID("Default")
	alpha := api.createSensor("alpha-dmz", group)
	api.createSensor("beta-lab", group)
	api.createSensor("gamma-dmz", group)
	heartbeat(t, srv, alpha, "192.0.2.7", "ssh", "running", "")
	openSensors(b)

	b.do("search for dmz", chromedp.SendKeys(chromedp.CSS("#sensor-search"), "dmz"))
	sensorNames(b, "the search", []string{"alpha-dmz", "gamma-dmz"})
	if !poll(b, `new URLSearchParams(location.hash.split('?')[1]).get('q') === 'dmz'`, 5*time.Second) {
		t.Fatalf("hash after the search = %q, want q=dmz", eval[string](b, `location.hash`))
	}
	b.do("sort by name, descending", chromedp.Click(chromedp.CSS(`#sensors-table th[data-sort="name"] button`)))
	sensorNames(b, "by name, descending", []string{"gamma-dmz", "alpha-dmz"})
	pick(b, "#sensor-status-filter", "waiting")
	sensorNames(b, "waiting for first contact", []string{"gamma-dmz"})
	waitText(b, "#sensors-head", "1 of")
	if q := hashValues(b); q.Get("q") != "dmz" || q.Get("status") != "waiting" || q.Get("order") != "desc" {
		t.Errorf("hash = %v, want q=dmz, status=waiting, order=desc", q)
	}

	link := eval[string](b, `location.href`)
	reload(b, "#sensors-table tbody tr[data-id]")
	sensorNames(b, "after a reload", []string{"gamma-dmz"})
	if got := valueOf(b, "#sensor-search"); got != "dmz" {
		t.Errorf("search after a reload = %q, want dmz", got)
	}
	inNewTab(b, link, func(tab *browser) {
		tab.do("the shared sensor list", chromedp.WaitVisible(chromedp.CSS("#sensors-table tbody tr[data-id]")))
		sensorNames(tab, "in a new tab", []string{"gamma-dmz"})
		if got := valueOf(tab, "#sensor-status-filter"); got != "waiting" {
			t.Errorf("new tab: status filter = %q, want waiting", got)
		}
	})

	back(b, "#sensors-table tbody tr[data-id]")
	sensorNames(b, "Back: before the status filter", []string{"gamma-dmz", "alpha-dmz"})
	back(b, "#sensors-table tbody tr[data-id]")
	sensorNames(b, "Back: before sorting", []string{"alpha-dmz", "gamma-dmz"})
	back(b, "#sensors-table tbody tr[data-id]")
	if got := valueOf(b, "#sensor-search"); got != "" {
		t.Errorf("search after Back = %q, want empty", got)
	}
	var all []string // the server's order: by name
	items, _ := api.sensorList()
	for _, s := range items {
		all = append(all, s.Name)
	}
	sensorNames(b, "Back: before the search", all)
	b.assertNoPageErrors()
}
