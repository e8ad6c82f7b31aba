package web_test

import (
	"archive/tar"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app/sensorproto"
	"honeysens/app/tlscert"
)

// The configuration archive of an original HoneySens sensor: honeysens.cfg with every section
// and key its manager reads, and the certificate file it names.
func TestOriginalSensorConfigArchive(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	sn := h.createSensor(admin, "legacy-bbb", 1)
	res := admin.do("GET", fmt.Sprintf("/api/sensors/%d/config?format=original", sn.id), nil).mustStatus(t, 200)
	if res.header.Get("Content-Type") != "application/gzip" ||
		res.header.Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="s%d.tar.gz"`, sn.id) {
		t.Errorf("headers: %v", res.header)
	}
	gz, err := gzip.NewReader(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	tr := tar.NewReader(gz)
	for {
		hd, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		files[hd.Name] = string(b)
	}
	if _, ok := files["server-cert.pem"]; !ok || len(files) != 2 {
		t.Fatalf("archive holds %v", slices.Collect(maps.Keys(files)))
	}
	// Parsed as the manager's configparser does: sections, "key = value" or a bare key (unset).
	cfg := map[string]string{}
	section := ""
	for _, line := range strings.Split(files["honeysens.cfg"], "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
		default:
			k, v, _ := strings.Cut(line, "=")
			cfg[section+"."+strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	want := map[string]string{"server.host": "example.com", "server.name": "example.com", "server.port_https": "443",
		"server.interval": "1", "server.certfile": "server-cert.pem", "general.sensor_id": strconv.FormatInt(sn.id, 10),
		"general.hostname": fmt.Sprintf("s%d", sn.id), "general.secret": sn.secret, "general.service_network": "10.10.10.0/24",
		"network.mode": "0", "mac.mode": "0", "proxy.mode": "0", "eapol.mode": "0"}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("%s = %q, want %q", k, cfg[k], v)
		}
	}
	for _, k := range []string{"network.address", "network.netmask", "network.gateway", "network.dns", "network.dhcp_hostname",
		"mac.address", "proxy.host", "proxy.port", "proxy.user", "proxy.password", "eapol.identity", "eapol.password",
		"eapol.anon_identity", "eapol.ca_cert", "eapol.client_cert", "eapol.client_key", "eapol.client_key_password"} {
		if v, ok := cfg[k]; !ok || v != "" {
			t.Errorf("%s = %q (present %v), want an unset key", k, v, ok)
		}
	}
	// The JSON configuration of the appliance's own sensors stays the default.
	if own := admin.do("GET", fmt.Sprintf("/api/sensors/%d/config", sn.id), nil).mustStatus(t, 200); own.json()["secret"] != sn.secret {
		t.Errorf("own configuration: %s", own.body)
	}
}

// An original sensor's heartbeat through the appliance's routes: answered in the original's
// shape, and the sensor is listed as an original one; its firmware question is answered, not
// taken for a sensor id.
func TestOriginalSensorThroughRoutes(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	sn := h.createSensor(admin, "legacy-docker", 1)
	ts := time.Now().Unix()
	status := fmt.Sprintf(`{"disk_total": 100, "disk_usage": 10, "free_mem": "50", "ip": "192.0.2.60", "service_status": {}, `+
		`"status": 1, "sw_version": "2.9.1", "timestamp": %d}`, ts)
	body := fmt.Sprintf(`{"sensor": "%d", "srv_crt_fp": "invalid", "eapol_ca_crt_fp": null, "eapol_client_crt_fp": null, "status": "%s"}`,
		sn.id, base64.StdEncoding.EncodeToString([]byte(status)))
	res := h.send(signedRequest(sn, "/api/sensors/status", []byte(body), ts)).mustStatus(t, 200)
	if m := res.json(); m["update_interval"] != float64(1) || fmt.Sprint(m["services"]) != "map[]" || m["unhandledEvents"] != false {
		t.Errorf("heartbeat answer: %s", res.body)
	}
	if m := sensorByID(t, admin, sn.id); m["original"] != true || m["status"] != "online" {
		t.Errorf("listed as %v", m)
	}

	req := httptest.NewRequest("GET", "/api/sensors/firmware", nil)
	req.Header.Set("X-HS-Sensor", strconv.FormatInt(sn.id, 10))
	req.Header.Set("X-HS-TS", strconv.FormatInt(ts, 10))
	req.Header.Set("X-HS-Type", "sha256")
	req.Header.Set("X-HS-Auth", sensorproto.Sign(sn.secret, ts, "get", nil))
	fw := h.send(req).mustStatus(t, 200)
	if fw.body != "{}" || fw.header.Get("X-HS-Auth") != sensorproto.Sign(sn.secret, mustAtoi(t, fw.header.Get("X-HS-TS")), "get", []byte("{}")) {
		t.Errorf("firmware = %s %v", fw.body, fw.header)
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The archive carries the network settings set for the sensor, so that a sensor with a fixed
// address or 802.1X reaches the appliance the first time, and the EAPOL files it names.
func TestOriginalSensorConfigArchiveNetwork(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	sn := h.createSensor(admin, "legacy-static", 1)
	dir := t.TempDir()
	if err := tlscert.GenerateSelfSigned(filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), time.Now()); err != nil {
		t.Fatal(err)
	}
	crt, _ := os.ReadFile(filepath.Join(dir, "c.pem"))
	key, _ := os.ReadFile(filepath.Join(dir, "k.pem"))
	admin.do("PUT", fmt.Sprintf("/api/sensors/%d/network", sn.id), map[string]any{"server_endpoint_host": "192.0.2.1",
		"server_endpoint_port_https": 8443, "network_ip_mode": 1, "network_ip_address": "192.0.2.50",
		"network_ip_netmask": "255.255.255.0", "eapol_mode": 2, "eapol_identity": "sensor", "eapol_ca_cert": string(crt),
		"eapol_client_cert": string(crt), "eapol_client_key": string(key)}).mustStatus(t, 200)
	res := admin.do("GET", fmt.Sprintf("/api/sensors/%d/config?format=original", sn.id), nil).mustStatus(t, 200)
	gz, err := gzip.NewReader(strings.NewReader(res.body))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	tr := tar.NewReader(gz)
	for hd, err := tr.Next(); err == nil; hd, err = tr.Next() {
		b, _ := io.ReadAll(tr)
		files[hd.Name] = string(b)
	}
	if files["eapol_ca.crt"] != string(crt) || files["eapol_client.crt"] != string(crt) || files["eapol_client.key"] != string(key) {
		t.Errorf("EAPOL files: %v", slices.Collect(maps.Keys(files)))
	}
	for _, line := range []string{"host = 192.0.2.1\nname = example.com\nport_https = 8443\n", "[network]\nmode = 1\naddress = 192.0.2.50\nnetmask = 255.255.255.0\ngateway\n",
		"[eapol]\nmode = 2\nidentity = sensor\npassword\nanon_identity\nca_cert = eapol_ca.crt\nclient_cert = eapol_client.crt\nclient_key = eapol_client.key\n"} {
		if !strings.Contains(files["honeysens.cfg"], line) {
			t.Errorf("honeysens.cfg lacks %q:\n%s", line, files["honeysens.cfg"])
		}
	}
}
