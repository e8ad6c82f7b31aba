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

// totalChanges is the writer connection's total_changes(), which ReleaseIdleMemory watches.
func totalChanges(t *testing.T, s *Store) int64 {
	t.Helper()
	var n int64
	if err := s.w.QueryRowContext(context.Background(), `SELECT total_changes()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReleaseIdleMemory: the page cache is emptied after a quiet minute, kept under ingest.
func TestReleaseIdleMemory(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g := addGroup(t, s, "Office")
	sn := addSensor(t, s, "edge-1", g.ID)
	release := func(want bool, when string) {
		t.Helper()
		released, err := s.ReleaseIdleMemory(ctx)
		if err != nil || released != want {
			t.Fatalf("%s: ReleaseIdleMemory = %v, %v; want %v", when, released, err, want)
		}
	}
	release(true, "after open") // opening a fresh database changes a few rows only
	release(true, "with no change")
	if err := s.RecordHeartbeat(ctx, sn.ID, Heartbeat{Timestamp: 1, At: testNow, IP: "192.0.2.1", Version: "test"}); err != nil {
		t.Fatal(err)
	}
	release(true, "after a heartbeat")

	// Ingest: the cache that holds the index pages stays.
	events := make([]*model.Event, 200)
	for i := range events {
		events[i] = &model.Event{Timestamp: testNow.Add(time.Duration(i) * time.Second), SensorID: sn.ID, GroupID: g.ID,
			Service: "ssh", Source: netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}), SourcePort: 40000 + i, TargetPort: 22,
			Protocol: model.ProtoTCP, Summary: fmt.Sprintf("SSH session %d", i)}
		events[i].AddLogin("root", "123456", false)
	}
	before := totalChanges(t, s)
	if err := s.InsertEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	perEvent := float64(totalChanges(t, s)-before) / float64(len(events))
	t.Logf("an event changes %.1f rows", perEvent)
	if perEvent*float64(len(events)) < quietChanges {
		t.Fatalf("200 events changed only %.0f rows: quietChanges (%d) would count them as quiet", perEvent*200, quietChanges)
	}
	release(false, "after 200 events")
	release(true, "a quiet minute later")

	// The statement works on the readers' pages too: a list after a release still answers.
	if list, _, err := s.ListEvents(ctx, &EventFilter{}, EventPage{Sort: "timestamp", Desc: true, Limit: 10}); err != nil || len(list) != 10 {
		t.Fatalf("ListEvents after a release: %d events, %v; want 10", len(list), err)
	}
}

// TestPageCacheSizes pins the connections' page cache sizes: their RSS is about twice the
// figure (8 KiB slots for 4 KiB pages), which ReleaseIdleMemory gives back when idle.
func TestPageCacheSizes(t *testing.T) {
	for _, c := range []struct {
		readOnly bool
		want     string
	}{{false, "cache_size(-32000)"}, {true, "cache_size(-8000)"}} {
		if d := dsn("x.db", c.readOnly); !strings.Contains(d, strings.NewReplacer("(", "%28", ")", "%29").Replace(c.want)) {
			t.Errorf("dsn(readOnly=%v) = %s; want %s", c.readOnly, d, c.want)
		}
	}
	if readers != 4 {
		t.Errorf("readers = %d, want 4 (each has its own page cache)", readers)
	}
}
