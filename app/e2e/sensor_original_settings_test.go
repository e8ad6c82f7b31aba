package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// originalHeartbeat sends a heartbeat as an original HoneySens 2.x sensor does and returns
// its answer.
func originalHeartbeat(t *testing.T, srv *server, s sensor) map[string]json.RawMessage {
	t.Helper()
	status, _ := json.Marshal(map[string]any{"timestamp": time.Now().Unix(), "status": 1, "ip": "192.0.2.70",
		"free_mem": "300", "disk_usage": 100, "disk_total": 1000, "sw_version": "2.9.1", "service_status": map[string]int{}})
	code, raw := signedPost(t, srv, s, "/api/sensors/status", map[string]any{"sensor": strconv.FormatInt(s.ID, 10),
		"srv_crt_fp": nil, "eapol_ca_crt_fp": nil, "eapol_client_crt_fp": nil, "status": base64.StdEncoding.EncodeToString(status)})
	var reply map[string]json.RawMessage
	if code != http.StatusOK || json.Unmarshal(raw, &reply) != nil {
		t.Fatalf("original heartbeat = %d %s", code, raw)
	}
	return reply
}

// A manager assigns a container service to an original sensor and sets its address and
// proxy on the Sensors page; the sensor's next heartbeat answer carries them in the
// original's shape.
func TestSensorsOriginalServicesAndNetwork(t *testing.T) {
	b, srv, api := openEvents(t)
	s := api.createSensor("legacy-ui", api.groupID("Default"))
	if reply := originalHeartbeat(t, srv, s); string(reply["services"]) != "{}" {
		t.Fatalf("services before any assignment = %s", reply["services"])
	}
	openSensors(b)
	row := fmt.Sprintf(`#sensors-table tr[data-id="%d"]`, s.ID)
	waitText(b, row+" .sensor-original", "original")
	// The appliance's own honeypot switches would change nothing an original sensor runs.
	if n := eval[int](b, `document.querySelectorAll('`+row+` .service-toggle').length`); n != 0 {
		t.Errorf("the original sensor's row shows %d honeypot switches, want none", n)
	}
	if n := eval[int](b, `document.querySelectorAll('`+row+` td[data-state="original"]').length`); n == 0 {
		t.Error("the original sensor's service cells do not say that it runs container services")
	}

	b.do("open the container services",
		chromedp.Click(chromedp.CSS(row+" .sensor-containers")),
		chromedp.WaitVisible(chromedp.CSS("#containers-empty")),
		chromedp.Click(chromedp.CSS("#container-add")),
		chromedp.WaitVisible(chromedp.CSS("#container-label")),
		chromedp.SendKeys(chromedp.CSS("#container-label"), "cowrie"),
		chromedp.SendKeys(chromedp.CSS("#container-registry"), "https://registry.example.org"),
		chromedp.SendKeys(chromedp.CSS("#container-image-armhf"), "honeysens/cowrie:armhf-2.5.0"),
		chromedp.SendKeys(chromedp.CSS("#container-ports"), "2222/tcp=22"),
		chromedp.Click(chromedp.CSS("#container-save")))
	waitText(b, `[data-testid="container-form"] [data-field="registry"] .field-error`, "registry")
	b.do("fix the registry and save",
		chromedp.SetValue(chromedp.CSS("#container-registry"), "registry.example.org:5000"),
		chromedp.Click(chromedp.CSS("#container-save")),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="container-form"]`)))
	waitText(b, `#containers-list tr[data-label="cowrie"]`, "honeysens/cowrie:armhf-2.5.0")
	b.screenshot("sensor-containers")
	b.do("close the container services",
		chromedp.Click(chromedp.CSS(`#sensor-containers [data-testid="dialog-close"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#sensor-containers")))

	b.do("open the network settings",
		chromedp.Click(chromedp.CSS(row+" .sensor-network")),
		chromedp.WaitVisible(chromedp.CSS("#net-ip-mode")))
	pick(b, "#net-ip-mode", "1")
	pick(b, "#net-proxy-mode", "1")
	b.do("fill in a static address and a proxy",
		chromedp.SendKeys(chromedp.CSS("#net-ip-address"), "192.0.2.70"),
		chromedp.SendKeys(chromedp.CSS("#net-proxy-host"), "proxy.example.org"),
		chromedp.SendKeys(chromedp.CSS("#net-proxy-port"), "3128"),
		chromedp.Click(chromedp.CSS("#sensor-network-save")))
	waitText(b, `#sensor-network [data-field="network_ip_netmask"] .field-error`, "Required")
	b.screenshot("sensor-network")
	b.do("add the netmask and save",
		chromedp.SendKeys(chromedp.CSS("#net-ip-netmask"), "255.255.255.0"),
		chromedp.Click(chromedp.CSS("#sensor-network-save")),
		chromedp.WaitNotPresent(chromedp.CSS("#sensor-network")))
	waitText(b, "#sensors-notice", "Network settings of legacy-ui saved")

	reply := originalHeartbeat(t, srv, s)
	var services map[string]map[string]struct {
		Label            string `json:"label"`
		URI              string `json:"uri"`
		RawNetworkAccess bool   `json:"rawNetworkAccess"`
		CatchAll         bool   `json:"catchAll"`
		PortAssignment   string `json:"portAssignment"`
	}
	if err := json.Unmarshal(reply["services"], &services); err != nil || len(services) != 1 {
		t.Fatalf("services = %s", reply["services"])
	}
	for _, archs := range services {
		if cw := archs["armhf"]; len(archs) != 1 || cw.Label != "cowrie" || cw.URI != "honeysens/cowrie:armhf-2.5.0" ||
			cw.PortAssignment != `{"2222/tcp":22}` || cw.CatchAll || cw.RawNetworkAccess {
			t.Errorf("services = %s", reply["services"])
		}
	}
	for key, want := range map[string]string{"network_ip_mode": "1", "network_ip_address": `"192.0.2.70"`,
		"network_ip_netmask": `"255.255.255.0"`, "network_ip_gateway": "null", "proxy_mode": "1",
		"proxy_host": `"proxy.example.org"`, "proxy_port": "3128", "proxy_user": "null"} {
		if got := string(reply[key]); got != want {
			t.Errorf("%s = %s, want %s", key, got, want)
		}
	}
	for _, key := range []string{"network_mac_mode", "eapol_mode", "service_network"} {
		if raw, ok := reply[key]; ok {
			t.Errorf("%s = %s although not set", key, raw)
		}
	}
	b.assertNoPageErrors()
}
