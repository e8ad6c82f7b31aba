package web_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Network settings of a sensor: field errors per setting, secrets never answered nor logged
// and kept when the form leaves them empty, managers of the sensor's group only.
func TestSensorNetworkSettings(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	branch := h.createGroup(admin, "Branch")
	h.createUser(admin, "manager", 2, []int64{1})
	h.createUser(admin, "observer", 1, []int64{1})
	h.createUser(admin, "outsider", 2, []int64{branch})
	manager, observer := h.login("manager", "manager-password"), h.login("observer", "observer-password")
	outsider := h.login("outsider", "outsider-password")
	sn := h.createSensor(admin, "legacy-net", 1)
	path := fmt.Sprintf("/api/sensors/%d/network", sn.id)

	bad := manager.do("PUT", path, map[string]any{"server_endpoint_host": "honeysens.example.org", "server_endpoint_port_https": 0,
		"service_network": "10.0.0.1/24", "network_ip_mode": 1, "network_ip_gateway": "300.1.1.1", "network_mac_mode": 1,
		"network_mac_address": "zz", "proxy_mode": 1, "proxy_host": "proxy example", "proxy_port": 70000, "eapol_mode": 9})
	bad.mustStatus(t, 400)
	for _, f := range []string{"server_endpoint_host", "server_endpoint_port_https", "service_network", "network_ip_address",
		"network_ip_netmask", "network_ip_gateway", "network_mac_address", "proxy_host", "proxy_port", "eapol_mode"} {
		if bad.field(f) == "" {
			t.Errorf("no field error for %s: %s", f, bad.body)
		}
	}
	if res := manager.do("PUT", path, map[string]any{"eapol_mode": 1, "eapol_identity": "sensor"}).mustStatus(t, 400); res.field("eapol_password") == "" {
		t.Errorf("MD5 without a password: %s", res.body)
	}

	set := map[string]any{"network_ip_mode": 1, "network_ip_address": "192.0.2.50", "network_ip_netmask": "255.255.255.0",
		"network_dhcp_hostname": "dropped-by-static", "proxy_mode": 1, "proxy_host": "proxy.example.org", "proxy_port": 3128,
		"proxy_user": "sensor", "proxy_password": "proxy-secret", "eapol_mode": 1, "eapol_identity": "sensor", "eapol_password": "eapol-secret"}
	res := manager.do("PUT", path, set).mustStatus(t, 200)
	m := res.json()
	if m["network_ip_mode"] != float64(1) || m["network_dhcp_hostname"] != "" || m["proxy_password"] != true || m["eapol_password"] != true ||
		m["network_mac_mode"] != nil {
		t.Errorf("saved: %s", res.body)
	}
	// The form sends no passwords back: the stored ones stay.
	delete(set, "proxy_password")
	delete(set, "eapol_password")
	set["proxy_port"] = 8080
	if m := manager.do("PUT", path, set).mustStatus(t, 200).json(); m["proxy_password"] != true || m["eapol_password"] != true || m["proxy_port"] != float64(8080) {
		t.Errorf("secrets after a save without them: %v", m)
	}
	got := observer.do("GET", path, nil).mustStatus(t, 200)
	audit := admin.do("GET", "/api/audit", nil).mustStatus(t, 200)
	for _, body := range []string{got.body, audit.body} {
		if strings.Contains(body, "proxy-secret") || strings.Contains(body, "eapol-secret") {
			t.Errorf("a secret is shown: %s", body)
		}
	}
	if !strings.Contains(audit.body, "Network settings") || !strings.Contains(audit.body, "proxy_port") {
		t.Errorf("the change is not in the audit log: %s", audit.body)
	}

	observer.do("PUT", path, set).mustStatus(t, 403)
	outsider.do("GET", path, nil).mustStatus(t, 404)
	outsider.do("PUT", path, set).mustStatus(t, 404)
	for _, it := range admin.do("GET", "/api/sensors", nil).mustStatus(t, 200).json()["items"].([]any) {
		if local := it.(map[string]any); local["local"] == true {
			admin.do("PUT", fmt.Sprintf("/api/sensors/%v/network", local["id"]), set).mustStatus(t, 409)
			admin.do("POST", fmt.Sprintf("/api/sensors/%v/containers", local["id"]), map[string]any{}).mustStatus(t, 409)
			return
		}
	}
	t.Error("the appliance's own sensor is not listed")
}

// Container services of a sensor: validated with field errors, one catch-all, unique labels,
// managers of the sensor's group only; the sensor's heartbeat answer carries them by id.
func TestSensorContainerServices(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	branch := h.createGroup(admin, "Branch")
	h.createUser(admin, "manager", 2, []int64{1})
	h.createUser(admin, "observer", 1, []int64{1})
	h.createUser(admin, "outsider", 2, []int64{branch})
	manager, observer := h.login("manager", "manager-password"), h.login("observer", "observer-password")
	outsider := h.login("outsider", "outsider-password")
	sn := h.createSensor(admin, "legacy-svc", 1)
	path := fmt.Sprintf("/api/sensors/%d/containers", sn.id)

	bad := manager.do("POST", path, map[string]any{"label": "", "registry": "https://registry.example.org",
		"images": map[string]string{"mips": "honeysens/recon:mips-1"}, "port_assignment": map[string]int{"22": 0}}).mustStatus(t, 400)
	for _, f := range []string{"label", "registry", "images", "port_assignment"} {
		if bad.field(f) == "" {
			t.Errorf("no field error for %s: %s", f, bad.body)
		}
	}
	if res := manager.do("POST", path, map[string]any{"label": "cowrie", "registry": "registry.example.org",
		"images": map[string]string{"armhf": "Honeysens/Cowrie"}}).mustStatus(t, 400); res.field("images.armhf") == "" {
		t.Errorf("image without a tag: %s", res.body)
	}

	recon := map[string]any{"label": "recon", "registry": "registry.example.org:5000", "catch_all": true,
		"images": map[string]string{"amd64": "honeysens/recon:amd64-2.0.0", "armhf": "honeysens/recon:armhf-2.0.0"}}
	created := manager.do("POST", path, recon).mustStatus(t, 201).json()
	id := created["id"]
	recon["label"] = "recon-2"
	if res := manager.do("POST", path, recon).mustStatus(t, 400); res.field("catch_all") == "" {
		t.Errorf("a second catch-all: %s", res.body)
	}
	cowrie := map[string]any{"label": "recon", "registry": "registry.example.org:5000",
		"images": map[string]string{"armhf": "honeysens/cowrie:armhf-2.5.0"}, "port_assignment": map[string]int{"2222/tcp": 22}}
	if res := manager.do("POST", path, cowrie).mustStatus(t, 409); res.field("label") == "" {
		t.Errorf("a label taken: %s", res.body)
	}
	cowrie["label"] = "cowrie"
	cowrieID := manager.do("POST", path, cowrie).mustStatus(t, 201).json()["id"]
	cowrie["raw_network_access"] = true
	manager.do("PUT", fmt.Sprintf("%s/%v", path, cowrieID), cowrie).mustStatus(t, 200)

	observer.do("POST", path, cowrie).mustStatus(t, 403)
	observer.do("DELETE", fmt.Sprintf("%s/%v", path, id), nil).mustStatus(t, 403)
	outsider.do("GET", path, nil).mustStatus(t, 404)
	outsider.do("PUT", fmt.Sprintf("%s/%v", path, cowrieID), cowrie).mustStatus(t, 404)
	list := observer.do("GET", path, nil).mustStatus(t, 200)
	if items, _ := list.json()["items"].([]any); len(items) != 2 {
		t.Fatalf("list: %s", list.body)
	}

	ts := time.Now().Unix()
	status := fmt.Sprintf(`{"disk_total": 100, "disk_usage": 10, "free_mem": "50", "ip": "192.0.2.60", "service_status": {}, `+
		`"status": 1, "sw_version": "2.9.1", "timestamp": %d}`, ts)
	body := fmt.Sprintf(`{"sensor": "%d", "srv_crt_fp": "invalid", "eapol_ca_crt_fp": null, "eapol_client_crt_fp": null, "status": "%s"}`,
		sn.id, base64.StdEncoding.EncodeToString([]byte(status)))
	services, _ := h.send(signedRequest(sn, "/api/sensors/status", []byte(body), ts)).mustStatus(t, 200).json()["services"].(map[string]any)
	cw, _ := services[fmt.Sprint(cowrieID)].(map[string]any)["armhf"].(map[string]any)
	if len(services) != 2 || cw["uri"] != "honeysens/cowrie:armhf-2.5.0" || cw["rawNetworkAccess"] != true ||
		cw["portAssignment"] != `{"2222/tcp":22}` {
		t.Errorf("heartbeat services: %v", services)
	}

	manager.do("DELETE", fmt.Sprintf("%s/%v", path, id), nil).mustStatus(t, 204)
	manager.do("DELETE", fmt.Sprintf("%s/%v", path, id), nil).mustStatus(t, 404)
	if audit := admin.do("GET", "/api/audit", nil).mustStatus(t, 200); !strings.Contains(audit.body, "Container service recon removed") {
		t.Errorf("audit log: %s", audit.body)
	}
}
