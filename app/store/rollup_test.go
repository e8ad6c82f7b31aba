package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
)

// rollupWorld is a store with two groups and four sensors that random events are sent to.
type rollupWorld struct {
	t        *testing.T
	s        *Store
	rnd      *rand.Rand
	groups   []int64
	sensors  []*model.Sensor
	sessions map[string]*model.Event // open sessions by id, with the last report sent
	n        int
}

func newRollupWorld(t *testing.T, seed uint64) *rollupWorld {
	s := newStore(t)
	w := &rollupWorld{t: t, s: s, rnd: rand.New(rand.NewPCG(seed, 7)), sessions: map[string]*model.Event{}}
	for i := range 2 {
		g := addGroup(t, s, fmt.Sprintf("group-%d", i))
		w.groups = append(w.groups, g.ID)
	}
	for i := range 4 {
		sn := &model.Sensor{Name: fmt.Sprintf("sensor-%d", i), GroupID: w.groups[i%2], UpdateInterval: 60, Secret: "s"}
		if err := s.CreateSensor(context.Background(), sn); err != nil {
			t.Fatal(err)
		}
		w.sensors = append(w.sensors, sn)
	}
	return w
}

var rollupValues = []string{"root", "admin", "123456", "/wp-login.php", "uname -a", "x\x00y", "ü", ""}

// event makes a random event of a random sensor: few sources and values, so that they repeat.
func (w *rollupWorld) event() *model.Event {
	w.n++
	sn := w.sensors[w.rnd.IntN(len(w.sensors))]
	e := &model.Event{
		Timestamp:      testNow.Add(time.Duration(w.rnd.IntN(72*60)) * time.Minute),
		SensorID:       sn.ID,
		GroupID:        sn.GroupID,
		Service:        []string{"ssh", "http", "recon", "Weird Service"}[w.rnd.IntN(4)],
		Classification: model.Classification(w.rnd.IntN(5)),
		Status:         model.Status(w.rnd.IntN(4)),
		Source:         netip.AddrFrom4([4]byte{10, 0, 0, byte(w.rnd.IntN(6))}),
		TargetPort:     []int{0, 22, 80, 3306}[w.rnd.IntN(4)],
		Summary:        fmt.Sprintf("event %d", w.n),
	}
	if w.rnd.IntN(3) == 0 {
		e.Source = netip.MustParseAddr("2001:db8::" + strconv.Itoa(w.rnd.IntN(3)))
	}
	w.facts(e)
	return e
}

func (w *rollupWorld) facts(e *model.Event) {
	e.Logins, e.Commands, e.Paths = nil, nil, nil
	pick := func() string { return rollupValues[w.rnd.IntN(len(rollupValues))] }
	for range w.rnd.IntN(4) {
		e.AddLogin(pick(), pick(), w.rnd.IntN(3) == 0)
	}
	for range w.rnd.IntN(3) {
		e.AddCommand(pick())
	}
	for range w.rnd.IntN(3) {
		e.AddPath(pick())
	}
}

// batch commits a batch of new events, new sessions and later reports of open sessions (some
// repeated, some final).
func (w *rollupWorld) batch() {
	var evs []*model.Event
	for range 1 + w.rnd.IntN(20) {
		switch r := w.rnd.IntN(10); {
		case r < 6:
			evs = append(evs, w.event())
		case r < 8:
			e := w.event()
			e.Session, e.Revision, e.Ongoing = fmt.Sprintf("s%d", w.n), 1, true
			w.sessions[e.Session] = e
			evs = append(evs, e.Clone())
		default:
			for id, e := range w.sessions {
				if w.rnd.IntN(4) > 0 { // else a repeat of the last report
					e.Revision++
					e.Classification = model.Classification(w.rnd.IntN(5))
					e.Summary += "+"
					w.facts(e)
				}
				if w.rnd.IntN(3) == 0 {
					e.Ongoing = false
					delete(w.sessions, id)
				}
				evs = append(evs, e.Clone())
				break
			}
		}
	}
	if err := w.s.CommitBatch(context.Background(), evs, nil, nil); err != nil {
		w.t.Fatal(err)
	}
}

// change runs a random bulk operation.
func (w *rollupWorld) change() string {
	ctx := context.Background()
	var err error
	var what string
	switch w.rnd.IntN(6) {
	case 0:
		st := model.Status(w.rnd.IntN(4))
		what = "status"
		_, err = w.s.UpdateEvents(ctx, &EventFilter{Classification: []model.Classification{model.Classification(w.rnd.IntN(5))}},
			EventChange{Status: &st})
	case 1:
		what = "delete"
		_, err = w.s.DeleteEvents(ctx, &EventFilter{SensorID: w.sensors[w.rnd.IntN(4)].ID, Status: []model.Status{model.Status(w.rnd.IntN(4))}})
	case 2:
		what = "archive"
		_, err = w.s.ArchiveEvents(ctx, &EventFilter{Status: []model.Status{model.StatusResolved}})
	case 3:
		what = "move sensor"
		sn := w.sensors[w.rnd.IntN(4)]
		sn.GroupID = w.groups[w.rnd.IntN(2)]
		err = w.s.UpdateSensor(ctx, sn)
	case 4:
		what = "comment"
		c := "seen"
		_, err = w.s.UpdateEvents(ctx, &EventFilter{}, EventChange{Comment: &c})
	case 5:
		what = "delete one address"
		f := &EventFilter{Query: "10.0.0." + strconv.Itoa(w.rnd.IntN(6))}
		_, err = w.s.DeleteEvents(ctx, f)
	}
	if err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
	return what
}

// TestRollupsMatchTheEvents compares every read model with what it must be, computed from the
// live events themselves, after random ingest, session reports and bulk changes.
func TestRollupsMatchTheEvents(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			w := newRollupWorld(t, seed)
			for step := range 60 {
				what := "ingest"
				if step%3 == 2 {
					what = w.change()
				} else {
					w.batch()
				}
				if diff := rollupDiff(t, w.s); diff != "" {
					t.Fatalf("step %d (%s): %s", step, what, diff)
				}
			}
			if n := countRows(t, w.s, "events", ""); n < 50 {
				t.Fatalf("only %d events left: the test exercises too little", n)
			}
		})
	}
}

// rollupDiff computes the rollups from the live events and describes the first difference from
// the stored ones.
func rollupDiff(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	type row = string
	want := map[string]map[row]int64{}
	add := func(table string, r row, n int64) {
		if want[table] == nil {
			want[table] = map[row]int64{}
		}
		want[table][r] += n
	}
	type attacker struct {
		first, last, events, news, logins, ok, commands int64
		classes, services, ports, sensors               map[string]int64
	}
	attackers := map[string]*attacker{}
	scopes := []int64{0} // the all-groups rows, kept while there are two groups or more
	if countRows(t, s, "groups", "") < 2 {
		scopes = nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT e.id, e.timestamp, e.group_id, e.sensor_id, e.service, e.classification, e.status,
		e.target_port, e.source, coalesce(d.facts, '{}') FROM events e LEFT JOIN event_data d ON d.event_id = e.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ts, group, sensor, class, status, port int64
		var service, source, factsText string
		if err := rows.Scan(&id, &ts, &group, &sensor, &service, &class, &status, &port, &source, &factsText); err != nil {
			t.Fatal(err)
		}
		var facts eventFacts
		if err := json.Unmarshal([]byte(factsText), &facts); err != nil {
			t.Fatal(err)
		}
		hour := ts / 3600000
		add("event_hours", fmt.Sprintf("%d %d %d %s %d %d", hour, group, sensor, service, class, status), 1)
		if port > 0 {
			add("port_hours", fmt.Sprintf("%d %d %d", hour, group, port), 1)
		}
		add("source_days", fmt.Sprintf("%d %d %s", group, ts/dayMS, source), 1)
		values := map[string][]string{}
		for _, l := range facts.Logins {
			values["1"] = append(values["1"], l.User)
			values["2"] = append(values["2"], l.Password)
		}
		values["3"], values["4"] = facts.Commands, facts.Paths
		for kind, vs := range values {
			for _, v := range vs {
				add("fact_totals", fmt.Sprintf("%s %d %q", kind, group, v), 1)
				add("event_facts", fmt.Sprintf("%s %q %d %d %d", kind, v, ts, id, group), 1)
				add("fact_hours", fmt.Sprintf("%s %q %d %d", kind, v, hour, group), 1)
			}
		}
		for _, g := range append([]int64{group}, scopes...) {
			k := fmt.Sprint(g, " ", source)
			a := attackers[k]
			if a == nil {
				a = &attacker{first: ts, last: ts, classes: map[string]int64{}, services: map[string]int64{},
					ports: map[string]int64{}, sensors: map[string]int64{}}
				attackers[k] = a
			}
			a.first, a.last = min(a.first, ts), max(a.last, ts)
			a.events++
			if status == 0 {
				a.news++
			}
			a.logins += int64(len(facts.Logins))
			a.ok += facts.accepted()
			a.commands += int64(len(facts.Commands))
			a.classes[fmt.Sprint(class)]++
			a.services[service]++
			if port > 0 {
				a.ports[fmt.Sprint(port)]++
			}
			a.sensors[fmt.Sprint(sensor)]++
		}
	}
	for k, a := range attackers {
		add("attackers", fmt.Sprint(k, a.first, a.last, a.events, a.news, a.logins, a.ok, a.commands,
			countsJSON(a.classes), countsJSON(a.services), countsJSON(a.ports), countsJSON(a.sensors)), 1)
	}

	got := map[string]map[row]int64{}
	for table, q := range map[string]string{
		"event_hours": `SELECT hour || ' ' || group_id || ' ' || sensor_id || ' ' || service || ' ' || classification || ' ' || status, n FROM event_hours`,
		"port_hours":  `SELECT hour || ' ' || group_id || ' ' || port, n FROM port_hours`,
		"source_days": `SELECT group_id, day, source_key, n FROM source_days`,
		"fact_totals": `SELECT kind, group_id, value, n FROM fact_totals`,
		"event_facts": `SELECT kind, value, timestamp, event_id, group_id, n FROM event_facts`,
		"fact_hours":  `SELECT kind, value, hour, group_id, n FROM fact_hours`,
		"attackers":   `SELECT group_id, source, first_seen, last_seen, events, new_events, logins, logins_ok, commands, classes, services, ports, sensors FROM attackers`,
	} {
		got[table] = map[row]int64{}
		func() { // each table's rows are closed before the next query
			rows, err := s.r.QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				var r row
				var n int64 = 1
				switch table {
				case "event_hours", "port_hours":
					r, n = fmt.Sprint(vals[0]), vals[1].(int64)
				case "fact_totals":
					r, n = fmt.Sprintf("%d %d %q", vals[0], vals[1], vals[2]), vals[3].(int64)
				case "source_days":
					r, n = fmt.Sprintf("%d %d %s", vals[0], vals[1], addrOfKey(vals[2].([]byte))), vals[3].(int64)
				case "fact_hours":
					r, n = fmt.Sprintf("%d %q %d %d", vals[0], vals[1], vals[2], vals[3]), vals[4].(int64)
				case "event_facts":
					r, n = fmt.Sprintf("%d %q %d %d %d", vals[0], vals[1], vals[2], vals[3], vals[4]), vals[5].(int64)
				case "attackers":
					var again []string // the JSON maps, re-encoded so that key order cannot differ
					for _, v := range vals[9:] {
						m := map[string]int64{}
						if err := json.Unmarshal([]byte(v.(string)), &m); err != nil {
							t.Fatal(err)
						}
						again = append(again, countsJSON(m))
					}
					r = fmt.Sprint(fmt.Sprint(vals[0], " ", vals[1]), vals[2], vals[3], vals[4], vals[5], vals[6], vals[7], vals[8],
						again[0], again[1], again[2], again[3])
				}
				got[table][r] += n
			}
		}()
	}
	for _, table := range slices.Sorted(maps.Keys(got)) {
		for _, r := range slices.Sorted(maps.Keys(got[table])) {
			if got[table][r] != want[table][r] {
				return fmt.Sprintf("%s: row %s has %d, want %d", table, r, got[table][r], want[table][r])
			}
		}
		for _, r := range slices.Sorted(maps.Keys(want[table])) {
			if _, ok := got[table][r]; !ok {
				return fmt.Sprintf("%s: row %s missing (want %d)", table, r, want[table][r])
			}
		}
	}
	return ""
}

// FuzzCounts checks that the hand-written count objects are valid JSON of the same counts and
// read back by parseCounts.
func FuzzCounts(f *testing.F) {
	for _, s := range []string{"ssh", "", "a\"b", "back\\slash", "\x00\x1f", "ü€", "{}"} {
		f.Add(s, int64(3))
	}
	f.Fuzz(func(t *testing.T, key string, n int64) {
		key = strings.ToValidUTF8(key, "?")
		m := map[string]int64{key: n, "other": 1}
		text := countsJSON(m)
		var viaJSON map[string]int64
		if err := json.Unmarshal([]byte(text), &viaJSON); err != nil || !maps.Equal(viaJSON, m) {
			t.Fatalf("%q: encoding/json reads %v (%v), want %v", text, viaJSON, err, m)
		}
		back, ok := parseCounts(text)
		if !ok || !maps.Equal(back, m) {
			t.Fatalf("%q: parseCounts gives %v %v, want %v", text, back, ok, m)
		}
	})
}

// TestAllGroupsRowsFollowTheGroups: with one group the attackers table has no all-groups rows;
// the second group brings them (a copy), deleting it takes them away, and ingest in between
// keeps them exact.
func TestAllGroupsRowsFollowTheGroups(t *testing.T) {
	w := newRollupWorld(t, 11)
	ctx := context.Background()
	// Leave one group: move every sensor to the first, then delete the second.
	for _, sn := range w.sensors {
		sn.GroupID = w.groups[0]
		if err := w.s.UpdateSensor(ctx, sn); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.s.DeleteGroup(ctx, w.groups[1], false); err != nil {
		t.Fatal(err)
	}
	w.groups = w.groups[:1]
	for range 5 {
		w.batch()
	}
	if n := countRows(t, w.s, "attackers", "group_id = 0"); n != 0 {
		t.Fatalf("%d all-groups rows with one group", n)
	}
	if diff := rollupDiff(t, w.s); diff != "" {
		t.Fatal("one group:", diff)
	}
	g := addGroup(t, w.s, "second")
	if diff := rollupDiff(t, w.s); diff != "" || countRows(t, w.s, "attackers", "group_id = 0") == 0 {
		t.Fatal("second group created:", diff)
	}
	w.groups = append(w.groups, g.ID)
	w.sensors[1].GroupID = g.ID
	if err := w.s.UpdateSensor(ctx, w.sensors[1]); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		w.batch()
	}
	if diff := rollupDiff(t, w.s); diff != "" {
		t.Fatal("two groups:", diff)
	}
	if _, err := w.s.DeleteSensor(ctx, w.sensors[1].ID, false); err != nil {
		t.Fatal(err)
	}
	w.sensors = append(w.sensors[:1], w.sensors[2:]...)
	if _, err := w.s.DeleteGroup(ctx, g.ID, false); err != nil {
		t.Fatal(err)
	}
	if diff := rollupDiff(t, w.s); diff != "" || countRows(t, w.s, "attackers", "group_id = 0") != 0 {
		t.Fatal("second group deleted:", diff)
	}
}

// TestAllGroupsRowsAddUpAnAddressInTwoGroups: events stored for a sensor's old group (its move
// raced a batch) leave an address with rows in two groups; the all-groups rows that a new second
// group brings add them up.
func TestAllGroupsRowsAddUpAnAddressInTwoGroups(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a, b := addGroup(t, s, "a"), addGroup(t, s, "b")
	sn := &model.Sensor{Name: "s", GroupID: b.ID, UpdateInterval: 60, Secret: "x"}
	if err := s.CreateSensor(ctx, sn); err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddr("192.0.2.1")
	evs := []*model.Event{
		{Timestamp: testNow, SensorID: sn.ID, GroupID: a.ID, Service: "ssh", Source: src, Summary: "old group"},
		{Timestamp: testNow.Add(time.Minute), SensorID: sn.ID, GroupID: b.ID, Service: "http", Source: src, Summary: "new group"},
	}
	if err := s.CommitBatch(ctx, evs, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteGroup(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	addGroup(t, s, "c")
	if diff := rollupDiff(t, s); diff != "" {
		t.Fatal(diff)
	}
	if n := countRows(t, s, "attackers", "group_id = 0 AND events = 2"); n != 1 {
		t.Fatalf("%d all-groups rows with both events", n)
	}
}
