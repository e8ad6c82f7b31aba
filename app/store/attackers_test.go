package store

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"honeysens/app/model"
)

// TestAttackersMatchTheEvents pages through the attackers of every scope, order and filter and
// compares each row with the sums of the live events.
func TestAttackersMatchTheEvents(t *testing.T) {
	w := newRollupWorld(t, 7)
	for step := range 40 {
		if step%4 == 3 {
			w.change()
		} else {
			w.batch()
		}
	}
	events := bruteEvents(t, w.s)
	from, to := testNow.Add(20*time.Hour), testNow.Add(50*time.Hour)
	net6 := netip.MustParsePrefix("2001:db8::/126")
	for _, scope := range [][]int64{nil, {w.groups[0]}, {w.groups[1]}, {w.groups[0], w.groups[1]}} {
		for _, filter := range []AttackerFilter{{}, {From: &from, To: &to}, {Source: &net6}} {
			filter.Groups = scope
			want := map[string]*Attacker{}
			for _, e := range events {
				a := netip.MustParseAddr(e.source)
				if !inScope(scope, e.group) || (filter.Source != nil && !filter.Source.Contains(a)) {
					continue
				}
				x := want[e.source]
				if x == nil {
					x = &Attacker{Source: a, FirstSeen: fromMS(e.ts), LastSeen: fromMS(e.ts), Classes: map[model.Classification]int64{},
						Services: map[string]int64{}, Ports: map[int]int64{}, Sensors: map[int64]int64{}}
					want[e.source] = x
				}
				x.FirstSeen, x.LastSeen = minTime(x.FirstSeen, fromMS(e.ts)), maxTime(x.LastSeen, fromMS(e.ts))
				x.Events++
				if e.status == 0 {
					x.NewEvents++
				}
				x.LoginsTried += int64(len(e.facts.Logins))
				x.LoginsAccepted += e.facts.accepted()
				x.Commands += int64(len(e.facts.Commands))
				x.Classes[model.Classification(e.class)]++
				x.Services[e.service]++
				if e.port > 0 {
					x.Ports[int(e.port)]++
				}
				x.Sensors[e.sensor]++
			}
			var rows []*Attacker
			for _, a := range want {
				if filter.From != nil && (a.LastSeen.Before(from) || a.FirstSeen.After(to)) {
					continue
				}
				rows = append(rows, a)
			}
			for sort := range AttackerSorts {
				for _, desc := range []bool{false, true} {
					name := fmt.Sprintf("scope %v filter %+v sort %s desc %v", scope, filter, sort, desc)
					slices.SortFunc(rows, func(a, b *Attacker) int {
						var c int
						switch sort {
						case "last_seen":
							c = a.LastSeen.Compare(b.LastSeen)
						case "first_seen":
							c = a.FirstSeen.Compare(b.FirstSeen)
						case "events":
							c = int(a.Events - b.Events)
						}
						if c == 0 {
							c = bytes.Compare(sourceKey(a.Source), sourceKey(b.Source))
						}
						if desc {
							c = -c
						}
						return c
					})
					var got []*Attacker
					cursor := ""
					for {
						page, next, total, err := w.s.Attackers(context.Background(), filter, AttackerPage{Sort: sort, Desc: desc, Limit: 3, Cursor: cursor})
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if total != int64(len(rows)) {
							t.Fatalf("%s: total %d, want %d", name, total, len(rows))
						}
						got = append(got, page...)
						if next == "" {
							break
						}
						cursor = next
					}
					if len(got) != len(rows) {
						t.Fatalf("%s: %d rows, want %d", name, len(got), len(rows))
					}
					for i := range got {
						if g, wnt := fmt.Sprintf("%+v", *got[i]), fmt.Sprintf("%+v", *rows[i]); g != wnt {
							t.Fatalf("%s: row %d\n got %s\nwant %s", name, i, g, wnt)
						}
					}
				}
			}
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
