package store

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"testing"
	"time"

	"honeysens/app/model"
)

// bruteEvent is a live event as the brute-force reference reads it.
type bruteEvent struct {
	ts                  int64
	group, sensor       int64
	service, source     string
	class, status, port int64
	facts               eventFacts
}

func bruteEvents(t *testing.T, s *Store) []bruteEvent {
	t.Helper()
	rows, err := s.r.Query(`SELECT e.timestamp, e.group_id, e.sensor_id, e.service, e.source, e.classification, e.status,
		e.target_port, coalesce(d.facts, '{}') FROM events e LEFT JOIN event_data d ON d.event_id = e.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []bruteEvent
	for rows.Next() {
		var e bruteEvent
		var facts string
		if err := rows.Scan(&e.ts, &e.group, &e.sensor, &e.service, &e.source, &e.class, &e.status, &e.port, &facts); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(facts), &e.facts); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func inScope(groups []int64, g int64) bool { return groups == nil || slices.Contains(groups, g) }

// checkTop compares a top list with the exact counts: the same counts in the same order as the
// reference's best ones, and each value's count exact (values tied at the last place may differ).
func checkTop(t *testing.T, name string, got []TopValue, want map[string]int64) {
	t.Helper()
	var counts []int64
	for _, n := range want {
		if n > 0 {
			counts = append(counts, n)
		}
	}
	sort.Slice(counts, func(i, j int) bool { return counts[i] > counts[j] })
	counts = counts[:min(len(counts), topN)]
	if len(got) != len(counts) {
		t.Fatalf("%s: got %d rows %v, want %d (counts %v)", name, len(got), got, len(counts), counts)
	}
	for i, v := range got {
		if v.Count != counts[i] || want[v.Value] != v.Count {
			t.Fatalf("%s: row %d is %q with %d; want count %d (its exact count is %d); list %v", name, i, v.Value, v.Count,
				counts[i], want[v.Value], got)
		}
	}
}

// TestOverviewMatchesTheEvents compares the overview of several periods and scopes with counts
// computed from the live events, after random ingest and bulk changes.
func TestOverviewMatchesTheEvents(t *testing.T) {
	for seed := range uint64(3) {
		w := newRollupWorld(t, 100+seed)
		for step := range 40 {
			if step%4 == 3 {
				w.change()
			} else {
				w.batch()
			}
		}
		events := bruteEvents(t, w.s)
		scopes := [][]int64{nil, {w.groups[0]}, {w.groups[1]}, {w.groups[0], w.groups[1]}, {}}
		periods := [][2]time.Time{
			{testNow, testNow.Add(24 * time.Hour)},
			{testNow.Add(-time.Hour), testNow.Add(72 * time.Hour)},
			{testNow.Add(30*time.Hour + 17*time.Minute), testNow.Add(31*time.Hour + 5*time.Minute)},
		}
		// Budgets: count every period directly (these are small), walk and give up after a few
		// values, walk to the end.
		for _, budget := range []int{defaultWalkBudget, 5, 1 << 30} {
			for _, scope := range scopes {
				for _, p := range periods {
					name := fmt.Sprintf("seed %d budget %d scope %v period %v", seed, budget, scope, p)
					w.s.walkBudget = budget
					o, err := w.s.Overview(context.Background(), OverviewQuery{From: p[0], To: p[1], Groups: scope})
					if err != nil {
						t.Fatal(err)
					}
					from, to, prev := ms(o.From), ms(o.To), ms(o.PreviousFrom)
					if o.From.After(p[0]) || o.To.Before(p[1]) || (to-from)%hourMS != 0 || from-prev != to-from {
						t.Fatalf("%s: period %v-%v (previous from %v)", name, o.From, o.To, o.PreviousFrom)
					}
					byClass, prevClass, byStatus := map[model.Classification]int64{}, map[model.Classification]int64{}, map[model.Status]int64{}
					timeline := map[int64]int64{}
					tops := map[string]map[string]int64{}
					for _, l := range TopLists {
						tops[l] = map[string]int64{}
					}
					for _, e := range events {
						if !inScope(scope, e.group) {
							continue
						}
						if e.ts >= prev && e.ts < from {
							prevClass[model.Classification(e.class)]++
						}
						if e.ts < from || e.ts >= to {
							continue
						}
						byClass[model.Classification(e.class)]++
						byStatus[model.Status(e.status)]++
						timeline[e.ts/hourMS*hourMS]++
						tops["sources"][e.source]++
						tops["services"][e.service]++
						if e.port > 0 {
							tops["ports"][fmt.Sprint(e.port)]++
						}
						for _, l := range e.facts.Logins {
							tops["usernames"][l.User]++
							tops["passwords"][l.Password]++
						}
						for _, c := range e.facts.Commands {
							tops["commands"][c]++
						}
						for _, p := range e.facts.Paths {
							tops["paths"][p]++
						}
					}
					for _, m := range []struct {
						got, want any
						what      string
					}{{o.ByClass, byClass, "by class"}, {o.PreviousByClass, prevClass, "previous by class"}, {o.ByStatus, byStatus, "by status"}} {
						if fmt.Sprint(m.got) != fmt.Sprint(m.want) {
							t.Fatalf("%s: %s %v, want %v", name, m.what, m.got, m.want)
						}
					}
					if len(o.Timeline) != int((to-from)/hourMS) {
						t.Fatalf("%s: %d timeline buckets for %d hours", name, len(o.Timeline), (to-from)/hourMS)
					}
					for _, b := range o.Timeline {
						var n int64
						for _, c := range b.Counts {
							n += c
						}
						if n != timeline[ms(b.Start)] {
							t.Fatalf("%s: hour %v has %d, want %d", name, b.Start, n, timeline[ms(b.Start)])
						}
					}
					for _, l := range TopLists {
						checkTop(t, name+" "+l, o.Top[l], tops[l])
					}
					for i, e := range o.RecentCritical {
						if e.Classification != model.ClassHoneypot || !inScope(scope, e.GroupID) || ms(e.Timestamp) < from || ms(e.Timestamp) >= to ||
							(i > 0 && e.Timestamp.After(o.RecentCritical[i-1].Timestamp)) {
							t.Fatalf("%s: recent critical %d is %+v", name, i, e)
						}
					}
					if n := byClass[model.ClassHoneypot]; int64(len(o.RecentCritical)) != min(n, topN) {
						t.Fatalf("%s: %d recent critical events, want %d", name, len(o.RecentCritical), min(n, topN))
					}
				}
			}
		}
	}
}

// TestOverviewWalkFallsBackToTheDirectCount makes the ranked walk of the sources too long: in a
// period of nine days a dozen addresses are busy, while thousands of others were busier before
// it (their all-time counts come first in the walk), and checks the direct count's answer.
func TestOverviewWalkFallsBackToTheDirectCount(t *testing.T) {
	s := newStore(t)
	g := addGroup(t, s, "g")
	sn := &model.Sensor{Name: "s", GroupID: g.ID, UpdateInterval: 60, Secret: "x"}
	if err := s.CreateSensor(context.Background(), sn); err != nil {
		t.Fatal(err)
	}
	var evs []*model.Event
	for i := range defaultWalkBudget + 500 {
		for j := range 3 {
			evs = append(evs, &model.Event{Timestamp: testNow.Add(time.Duration(j*24) * time.Hour), SensorID: sn.ID, GroupID: g.ID,
				Service: "ssh", Source: netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), Summary: "x"})
		}
	}
	for i := range 12 {
		for range 1 + i/9 {
			evs = append(evs, &model.Event{Timestamp: testNow.Add(6 * 24 * time.Hour), SensorID: sn.ID, GroupID: g.ID,
				Service: "ssh", Source: netip.AddrFrom4([4]byte{10, 2, 0, byte(i)}), Summary: "x"})
		}
	}
	if err := s.CommitBatch(context.Background(), evs, nil, nil); err != nil {
		t.Fatal(err)
	}
	// Longer than eight days: the walk reads the addresses busiest of all time first.
	from, to := testNow.Add(60*time.Hour), testNow.Add(12*24*time.Hour)
	// A budget below the period's 15 events: the walk runs, reads thousands of addresses that
	// were busier before the period and gives up for the direct count.
	s.walkBudget = 10
	o, err := s.Overview(context.Background(), OverviewQuery{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, e := range evs {
		if !e.Timestamp.Before(from) && e.Timestamp.Before(to) {
			want[e.Source.String()]++
		}
	}
	checkTop(t, "sources", o.Top["sources"], want)
	if top := o.Top["sources"][0]; !slices.Contains([]string{"10.2.0.9", "10.2.0.10", "10.2.0.11"}, top.Value) || top.Count != 2 {
		t.Fatalf("top source %+v", top)
	}
}
