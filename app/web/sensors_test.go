package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"honeysens/app/sensor"
)

// heartbeat sends a signed status report for the sensor and returns the answer.
func (h *harness) heartbeat(sn testSensor, ts int64, services map[string]any) *response {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"sensor": sn.id, "status": map[string]any{"timestamp": ts, "status": 1,
		"ip": "192.0.2.10", "sw_version": "2.9.0", "services": services, "dropped": 7}})
	return h.send(signedRequest(sn, "/api/sensors/status", body, time.Now().Unix()))
}

func sensorByID(t *testing.T, c *client, id int64) map[string]any {
	t.Helper()
	for _, it := range c.do("GET", "/api/sensors", nil).mustStatus(t, 200).json()["items"].([]any) {
		if m := it.(map[string]any); int64(m["id"].(float64)) == id {
			return m
		}
	}
	t.Fatalf("sensor %d not listed", id)
	return nil
}

func TestSensorLifecycle(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	sn := h.createSensor(admin, "branch-office", 1)
	if len(sn.secret) != 64 {
		t.Errorf("secret %q is not 64 hex digits", sn.secret)
	}
	m := sensorByID(t, admin, sn.id)
	if m["status"] != "waiting" || m["local"] != false || strings.Contains(fmt.Sprint(m), sn.secret) {
		t.Errorf("new sensor: %v", m)
	}
	if len(m["services"].([]any)) == 0 {
		t.Error("a new sensor has no services assigned")
	}
	// First heartbeat: online, with the states it reports and its configuration in the answer.
	res := h.heartbeat(sn, time.Now().Unix(), map[string]any{"recon": map[string]any{"state": "error", "error": "port 3306: address already in use"}})
	res.mustStatus(t, 200)
	if res.header.Get("X-HS-Auth") == "" || !strings.Contains(res.body, `"services"`) {
		t.Errorf("heartbeat answer: %v %s", res.header, res.body)
	}
	m = sensorByID(t, admin, sn.id)
	if m["status"] != "online" || m["last_ip"] != "192.0.2.10" || m["sw_version"] != "2.9.0" || m["dropped_events"].(float64) != 7 {
		t.Errorf("after heartbeat: %v", m)
	}
	for _, sv := range m["services"].([]any) {
		s := sv.(map[string]any)
		if s["name"] == "recon" && (s["state"] != "error" || !strings.Contains(s["error"].(string), "in use")) {
			t.Errorf("recon state: %v", s)
		}
	}
	// The same status timestamp again is a replay of its content.
	h.heartbeat(sn, time.Now().Unix()-1, nil).mustStatus(t, 400)

	// Status history: the timeout check records the first contact, then the outage.
	st := h.app.Store()
	if _, err := sensor.CheckStatus(context.Background(), st, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := sensor.CheckStatus(context.Background(), st, time.Now().Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	hist := admin.do("GET", fmt.Sprintf("/api/sensors/%d/status", sn.id), nil).mustStatus(t, 200).json()["items"].([]any)
	if len(hist) != 2 || hist[0].(map[string]any)["online"] != false || hist[1].(map[string]any)["online"] != true {
		t.Errorf("status history: %v", hist)
	}

	// Settings: refused with field messages, accepted when valid.
	res = admin.do("PUT", fmt.Sprintf("/api/sensors/%d/services/recon", sn.id), map[string]any{"enabled": true,
		"config": map[string]any{"ports": []int{70000}}}).mustStatus(t, 400)
	if res.field("config.ports") == "" {
		t.Errorf("bad port: %s", res.body)
	}
	admin.do("PUT", fmt.Sprintf("/api/sensors/%d/services/recon", sn.id), map[string]any{"enabled": true,
		"config": "not an object"}).mustStatus(t, 400)
	admin.do("PUT", fmt.Sprintf("/api/sensors/%d/services/nosuch", sn.id), map[string]any{"enabled": true}).mustStatus(t, 404)
	res = admin.do("PUT", fmt.Sprintf("/api/sensors/%d/services/recon", sn.id), map[string]any{"enabled": false,
		"config": map[string]any{"ports": []int{4444, 5555, 6666}}}).mustStatus(t, 200)
	if !strings.Contains(res.body, "4444") {
		t.Errorf("settings not stored: %s", res.body)
	}
	if body := h.heartbeat(sn, time.Now().Unix()+1, nil).mustStatus(t, 200).body; !strings.Contains(body, "4444") {
		t.Errorf("heartbeat does not deliver the new settings: %s", body)
	}

	// Config download for `honeysens sensor --config`: carries the secret, managers only.
	cfg := admin.do("GET", fmt.Sprintf("/api/sensors/%d/config", sn.id), nil).mustStatus(t, 200)
	if !strings.Contains(cfg.body, sn.secret) || !strings.Contains(cfg.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("config: %s", cfg.body)
	}

	// Edit, then remove with its events archived.
	admin.do("PATCH", fmt.Sprintf("/api/sensors/%d", sn.id), map[string]any{"name": "branch-2", "update_interval": 5}).mustStatus(t, 400)
	admin.do("PATCH", fmt.Sprintf("/api/sensors/%d", sn.id), map[string]any{"name": "branch-2"}).mustStatus(t, 200)
	h.ingestEvents(sn, sshEvent("192.0.2.50", time.Now().Unix())).mustStatus(t, 200)
	res = admin.do("DELETE", fmt.Sprintf("/api/sensors/%d", sn.id), map[string]any{"archive": true}).mustStatus(t, 200)
	if res.json()["events"].(float64) != 1 {
		t.Errorf("remove: %s", res.body)
	}
	arch := admin.do("GET", "/api/events?dataset=archive", nil).json()["items"].([]any)
	if len(arch) != 1 || arch[0].(map[string]any)["sensor"].(map[string]any)["name"] != "branch-2" {
		t.Errorf("archived events of the removed sensor: %v", arch)
	}
	// Its credentials are dead now.
	h.ingestEvents(sn, sshEvent("192.0.2.50", time.Now().Unix())).mustStatus(t, 403)
}

func TestLocalSensorIsBuiltIn(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	items := admin.do("GET", "/api/sensors", nil).mustStatus(t, 200).json()["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("sensors at first start: %v", items)
	}
	local := items[0].(map[string]any)
	if local["local"] != true || local["status"] != "online" || local["group"].(float64) != 1 {
		t.Errorf("local sensor: %v", local)
	}
	id := int64(local["id"].(float64))
	admin.do("DELETE", fmt.Sprintf("/api/sensors/%d", id), nil).mustStatus(t, 409)
	admin.do("GET", fmt.Sprintf("/api/sensors/%d/config", id), nil).mustStatus(t, 409)
}

func TestSensorScope(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	lab := h.createGroup(admin, "Lab")
	h.createUser(admin, "mgr", 2, []int64{1})
	mgr := h.login("mgr", "mgr-password")
	sn := h.createSensor(admin, "lab-sensor", lab)
	for _, it := range mgr.do("GET", "/api/sensors", nil).json()["items"].([]any) {
		if it.(map[string]any)["name"] == "lab-sensor" {
			t.Error("manager sees another group's sensor")
		}
	}
	mgr.do("GET", fmt.Sprintf("/api/sensors/%d", sn.id), nil).mustStatus(t, 404)
	mgr.do("PATCH", fmt.Sprintf("/api/sensors/%d", sn.id), map[string]any{"location": "x"}).mustStatus(t, 404)
	res := mgr.do("POST", "/api/sensors", map[string]any{"name": "mine", "group": lab}).mustStatus(t, 400)
	if res.field("group") == "" {
		t.Errorf("manager placed a sensor in another group: %s", res.body)
	}
}

func TestRepeatedBatchIsStoredOnce(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	sn := h.createSensor(admin, "remote", 1)
	body, _ := json.Marshal(map[string]any{"sensor": sn.id, "batch": "b-0001", "events": []any{sshEvent("192.0.2.9", time.Now().Unix())}})
	first := h.send(signedRequest(sn, "/api/events", body, time.Now().Unix())).mustStatus(t, 200)
	if first.json()["accepted"].(float64) != 1 {
		t.Fatalf("first delivery: %s", first.body)
	}
	// The answer got lost; the sensor sends the same batch again, freshly signed.
	again := h.send(signedRequest(sn, "/api/events", body, time.Now().Unix()+1)).mustStatus(t, 200)
	if again.json()["duplicate"] != true || again.json()["accepted"].(float64) != 0 {
		t.Errorf("repeated batch: %s", again.body)
	}
	if n := admin.do("GET", "/api/events", nil).json()["total"].(float64); n != 1 {
		t.Errorf("%v events stored, want 1", n)
	}
	long, _ := json.Marshal(map[string]any{"sensor": sn.id, "batch": strings.Repeat("x", 65), "events": []any{}})
	h.send(signedRequest(sn, "/api/events", long, time.Now().Unix()+2)).mustStatus(t, 400)
}
