package ingest

// The protocol of the original HoneySens (2.x) sensor manager, played from its wire format:
// requests are JSON as Python's json.dumps writes it (", " and ": " separators, the sensor id
// as a string from its configuration file), signed over "<ts> <method> <body>" with lower-case
// x-hs-* headers; the status is base64 JSON; events are a base64 JSON array. Every answer is
// checked the way the manager reads it: the signature over "<x-hs-ts> <method> <body>", then
// each key it applies to its configuration (where a null would erase a setting and the
// interval is read back as an integer number of minutes) and the objects it iterates.

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
	"honeysens/app/sensorproto/prototest"
	"honeysens/app/tlscert"
)

// originalSensor is an original sensor's manager: its configuration file as far as the
// heartbeat answer changes it, and its clock.
type originalSensor struct {
	t      *testing.T
	app    *fiber.App
	id     int64
	secret string
	now    *time.Time
	certFP string // fingerprint of the server certificate it trusts ("invalid": none)
	// Fingerprints of the EAPOL certificates it holds ("": none, sent as null).
	eapolCAFP, eapolClientFP string
	config                   map[string]string // "section.key" → value, as its configuration file holds it
}

// originalApp serves the sensor routes the way the web guard does (see sensorApp), with the
// original's firmware and registry paths.
func originalApp(svc *Service) *fiber.App {
	app := sensorApp(svc)
	guard := func(c *fiber.Ctx) error {
		if err := svc.VerifySensor(c); err != nil {
			return err
		}
		return c.Next()
	}
	app.Get("/api/sensors/firmware", guard, svc.FirmwareGet)
	app.Get("/api/platforms/firmware/:id/raw", guard, svc.FirmwareDownload)
	app.Get("/v2/*", svc.Registry)
	return app
}

// request sends a request as the manager's communication module does and checks the answer's
// signature as it does; it returns the status and the body.
func (o *originalSensor) request(method, path string, body string) (int, []byte) {
	o.t.Helper()
	word := map[string]string{"GET": "get", "POST": "create"}[method]
	ts := o.now.Unix()
	mac := hmac.New(sha256.New, []byte(o.secret))
	fmt.Fprintf(mac, "%d %s %s", ts, word, body)
	req := httptest.NewRequest(method, "https://honeysens.example.org:8443/"+path, strings.NewReader(body))
	req.Header.Set("x-hs-auth", hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("x-hs-sensor", strconv.FormatInt(o.id, 10))
	req.Header.Set("x-hs-ts", strconv.FormatInt(ts, 10))
	req.Header.Set("x-hs-type", "sha256")
	res, err := o.app.Test(req, -1)
	if err != nil {
		o.t.Fatal(err)
	}
	content, _ := io.ReadAll(res.Body)
	if res.Header.Get("X-Hs-Type") != "sha256" {
		o.t.Fatalf("%s %s = %d %s: answer not signed (x-hs-type %q)", method, path, res.StatusCode, content, res.Header.Get("X-Hs-Type"))
	}
	check := hmac.New(sha256.New, []byte(o.secret))
	fmt.Fprintf(check, "%s %s ", res.Header.Get("X-Hs-Ts"), word)
	check.Write(content)
	if hex.EncodeToString(check.Sum(nil)) != res.Header.Get("X-Hs-Auth") {
		o.t.Fatalf("%s %s: invalid answer signature", method, path)
	}
	return res.StatusCode, content
}

// statusBody is the heartbeat body of the manager's polling module.
func (o *originalSensor) statusBody(serviceStatus string) string {
	status := fmt.Sprintf(`{"disk_total": 29715, "disk_usage": 4120, "free_mem": "312", "ip": "192.0.2.50", `+
		`"service_status": %s, "status": 1, "sw_version": "2.9.1", "timestamp": %d}`, serviceStatus, o.now.Unix())
	fp := func(s string) string {
		if s == "" {
			return "null"
		}
		return `"` + s + `"`
	}
	return fmt.Sprintf(`{"sensor": "%d", "srv_crt_fp": "%s", "eapol_ca_crt_fp": %s, "eapol_client_crt_fp": %s, "status": "%s"}`,
		o.id, o.certFP, fp(o.eapolCAFP), fp(o.eapolClientFP), base64.StdEncoding.EncodeToString([]byte(status)))
}

// poll is one heartbeat: it applies the answer as the manager does and returns it.
func (o *originalSensor) poll(serviceStatus string) map[string]json.RawMessage {
	o.t.Helper()
	code, content := o.request("POST", "api/sensors/status", o.statusBody(serviceStatus))
	if code != 200 {
		o.t.Fatalf("heartbeat = %d %s", code, content)
	}
	var reply map[string]json.RawMessage
	if err := json.Unmarshal(content, &reply); err != nil {
		o.t.Fatalf("heartbeat answer is not a JSON object: %s", content)
	}
	o.apply(reply)
	return reply
}

// configKeys maps the answer's keys to the configuration entries the manager updates from them.
var configKeys = map[string]string{
	"server_endpoint_host": "server.host", "server_endpoint_port_https": "server.port_https",
	"update_interval": "server.interval", "service_network": "general.service_network",
	"network_ip_mode": "network.mode", "network_ip_address": "network.address", "network_ip_netmask": "network.netmask",
	"network_ip_gateway": "network.gateway", "network_ip_dns": "network.dns", "network_dhcp_hostname": "network.dhcp_hostname",
	"eapol_mode": "eapol.mode", "eapol_identity": "eapol.identity", "eapol_password": "eapol.password",
	"eapol_anon_identity": "eapol.anon_identity", "eapol_client_key_password": "eapol.client_key_password",
	"network_mac_mode": "mac.mode", "network_mac_address": "mac.address", "proxy_mode": "proxy.mode",
	"proxy_host": "proxy.host", "proxy_port": "proxy.port", "proxy_user": "proxy.user", "proxy_password": "proxy.password",
}

// apply does what the manager does with an answer, failing where the manager would fail.
func (o *originalSensor) apply(reply map[string]json.RawMessage) {
	o.t.Helper()
	for key, entry := range configKeys {
		raw, ok := reply[key]
		if !ok {
			continue // the manager keeps its own setting
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			o.t.Fatalf("%s = %s is not JSON", key, raw)
		}
		switch v := v.(type) {
		case nil:
			delete(o.config, entry) // the manager sets the entry to None
		case string:
			o.config[entry] = v
		case float64, bool:
			o.config[entry] = string(raw) // the manager writes str() of the value
		default:
			o.t.Fatalf("%s = %s is not a scalar", key, raw)
		}
	}
	// The polling interval is read back with getint and multiplied by 60.
	if _, err := strconv.Atoi(o.config["server.interval"]); err != nil {
		o.t.Fatalf("server.interval %q is not an integer", o.config["server.interval"])
	}
	// apply_services iterates services with .items() and each service's architectures.
	var services map[string]map[string]struct {
		Label            *string `json:"label"`
		URI              *string `json:"uri"`
		RawNetworkAccess *bool   `json:"rawNetworkAccess"`
		CatchAll         *bool   `json:"catchAll"`
		PortAssignment   *string `json:"portAssignment"`
	}
	if err := json.Unmarshal(reply["services"], &services); err != nil || services == nil {
		o.t.Fatalf("services = %s: the manager iterates an object", reply["services"])
	}
	for id, archs := range services {
		for arch, sv := range archs {
			// portAssignment is JSON text that decodes to the container's port mapping.
			var ports map[string]int
			if sv.Label == nil || sv.URI == nil || sv.RawNetworkAccess == nil || sv.CatchAll == nil || sv.PortAssignment == nil ||
				json.Unmarshal([]byte(*sv.PortAssignment), &ports) != nil || ports == nil {
				o.t.Fatalf("services[%s][%s] lacks a key or type the manager reads: %s", id, arch, reply["services"])
			}
		}
	}
	// The platforms look up firmware by platform name; a revision there is installed.
	var firmware map[string]struct{ Revision, URI string }
	if err := json.Unmarshal(reply["firmware"], &firmware); err != nil || firmware == nil {
		o.t.Fatalf("firmware = %s: want an object", reply["firmware"])
	}
	if len(firmware) != 0 {
		o.t.Fatalf("firmware = %s: the appliance offers no firmware update", reply["firmware"])
	}
	var unhandled bool
	if err := json.Unmarshal(reply["unhandledEvents"], &unhandled); err != nil {
		o.t.Fatalf("unhandledEvents = %s: want a boolean", reply["unhandledEvents"])
	}
	// EAPOL certificates: null removes the sensor's file, text replaces it (the client
	// certificate only together with its key).
	if _, ok := reply["eapol_client_cert"]; ok != (reply["eapol_client_key"] != nil) {
		o.t.Fatalf("eapol_client_cert without eapol_client_key: %v", reply)
	}
	for key, fp := range map[string]*string{"eapol_ca_cert": &o.eapolCAFP, "eapol_client_cert": &o.eapolClientFP} {
		if raw, ok := reply[key]; ok {
			var crt *string
			if err := json.Unmarshal(raw, &crt); err != nil {
				o.t.Fatalf("%s = %s: want PEM text or null", key, raw)
			}
			*fp = ""
			if crt != nil {
				*fp = model.CertFingerprint(*crt)
			}
		}
	}
	if raw, ok := reply["server_crt"]; ok {
		var crt string
		if err := json.Unmarshal(raw, &crt); err != nil {
			o.t.Fatalf("server_crt = %s: want PEM text", raw)
		}
		block, _ := pem.Decode([]byte(crt))
		if block == nil || block.Type != "CERTIFICATE" {
			o.t.Fatalf("server_crt is not a PEM certificate: %q", crt)
		}
		sum := sha256.Sum256(block.Bytes)
		o.certFP = hex.EncodeToString(sum[:])
	}
}

func TestOriginalSensorProtocol(t *testing.T) {
	env := newEnv(t, nil)
	now := prototest.Now
	env.svc.now = func() time.Time { return now }
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := tlscert.GenerateSelfSigned(certPath, keyPath, now); err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	env.svc.SetServerCert(&cert)
	pin := tlscert.Fingerprint(&cert)
	app := originalApp(env.svc)
	o := &originalSensor{t: t, app: app, id: env.sensor.ID, secret: env.sensor.Secret, now: &now, certFP: "invalid",
		config: map[string]string{"server.interval": "1", "network.mode": "1", "network.address": "192.0.2.50"}}
	ctx := t.Context()

	// First contact: the sensor lacks the server certificate and receives it.
	reply := o.poll(`{}`)
	if o.certFP != pin {
		t.Fatalf("after the first heartbeat the sensor trusts %s, want %s", o.certFP, pin)
	}
	if o.config["server.interval"] != "1" || o.config["server.host"] != "honeysens.example.org" || o.config["server.port_https"] != "8443" {
		t.Errorf("configuration after the first heartbeat: %v", o.config)
	}
	if o.config["network.mode"] != "1" || o.config["network.address"] != "192.0.2.50" {
		t.Errorf("the answer changed network settings the appliance does not keep: %v", o.config)
	}
	if string(reply["services"]) != "{}" || string(reply["firmware"]) != "{}" || string(reply["unhandledEvents"]) != "false" {
		t.Errorf("answer: services %s, firmware %s, unhandledEvents %s", reply["services"], reply["firmware"], reply["unhandledEvents"])
	}
	for _, key := range []string{"eapol_ca_cert", "eapol_client_cert", "eapol_client_key"} {
		if _, ok := reply[key]; ok {
			t.Errorf("answer has %s: the sensor would replace its EAPOL certificates", key)
		}
	}
	if got, _ := env.store.Sensor(ctx, o.id); !got.Original || got.SWVersion != "2.9.1" || got.LastIP != "192.0.2.50" {
		t.Errorf("sensor after the heartbeat: original %v, version %q, ip %q", got.Original, got.SWVersion, got.LastIP)
	}

	// With a certificate it trusts, the certificate is not sent again.
	now = now.Add(time.Minute)
	if reply := o.poll(`{}`); reply["server_crt"] != nil {
		t.Error("server_crt sent although the sensor's copy is current")
	}

	// An event batch as the manager sends it: stored, and the next answer lights the LED.
	scan := fmt.Sprintf(`[{"timestamp": %d, "service": 0, "source": "198.51.100.23", "summary": "Scan", "details": [], `+
		`"packets": [{"timestamp": %d, "protocol": 1, "port": 22, "headers": [{"flags": 2}], "payload": null}]}]`,
		now.Unix()-5, now.Unix()-5)
	events := fmt.Sprintf(`{"sensor": "%d", "events": "%s"}`, o.id, base64.StdEncoding.EncodeToString([]byte(scan)))
	if code, content := o.request("POST", "api/events", events); code != 200 {
		t.Fatalf("events = %d %s", code, content)
	}
	var n int
	if err := env.db.QueryRow(`SELECT count(*) FROM events WHERE source = '198.51.100.23' AND classification = ?`,
		model.ClassScan).Scan(&n); err != nil || n != 1 {
		t.Fatalf("stored scans: %d, %v", n, err)
	}

	// Many intervals: each answer's interval (minutes) sets when the sensor polls next, a few
	// seconds late as a real poll is; the appliance must see it online all the time and
	// offline only after a missed poll. A 61-second interval is answered as 2 minutes.
	for _, seconds := range []int{60, 300, 61} {
		sn, _ := env.store.Sensor(ctx, o.id)
		sn.UpdateInterval = seconds
		if err := env.store.UpdateSensor(ctx, sn); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			now = now.Add(time.Second)
			reply := o.poll(`{"7": 0}`)
			if string(reply["unhandledEvents"]) != "true" {
				t.Errorf("unhandledEvents = %s with a New event", reply["unhandledEvents"])
			}
			minutes, _ := strconv.Atoi(o.config["server.interval"])
			if want := (seconds + 59) / 60; minutes != want {
				t.Fatalf("interval %d s answered as %d minutes, want %d", seconds, minutes, want)
			}
			next := now.Add(time.Duration(minutes)*time.Minute + 5*time.Second)
			if sn, _ := env.store.Sensor(ctx, o.id); !sn.Online(next) {
				t.Fatalf("interval %d s: offline when the next poll arrives %v after the last", seconds, next.Sub(now))
			}
			now = next
		}
	}
	// The last poll was 2m5s ago: offline once 2 minutes and the tolerance have passed.
	sn, _ := env.store.Sensor(ctx, o.id)
	if overdue := now.Add(-2*time.Minute - 5*time.Second + 2*time.Minute + model.HeartbeatTolerance); !sn.Online(overdue) ||
		sn.Online(overdue.Add(time.Second)) {
		t.Errorf("a 2-minute sensor polled last at %v: overdue at %v, want %v", now.Add(-125*time.Second), sn.OverdueAt(), overdue)
	}

	// The same sensor speaking this appliance's protocol gets its own answer again.
	now = now.Add(time.Minute)
	own := fmt.Sprintf(`{"sensor": %d, "status": {"timestamp": %d, "status": 1, "ip": "192.0.2.50", "sw_version": "1.0"}}`, o.id, now.Unix())
	code, content := o.request("POST", "api/sensors/status", own)
	var ownReply struct {
		UpdateInterval int   `json:"update_interval"`
		ServerTime     int64 `json:"server_time"`
		Services       []any `json:"services"`
	}
	if err := json.Unmarshal(content, &ownReply); code != 200 || err != nil || ownReply.UpdateInterval != 61 || ownReply.ServerTime != now.Unix() {
		t.Errorf("own heartbeat answer = %d %s", code, content)
	}
	if sn, _ := env.store.Sensor(ctx, o.id); sn.Original {
		t.Error("still marked original after a heartbeat of this appliance's protocol")
	}
}

func TestOriginalSensorDetection(t *testing.T) {
	for _, c := range []struct {
		body string
		want bool
	}{
		{`{"srv_crt_fp": "invalid"}`, true},
		{`{"srv_crt_fp": null}`, true},
		{`{"status": {"service_status": {}}}`, true},
		{`{"status": {"services": {}}}`, false},
		{`{}`, false},
	} {
		var b struct {
			SrvCrtFp json.RawMessage `json:"srv_crt_fp"`
			Status   struct {
				ServiceStatus json.RawMessage `json:"service_status"`
			} `json:"status"`
		}
		if err := json.Unmarshal([]byte(c.body), &b); err != nil {
			t.Fatal(err)
		}
		if got := isOriginal(b.SrvCrtFp, b.Status.ServiceStatus); got != c.want {
			t.Errorf("%s: original = %v, want %v", c.body, got, c.want)
		}
	}
}

func TestOriginalFirmwareAndRegistry(t *testing.T) {
	env := newEnv(t, nil)
	now := prototest.Now
	env.svc.now = func() time.Time { return now }
	o := &originalSensor{t: t, app: originalApp(env.svc), id: env.sensor.ID, secret: env.sensor.Secret, now: &now}

	// The firmware list is by platform name; empty: no update for any platform.
	if code, content := o.request("GET", "api/sensors/firmware", ""); code != 200 || string(content) != "{}" {
		t.Errorf("firmware list = %d %s, want 200 {}", code, content)
	}
	now = now.Add(time.Second)
	code, content := o.request("GET", "api/platforms/firmware/3/raw", "")
	var e model.Error
	if err := json.Unmarshal(content, &e); code != 404 || err != nil || e.Code != model.ErrNotFound || !strings.Contains(e.Message, "firmware") {
		t.Errorf("firmware download = %d %s, want a signed not_found", code, content)
	}

	res, err := o.app.Test(httptest.NewRequest("GET", "/v2/honeysens/cowrie/manifests/amd64-1.0.0", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	var reg struct {
		Errors []struct{ Code, Message string } `json:"errors"`
	}
	if err := json.Unmarshal(body, &reg); res.StatusCode != 404 || err != nil || len(reg.Errors) != 1 ||
		reg.Errors[0].Code != "UNSUPPORTED" || !strings.Contains(reg.Errors[0].Message, "registry") {
		t.Errorf("registry = %d %s", res.StatusCode, body)
	}
}
