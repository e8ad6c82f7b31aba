package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestOutputsAPI: create, validate with field errors, hide the secret, change, retry, delete,
// each change in the audit log.
func TestOutputsAPI(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	bad := admin.do("POST", "/api/outputs", map[string]any{"type": "syslog", "name": " ", "events": "group",
		"config": map[string]any{"host": "", "transport": "carrier pigeon", "port": 70000}}).mustStatus(t, 400)
	for _, f := range []string{"name", "groups", "config.host", "config.transport", "config.port"} {
		if bad.field(f) == "" {
			t.Errorf("no message for %s: %s", f, bad.body)
		}
	}
	res := admin.do("POST", "/api/outputs", map[string]any{"type": "webhook", "name": "Chat", "events": "critical",
		"config": map[string]any{"url": "https://chat.example.org/hooks/abc", "secret": "s3cret", "format": "slack"}}).mustStatus(t, 201)
	if strings.Contains(res.body, "s3cret") || !strings.Contains(res.body, `"has_secret":true`) || res.json()["queued"] != 0.0 {
		t.Errorf("created: %s", res.body)
	}
	id := int64(res.json()["id"].(float64))
	admin.do("POST", "/api/outputs", map[string]any{"type": "webhook", "name": "Chat",
		"config": map[string]any{"url": "https://chat.example.org/other"}}).mustStatus(t, 409)
	path := fmt.Sprintf("/api/outputs/%d", id)
	admin.do("PATCH", path, map[string]any{"type": "syslog"}).mustStatus(t, 400)
	res = admin.do("PATCH", path, map[string]any{"name": "Team chat", "enabled": false,
		"config": map[string]any{"url": "https://chat.example.org/hooks/def", "format": "teams"}}).mustStatus(t, 200)
	if m := res.json(); m["name"] != "Team chat" || m["enabled"] != false || !strings.Contains(res.body, `"has_secret":true`) {
		t.Errorf("updated (secret kept): %s", res.body)
	}
	admin.do("POST", path+"/retry", nil).mustStatus(t, 200)
	if list := admin.do("GET", "/api/outputs", nil).mustStatus(t, 200).json()["items"].([]any); len(list) != 1 {
		t.Errorf("list: %v", list)
	}
	admin.do("DELETE", path, nil).mustStatus(t, 204)
	admin.do("GET", path, nil).mustStatus(t, 404)
	entries := auditPage(t, admin, url.Values{"object_type": {"output"}})
	if got := actionsOf(entries); got != "output_deleted output_retried output_updated output_created" {
		t.Errorf("audit: %s", got)
	}
	for _, e := range entries {
		if strings.Contains(fmt.Sprint(e.Changes), "s3cret") {
			t.Errorf("the secret is in the audit log: %+v", e)
		}
	}
}

// TestTestEvent: the test event is stored like a real one, marked as a test, and queued for
// every enabled output (its delivery is the outputs package's test).
func TestTestEvent(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	hook := func(name string, enabled bool) int64 {
		res := admin.do("POST", "/api/outputs", map[string]any{"type": "webhook", "name": name, "enabled": enabled,
			"config": map[string]any{"url": "https://example.org/" + name}}).mustStatus(t, 201)
		return int64(res.json()["id"].(float64))
	}
	on, also, off := hook("on", true), hook("also", true), hook("off", false)
	res := admin.do("POST", "/api/settings/testevent", nil).mustStatus(t, 201)
	ev := admin.do("GET", fmt.Sprintf("/api/events/%v", res.json()["event"]), nil).mustStatus(t, 200).json()
	if s, _ := ev["summary"].(string); !strings.Contains(s, "TEST EVENT") || ev["source"] != "192.0.2.1" || ev["service"] != "test" {
		t.Errorf("test event: %v", ev)
	}
	for id, want := range map[int64]float64{on: 1, also: 1, off: 0} {
		if q := admin.do("GET", fmt.Sprintf("/api/outputs/%d", id), nil).mustStatus(t, 200).json()["queued"]; q != want {
			t.Errorf("output %d: %v queued, want %v", id, q, want)
		}
	}
	admin.do("POST", "/api/settings/testevent", map[string]any{"sensor": 999}).mustStatus(t, 400)
	if got := actionsOf(auditPage(t, admin, url.Values{"action": {"test_event_sent"}})); got != "test_event_sent" {
		t.Errorf("audit: %s", got)
	}
}
