package web_test

import (
	"fmt"
	"testing"
	"time"
)

func TestArchiveSettings(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	h.createUser(admin, "obs", 1, []int64{1})
	obs := h.login("obs", "obs-password")
	m := obs.do("GET", "/api/settings/archive", nil).mustStatus(t, 200).json()
	if m["prefer"] != false || m["move_days"].(float64) != 0 || m["run_at"] != "03:00" {
		t.Errorf("defaults: %v", m)
	}
	obs.do("PATCH", "/api/settings/archive", map[string]any{"prefer": true}).mustStatus(t, 403)
	for body, field := range map[string]string{`{"move_days": -1}`: "move_days", `{"keep_days": 99999}`: "keep_days", `{"run_at": "25:00"}`: "run_at"} {
		if res := admin.do("PATCH", "/api/settings/archive", body).mustStatus(t, 400); res.field(field) == "" {
			t.Errorf("%s: %s", body, res.body)
		}
	}
	m = admin.do("PATCH", "/api/settings/archive", map[string]any{"prefer": true, "move_days": 14}).mustStatus(t, 200).json()
	if m["prefer"] != true || m["move_days"].(float64) != 14 || m["run_at"] != "03:00" {
		t.Errorf("after update: %v", m)
	}
	// The observer's remove dialogs learn the preference.
	if obs.do("GET", "/api/settings/archive", nil).json()["prefer"] != true {
		t.Error("preference not visible to observers")
	}
	// Run now: nothing is old enough yet.
	sn := h.createSensor(admin, "s", 1)
	h.ingestEvents(sn, sshEvent("192.0.2.1", time.Now().Unix())).mustStatus(t, 200)
	admin.do("PATCH", "/api/events", map[string]any{"ids": []int{1}, "status": 2}).mustStatus(t, 200)
	res := admin.do("POST", "/api/archive/run", nil).mustStatus(t, 200).json()
	if res["archived"].(float64) != 0 || res["deleted"].(float64) != 0 {
		t.Errorf("run now: %v", res)
	}
}

func TestGroupDeleteArchivesItsEvents(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	lab := h.createGroup(admin, "Lab")
	sn := h.createSensor(admin, "lab-sensor", lab)
	h.ingestEvents(sn, sshEvent("192.0.2.1", time.Now().Unix()), sshEvent("192.0.2.2", time.Now().Unix())).mustStatus(t, 200)
	res := admin.do("DELETE", fmt.Sprintf("/api/groups/%d", lab), map[string]any{"archive": true}).mustStatus(t, 200).json()
	if res["sensors"].(float64) != 1 || res["events"].(float64) != 2 {
		t.Errorf("group delete: %v", res)
	}
	arch := admin.do("GET", "/api/events?dataset=archive", nil).json()["items"].([]any)
	if len(arch) != 2 || arch[0].(map[string]any)["group"].(map[string]any)["name"] != "Lab" {
		t.Errorf("archive after group delete: %v", arch)
	}
	// The appliance's own sensor keeps its group.
	admin.do("DELETE", "/api/groups/1", nil).mustStatus(t, 409)
}
