package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// sensorRefresh is how long the Sensors page may take to show a change made elsewhere: it
// reloads every 10 s, plus slack for a busy test machine.
const sensorRefresh = 16 * time.Second

// apiSensor is a sensor as GET /api/sensors lists it (the fields the tests look at).
type apiSensor struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Location string `json:"location"`
	Local    bool   `json:"local"`
	Status   string `json:"status"`
	LastIP   string `json:"last_ip"`
	Services []struct {
		Name    string          `json:"name"`
		Enabled bool            `json:"enabled"`
		Config  json.RawMessage `json:"config"`
		State   string          `json:"state"`
		Error   string          `json:"error"`
	} `json:"services"`
}

// sensorList is GET /api/sensors: the sensors and every service kind of the catalog.
func (c *apiClient) sensorList() ([]apiSensor, []string) {
	c.t.Helper()
	var list struct {
		Items    []apiSensor `json:"items"`
		Services []string    `json:"services"`
	}
	c.must("GET", "/api/sensors", nil, &list, http.StatusOK)
	return list.Items, list.Services
}

// sensorByID finds one sensor in the list; ok is false when it is gone.
func (c *apiClient) sensorByID(id int64) (apiSensor, bool) {
	c.t.Helper()
	items, _ := c.sensorList()
	for _, s := range items {
		if s.ID == id {
			return s, true
		}
	}
	return apiSensor{}, false
}

// serviceEnabled reports whether a service of a sensor is switched on (per the API).
func (s apiSensor) serviceEnabled(name string) (enabled, found bool) {
	for _, sv := range s.Services {
		if sv.Name == name {
			return sv.Enabled, true
		}
	}
	return false, false
}

// heartbeat sends a remote sensor's signed status report with one service state.
func heartbeat(t *testing.T, srv *server, s sensor, ip, service, state, reason string) {
	t.Helper()
	status, raw := signedPost(t, srv, s, "/api/sensors/status", map[string]any{
		"sensor": s.ID,
		"status": map[string]any{
			"timestamp": time.Now().Unix(), "status": 1, "ip": ip, "sw_version": "test",
			"services": map[string]any{service: map[string]string{"state": state, "error": reason}},
		},
	})
	if status != http.StatusOK {
		t.Fatalf("heartbeat = %d %s, want 200", status, raw)
	}
}

// waitTextFor is waitText with its own timeout (the sensor list refreshes every 10 s).
func waitTextFor(b *browser, sel, want string, timeout time.Duration) {
	b.t.Helper()
	expr := fmt.Sprintf(`(document.querySelector(%s)?.innerText || '').includes(%s)`, quoteJS(sel), quoteJS(want))
	if !poll(b, expr, timeout) {
		got := eval[string](b, fmt.Sprintf(`document.querySelector(%s)?.innerText ?? '(missing)'`, quoteJS(sel)))
		b.screenshot("failed-wait-" + slug(sel))
		b.t.Fatalf("%s: text = %q, want it to contain %q", sel, got, want)
	}
}

// openSensors goes to the Sensors page through the sidebar.
func openSensors(b *browser) {
	b.t.Helper()
	b.do("open the sensors page",
		chromedp.Click(chromedp.CSS("#nav-sensors")),
		chromedp.WaitVisible(chromedp.CSS("#sensors-table tbody tr[data-id]")))
	if got := b.text("#page-title"); got != "Sensors" {
		b.t.Errorf("page title = %q, want Sensors", got)
	}
}

// matrixKind is the service kind whose matrix cell the tests drive: ssh, or while the
// catalog is still being filled, its first kind (the page treats every kind alike).
func matrixKind(t *testing.T, kinds []string) string {
	t.Helper()
	if slices.Contains(kinds, "ssh") {
		return "ssh"
	}
	if len(kinds) == 0 {
		t.Fatal("GET /api/sensors lists no service kinds: the service matrix has no columns")
	}
	t.Logf("the service catalog %v has no ssh yet; driving %q instead", kinds, kinds[0])
	return kinds[0]
}

// TestSensorsWorkflow: a manager adds a remote sensor (its secret and config file shown
// once), sees it wait for first contact, then come online with a heartbeat (last IP, the
// ssh service's error reason in the matrix); switches a service off, checks the settings
// editor's validation, renames the sensor, follows its New events link and removes it with
// its events moved to the archive. Sensor-supplied text stays text throughout.
func TestSensorsWorkflow(t *testing.T) {
	b, srv, api := openEvents(t)
	var alerts atomic.Int32
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			alerts.Add(1)
			// Dismiss it, or the page would hang on the dialog.
			go chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}); err != nil {
		t.Fatal(err)
	}
	items, kinds := api.sensorList()
	matrixService := matrixKind(t, kinds)
	var local apiSensor
	for _, s := range items {
		if s.Local {
			local = s
		}
	}
	if local.ID == 0 {
		t.Fatalf("no local sensor in %+v", items)
	}
	group := api.groupID("Default")

	openSensors(b)
	localRow := fmt.Sprintf(`#sensors-table tr[data-id="%d"]`, local.ID)
	b.do("the local sensor is listed", chromedp.WaitVisible(chromedp.CSS(localRow)))
	if n := eval[int](b, fmt.Sprintf(`document.querySelectorAll(%s).length`, quoteJS(localRow+" .sensor-remove, "+localRow+" .sensor-config"))); n != 0 {
		t.Errorf("the local sensor offers Remove / Download config (%d controls)", n)
	}
	for _, k := range kinds {
		if n := eval[int](b, fmt.Sprintf(`document.querySelectorAll('#sensors-table th[data-service=%s]').length`, quoteJS(k))); n != 1 {
			t.Errorf("service column %q: %d header cells", k, n)
		}
	}

	// Add: the secret is shown once, next to the config file download.
	const hostile = `<img src=x onerror=alert(1)>`
	b.do("add a sensor",
		chromedp.Click(chromedp.CSS("#sensor-add")),
		chromedp.WaitVisible(chromedp.CSS("#sensor-name")),
		chromedp.SendKeys(chromedp.CSS("#sensor-name"), "branch-office"),
		chromedp.SendKeys(chromedp.CSS("#sensor-location"), "Rack 7 "+hostile),
		chromedp.SetValue(chromedp.CSS("#sensor-interval"), "30"))
	pick(b, "#sensor-group", strconv.FormatInt(group, 10))
	b.do("save the new sensor",
		chromedp.Click(chromedp.CSS("#sensor-save")),
		chromedp.WaitVisible(chromedp.CSS("#sensor-secret")))
	b.screenshot("sensors-secret")
	secret := eval[string](b, `document.getElementById('sensor-secret').value`)
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(secret) {
		t.Fatalf("shown secret = %q, want 64 hex characters", secret)
	}
	status, body := fetchText(b, eval[string](b, `document.getElementById('sensor-config-download').href`))
	var cfg struct {
		Server string `json:"server"`
		Sensor int64  `json:"sensor"`
		Secret string `json:"secret"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &cfg) != nil || cfg.Secret != secret || cfg.Sensor == 0 {
		t.Fatalf("config download = %d %q", status, body)
	}
	b.do("close the secret dialog",
		chromedp.Click(chromedp.CSS(`#sensor-created [data-testid="dialog-close"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#sensor-created")))
	s := sensor{ID: cfg.Sensor, Name: "branch-office", Secret: secret}
	row := fmt.Sprintf(`#sensors-table tr[data-id="%d"]`, s.ID)
	cell := row + ` td[data-service="` + matrixService + `"]`
	waitText(b, row+" td.col-status", "Waiting for first contact")
	waitText(b, row+" td.col-name", "Rack 7 "+hostile)
	if got, _ := api.sensorByID(s.ID); got.Location != "Rack 7 "+hostile {
		t.Errorf("stored location = %q", got.Location)
	}

	// First contact: online, last IP, and the service state the sensor reported.
	reason := `port in use "><script>alert(2)</script>`
	heartbeat(t, srv, s, "192.0.2.10", matrixService, "error", reason)
	waitTextFor(b, row+" td.col-status", "Online since", sensorRefresh)
	waitText(b, row+" td.col-contact", "192.0.2.10")
	waitText(b, row+" td.sensor-version", "test")
	waitText(b, cell, reason)
	if title := eval[string](b, fmt.Sprintf(`document.querySelector(%s).title`, quoteJS(cell+" .svc-state"))); title != reason {
		t.Errorf("%s state title = %q, want the reason", matrixService, title)
	}
	b.screenshot("sensors-online")

	// Switch the service off in the matrix.
	b.do("switch the service off", chromedp.Click(chromedp.CSS(cell+" input.service-toggle")))
	if !poll(b, fmt.Sprintf(`(() => { const t = document.querySelector(%s); return t && !t.checked && !t.disabled; })()`,
		quoteJS(cell+" input.service-toggle")), 10*time.Second) {
		t.Fatal("the service toggle did not settle unchecked")
	}
	if got, _ := api.sensorByID(s.ID); !func() bool { on, found := got.serviceEnabled(matrixService); return found && !on }() {
		t.Errorf("after switching %s off, the API lists %+v", matrixService, got.Services)
	}
	waitText(b, cell+" .svc-state", "disabled")

	// Settings editor: a JSON syntax error and a settings error from the server stay in the
	// dialog under the editor; valid settings save.
	b.do("open the service settings",
		chromedp.Click(chromedp.CSS(cell+" button.svc-settings")),
		chromedp.WaitVisible(chromedp.CSS("#service-config")))
	original := eval[string](b, `document.getElementById('service-config').value`)
	var settings map[string]any
	if err := json.Unmarshal([]byte(original), &settings); err != nil || len(settings) == 0 {
		t.Fatalf("%s settings editor holds %q, want the settings object", matrixService, original)
	}
	b.do("enter broken JSON",
		chromedp.SetValue(chromedp.CSS("#service-config"), `{"port": `),
		chromedp.Click(chromedp.CSS("#service-config-save")))
	waitText(b, `[data-field="config"] .field-error`, "Not valid JSON")
	b.do("enter settings of the wrong type",
		chromedp.SetValue(chromedp.CSS("#service-config"), wrongTypes(settings)),
		chromedp.Click(chromedp.CSS("#service-config-save")))
	if !poll(b, `(() => { const e = document.querySelector('[data-field="config"] .field-error'); return e && !e.hidden && !e.innerText.includes('Not valid JSON') && e.innerText.trim() !== ''; })()`, 10*time.Second) {
		t.Errorf("no server field error under the settings editor: %q",
			eval[string](b, `document.getElementById('service-settings')?.innerText ?? '(closed)'`))
	}
	b.screenshot("sensors-settings-error")
	b.do("save valid settings",
		chromedp.SetValue(chromedp.CSS("#service-config"), original),
		chromedp.Click(chromedp.CSS("#service-config-save")),
		chromedp.WaitNotPresent(chromedp.CSS("#service-settings")))

	// Edit: rename.
	b.do("rename the sensor",
		chromedp.Click(chromedp.CSS(row+" button.sensor-edit")),
		chromedp.WaitVisible(chromedp.CSS("#sensor-name")),
		chromedp.SetValue(chromedp.CSS("#sensor-name"), "branch-office-2"),
		chromedp.Click(chromedp.CSS("#sensor-save")),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="sensor-dialog"]`)))
	waitText(b, row+" .sensor-name", "branch-office-2")
	if got, _ := api.sensorByID(s.ID); got.Name != "branch-office-2" {
		t.Errorf("name after edit = %q", got.Name)
	}

	// Status history lists the change to online (written by the server's timeout job every
	// 15 s; the open dialog reloads itself).
	b.do("open the status history",
		chromedp.Click(chromedp.CSS(row+" button.sensor-history")),
		chromedp.WaitVisible(chromedp.CSS("#sensor-history-list")))
	waitTextFor(b, "#sensor-history-list", "Online", 30*time.Second)
	b.screenshot("sensors-history")
	b.do("close the history",
		chromedp.Click(chromedp.CSS(`#sensor-history [data-testid="dialog-close"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#sensor-history")))

	// An event of the sensor shows in its New count, which links to its events.
	ingest(t, srv, s, wireEvent{Timestamp: time.Now().Unix(), Service: "recon", Source: "198.51.100.4",
		TargetPort: 23, Protocol: "tcp", Summary: "Connection attempt on TCP 23"})
	waitTextFor(b, row+" td.new-events", "1", sensorRefresh)
	b.do("follow the New events link",
		chromedp.Click(chromedp.CSS(row+" td.new-events a")),
		chromedp.WaitVisible(chromedp.CSS("#events-table tbody tr[data-id]")))
	waitSources(b, "events of the sensor", []string{"198.51.100.4"})
	if v := eval[string](b, `document.getElementById('filter-sensor').value`); v != strconv.FormatInt(s.ID, 10) {
		t.Errorf("events page sensor filter = %q, want %d", v, s.ID)
	}
	openSensors(b)

	// Remove, moving its events to the archive (the default).
	b.do("remove the sensor",
		chromedp.Click(chromedp.CSS(row+" button.sensor-remove")),
		chromedp.WaitVisible(chromedp.CSS("#sensor-remove-confirm")))
	if !eval[bool](b, `document.getElementById('remove-archive-events').checked`) {
		t.Error("'Move its events to the archive' is not ticked by default")
	}
	b.screenshot("sensors-remove")
	b.do("confirm the removal",
		chromedp.Click(chromedp.CSS("#sensor-remove-confirm")),
		chromedp.WaitNotPresent(chromedp.CSS(row)))
	waitText(b, "#sensors-notice", "1 event moved to the archive")
	if _, ok := api.sensorByID(s.ID); ok {
		t.Error("the removed sensor is still listed by the API")
	}
	if ids := api.eventIDs("dataset=archive&q=198.51.100.4"); len(ids) != 1 {
		t.Errorf("archived events of the removed sensor: %v, want 1", ids)
	}

	if n := eval[int](b, `document.querySelectorAll('img[src="x"], #sensors-table script').length`); n != 0 {
		t.Errorf("%d injected elements in the page", n)
	}
	if n := alerts.Load(); n != 0 {
		t.Errorf("%d JavaScript dialogs opened", n)
	}
	b.assertNoPageErrors()
}

// wrongTypes is a settings object with every value replaced by one of another JSON type,
// which no service can accept.
func wrongTypes(settings map[string]any) string {
	out := map[string]any{}
	for k, v := range settings {
		switch v.(type) {
		case string:
			out[k] = []int{1}
		default:
			out[k] = "not-a-valid-value"
		}
	}
	j, _ := json.Marshal(out)
	return string(j)
}

// TestSensorsObserverReadOnly: an observer sees the sensors of the group and their service
// states, but no Add button, no enabled toggle and no edit, remove or config download.
func TestSensorsObserverReadOnly(t *testing.T) {
	b, srv, api := openEvents(t)
	group := api.groupID("Default")
	api.must("POST", "/api/users", map[string]any{"login": "otto", "full_name": "Otto Observer",
		"email": "otto@example.org", "role": 1, "groups": []int64{group}, "password": "observer-pass-1",
		"must_change_password": false}, nil, http.StatusCreated)
	s := api.createSensor("observed-sensor", group)
	_, kinds := api.sensorList()
	matrixService := matrixKind(t, kinds)
	heartbeat(t, srv, s, "192.0.2.20", matrixService, "running", "")

	b.do("log out the admin", chromedp.Click(chromedp.CSS("#logout")))
	logIn(b, "otto", "observer-pass-1")
	landOnOverview(b)
	openSensors(b)
	row := fmt.Sprintf(`#sensors-table tr[data-id="%d"]`, s.ID)
	waitText(b, row+" td.col-status", "Online since")
	waitText(b, row+` td[data-service="`+matrixService+`"] .svc-state`, "running")
	b.screenshot("sensors-observer")

	type controls struct {
		Add, Toggles, EnabledToggles, Editing int
	}
	got := eval[controls](b, `({
		Add: document.querySelectorAll('#sensor-add').length,
		Toggles: document.querySelectorAll('#sensors-table input.service-toggle').length,
		EnabledToggles: document.querySelectorAll('#sensors-table input.service-toggle:not(:disabled)').length,
		Editing: document.querySelectorAll('#sensors-table .sensor-edit, #sensors-table .sensor-remove, #sensors-table .sensor-config').length,
	})`)
	if got.Add != 0 || got.Toggles == 0 || got.EnabledToggles != 0 || got.Editing != 0 {
		t.Errorf("observer controls: %+v, want toggles shown but disabled and nothing else", got)
	}

	// The settings open read-only.
	b.do("view the service settings",
		chromedp.Click(chromedp.CSS(row+` td[data-service="`+matrixService+`"] button.svc-settings`)),
		chromedp.WaitVisible(chromedp.CSS("#service-config")))
	if !eval[bool](b, `document.getElementById('service-config').readOnly && !document.getElementById('service-config-save')`) {
		t.Error("the observer's settings dialog is editable")
	}
	if cfg := eval[string](b, `document.getElementById('service-config').value`); !strings.HasPrefix(strings.TrimSpace(cfg), "{") {
		t.Errorf("settings shown to the observer: %q", cfg)
	}
	b.assertNoPageErrors()
}
