package store

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
)

// TestMaintainMergesTheSearchIndexAndFreesPages stores events in many small transactions (one
// search index segment each, as ingest does), deletes half of them, and checks that Maintain
// leaves one segment, no free pages and a smaller file, with every search answering as before.
func TestMaintainMergesTheSearchIndexAndFreesPages(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	g := addGroup(t, s, "Maintained")
	sn := addSensor(t, s, "maintained", g.ID)
	for batch := 0; batch < 40; batch++ {
		var events []*model.Event
		for i := 0; i < 50; i++ {
			n := batch*50 + i
			events = append(events, &model.Event{
				Timestamp: eventBase.Add(time.Duration(n) * time.Second), SensorID: sn.ID, GroupID: g.ID,
				Service: "ssh", Source: netip.AddrFrom4([4]byte{10, 0, byte(n >> 8), byte(n)}), Protocol: model.ProtoTCP,
				Summary: fmt.Sprintf("SSH login as user-%d from host-%d", n%97, n%13),
				Status:  model.Status(n / 1000), // the second half goes: whole pages free
				Details: []model.Detail{{Type: model.DetailGeneric, Data: strings.Repeat("x", 300)}},
			})
		}
		if err := s.InsertEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DeleteEvents(ctx, &EventFilter{Status: []model.Status{model.StatusInProgress}}); err != nil {
		t.Fatal(err)
	}
	terms := []string{"user-42 ", "host-7", "no such text", "10.0.3.", "10.0.1.7"}
	counts := func() []int64 {
		var out []int64
		for _, q := range terms {
			n, err := s.CountEvents(ctx, &EventFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		return out
	}
	segments := func() int {
		return countRows(t, s, "(SELECT DISTINCT segid FROM events_fts_idx)", "")
	}
	before, segmentsBefore := counts(), segments()
	freeBefore, pagesBefore := pragma(t, s.w, "freelist_count"), pragma(t, s.w, "page_count")
	if segmentsBefore < 2 || freeBefore == "0" {
		t.Fatalf("the test needs several segments and free pages: %d segments, %s free pages", segmentsBefore, freeBefore)
	}

	if err := s.Maintain(ctx); err != nil {
		t.Fatalf("Maintain: %v", err)
	}
	if n := segments(); n != 1 {
		t.Errorf("search index segments after Maintain = %d (before %d), want 1", n, segmentsBefore)
	}
	if free := pragma(t, s.w, "freelist_count"); free != "0" {
		t.Errorf("free pages after Maintain = %s (before %s), want 0", free, freeBefore)
	}
	if pages := pragma(t, s.w, "page_count"); len(pages) > len(pagesBefore) || (len(pages) == len(pagesBefore) && pages >= pagesBefore) {
		t.Errorf("pages after Maintain = %s, before %s: want fewer", pages, pagesBefore)
	}
	after := counts()
	for i, q := range terms {
		want, err := countScanned(ctx, s, &EventFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if before[i] != want || after[i] != want {
			t.Errorf("search %q: %d matches before Maintain, %d after, %d by reading every row", q, before[i], after[i], want)
		}
	}
	if after[0] == 0 || after[3] == 0 {
		t.Errorf("searches %v found %v: the test wants matches", terms, after)
	}
	if got := pragma(t, s.w, "integrity_check"); got != "ok" {
		t.Errorf("integrity_check = %s", got)
	}
	// A second run finds nothing left to do and still succeeds.
	if err := s.Maintain(ctx); err != nil {
		t.Fatalf("Maintain again: %v", err)
	}
}

// TestMaintainEndsUnderSteadyIngest runs Maintain while events keep arriving, each insert a
// new search index segment: Maintain must end while the ingest still goes on (a merge that
// chased every new segment would only end once the ingest stopped), and every event must be
// found by the search afterwards.
func TestMaintainEndsUnderSteadyIngest(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	s.WithoutRollups() // the search index is under test; the read models would only slow the ingest down
	g := addGroup(t, s, "Busy")
	sn := addSensor(t, s, "busy", g.ID)
	n := 0
	insert := func(count int) error {
		var events []*model.Event
		for i := 0; i < count; i++ {
			n++
			events = append(events, &model.Event{Timestamp: eventBase.Add(time.Duration(n) * time.Second), SensorID: sn.ID,
				GroupID: g.ID, Service: "ssh", Source: netip.AddrFrom4([4]byte{10, 1, byte(n >> 8), byte(n)}),
				Protocol: model.ProtoTCP, Summary: fmt.Sprintf("SSH login as user-%d from host-%d key %x", n%997, n%13, n*7919)})
		}
		return s.InsertEvents(ctx, events)
	}
	for i := 0; i < 20; i++ {
		if err := insert(2000); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	ingested := make(chan int)
	go func() {
		inserts := 0
		defer func() { ingested <- inserts }()
		for ; inserts < 3000; inserts++ { // at most a minute
			select {
			case <-done:
				return
			default:
			}
			if err := insert(5); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	err := s.Maintain(ctx)
	close(done)
	inserts := <-ingested
	if err != nil {
		t.Fatalf("Maintain: %v", err)
	}
	if inserts == 3000 {
		t.Fatal("Maintain ended only after the ingest stopped")
	}
	for _, q := range []string{"user-42 ", "host-7 "} {
		want, err := countScanned(ctx, s, &EventFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.CountEvents(ctx, &EventFilter{Query: q}); err != nil || got != want || want == 0 {
			t.Errorf("search %q after Maintain: %d (%v), %d by reading every row", q, got, err, want)
		}
	}
}
