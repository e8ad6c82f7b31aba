package web_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// overviewFixture: the eventsFixture's events with logins, commands and paths added by a
// second sensor of the Default group, and an observer of the Lab group only.
func overviewFixture(t *testing.T) *eventsFixture {
	fx := newEventsFixture(t)
	s3 := fx.h.createSensor(fx.admin, "web", 1)
	ev := func(i int64, src string) map[string]any {
		return map[string]any{"timestamp": fx.base + 20 + i, "service": "http", "source": src, "target_port": 80,
			"protocol": "tcp", "summary": "HTTP session", "classification": 3,
			"logins": []map[string]any{{"user": "admin", "password": "hunter2", "accepted": false}},
			"paths":  []string{"/wp-login.php", "/wp-login.php", "/.env"}}
	}
	fx.h.ingestEvents(s3, ev(0, "192.0.2.7"), ev(1, "192.0.2.7"), ev(2, "10.0.0.9")).mustStatus(t, 200)
	fx.h.createUser(fx.admin, "labobs", 1, []int64{fx.lab})
	return fx
}

func TestOverviewCountsAndScope(t *testing.T) {
	fx := overviewFixture(t)
	res := fx.admin.do("GET", "/api/overview", nil).mustStatus(t, 200).json()
	totals := res["totals"].(map[string]any)
	if totals["events"].(float64) != 13 {
		t.Fatalf("admin sees %v events in 24 h, want 13", totals["events"])
	}
	byClass := totals["by_classification"].(map[string]any)
	// 4 ssh + 3 Lab ssh + 3 http (Honeypot), 3 recon with ports (Connection attempt), 1 Scan.
	if byClass["3"].(float64) != 9 || byClass["2"].(float64) != 3 || byClass["4"].(float64) != 1 {
		t.Fatalf("by classification %v", byClass)
	}
	top := res["top"].(map[string]any)
	first := func(list string) (string, float64) {
		rows := top[list].([]any)
		if len(rows) == 0 {
			t.Fatalf("top %s is empty", list)
		}
		r := rows[0].(map[string]any)
		return r["value"].(string), r["count"].(float64)
	}
	for list, want := range map[string]string{"sources": "192.0.2.7 4", "paths": "/wp-login.php 6", "usernames": "admin 3",
		"passwords": "hunter2 3", "services": "ssh 6", "ports": "22 6"} {
		v, n := first(list)
		if got := fmt.Sprintf("%s %v", v, n); got != want {
			t.Errorf("top %s: %s, want %s", list, got, want)
		}
	}
	// The three sensors created through the API never sent a heartbeat; the appliance's own runs.
	if sn := res["sensors"].(map[string]any); sn["waiting"].(float64) != 3 || sn["online"].(float64) != 1 || res["queues"] == nil {
		t.Fatalf("sensors %v queues %v", res["sensors"], res["queues"])
	}
	if n := len(res["recent_critical"].([]any)); n != 9 {
		t.Fatalf("%d recent critical events, want 9", n)
	}
	tl := res["timeline"].([]any)
	if len(tl) < 24 || len(tl) > 25 {
		t.Fatalf("%d hourly buckets for 24 h", len(tl))
	}

	// The Lab observer sees the Lab's three events only, and no mail queues.
	lab := fx.h.login("labobs", "labobs-password")
	res = lab.do("GET", "/api/overview", nil).mustStatus(t, 200).json()
	if n := res["totals"].(map[string]any)["events"].(float64); n != 3 || res["queues"] != nil {
		t.Fatalf("Lab observer sees %v events, queues %v", n, res["queues"])
	}
	if v := res["top"].(map[string]any)["sources"].([]any)[0].(map[string]any)["value"]; v != "203.0.113.5" {
		t.Fatalf("Lab observer's top source %v", v)
	}
	// A group outside the scope shows nothing; the admin may pick one group.
	res = lab.do("GET", "/api/overview?group=1", nil).mustStatus(t, 200).json()
	if n := res["totals"].(map[string]any)["events"].(float64); n != 0 {
		t.Fatalf("Lab observer sees %v events of the Default group", n)
	}
	res = fx.admin.do("GET", fmt.Sprintf("/api/overview?group=%d", fx.lab), nil).mustStatus(t, 200).json()
	if n := res["totals"].(map[string]any)["events"].(float64); n != 3 {
		t.Fatalf("admin's Lab overview has %v events", n)
	}

	// Long periods count per day; the period before is of the same length.
	from := time.Now().Add(-10 * 24 * time.Hour).UTC().Format(time.RFC3339)
	res = fx.admin.do("GET", "/api/overview?from="+url.QueryEscape(from)+"&tz=Europe/Berlin", nil).mustStatus(t, 200).json()
	p := res["period"].(map[string]any)
	if p["bucket"] != "day" || len(res["timeline"].([]any)) < 10 {
		t.Fatalf("10 days: period %v, %d buckets", p, len(res["timeline"].([]any)))
	}
	for _, bad := range []string{"bucket=week", "from=yesterday", "tz=Mars/Olympus", "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
		"from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "group=x"} {
		fx.admin.do("GET", "/api/overview?"+bad, nil).mustStatus(t, 400)
	}
}

func TestAttackersListDetailsAndActions(t *testing.T) {
	fx := overviewFixture(t)
	res := fx.admin.do("GET", "/api/attackers?sort=events", nil).mustStatus(t, 200).json()
	items := res["items"].([]any)
	if res["total"].(float64) != 6 || len(items) != 6 {
		t.Fatalf("%v attackers, %d items", res["total"], len(items))
	}
	top := items[0].(map[string]any)
	if top["source"] != "192.0.2.7" || top["events"].(float64) != 4 || top["logins_tried"].(float64) != 2 {
		t.Fatalf("first attacker by events: %v", top)
	}
	if c := top["classifications"].(map[string]any); c["3"].(float64) != 3 || c["4"].(float64) != 1 {
		t.Fatalf("classification mix %v", c)
	}
	// Paging by cursor gives every attacker once.
	seen := map[string]bool{}
	cursor := ""
	for {
		res := fx.admin.do("GET", "/api/attackers?limit=4&sort=source&order=asc&cursor="+url.QueryEscape(cursor), nil).mustStatus(t, 200).json()
		for _, it := range res["items"].([]any) {
			seen[it.(map[string]any)["source"].(string)] = true
		}
		next, _ := res["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != 6 {
		t.Fatalf("paged through %d attackers", len(seen))
	}
	res = fx.admin.do("GET", "/api/attackers?q=10.0.0.0/24", nil).mustStatus(t, 200).json()
	if res["total"].(float64) != 2 {
		t.Fatalf("10.0.0.0/24 has %v attackers", res["total"])
	}
	lab := fx.h.login("labobs", "labobs-password")
	res = lab.do("GET", "/api/attackers", nil).mustStatus(t, 200).json()
	if res["total"].(float64) != 1 {
		t.Fatalf("Lab observer sees %v attackers", res["total"])
	}
	lab.do("GET", "/api/attackers/192.0.2.7", nil).mustStatus(t, 404)

	d := fx.admin.do("GET", "/api/attackers/192.0.2.7", nil).mustStatus(t, 200).json()
	creds := d["credentials"].([]any)
	if len(creds) != 1 || creds[0].(map[string]any)["count"].(float64) != 2 || creds[0].(map[string]any)["user"] != "admin" {
		t.Fatalf("credentials %v", creds)
	}
	if p := d["paths"].([]any)[0].(map[string]any); p["value"] != "/wp-login.php" || p["count"].(float64) != 4 {
		t.Fatalf("paths %v", d["paths"])
	}
	fx.admin.do("GET", "/api/attackers/not-an-address", nil).mustStatus(t, 404)
	for _, path := range []string{"2001:db8::1", "2001%3Adb8%3A%3A1"} {
		if src := fx.admin.do("GET", "/api/attackers/"+path, nil).mustStatus(t, 200).json()["attacker"].(map[string]any)["source"]; src != "2001:db8::1" {
			t.Fatalf("%s: source %v", path, src)
		}
	}

	// The actions on a source use the event list's keys: its events, and all of them edited.
	list := fx.admin.do("GET", "/api/events?source=192.0.2.7", nil).mustStatus(t, 200).json()
	if list["total"].(float64) != 4 {
		t.Fatalf("source=192.0.2.7 lists %v events", list["total"])
	}
	up := fx.manager.do("PATCH", "/api/events", map[string]any{"filter": map[string]any{"source": "192.0.2.7"}, "status": 2}).mustStatus(t, 200).json()
	if up["updated"].(float64) != 4 {
		t.Fatalf("updated %v", up["updated"])
	}
	if n := fx.admin.do("GET", "/api/attackers/192.0.2.7", nil).json()["attacker"].(map[string]any)["new_events"].(float64); n != 0 {
		t.Fatalf("%v New events left after the bulk edit", n)
	}
	for q, want := range map[string]float64{"username=admin": 3, "path=%2F.env": 3, "password=nope": 0, "service=http": 3,
		"target_port=22": 6, "source=10.0.0.0%2F8&status=0": 4} {
		if n := fx.admin.do("GET", "/api/events?"+q, nil).mustStatus(t, 200).json()["total"].(float64); n != want {
			t.Errorf("%s: %v events, want %v", q, n, want)
		}
	}
	for _, bad := range []string{"source=nope", "target_port=70000", "username=a&password=b"} {
		fx.admin.do("GET", "/api/events?"+bad, nil).mustStatus(t, 400)
	}
}

// TestSessionReportsOverIngest: a sensor's reports of one session make one event that shows as
// ongoing until the final report.
func TestSessionReportsOverIngest(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	sn := h.createSensor(admin, "s", 1)
	ts := time.Now().Unix()
	report := func(rev int, ongoing bool, cmds ...string) {
		h.ingestEvents(sn, map[string]any{"timestamp": ts, "service": "ssh", "source": "198.51.100.4", "summary": fmt.Sprintf("rev %d", rev),
			"classification": 3, "session": "s-1", "revision": rev, "ongoing": ongoing, "commands": cmds}).mustStatus(t, 200)
	}
	report(1, true, "id")
	list := admin.do("GET", "/api/events", nil).mustStatus(t, 200).json()
	item := list["items"].([]any)[0].(map[string]any)
	if list["total"].(float64) != 1 || item["ongoing"] != true {
		t.Fatalf("after the first report: %v", list)
	}
	report(2, true, "id", "uname -a")
	report(3, false, "id", "uname -a", "exit")
	list = admin.do("GET", "/api/events", nil).mustStatus(t, 200).json()
	item = list["items"].([]any)[0].(map[string]any)
	if list["total"].(float64) != 1 || item["ongoing"] != false || item["summary"] != "rev 3" {
		t.Fatalf("after the final report: %v", list)
	}
	d := admin.do("GET", fmt.Sprintf("/api/events/%v", item["id"]), nil).mustStatus(t, 200).json()
	if cmds := d["commands"].([]any); len(cmds) != 3 {
		t.Fatalf("commands %v", cmds)
	}
	top := admin.do("GET", "/api/overview", nil).json()["top"].(map[string]any)["commands"].([]any)
	if len(top) != 3 || top[0].(map[string]any)["count"].(float64) != 1 {
		t.Fatalf("top commands %v", top)
	}
}
