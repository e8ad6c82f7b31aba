package web_test

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// scanFrom is a recon port-scan event from the source (the server classifies it Scan).
func scanFrom(source string, ts int64) map[string]any {
	return map[string]any{"timestamp": ts, "service": "recon", "source": source, "summary": "Scan", "protocol": "tcp"}
}

func TestFilterRuleDropsMatchingEvents(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	sn := h.createSensor(admin, "edge", 1)
	// The manual's example: port scans from 192.168.3.5.
	res := admin.do("POST", "/api/filters", map[string]any{"name": "Port scans from 192.168.3.5", "group": 1,
		"description": "backup server sweeps", "conditions": []map[string]string{
			{"attribute": "classification", "value": "4"}, {"attribute": "source", "value": "192.168.3.5"}}}).mustStatus(t, 201)
	rule := res.json()
	if rule["enabled"] != true || rule["hits"].(float64) != 0 {
		t.Fatalf("new rule: %v", rule)
	}
	id := int(rule["id"].(float64))
	now := time.Now().Unix()
	res = h.ingestEvents(sn, scanFrom("192.168.3.5", now), scanFrom("192.168.3.6", now)).mustStatus(t, 200)
	if m := res.json(); m["accepted"].(float64) != 1 || m["dropped"].(float64) != 1 {
		t.Errorf("ingest answer: %s", res.body)
	}
	events := admin.do("GET", "/api/events", nil).json()["items"].([]any)
	if len(events) != 1 || events[0].(map[string]any)["source"] != "192.168.3.6" {
		t.Errorf("listed events: %v", events)
	}
	if hits := admin.do("GET", fmt.Sprintf("/api/filters/%d", id), nil).json()["hits"].(float64); hits != 1 {
		t.Errorf("hits %v, want 1", hits)
	}
	// A honeypot event from the same source does not match all conditions.
	h.ingestEvents(sn, sshEvent("192.168.3.5", now)).mustStatus(t, 200)
	// Disabled: applies to the next event, no restart.
	admin.do("PATCH", fmt.Sprintf("/api/filters/%d", id), map[string]any{"enabled": false}).mustStatus(t, 200)
	h.ingestEvents(sn, scanFrom("192.168.3.5", now+1)).mustStatus(t, 200)
	if n := admin.do("GET", "/api/events", nil).json()["total"].(float64); n != 3 {
		t.Errorf("%v events listed after disabling, want 3", n)
	}
	rule = admin.do("GET", fmt.Sprintf("/api/filters/%d", id), nil).json()
	if rule["hits"].(float64) != 1 || rule["enabled"] != false {
		t.Errorf("after disabling: %v", rule)
	}
	admin.do("DELETE", fmt.Sprintf("/api/filters/%d", id), nil).mustStatus(t, 204)
	admin.do("GET", fmt.Sprintf("/api/filters/%d", id), nil).mustStatus(t, 404)
}

func TestFilterRulesOnlyApplyToTheirGroup(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	lab := h.createGroup(admin, "Lab")
	front, back := h.createSensor(admin, "front", 1), h.createSensor(admin, "lab", lab)
	admin.do("POST", "/api/filters", map[string]any{"name": "lab noise", "group": lab,
		"conditions": []map[string]string{{"attribute": "source", "value": "10.0.0.0/8"}}}).mustStatus(t, 201)
	now := time.Now().Unix()
	h.ingestEvents(front, scanFrom("10.1.2.3", now)).mustStatus(t, 200)
	if res := h.ingestEvents(back, scanFrom("10.1.2.3", now)).mustStatus(t, 200); res.json()["dropped"].(float64) != 1 {
		t.Errorf("lab event not dropped: %s", res.body)
	}
	if n := admin.do("GET", "/api/events", nil).json()["total"].(float64); n != 1 {
		t.Errorf("%v events, want the front sensor's one", n)
	}
	list := admin.do("GET", "/api/filters?group=1", nil).mustStatus(t, 200).json()["items"].([]any)
	if len(list) != 0 {
		t.Errorf("group filter: %v", list)
	}
}

func TestFilterRuleValidation(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	cond := func(attr, value string) []map[string]string {
		return []map[string]string{{"attribute": attr, "value": value}}
	}
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "", "group": 1, "conditions": cond("service", "ssh")}, "name"},
		{map[string]any{"name": "x", "group": 0, "conditions": cond("service", "ssh")}, "group"},
		{map[string]any{"name": "x", "group": 1, "conditions": []any{}}, "conditions"},
		{map[string]any{"name": "x", "group": 1, "conditions": cond("source", "192.168.3")}, "conditions[0].value"},
		{map[string]any{"name": "x", "group": 1, "conditions": cond("source", "10.0.0.9-10.0.0.1")}, "conditions[0].value"},
		{map[string]any{"name": "x", "group": 1, "conditions": cond("target_port", "99999")}, "conditions[0].value"},
		{map[string]any{"name": "x", "group": 1, "conditions": cond("protocol", "sctp")}, "conditions[0].value"},
		{map[string]any{"name": "x", "group": 1, "conditions": cond("colour", "red")}, "conditions[0].attribute"},
	} {
		res := admin.do("POST", "/api/filters", tc.body).mustStatus(t, 400)
		if res.field(tc.field) == "" {
			t.Errorf("%v: want field error on %s, got %s", tc.body, tc.field, res.body)
		}
	}
	ok := map[string]any{"name": "Same", "group": 1, "conditions": cond("service", "ssh")}
	admin.do("POST", "/api/filters", ok).mustStatus(t, 201)
	if res := admin.do("POST", "/api/filters", map[string]any{"name": "same", "group": 1, "conditions": cond("service", "ftp")}); res.status != 409 || res.field("name") == "" {
		t.Errorf("duplicate name: %d %s", res.status, res.body)
	}
	// Scope: a manager of Default can neither see nor place rules in another group.
	lab := h.createGroup(admin, "Lab")
	h.createUser(admin, "mgr", 2, []int64{1})
	mgr := h.login("mgr", "mgr-password")
	res := admin.do("POST", "/api/filters", map[string]any{"name": "lab", "group": lab, "conditions": cond("service", "ssh")}).mustStatus(t, 201)
	labRule := int(res.json()["id"].(float64))
	mgr.do("GET", fmt.Sprintf("/api/filters/%d", labRule), nil).mustStatus(t, 404)
	mgr.do("POST", "/api/filters", map[string]any{"name": "mine", "group": lab, "conditions": cond("service", "ssh")}).mustStatus(t, 400)
	if n := len(mgr.do("GET", "/api/filters", nil).json()["items"].([]any)); n != 1 {
		t.Errorf("manager sees %d rules, want 1", n)
	}
}

// TestFilterHitsAreExactUnderConcurrentIngest sends matching events from many sensors at once:
// every drop is counted exactly once, in the same commit as the batch it came in.
func TestFilterHitsAreExactUnderConcurrentIngest(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	id := int(admin.do("POST", "/api/filters", map[string]any{"name": "scanner", "group": 1, "conditions": []map[string]string{
		{"attribute": "source", "value": "203.0.113.0/24"}}}).mustStatus(t, 201).json()["id"].(float64))
	const sensors, requests = 8, 10
	var wg sync.WaitGroup
	for s := 0; s < sensors; s++ {
		sn := h.createSensor(admin, fmt.Sprintf("s%d", s), 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < requests; r++ {
				ts := time.Now().Unix() + int64(r)
				// Three dropped, one kept per request; a distinct body per request.
				res := h.ingestEvents(sn, scanFrom("203.0.113.1", ts), scanFrom("203.0.113.2", ts),
					scanFrom("203.0.113.3", ts), scanFrom(fmt.Sprintf("198.51.100.%d", r+1), ts))
				if res.status != 200 {
					t.Errorf("ingest: %d %s", res.status, res.body)
				}
			}
		}()
	}
	wg.Wait()
	hits := admin.do("GET", fmt.Sprintf("/api/filters/%d", id), nil).json()["hits"].(float64)
	if want := float64(sensors * requests * 3); hits != want {
		t.Errorf("hits %v, want %v", hits, want)
	}
	if n := admin.do("GET", "/api/events", nil).json()["total"].(float64); n != sensors*requests {
		t.Errorf("%v events kept, want %d", n, sensors*requests)
	}
}
