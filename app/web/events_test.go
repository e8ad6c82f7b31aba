package web_test

import (
	"encoding/csv"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// eventsFixture is an appliance with two groups, a sensor in each and a dozen events.
type eventsFixture struct {
	h        *harness
	admin    *client
	observer *client // member of the Default group only
	manager  *client // member of the Default group only
	lab      int64   // the second group
	s1, s2   testSensor
	base     int64 // Unix seconds of the first event
}

func newEventsFixture(t *testing.T) *eventsFixture {
	h := newHarness(t)
	fx := &eventsFixture{h: h, admin: h.login("admin", adminPassword), base: time.Now().Add(-time.Hour).Unix()}
	fx.lab = h.createGroup(fx.admin, "Lab")
	h.createUser(fx.admin, "obs", 1, []int64{1})
	h.createUser(fx.admin, "mgr", 2, []int64{1})
	fx.observer, fx.manager = h.login("obs", "obs-password"), h.login("mgr", "mgr-password")
	fx.s1 = h.createSensor(fx.admin, "front", 1)
	fx.s2 = h.createSensor(fx.admin, "lab", fx.lab)
	// Six events on the Default group's sensor, four on the Lab's: 1 s apart, ids 1..10.
	var evs []map[string]any
	for i, src := range []string{"10.0.0.9", "10.0.0.10", "192.0.2.7", "10.0.0.9", "2001:db8::1", "198.51.100.3"} {
		e := sshEvent(src, fx.base+int64(i))
		if i%2 == 1 {
			e = map[string]any{"timestamp": fx.base + int64(i), "service": "recon", "source": src, "target_port": 3389 + i,
				"protocol": "tcp", "summary": fmt.Sprintf("Connection attempt %d", i)}
		}
		evs = append(evs, e)
	}
	evs = append(evs, map[string]any{"timestamp": fx.base + 6, "service": "recon", "source": "192.0.2.7", "summary": "Scan"})
	h.ingestEvents(fx.s1, evs...).mustStatus(t, 200)
	var lab []map[string]any
	for i := 0; i < 3; i++ {
		lab = append(lab, sshEvent("203.0.113.5", fx.base+10+int64(i)))
	}
	h.ingestEvents(fx.s2, lab...).mustStatus(t, 200)
	return fx
}

// ids lists the event ids of a list answer in order.
func ids(t *testing.T, res *response) []int {
	t.Helper()
	var out []int
	for _, it := range res.json()["items"].([]any) {
		out = append(out, int(it.(map[string]any)["id"].(float64)))
	}
	return out
}

func TestEventListDefaultsAndScope(t *testing.T) {
	fx := newEventsFixture(t)
	res := fx.admin.do("GET", "/api/events", nil).mustStatus(t, 200)
	if got, want := ids(t, res), []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("admin default order %v, want newest first %v", got, want)
	}
	if res.json()["total"].(float64) != 10 || res.json()["next_cursor"] != nil {
		t.Errorf("total/cursor: %v %v", res.json()["total"], res.json()["next_cursor"])
	}
	first := res.json()["items"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "timestamp", "sensor", "group", "service", "classification", "source", "source_port",
		"target", "target_port", "protocol", "summary", "status", "comment", "modified_at", "details_count", "packets_count", "archived"} {
		if _, ok := first[k]; !ok {
			t.Errorf("event lacks %q: %v", k, first)
		}
	}
	if first["group"].(map[string]any)["name"] != "Lab" || first["sensor"].(map[string]any)["name"] != "lab" || first["classification"].(float64) != 3 {
		t.Errorf("first event: %v", first)
	}
	// The observer sees the Default group's 7 events only, and nothing of Lab, even when asking.
	res = fx.observer.do("GET", "/api/events", nil).mustStatus(t, 200)
	if got := ids(t, res); len(got) != 7 || got[0] != 7 {
		t.Errorf("observer sees %v", got)
	}
	if got := ids(t, fx.observer.do("GET", fmt.Sprintf("/api/events?group=%d", fx.lab), nil).mustStatus(t, 200)); len(got) != 0 {
		t.Errorf("observer sees other group's events: %v", got)
	}
	fx.observer.do("GET", "/api/events/9", nil).mustStatus(t, 404)
	fx.observer.do("GET", "/api/events/1", nil).mustStatus(t, 200)
}

func TestEventListFilters(t *testing.T) {
	fx := newEventsFixture(t)
	fx.admin.do("PATCH", "/api/events", map[string]any{"ids": []int{1, 2}, "status": 2, "comment": "checked by Carol"}).mustStatus(t, 200)
	from := url.QueryEscape(time.Unix(fx.base+2, 0).UTC().Format(time.RFC3339))
	to := url.QueryEscape(time.Unix(fx.base+4, 0).UTC().Format(time.RFC3339))
	cases := []struct {
		query string
		want  []int
	}{
		{"status=0,1", []int{10, 9, 8, 7, 6, 5, 4, 3}},
		{"status=2", []int{2, 1}},
		{"status=2,3", []int{2, 1}},
		{"classification=4", []int{7}},
		{"classification=2", []int{6, 4, 2}},
		{"classification=2,4", []int{7, 6, 4, 2}},
		{"group=1", []int{7, 6, 5, 4, 3, 2, 1}},
		{fmt.Sprintf("group=%d", fx.lab), []int{10, 9, 8}},
		{fmt.Sprintf("sensor=%d", fx.s2.id), []int{10, 9, 8}},
		{"from=" + from + "&to=" + to, []int{5, 4, 3}},
		{"q=10.0.0.9", []int{4, 1}},
		{"q=attempt%203", []int{4}},
		{"q=carol", []int{2, 1}},
		{"q=100%25", nil}, // % is literal, not a wildcard
		{"dataset=live&status=0&classification=3&group=1", []int{5, 3}},
	}
	for _, tc := range cases {
		res := fx.admin.do("GET", "/api/events?"+tc.query, nil).mustStatus(t, 200)
		if got := ids(t, res); !slices.Equal(got, tc.want) || int(res.json()["total"].(float64)) != len(tc.want) {
			t.Errorf("%s: ids %v total %v, want %v", tc.query, got, res.json()["total"], tc.want)
		}
	}
}

func TestEventListSortsAndPages(t *testing.T) {
	fx := newEventsFixture(t)
	cases := []struct {
		query string
		want  []int
	}{
		{"sort=id&order=asc", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"sort=timestamp&order=asc", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		// Sources compare as addresses: 10.0.0.9 < 10.0.0.10 < 192.0.2.7 < ... < IPv6; ties go by
		// time in the same direction.
		{"sort=source&order=asc", []int{1, 4, 2, 3, 7, 6, 8, 9, 10, 5}},
		{"sort=target_port&order=desc", []int{6, 4, 2, 10, 9, 8, 5, 3, 1, 7}},
		{"sort=classification&order=asc", []int{2, 4, 6, 1, 3, 5, 8, 9, 10, 7}},
		{"sort=group&order=desc", []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"sort=sensor&order=asc", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{"sort=summary&order=asc", []int{2, 4, 6, 1, 3, 5, 8, 9, 10, 7}},
		{"sort=status&order=desc", []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
	}
	for _, tc := range cases {
		// Walk the whole order three events at a time: keyset paging must give the same order.
		var got []int
		cursor := ""
		for page := 0; page < 10; page++ {
			q := "/api/events?limit=3&" + tc.query
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			res := fx.admin.do("GET", q, nil).mustStatus(t, 200)
			got = append(got, ids(t, res)...)
			next, _ := res.json()["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
		}
	}
}

func TestEventListRefusesBadKeys(t *testing.T) {
	fx := newEventsFixture(t)
	for query, field := range map[string]string{
		"status=7": "status", "status=a": "status", "classification=5": "classification", "group=x": "group",
		"sensor=-1": "sensor", "from=yesterday": "from", "to=2026-13-01": "to", "sort=secret": "sort",
		"order=up": "order", "limit=0": "limit", "limit=501": "limit", "cursor=garbage": "cursor",
		"dataset=old": "dataset", "q=" + strings.Repeat("x", 201): "q",
	} {
		res := fx.admin.do("GET", "/api/events?"+query, nil).mustStatus(t, 400)
		if res.field(field) == "" {
			t.Errorf("%s: want a field error on %s, got %s", query, field, res.body)
		}
	}
	fx.admin.do("GET", "/api/events/999", nil).mustStatus(t, 404)
	fx.admin.do("GET", "/api/events/abc", nil).mustStatus(t, 404)
}

func TestEventDetails(t *testing.T) {
	fx := newEventsFixture(t)
	m := fx.admin.do("GET", "/api/events/1", nil).mustStatus(t, 200).json()
	details := m["details"].([]any)
	if len(details) != 3 || details[1].(map[string]any)["data"] != "login root / secret: accepted" ||
		details[0].(map[string]any)["timestamp"] != nil || details[1].(map[string]any)["type"].(float64) != 1 {
		t.Errorf("details: %v", details)
	}
	pk := m["packets"].([]any)[0].(map[string]any)
	if pk["flags"] != "S" || pk["payload_text"] != `SSH-2.0-OpenSSH_9.2\r\n` || pk["protocol"] != "tcp" || pk["port"].(float64) != 22 {
		t.Errorf("packet: %v", pk)
	}
	// An event without details still answers empty lists.
	m = fx.admin.do("GET", "/api/events/2", nil).mustStatus(t, 200).json()
	if d, ok := m["details"].([]any); !ok || len(d) != 0 {
		t.Errorf("details of a recon event: %v", m["details"])
	}
}

func TestEventBulkEdit(t *testing.T) {
	fx := newEventsFixture(t)
	fx.observer.do("PATCH", "/api/events", map[string]any{"ids": []int{1}, "status": 1}).mustStatus(t, 403)
	res := fx.manager.do("PATCH", "/api/events", map[string]any{"ids": []int{1, 2, 9}, "status": 1, "comment": "on it"}).mustStatus(t, 200)
	if res.json()["updated"].(float64) != 2 {
		t.Errorf("manager of Default updated %v events, want 2 (event 9 is Lab's)", res.json()["updated"])
	}
	e := fx.admin.do("GET", "/api/events/1", nil).json()
	if e["status"].(float64) != 1 || e["comment"] != "on it" || e["modified_at"] == nil {
		t.Errorf("after edit: %v", e)
	}
	if fx.admin.do("GET", "/api/events/9", nil).json()["status"].(float64) != 0 {
		t.Error("an event outside the manager's groups changed")
	}
	// All pages: every event matching the filter, no id list.
	res = fx.admin.do("PATCH", "/api/events", map[string]any{"filter": map[string]any{"classification": "2,4"}, "status": 3}).mustStatus(t, 200)
	if res.json()["updated"].(float64) != 4 {
		t.Errorf("filter edit updated %v, want 4", res.json()["updated"])
	}
	if got := ids(t, fx.admin.do("GET", "/api/events?status=3", nil)); !slices.Equal(got, []int{7, 6, 4, 2}) {
		t.Errorf("ignored events %v", got)
	}
	for _, bad := range []map[string]any{
		{"status": 1}, // neither ids nor filter
		{"ids": []int{1}, "filter": map[string]any{}, "status": 1}, // both
		{"ids": []int{1}},              // no change
		{"ids": []int{1}, "status": 4}, // bad status
		{"ids": []int{}, "status": 1},  // empty selection
		{"ids": []int{1}, "comment": strings.Repeat("x", 1001)},
		{"filter": map[string]any{"bogus": 1}, "status": 1},
	} {
		if res := fx.admin.do("PATCH", "/api/events", bad); res.status != 400 {
			t.Errorf("%v: %d %s", bad, res.status, res.body)
		}
	}
}

func TestEventRemoveAndArchive(t *testing.T) {
	fx := newEventsFixture(t)
	res := fx.manager.do("DELETE", "/api/events", map[string]any{"ids": []int{1, 2}, "archive": true}).mustStatus(t, 200)
	if m := res.json(); m["removed"].(float64) != 2 || m["archived"].(float64) != 2 {
		t.Errorf("archive answer %v", m)
	}
	arch := fx.admin.do("GET", "/api/events?dataset=archive", nil).mustStatus(t, 200)
	items := arch.json()["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["archived"] != true || items[0].(map[string]any)["original_id"].(float64) != 2 {
		t.Fatalf("archive list: %s", arch.body)
	}
	archID := int(items[0].(map[string]any)["id"].(float64))
	// Archived events are read-only.
	res = fx.admin.do("PATCH", "/api/events", map[string]any{"filter": map[string]any{"dataset": "archive"}, "status": 2})
	if res.status != 400 || !strings.Contains(res.body, "read-only") {
		t.Errorf("edit of archive dataset: %d %s", res.status, res.body)
	}
	d := fx.admin.do("GET", fmt.Sprintf("/api/events/%d?dataset=archive", archID), nil).mustStatus(t, 200).json()
	if d["sensor"].(map[string]any)["name"] != "front" {
		t.Errorf("archived details: %v", d)
	}
	// Permanent removal from the archive; plain removal of live events.
	res = fx.admin.do("DELETE", "/api/events", map[string]any{"ids": []int{archID}, "dataset": "archive"}).mustStatus(t, 200)
	if res.json()["removed"].(float64) != 1 {
		t.Errorf("archive delete: %s", res.body)
	}
	res = fx.admin.do("DELETE", "/api/events", map[string]any{"filter": map[string]any{"group": fmt.Sprint(fx.lab)}}).mustStatus(t, 200)
	if res.json()["removed"].(float64) != 3 || res.json()["archived"].(float64) != 0 {
		t.Errorf("delete by filter: %s", res.body)
	}
	if total := fx.admin.do("GET", "/api/events", nil).json()["total"].(float64); total != 5 {
		t.Errorf("%v live events left, want 5", total)
	}
	fx.admin.do("DELETE", "/api/events", map[string]any{"ids": []int{3}, "dataset": "archive", "archive": true}).mustStatus(t, 400)
	fx.observer.do("DELETE", "/api/events", map[string]any{"ids": []int{3}}).mustStatus(t, 403)
}

func TestEventExportCSV(t *testing.T) {
	fx := newEventsFixture(t)
	evil := map[string]any{"timestamp": fx.base + 20, "service": "http", "source": "192.0.2.66",
		"summary": `=HYPERLINK("http://evil.example","click")`}
	fx.h.ingestEvents(fx.s1, evil).mustStatus(t, 200)
	fx.admin.do("PATCH", "/api/events", map[string]any{"ids": []int{1}, "comment": "+cmd|' /C calc'!A0"}).mustStatus(t, 200)
	res := fx.admin.do("GET", "/api/events/export.csv?sort=id&order=asc&group=1", nil).mustStatus(t, 200)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(res.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("headers: %v", res.header)
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], "|") != "ID|Time (UTC)|Group|Sensor|Service|Classification|Source|Source port|Target|Target port|Protocol|Summary|Status|Comment|Last modified (UTC)|Details|Packets|Archived" {
		t.Errorf("header %v", rows[0])
	}
	if len(rows) != 9 { // header + 7 Default events + the evil one
		t.Fatalf("%d rows", len(rows))
	}
	if rows[1][0] != "1" || rows[1][2] != "Default" || rows[1][3] != "front" || rows[1][5] != "Honeypot" || rows[1][12] != "New" {
		t.Errorf("row 1: %v", rows[1])
	}
	if rows[1][13] != "'+cmd|' /C calc'!A0" {
		t.Errorf("comment not neutralised: %q", rows[1][13])
	}
	if last := rows[8]; last[11] != `'=HYPERLINK("http://evil.example","click")` {
		t.Errorf("summary not neutralised: %q", last[11])
	}
	res = fx.admin.do("GET", "/api/events/export.csv?ids=3,9", nil).mustStatus(t, 200)
	if n := strings.Count(res.body, "\n"); n != 3 {
		t.Errorf("ids export has %d lines: %s", n, res.body)
	}
	// Scope applies to exports too.
	res = fx.observer.do("GET", "/api/events/export.csv?ids=9", nil).mustStatus(t, 200)
	if n := strings.Count(res.body, "\n"); n != 1 {
		t.Errorf("observer exported another group's event: %s", res.body)
	}
	fx.admin.do("GET", "/api/events/export.csv?ids=a", nil).mustStatus(t, 400)
}

func TestEventUpdatesPoll(t *testing.T) {
	fx := newEventsFixture(t)
	m := fx.observer.do("GET", "/api/events/updates", nil).mustStatus(t, 200).json()
	if m["last_id"].(float64) != 7 || m["new_count"].(float64) != 7 {
		t.Errorf("observer updates: %v", m)
	}
	fx.admin.do("PATCH", "/api/events", map[string]any{"ids": []int{1}, "status": 1}).mustStatus(t, 200)
	m = fx.admin.do("GET", "/api/events/updates", nil).mustStatus(t, 200).json()
	if m["last_id"].(float64) != 10 || m["new_count"].(float64) != 9 {
		t.Errorf("admin updates: %v", m)
	}
}

func TestCSVCellNeutralisesFormulasBehindBlanks(t *testing.T) {
	fx := newEventsFixture(t)
	fx.admin.do("PATCH", "/api/events", map[string]any{"ids": []int{1}, "comment": "  =cmd|' /C calc'!A0"}).mustStatus(t, 200)
	rows, err := csv.NewReader(strings.NewReader(fx.admin.do("GET", "/api/events/export.csv?ids=1", nil).mustStatus(t, 200).body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[1][13]; got != "'  =cmd|' /C calc'!A0" {
		t.Errorf("comment cell %q", got)
	}
}
