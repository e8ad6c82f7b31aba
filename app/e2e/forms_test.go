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

// sshSettings reads the stored ssh settings of a sensor from the API.
func sshSettings(t *testing.T, api *apiClient, id int64) map[string]any {
	t.Helper()
	s, ok := api.sensorByID(id)
	if !ok {
		t.Fatalf("sensor %d is gone", id)
	}
	for _, sv := range s.Services {
		if sv.Name == "ssh" {
			var cfg map[string]any
			if err := json.Unmarshal(sv.Config, &cfg); err != nil {
				t.Fatalf("ssh settings %s: %v", sv.Config, err)
			}
			return cfg
		}
	}
	t.Fatalf("sensor %d has no ssh service: %+v", id, s.Services)
	return nil
}

// TestServiceSettingsForm: the SSH settings are edited through their form. A port out of
// range and a banner the server refuses show their messages under their fields; a valid
// banner and port are saved and the new port shows in the sensors table. The JSON editor
// under "Advanced (JSON)" still saves, and the form follows it.
func TestServiceSettingsForm(t *testing.T) {
	b, _, api := openEvents(t)
	s := api.createSensor("form-sensor", api.groupID("Default"))
	api.must("PUT", fmt.Sprintf("/api/sensors/%d/services/ssh", s.ID), map[string]any{"enabled": true, "config": nil}, nil, http.StatusOK)
	before := sshSettings(t, api, s.ID)

	openSensors(b)
	cell := fmt.Sprintf(`#sensors-table tr[data-id="%d"] td[data-service="ssh"]`, s.ID)
	_, oldPort, _ := strings.Cut(before["listen"].(string), ":")
	waitText(b, cell+" .svc-ports", oldPort)

	b.do("open the SSH settings",
		chromedp.Click(chromedp.CSS(cell+" button.svc-settings")),
		chromedp.WaitVisible(chromedp.CSS("#svc-ssh-banner")))
	if got := inputValue(b, "#svc-ssh-listen-port"); got != oldPort {
		t.Errorf("port field = %q, want the stored %q", got, oldPort)
	}

	typeInto(b, "#svc-ssh-listen-port", "70000")
	b.do("save a port out of range", chromedp.Click(chromedp.CSS("#service-config-save")))
	waitFieldError(b, "config.listen", "1 to 65535")

	typeInto(b, "#svc-ssh-listen-port", "2022")
	typeInto(b, "#svc-ssh-banner", "Hello")
	b.do("save a banner the server refuses", chromedp.Click(chromedp.CSS("#service-config-save")))
	waitFieldError(b, "config.banner", "SSH-2.0-")
	if msg := fieldError(b, "config.listen"); msg != "" {
		t.Errorf("the fixed port still shows %q", msg)
	}
	b.screenshot("service-form-error")

	const banner = "SSH-2.0-OpenSSH_8.4p1 Debian-5"
	typeInto(b, "#svc-ssh-banner", banner)
	// The form writes into the JSON as it is edited.
	if js := inputValue(b, "#service-config"); !strings.Contains(js, banner) || !strings.Contains(js, ":2022") {
		t.Errorf("JSON after the form edit = %s", js)
	}
	b.do("save the form",
		chromedp.Click(chromedp.CSS("#service-config-save")),
		chromedp.WaitNotPresent(chromedp.CSS("#service-settings")))
	after := sshSettings(t, api, s.ID)
	if after["banner"] != banner || !strings.HasSuffix(after["listen"].(string), ":2022") || after["hostname"] != before["hostname"] {
		t.Errorf("saved settings = %v, want the new banner and port and the rest kept (%v)", after, before)
	}
	waitText(b, cell+" .svc-ports", "2022")

	// Advanced: the JSON editor saves as before, and the form shows what it holds.
	after["hostname"] = "json-host"
	edited, _ := json.Marshal(after)
	b.do("open the settings again",
		chromedp.Click(chromedp.CSS(cell+" button.svc-settings")),
		chromedp.WaitVisible(chromedp.CSS("#service-config")),
		chromedp.SetValue(chromedp.CSS("#service-config"), string(edited)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('service-config').dispatchEvent(new Event('input', {bubbles: true}))`))
	if got := inputValue(b, "#svc-ssh-hostname"); got != "json-host" {
		t.Errorf("host name field after the JSON edit = %q", got)
	}
	b.do("save the JSON",
		chromedp.Click(chromedp.CSS("#service-config-save")),
		chromedp.WaitNotPresent(chromedp.CSS("#service-settings")))
	if got := sshSettings(t, api, s.ID); got["hostname"] != "json-host" || got["banner"] != banner {
		t.Errorf("settings saved from the JSON = %v", got)
	}
	b.assertNoPageErrors()
}

// TestFilterMarksEveryBadCondition: a rule with two bad conditions among several is refused
// with both marked at their rows, and the summary under the long list is scrolled into view.
func TestFilterMarksEveryBadCondition(t *testing.T) {
	b, _, api := openEvents(t)
	openFilters(b)
	b.do("open the Add dialog",
		chromedp.Click(chromedp.CSS("#filter-add")),
		chromedp.WaitVisible(chromedp.CSS("#filter-name")))
	typeInto(b, "#filter-name", "two bad conditions")
	row := func(n int) string { return fmt.Sprintf(".condition-row:nth-child(%d)", n) }
	pick(b, row(1)+" select.condition-attribute", "source")
	typeInto(b, row(1)+" input.condition-value", "10.0.0")
	// Valid conditions in between make the list longer than the dialog.
	for n := 2; n <= 8; n++ {
		b.do("add a condition", chromedp.Click(chromedp.CSS("#condition-add")))
		pick(b, row(n)+" select.condition-attribute", "classification")
	}
	pick(b, row(5)+" select.condition-attribute", "target_port")
	typeInto(b, row(5)+" input.condition-value", "99999")

	const body = `document.querySelector('[data-testid="filter-dialog"] .dialog-body')`
	if !eval[bool](b, body+`.scrollHeight > `+body+`.clientHeight`) {
		t.Fatal("the dialog body does not scroll: the summary would be in view anyway")
	}
	b.do("scroll to the top and save",
		chromedp.Evaluate[chromedp.Void](body+`.scrollTop = 0`),
		chromedp.Click(chromedp.CSS("#filter-save")))
	waitText(b, `[data-testid="filter-dialog"] .form-error`, "2 conditions are not valid")
	for _, n := range []int{1, 5} {
		if msg := fieldError(b, fmt.Sprintf("conditions[%d].value", n-1)); msg == "" {
			t.Errorf("condition %d is not marked", n)
		}
	}
	for _, n := range []int{2, 3, 4, 6, 7, 8} {
		if msg := fieldError(b, fmt.Sprintf("conditions[%d].value", n-1)); msg != "" {
			t.Errorf("valid condition %d is marked: %q", n, msg)
		}
	}
	inView := fmt.Sprintf(`(() => { const r = document.querySelector('[data-testid="filter-dialog"] .form-error').getBoundingClientRect();
		const v = %s.getBoundingClientRect(); return r.top >= v.top && r.bottom <= v.bottom; })()`, body)
	if !poll(b, inView, 5*time.Second) {
		t.Error("the summary error is not scrolled into view")
	}
	b.screenshot("filter-two-bad-conditions")
	if n := len(api.filterRules()); n != 0 {
		t.Errorf("%d rules saved, want none", n)
	}
	b.assertNoPageErrors()
}
