package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"honeysens/app/model"
)

// eventBase is the time of the first test event; every test event lies within two days after.
var eventBase = testNow.Add(-72 * time.Hour).Truncate(time.Millisecond)

// fixture is a store holding groups, sensors and a varied set of events.
type fixture struct {
	s       *Store
	groups  []*model.Group
	sensors []*model.Sensor
	events  []*model.Event // as inserted, with ids
}

// Value sets the generated events cycle through. Every list has duplicates across ~300 events,
// and each has values whose text order differs from their natural order.
var (
	fixtureSources = []string{"10.0.0.9", "10.0.0.10", "9.255.255.255", "192.0.2.1", "::1", "2001:db8::1",
		"2001:db8::a", "255.255.255.255", "0.0.0.1", "fe80::1", "100.64.0.1"}
	fixtureSummaries = []string{"Scan", "scan", "Login root", "100% done", "100x done", "a_b", "axb",
		"back\\slash", "Zeta", "älter", "", "SSH-2.0"}
	fixturePorts = []int{0, 22, 80, 443, 8080, 65535, 3, 23}
)

// newFixture creates 3 groups with 5 sensors among them and n events cycling through the
// value lists with co-prime strides, so that sort values repeat in varying combinations.
func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	s := newStore(t)
	f := &fixture{s: s}
	for _, name := range []string{"Berlin", "aachen", "Zwickau"} {
		f.groups = append(f.groups, addGroup(t, s, name))
	}
	for i, gi := range []int{0, 0, 1, 2, 2} {
		f.sensors = append(f.sensors, addSensor(t, s, fmt.Sprintf("sensor-%d", i), f.groups[gi].ID))
	}
	var events []*model.Event
	for i := 0; i < n; i++ {
		sn := f.sensors[(i*3)%len(f.sensors)]
		e := &model.Event{
			Timestamp:      eventBase.Add(time.Duration((i*7)%41) * time.Hour),
			SensorID:       sn.ID,
			GroupID:        sn.GroupID,
			Service:        "ssh",
			Classification: model.Classification(i % 5),
			Source:         netip.MustParseAddr(fixtureSources[(i*5)%len(fixtureSources)]),
			SourcePort:     40000 + i,
			TargetPort:     fixturePorts[(i*3)%len(fixturePorts)],
			Protocol:       model.ProtoTCP,
			Summary:        fixtureSummaries[(i*5)%len(fixtureSummaries)],
			Status:         model.Status((i / 3) % 4),
		}
		if i%10 == 0 {
			e.Details = []model.Detail{{Type: model.DetailGeneric, Data: fmt.Sprint("detail ", i)}}
		}
		events = append(events, e)
	}
	if err := s.InsertEvents(context.Background(), events); err != nil {
		t.Fatalf("InsertEvents: %v", err)
	}
	f.events = events
	return f
}

// row is one event row as read back with plain SQL: the reference the store's queries are
// compared with.
type row struct {
	id             int64
	timestamp      int64
	group, sensor  int64
	classification int64
	source         string
	sourceKey      []byte
	targetPort     int64
	summary        string
	status         int64
	comment        string
}

// rows reads every row of the live or archived table.
func rows(t *testing.T, s *Store, archive bool) []row {
	t.Helper()
	table := "events"
	if archive {
		table = "archived_events"
	}
	rs, err := s.r.Query(`SELECT id, timestamp, group_id, sensor_id, classification, source, source_key, target_port,
		summary, status, comment FROM ` + table + ` ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var list []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.id, &r.timestamp, &r.group, &r.sensor, &r.classification, &r.source, &r.sourceKey,
			&r.targetPort, &r.summary, &r.status, &r.comment); err != nil {
			t.Fatal(err)
		}
		list = append(list, r)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return list
}

// cmpSort compares two rows by a sort key's value (not yet by id), as SQLite orders the column:
// integers numerically, text and blobs byte by byte.
func cmpSort(key string, a, b row) int {
	switch key {
	case "id", "timestamp":
		return 0 // referenceOrder breaks ties by timestamp (except for id) and id
	case "group":
		return cmpInt(a.group, b.group)
	case "sensor":
		return cmpInt(a.sensor, b.sensor)
	case "classification":
		return cmpInt(a.classification, b.classification)
	case "source":
		return bytes.Compare(a.sourceKey, b.sourceKey)
	case "target_port":
		return cmpInt(a.targetPort, b.targetPort)
	case "summary":
		return strings.Compare(a.summary, b.summary)
	case "status":
		return cmpInt(a.status, b.status)
	}
	panic("no reference order for sort key " + key)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// referenceOrder returns the ids of list in the list's documented order: the sort value, ties
// broken by timestamp and then id, all in one direction (reversed for desc). Sorting by id is
// by id alone.
func referenceOrder(list []row, key string, desc bool) []int64 {
	sorted := slices.Clone(list)
	sort.SliceStable(sorted, func(i, j int) bool {
		c := cmpSort(key, sorted[i], sorted[j])
		if c == 0 && key != "id" {
			c = cmpInt(sorted[i].timestamp, sorted[j].timestamp)
		}
		if c == 0 {
			c = cmpInt(sorted[i].id, sorted[j].id)
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
	ids := make([]int64, len(sorted))
	for i, r := range sorted {
		ids[i] = r.id
	}
	return ids
}

// walkPages lists every page of f in the given order and returns the ids in page order.
func walkPages(t *testing.T, s *Store, f *EventFilter, key string, desc bool, limit int) []int64 {
	t.Helper()
	return walkPagesWith(t, s, f, nil, key, desc, limit)
}

// walkPagesWith is walkPages with the search's plan given (nil: planned as ListEvents plans it).
func walkPagesWith(t *testing.T, s *Store, f *EventFilter, plan *searchPlan, key string, desc bool, limit int) []int64 {
	t.Helper()
	var ids []int64
	p := EventPage{Sort: key, Desc: desc, Limit: limit}
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatalf("sort %s: paging does not end", key)
		}
		list, next, err := listWith(s, f, plan, p)
		if err != nil {
			t.Fatalf("ListEvents(sort %s, desc %v, page %d): %v", key, desc, pages, err)
		}
		if len(list) > limit {
			t.Fatalf("page of %d events, limit %d", len(list), limit)
		}
		if next != "" && len(list) != limit {
			t.Fatalf("sort %s: a short page (%d) with a next cursor", key, len(list))
		}
		for _, e := range list {
			if e.Archived != f.Archive {
				t.Fatalf("event %d: archived %v in dataset archive=%v", e.ID, e.Archived, f.Archive)
			}
			ids = append(ids, e.ID)
		}
		if next == "" {
			return ids
		}
		p.Cursor = next
	}
}

// matches is the filter's meaning written out in Go, for brute-force comparison.
func matches(f *EventFilter, r row) bool {
	if f.Status != nil && !slices.Contains(f.Status, model.Status(r.status)) {
		return false
	}
	if f.Classification != nil && !slices.Contains(f.Classification, model.Classification(r.classification)) {
		return false
	}
	if f.Groups != nil && !slices.Contains(f.Groups, r.group) {
		return false
	}
	if f.SensorID != 0 && r.sensor != f.SensorID {
		return false
	}
	if f.From != nil && r.timestamp < f.From.UnixMilli() {
		return false
	}
	if f.To != nil && r.timestamp > f.To.UnixMilli() {
		return false
	}
	if f.Query != "" {
		// The source: a whole address exactly, or the start of an IPv4 address as written. The
		// text: a substring of three characters or more (SQLite's LIKE ignores ASCII case only).
		q := asciiLower(f.Query)
		source := false
		if a, err := netip.ParseAddr(f.Query); err == nil {
			source = a.Unmap().String() == r.source
		} else if ipv4Start(f.Query) {
			source = strings.Count(r.source, ".") == 3 && strings.HasPrefix(r.source, f.Query)
		}
		text := utf8.RuneCountInString(q) >= 3 && (strings.Contains(asciiLower(r.summary), q) || strings.Contains(asciiLower(r.comment), q))
		if !source && !text {
			return false
		}
	}
	if f.IDs != nil && !slices.Contains(f.IDs, r.id) {
		return false
	}
	return true
}

// ipv4Start reports whether q is how an IPv4 address starts: up to four dot-separated decimal
// octets without leading zeros, the last one possibly incomplete or empty (but not after the
// fourth).
func ipv4Start(q string) bool {
	parts := strings.Split(q, ".")
	if len(parts) > 4 {
		return false
	}
	for i, p := range parts {
		if p == "" && i == len(parts)-1 && i > 0 {
			continue
		}
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') || strings.Trim(p, "0123456789") != "" {
			return false
		}
		if v, _ := strconv.Atoi(p); v > 255 {
			return false
		}
	}
	return true
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// wantIDs returns the ids of the rows matching f, in id order.
func wantIDs(f *EventFilter, list []row) []int64 {
	ids := []int64{}
	for _, r := range list {
		if matches(f, r) {
			ids = append(ids, r.id)
		}
	}
	return ids
}

// checkFilter compares the events ListEvents/EachEvent and CountEvents find for f with the
// brute-force answer over all rows.
func checkFilter(t *testing.T, s *Store, name string, f *EventFilter) []int64 {
	t.Helper()
	want := wantIDs(f, rows(t, s, f.Archive))
	got := []int64{}
	err := s.EachEvent(context.Background(), f, "id", false, func(e *model.Event) error {
		got = append(got, e.ID)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: EachEvent: %v", name, err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: listed %d events %v, want %d %v", name, len(got), got, len(want), want)
	}
	if n, err := s.CountEvents(context.Background(), f); err != nil || n != int64(len(want)) {
		t.Errorf("%s: CountEvents = %d, %v; want %d (countable %v)", name, n, err, len(want), f.countable())
	}
	return want
}

func TestInsertEventsAndEventRoundTrip(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g := addGroup(t, s, "Office")
	sn := addSensor(t, s, "edge-1", g.ID)
	ts := eventBase.Add(1234 * time.Millisecond)
	full := &model.Event{
		Timestamp: ts, SensorID: sn.ID, GroupID: g.ID, Service: "ssh", Classification: model.ClassHoneypot,
		Source: netip.MustParseAddr("2001:db8::42"), SourcePort: 51008, Target: netip.MustParseAddr("192.0.2.1"),
		TargetPort: 22, Protocol: model.ProtoTCP, Summary: "SSH login as root ✓", Status: model.StatusNew,
		Details: []model.Detail{
			{Type: model.DetailGeneric, Data: "Client: SSH-2.0-OpenSSH_9.2"},
			{Timestamp: ptrTime(ts.Add(time.Second)), Type: model.DetailInteraction, Data: "uname -a\n\x00"},
		},
		Packets: []model.Packet{
			{Timestamp: ts, Protocol: model.ProtoTCP, Port: 22, Flags: 18, Payload: []byte{0, 1, 0xff, 'S', 'S', 'H'}},
			{Timestamp: ts.Add(time.Millisecond), Protocol: model.ProtoUDP, Port: 53},
		},
	}
	bare := &model.Event{Timestamp: ts, SensorID: sn.ID, GroupID: g.ID, Service: "recon", Classification: model.ClassScan,
		Source: netip.MustParseAddr("198.51.100.9"), Summary: "Scan", Status: model.StatusNew}
	if err := s.InsertEvents(ctx, []*model.Event{full, bare}); err != nil {
		t.Fatal(err)
	}
	if full.ID <= 0 || bare.ID != full.ID+1 {
		t.Fatalf("ids %d, %d; want consecutive positive ids", full.ID, bare.ID)
	}
	if full.DetailsCount != 2 || full.PacketsCount != 2 || bare.DetailsCount != 0 {
		t.Errorf("counts set on insert: %d/%d, %d", full.DetailsCount, full.PacketsCount, bare.DetailsCount)
	}
	// Only events with details or packets get an event_data row.
	if n := countRows(t, s, "event_data", ""); n != 1 {
		t.Errorf("%d event_data rows, want 1", n)
	}

	got, err := s.Event(ctx, full.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	want := *full
	want.SensorName, want.GroupName = "edge-1", "Office"
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("Event(%d) =\n%+v\nwant\n%+v", full.ID, got, &want)
	}

	got, err = s.Event(ctx, bare.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if got.Target.IsValid() || got.TargetPort != 0 || got.Protocol != model.ProtoUnknown || got.ModifiedAt != nil ||
		got.Comment != "" || got.Archived || len(got.Details) != 0 || len(got.Packets) != 0 || got.Summary != "Scan" {
		t.Errorf("Event(%d) = %+v", bare.ID, got)
	}

	_, err = s.Event(ctx, bare.ID+1, false)
	wantError(t, err, model.ErrNotFound, "")
	_, err = s.Event(ctx, full.ID, true)
	wantError(t, err, model.ErrNotFound, "")

	// One bad event (unknown sensor) fails the whole batch: nothing of it is stored.
	ok := &model.Event{Timestamp: ts, SensorID: sn.ID, GroupID: g.ID, Service: "x", Source: bare.Source, Summary: "ok",
		Details: []model.Detail{{Data: "d"}}}
	orphan := &model.Event{Timestamp: ts, SensorID: sn.ID + 99, GroupID: g.ID, Service: "x", Source: bare.Source}
	if err := s.InsertEvents(ctx, []*model.Event{ok, orphan}); err == nil {
		t.Fatal("InsertEvents with an unknown sensor succeeded")
	}
	if n := countRows(t, s, "events", ""); n != 2 {
		t.Errorf("%d events after the failed batch, want 2", n)
	}
	if n := countRows(t, s, "event_data", ""); n != 1 {
		t.Errorf("%d event_data rows after the failed batch, want 1", n)
	}
	checkCounts(t, s)
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestListEventsKeysetPaging(t *testing.T) {
	fx := newFixture(t, 300)
	s := fx.s
	filters := map[string]*EventFilter{
		"all":             {},
		"new+in progress": {Status: []model.Status{model.StatusNew, model.StatusInProgress}},
	}
	keys := make([]string, 0, len(SortKeys))
	for k := range SortKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		for _, desc := range []bool{false, true} {
			for fname, f := range filters {
				want := referenceOrder(filterRows(f, rows(t, s, false)), key, desc)
				got := walkPages(t, s, f, key, desc, 7)
				if !slices.Equal(got, want) {
					t.Errorf("sort %s desc %v filter %s: pages give %d ids\n%v\nwant %d\n%v", key, desc, fname,
						len(got), got, len(want), want)
				}
			}
		}
	}

	// The same over the archive, whose rows have new ids and frozen names.
	if _, err := s.ArchiveEvents(context.Background(), &EventFilter{}); err != nil {
		t.Fatal(err)
	}
	archived := rows(t, s, true)
	if len(archived) != 300 {
		t.Fatalf("%d archived rows, want 300", len(archived))
	}
	for _, key := range keys {
		for _, desc := range []bool{false, true} {
			f := &EventFilter{Archive: true}
			if got, want := walkPages(t, s, f, key, desc, 7), referenceOrder(archived, key, desc); !slices.Equal(got, want) {
				t.Errorf("archive sort %s desc %v: pages %v, want %v", key, desc, got, want)
			}
		}
	}
	if got := walkPages(t, s, &EventFilter{}, "timestamp", true, 7); len(got) != 0 {
		t.Errorf("live list after archiving everything: %v", got)
	}
}

// listWith is ListEvents with the search's plan given (nil: planned as ListEvents plans it).
func listWith(s *Store, f *EventFilter, plan *searchPlan, p EventPage) ([]*model.Event, string, error) {
	ctx := context.Background()
	if plan == nil {
		return s.ListEvents(ctx, f, p)
	}
	q, err := s.planWith(ctx, f, &p, *plan)
	if err != nil {
		return nil, "", err
	}
	list, next, err := s.listPage(ctx, q)
	return list, encodeNext(next), err
}

// countScanned counts the filter's matches testing each row's text, the reference for the
// trigram index.
func countScanned(ctx context.Context, s *Store, f *EventFilter) (int64, error) {
	q := filterQuery(f)
	q.total.search = searchScan
	return s.count(ctx, q)
}

func filterRows(f *EventFilter, list []row) []row {
	var out []row
	for _, r := range list {
		if matches(f, r) {
			out = append(out, r)
		}
	}
	return out
}

func TestListEventsPageShape(t *testing.T) {
	fx := newFixture(t, 20)
	ctx := context.Background()
	list, next, err := fx.s.ListEvents(ctx, &EventFilter{}, EventPage{Sort: "id", Limit: 20})
	if err != nil || len(list) != 20 || next != "" {
		t.Errorf("exactly one full page: %d events, next %q, %v", len(list), next, err)
	}
	list, next, err = fx.s.ListEvents(ctx, &EventFilter{}, EventPage{Sort: "id", Limit: 19})
	if err != nil || len(list) != 19 || next == "" {
		t.Errorf("one short of all: %d events, next %q, %v", len(list), next, err)
	}
	// List rows carry the names, not the details.
	e := list[0]
	if e.SensorName == "" || e.GroupName == "" || e.Details != nil || e.Packets != nil {
		t.Errorf("list row %+v", e)
	}
	if e.ID != fx.events[0].ID || e.DetailsCount != 1 {
		t.Errorf("first row id %d with %d details, want %d with 1", e.ID, e.DetailsCount, fx.events[0].ID)
	}
	list, next, err = fx.s.ListEvents(ctx, &EventFilter{Groups: []int64{}}, EventPage{Sort: "timestamp", Limit: 5})
	if err != nil || len(list) != 0 || next != "" {
		t.Errorf("no groups: %d events, next %q, %v", len(list), next, err)
	}
}

func TestListEventsRefusesBadInput(t *testing.T) {
	fx := newFixture(t, 30)
	s := fx.s
	ctx := context.Background()
	cursorOf := func(key string) string {
		t.Helper()
		_, next, err := s.ListEvents(ctx, &EventFilter{}, EventPage{Sort: key, Limit: 3})
		if err != nil || next == "" {
			t.Fatalf("first page by %s: next %q, %v", key, next, err)
		}
		return next
	}

	_, _, err := s.ListEvents(ctx, &EventFilter{}, EventPage{Sort: "secret_column", Limit: 3})
	wantError(t, err, model.ErrInvalid, "sort")
	for _, limit := range []int{0, -1} {
		_, _, err := s.ListEvents(ctx, &EventFilter{}, EventPage{Sort: "id", Limit: limit})
		wantError(t, err, model.ErrInvalid, "limit")
	}

	// Each key's cursor works for its own key...
	for key := range SortKeys {
		if _, _, err := s.ListEvents(ctx, &EventFilter{}, EventPage{Sort: key, Limit: 3, Cursor: cursorOf(key)}); err != nil {
			t.Errorf("cursor of %s on its own list: %v", key, err)
		}
	}
	// ... and is refused for every other key: its value means nothing in another order.
	for from := range SortKeys {
		c := cursorOf(from)
		for to := range SortKeys {
			if to == from {
				continue
			}
			_, _, err := s.ListEvents(ctx, &EventFilter{}, EventPage{Sort: to, Limit: 3, Cursor: c})
			if model.ErrorCode(err) != model.ErrInvalid {
				t.Errorf("cursor of %s used with sort %s: err = %v, want invalid", from, to, err)
			}
		}
	}

	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, garbage := range []string{"!!!", "x", b64("null"), b64("{}"), b64(`{"k":"id","v":1,"i":0}`),
		b64(`{"k":"id","v":1,"i":-4}`), b64("[1,2]"), b64(`{"k":"source","v":5,"i":3}`),
		b64(`{"k":"source","v":"%%%","i":3}`), b64(`{"k":"nope","v":1,"i":3}`), strings.Repeat("A", 1000)} {
		for _, key := range []string{"id", "timestamp", "source", "summary"} {
			_, _, err := s.ListEvents(ctx, &EventFilter{}, EventPage{Sort: key, Limit: 3, Cursor: garbage})
			if model.ErrorCode(err) != model.ErrInvalid {
				t.Errorf("cursor %.40q with sort %s: err = %v, want invalid", garbage, key, err)
			}
		}
	}
}

func TestEventFilterConditions(t *testing.T) {
	fx := newFixture(t, 120)
	s := fx.s
	ctx := context.Background()
	ev := fx.events

	// Comments to search in, with LIKE's wildcards and the escape character as literal text.
	comments := map[int64]string{ev[1].ID: "checked 50% of it", ev[2].ID: "checked 50x of it", ev[3].ID: "snake_case",
		ev[4].ID: "snakeXcase", ev[5].ID: `C:\temp`, ev[6].ID: "MiXeD CaSe"}
	for id, c := range comments {
		c := c
		if _, err := s.UpdateEvents(ctx, &EventFilter{IDs: []int64{id}}, EventChange{Comment: &c}); err != nil {
			t.Fatal(err)
		}
	}
	from, to := eventBase.Add(10*time.Hour), eventBase.Add(20*time.Hour)
	mustMatch := map[string]int{} // filters whose answer must not be empty, so they test something
	cases := []struct {
		name string
		f    EventFilter
	}{
		{"everything", EventFilter{}},
		{"status new", EventFilter{Status: []model.Status{model.StatusNew}}},
		{"status resolved+ignored", EventFilter{Status: []model.Status{model.StatusResolved, model.StatusIgnored}}},
		{"status empty list", EventFilter{Status: []model.Status{}}},
		{"classification scan", EventFilter{Classification: []model.Classification{model.ClassScan}}},
		{"classification two", EventFilter{Classification: []model.Classification{model.ClassICMP, model.ClassHoneypot}}},
		{"groups nil", EventFilter{Groups: nil}},
		{"groups empty", EventFilter{Groups: []int64{}}},
		{"groups one", EventFilter{Groups: []int64{fx.groups[0].ID}}},
		{"groups two", EventFilter{Groups: []int64{fx.groups[1].ID, fx.groups[2].ID}}},
		{"groups unknown", EventFilter{Groups: []int64{9999}}},
		{"sensor", EventFilter{SensorID: fx.sensors[3].ID}},
		{"sensor and other group", EventFilter{SensorID: fx.sensors[3].ID, Groups: []int64{fx.groups[0].ID}}},
		{"from", EventFilter{From: &from}},
		{"to", EventFilter{To: &to}},
		{"from-to", EventFilter{From: &from, To: &to}},
		{"from exact event time", EventFilter{From: &ev[7].Timestamp, To: &ev[7].Timestamp}},
		{"query source", EventFilter{Query: "10.0.0.9"}},
		{"query source v6", EventFilter{Query: "2001:db8::a"}},
		{"query source start", EventFilter{Query: "10.0.0."}},
		{"query source start short", EventFilter{Query: "10"}},
		{"query source incomplete octet", EventFilter{Query: "10.0.0.1"}},
		{"query text too short", EventFilter{Query: "ab"}},
		{"query summary", EventFilter{Query: "login"}},
		{"query percent literal", EventFilter{Query: "100%"}},
		{"query percent alone", EventFilter{Query: "%"}},
		{"query underscore literal", EventFilter{Query: "a_b"}},
		{"query underscore alone", EventFilter{Query: "_"}},
		{"query comment percent", EventFilter{Query: "50%"}},
		{"query comment underscore", EventFilter{Query: "snake_"}},
		{"query backslash", EventFilter{Query: `\`}},
		{"query comment backslash", EventFilter{Query: `C:\t`}},
		{"query case", EventFilter{Query: "mixed case"}},
		{"ids", EventFilter{IDs: []int64{ev[0].ID, ev[50].ID, ev[119].ID, 99999}}},
		{"ids empty", EventFilter{IDs: []int64{}}},
		{"combined", EventFilter{
			Status:         []model.Status{model.StatusNew, model.StatusInProgress},
			Classification: []model.Classification{model.ClassScan, model.ClassHoneypot, model.ClassUnknown},
			Groups:         []int64{fx.groups[0].ID, fx.groups[2].ID},
			From:           &from,
			Query:          "10.",
		}},
	}
	for _, name := range []string{"status new", "classification scan", "groups one", "groups two", "sensor", "from",
		"to", "from-to", "from exact event time", "query source", "query source v6", "query source start",
		"query source start short", "query summary", "query percent literal", "query underscore literal",
		"query comment percent", "query comment underscore", "query comment backslash", "query case", "ids", "combined"} {
		mustMatch[name] = 1
	}
	results := map[string][]int64{}
	for _, c := range cases {
		f := c.f
		got := checkFilter(t, s, c.name, &f)
		results[c.name] = got
		if mustMatch[c.name] > 0 && len(got) == 0 {
			t.Errorf("%s: matches nothing, so it tests nothing", c.name)
		}
	}

	// Spot checks that the wildcards are taken literally (the brute force above could share a
	// misunderstanding with the query).
	for _, id := range results["query percent literal"] {
		if e, _ := s.Event(ctx, id, false); !strings.Contains(e.Summary, "100%") {
			t.Errorf("query 100%% matched %q", e.Summary)
		}
	}
	for _, id := range results["query underscore literal"] {
		if e, _ := s.Event(ctx, id, false); e.Summary != "a_b" {
			t.Errorf("query a_b matched %q", e.Summary)
		}
	}
	if got := results["query comment percent"]; !slices.Equal(got, []int64{ev[1].ID}) {
		t.Errorf("query 50%% matched %v, want only %d", got, ev[1].ID)
	}
	if got := results["query comment underscore"]; !slices.Equal(got, []int64{ev[3].ID}) {
		t.Errorf("query snake_ matched %v, want only %d", got, ev[3].ID)
	}
	if got := results["query comment backslash"]; !slices.Equal(got, []int64{ev[5].ID}) {
		t.Errorf(`query C:\t matched %v, want only %d`, got, ev[5].ID)
	}
	if n := len(results["everything"]); n != 120 {
		t.Errorf("everything: %d events, want 120", n)
	}
	if len(results["groups empty"]) != 0 || len(results["ids empty"]) != 0 || len(results["status empty list"]) != 0 {
		t.Errorf("empty lists must match nothing")
	}
}

func TestCountEventsMatchesBruteForce(t *testing.T) {
	fx := newFixture(t, 200)
	s := fx.s
	ctx := context.Background()
	check := func(stage string) {
		t.Helper()
		checkCounts(t, s)
		for _, archive := range []bool{false, true} {
			for i, f := range countFilters(fx, archive) {
				checkFilter(t, s, fmt.Sprintf("%s archive=%v filter %d", stage, archive, i), f)
			}
		}
	}
	check("fresh")

	resolved, ignored := model.StatusResolved, model.StatusIgnored
	if _, err := s.UpdateEvents(ctx, &EventFilter{Status: []model.Status{model.StatusNew}}, EventChange{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	check("after resolving New")
	if _, err := s.UpdateEvents(ctx, &EventFilter{Groups: []int64{fx.groups[2].ID}}, EventChange{Status: &ignored}); err != nil {
		t.Fatal(err)
	}
	check("after ignoring a group")
	if _, err := s.DeleteEvents(ctx, &EventFilter{Classification: []model.Classification{model.ClassICMP}}); err != nil {
		t.Fatal(err)
	}
	check("after deleting ICMP")
	if _, err := s.ArchiveEvents(ctx, &EventFilter{Status: []model.Status{model.StatusResolved}}); err != nil {
		t.Fatal(err)
	}
	check("after archiving Resolved")
	if _, err := s.DeleteEvents(ctx, &EventFilter{Archive: true, SensorID: fx.sensors[0].ID}); err != nil {
		t.Fatal(err)
	}
	check("after deleting archived events of a sensor")
	if _, err := s.ArchiveEvents(ctx, &EventFilter{}); err != nil {
		t.Fatal(err)
	}
	check("after archiving the rest")
	if n, _ := s.CountEvents(ctx, &EventFilter{}); n != 0 {
		t.Errorf("live count %d after archiving everything", n)
	}
}

// countFilters are filters of both kinds: countable ones answered from event_counts and
// others that count rows.
func countFilters(fx *fixture, archive bool) []*EventFilter {
	from := eventBase.Add(12 * time.Hour)
	return []*EventFilter{
		{Archive: archive},
		{Archive: archive, Status: []model.Status{model.StatusNew, model.StatusInProgress}},
		{Archive: archive, Status: []model.Status{model.StatusResolved}},
		{Archive: archive, Classification: []model.Classification{model.ClassScan, model.ClassHoneypot}},
		{Archive: archive, Groups: []int64{fx.groups[0].ID}},
		{Archive: archive, Groups: []int64{}},
		{Archive: archive, SensorID: fx.sensors[2].ID, Status: []model.Status{model.StatusIgnored}},
		{Archive: archive, Groups: []int64{fx.groups[1].ID, fx.groups[2].ID}, Classification: []model.Classification{model.ClassUnknown}},
		{Archive: archive, From: &from},
		{Archive: archive, Query: "scan"},
		{Archive: archive, IDs: []int64{fx.events[0].ID, fx.events[1].ID, fx.events[2].ID}},
		{Archive: archive, Status: []model.Status{model.StatusNew}, Query: "1"},
	}
}

// checkCounts verifies the invariant the triggers keep: event_counts holds, per dataset and
// (group, sensor, status, classification), exactly the number of rows of the table.
func checkCounts(t *testing.T, s *Store) {
	t.Helper()
	read := func(q string) map[string]int64 {
		rs, err := s.r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		m := map[string]int64{}
		for rs.Next() {
			var d, g, sn, st, c, n int64
			if err := rs.Scan(&d, &g, &sn, &st, &c, &n); err != nil {
				t.Fatal(err)
			}
			if n < 0 {
				t.Errorf("negative count %d for %d/%d/%d/%d/%d", n, d, g, sn, st, c)
			}
			if n != 0 {
				m[fmt.Sprint(d, g, sn, st, c)] = n
			}
		}
		return m
	}
	counted := read(`SELECT dataset, group_id, sensor_id, status, classification, n FROM event_counts`)
	actual := read(`SELECT 0, group_id, sensor_id, status, classification, count(*) FROM events
			GROUP BY group_id, sensor_id, status, classification
		UNION ALL SELECT 1, group_id, sensor_id, status, classification, count(*) FROM archived_events
			GROUP BY group_id, sensor_id, status, classification`)
	if !reflect.DeepEqual(counted, actual) {
		t.Errorf("event_counts drifted from the tables:\ncounted %v\nactual  %v", counted, actual)
	}
}

func TestLatestEventID(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g1, g2, g3 := addGroup(t, s, "one"), addGroup(t, s, "two"), addGroup(t, s, "three")
	s1, s2 := addSensor(t, s, "s1", g1.ID), addSensor(t, s, "s2", g2.ID)

	for _, groups := range [][]int64{nil, {}, {g1.ID}} {
		if id, err := s.LatestEventID(ctx, groups); err != nil || id != 0 {
			t.Errorf("empty store, groups %v: %d, %v", groups, id, err)
		}
	}
	ev := func(sn *model.Sensor) *model.Event {
		return &model.Event{Timestamp: eventBase, SensorID: sn.ID, GroupID: sn.GroupID, Service: "ssh",
			Source: netip.MustParseAddr("192.0.2.1"), Summary: "x"}
	}
	events := []*model.Event{ev(s1), ev(s1), ev(s2), ev(s1), ev(s2), ev(s2)}
	if err := s.InsertEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		groups []int64
		want   int64
	}{
		{nil, events[5].ID},
		{[]int64{}, 0},
		{[]int64{g1.ID}, events[3].ID},
		{[]int64{g2.ID}, events[5].ID},
		{[]int64{g1.ID, g2.ID}, events[5].ID},
		{[]int64{g3.ID}, 0},
	}
	for _, c := range cases {
		if id, err := s.LatestEventID(ctx, c.groups); err != nil || id != c.want {
			t.Errorf("LatestEventID(%v) = %d, %v; want %d", c.groups, id, err, c.want)
		}
	}
	// Archived events are not live: the latest of g2 goes back once its newest is archived.
	if _, err := s.ArchiveEvents(ctx, &EventFilter{IDs: []int64{events[5].ID}}); err != nil {
		t.Fatal(err)
	}
	if id, _ := s.LatestEventID(ctx, []int64{g2.ID}); id != events[4].ID {
		t.Errorf("after archiving the newest: %d, want %d", id, events[4].ID)
	}
}

func TestSearchUsesTheTrigramIndexAndScansCommonTerms(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	sn := searchSensor(t, s)
	// The rare event is the oldest: the probe of the newest rows cannot see it.
	evs := []*model.Event{{Timestamp: testNow, SensorID: sn.ID, GroupID: sn.GroupID, Service: "ssh",
		Source: netip.MustParseAddr("198.51.100.77"), Summary: "SSH login as oracle"}}
	for i := 0; i < probeRows+200; i++ {
		evs = append(evs, &model.Event{Timestamp: testNow.Add(time.Duration(i+1) * time.Second), SensorID: sn.ID, GroupID: sn.GroupID,
			Service: "http", Source: netip.MustParseAddr("192.0.2.1"), Summary: fmt.Sprintf("GET /wp-login.php #%d", i)})
	}
	if err := s.InsertEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	rare := &EventFilter{Query: "oracle"}
	if plan, _ := s.planSearch(ctx, rare); !plan.lookup {
		t.Errorf("rare term not looked up in the trigram index: %+v", plan)
	}
	if n, exact, err := s.CountMatches(ctx, rare); n != 1 || !exact || err != nil {
		t.Errorf("rare term: %d %v %v", n, exact, err)
	}
	if list, _, err := s.ListEvents(ctx, rare, EventPage{Sort: "timestamp", Desc: true, Limit: 5}); err != nil || len(list) != 1 {
		t.Errorf("rare term page: %v %v", list, err)
	}
	// A common term: estimated from the probe, listed by walking the time order.
	n, exact, _ := s.CountMatches(ctx, &EventFilter{Query: "wp-login"})
	if exact || n < probeRows || n > probeRows+201 {
		t.Errorf("common term: %d exact=%v, want an estimate near %d", n, exact, probeRows+200)
	}
	list, next, err := s.ListEvents(ctx, &EventFilter{Query: "WP-LOGIN"}, EventPage{Sort: "timestamp", Desc: true, Limit: 3})
	if err != nil || len(list) != 3 || next == "" || list[0].Summary != fmt.Sprintf("GET /wp-login.php #%d", probeRows+199) {
		t.Fatalf("common term page: %v %q %v", list, next, err)
	}
	// Fewer candidates than the probe: counted exactly.
	if n, exact, _ := s.CountMatches(ctx, &EventFilter{Query: "wp-login", IDs: []int64{2, 3, 4}}); n != 3 || !exact {
		t.Errorf("small candidate set: %d exact=%v", n, exact)
	}
	// Comments are searchable once set, and deleted events leave the index.
	id := evs[0].ID
	comment := "handed to incident response"
	if _, err := s.UpdateEvents(ctx, &EventFilter{IDs: []int64{id}}, EventChange{Comment: &comment}); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.CountMatches(ctx, &EventFilter{Query: "incident resp"}); n != 1 {
		t.Errorf("comment search found %d", n)
	}
	if _, err := s.DeleteEvents(ctx, &EventFilter{IDs: []int64{id}}); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.CountMatches(ctx, &EventFilter{Query: "incident resp"}); n != 0 {
		t.Errorf("deleted event still found: %d", n)
	}
	if n, _, _ := s.CountMatches(ctx, rare); n != 0 {
		t.Errorf("deleted event still found by summary: %d", n)
	}
}

func searchSensor(t *testing.T, s *Store) *model.Sensor {
	t.Helper()
	ctx := context.Background()
	g := &model.Group{Name: "Search"}
	if err := s.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	sn := &model.Sensor{Name: "search", GroupID: g.ID, UpdateInterval: 60, Secret: "s"}
	if err := s.CreateSensor(ctx, sn); err != nil {
		t.Fatal(err)
	}
	return sn
}

// eachIDs collects the ids EachEvent walks.
func eachIDs(t *testing.T, s *Store, f *EventFilter, key string, desc bool) []int64 {
	t.Helper()
	got := []int64{}
	if err := s.EachEvent(context.Background(), f, key, desc, func(e *model.Event) error {
		got = append(got, e.ID)
		return nil
	}); err != nil {
		t.Fatalf("EachEvent(%s, desc %v): %v", key, desc, err)
	}
	return got
}

func TestEachEventWalksEveryOrder(t *testing.T) {
	fx := newFixture(t, 300)
	s := fx.s
	// A burst: more events with one timestamp than one read of a time part takes.
	burst := make([]*model.Event, timeChunk+10)
	for i := range burst {
		burst[i] = &model.Event{Timestamp: eventBase.Add(5 * time.Hour), SensorID: fx.sensors[0].ID, GroupID: fx.sensors[0].GroupID,
			Service: "recon", Classification: model.ClassScan, Source: netip.MustParseAddr("198.51.100.1"), Summary: "burst",
			Status: model.StatusNew}
	}
	if err := s.InsertEvents(context.Background(), burst); err != nil {
		t.Fatal(err)
	}
	// Events that arrive in time order (the common case, read by id range) with a few late ones
	// among them.
	var ordered []*model.Event
	for i := range 3 * timeSpanRows {
		ts := eventBase.Add(50*time.Hour + time.Duration(i)*time.Second)
		if i%1000 == 999 {
			ts = eventBase.Add(60*time.Hour - time.Duration(i)*time.Second)
		}
		ordered = append(ordered, &model.Event{Timestamp: ts, SensorID: fx.sensors[1].ID, GroupID: fx.sensors[1].GroupID,
			Service: "ssh", Classification: model.ClassHoneypot, Source: netip.MustParseAddr("198.51.100.2"),
			Summary: "in order", Status: model.Status(i % 4)})
	}
	if err := s.InsertEvents(context.Background(), ordered); err != nil {
		t.Fatal(err)
	}
	from, to := eventBase.Add(3*time.Hour), eventBase.Add(55*time.Hour)
	filters := map[string]*EventFilter{
		"all":        {},
		"new":        {Status: []model.Status{model.StatusNew}},
		"time range": {From: &from, To: &to},
		"no match":   {Query: "no such text"},
	}
	for fname, f := range filters {
		for _, key := range []string{"id", "timestamp", "source"} {
			for _, desc := range []bool{false, true} {
				want := referenceOrder(filterRows(f, rows(t, s, false)), key, desc)
				if got := eachIDs(t, s, f, key, desc); !slices.Equal(got, want) {
					t.Errorf("%s, %s desc %v: %d ids, want %d (first %v / %v)", fname, key, desc, len(got), len(want),
						got[:min(5, len(got))], want[:min(5, len(want))])
				}
			}
		}
	}
}

// TestSearchEveryPlan: whichever way a search is answered (looked up in the indexes or tested
// row by row while walking the order), the pages and the exact totals match the reference.
func TestSearchEveryPlan(t *testing.T) {
	fx := newFixture(t, 2500) // more rows than the probe reads, so both plans occur
	s := fx.s
	plans := map[bool]int{}
	for _, q := range []string{"10.0.0.9", "10.", "9", "1", "2001:db8::a", "login", "no such text", "100%"} {
		for fname, base := range map[string]EventFilter{
			"all":    {},
			"group":  {Groups: []int64{fx.groups[0].ID}},
			"new":    {Status: []model.Status{model.StatusNew}},
			"sensor": {SensorID: fx.sensors[2].ID},
		} {
			f := base
			f.Query = q
			want := referenceOrder(filterRows(&f, rows(t, s, false)), "timestamp", true)
			plan, err := s.planSearch(context.Background(), &f)
			if err != nil {
				t.Fatal(err)
			}
			plans[plan.lookup]++
			if got := walkPages(t, s, &f, "timestamp", true, 7); !slices.Equal(got, want) {
				t.Errorf("q=%q %s (plan %+v): pages %v, want %v", q, fname, plan, got, want)
			}
			if n, exact, err := s.CountMatches(context.Background(), &f); err != nil || (exact && n != int64(len(want))) {
				t.Errorf("q=%q %s (plan %+v): total %d exact %v (%v), want %d", q, fname, plan, n, exact, err, len(want))
			}
			// The list's first page with its total, as the API reads them (at the same time, on two
			// connections).
			pg, err := s.Page(context.Background(), &f, EventPage{Sort: "timestamp", Desc: true, Limit: 7})
			if err != nil || (pg.Exact && pg.Total != int64(len(want))) || !slices.Equal(ids(pg.Items), want[:min(7, len(want))]) {
				t.Errorf("q=%q %s: Page = %d items, total %d exact %v (%v); want %d", q, fname, len(pg.Items), pg.Total, pg.Exact, err, len(want))
			}
		}
	}
	if plans[true] == 0 || plans[false] == 0 {
		t.Errorf("plans used: %v, want both the look-up and the walk", plans)
	}
}

func ids(list []*model.Event) []int64 {
	out := []int64{}
	for _, e := range list {
		out = append(out, e.ID)
	}
	return out
}

// TestSearchLookupPartsEveryOrder looks up terms that are both an address and text, with
// summaries that hold the address text (some of those events also come from the address): the
// two parts' pages are merged and their counts added, in every order, both directions, with
// cursors, under each kind of filter, and must equal the reference.
func TestSearchLookupPartsEveryOrder(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t, 300)
	s := fx.s
	var extra []*model.Event
	for i := 0; i < 90; i++ {
		sn := fx.sensors[i%len(fx.sensors)]
		src := "192.0.2.7"
		if i%3 == 0 {
			src = "10.0.0.9"
		}
		extra = append(extra, &model.Event{Timestamp: eventBase.Add(time.Duration((i*11)%41) * time.Hour), SensorID: sn.ID,
			GroupID: sn.GroupID, Service: "ssh", Classification: model.Classification(i % 5), Source: netip.MustParseAddr(src),
			TargetPort: 22 + i%3, Protocol: model.ProtoTCP, Summary: fmt.Sprintf("probe from 10.0.0.9 #%d", i%4),
			Status: model.Status(i % 4)})
	}
	if err := s.InsertEvents(ctx, extra); err != nil {
		t.Fatal(err)
	}
	all := rows(t, s, false)
	for _, q := range []string{"10.0.0.9", "10.0.0.", "10.0"} {
		for fname, base := range map[string]EventFilter{
			"all":    {},
			"groups": {Groups: []int64{fx.groups[0].ID, fx.groups[2].ID}},
			"status": {Status: []model.Status{model.StatusNew, model.StatusResolved}},
			"sensor": {SensorID: fx.sensors[2].ID},
		} {
			f := base
			f.Query = q
			lookup := &searchPlan{lookup: true, n: -1} // the plan under test, whatever the probe says
			planned, err := s.planWith(ctx, &f, &EventPage{Sort: "timestamp", Limit: 1}, *lookup)
			if err != nil || !planned.total.split || !planned.list.split {
				t.Fatalf("q=%q is not split into an address and a text part (%v)", q, err)
			}
			for key := range SortKeys {
				for _, desc := range []bool{false, true} {
					want := referenceOrder(filterRows(&f, all), key, desc)
					if got := walkPagesWith(t, s, &f, lookup, key, desc, 20); !slices.Equal(got, want) {
						t.Errorf("q=%q %s sort %s desc=%v: %v, want %v", q, fname, key, desc, got, want)
					}
				}
			}
			want := len(filterRows(&f, all))
			if n, exact, err := s.total(ctx, planned); err != nil || !exact || n != int64(want) {
				t.Errorf("q=%q %s: total %d exact %v (%v), want %d", q, fname, n, exact, err, want)
			}
		}
	}
}
