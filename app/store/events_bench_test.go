package store

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"honeysens/app/model"
)

// BenchmarkInsertEvents measures the group-commit insert path (1000 events per transaction)
// into a database that already holds 100,000 events, as ns per event.
func BenchmarkInsertEvents(b *testing.B) {
	schema, err := os.ReadFile("../../schema.sql")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), string(schema))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g := &model.Group{Name: "G"}
	if err := s.CreateGroup(ctx, g); err != nil {
		b.Fatal(err)
	}
	sn := &model.Sensor{Name: "S", GroupID: g.ID, UpdateInterval: 60, Secret: "x"}
	if err := s.CreateSensor(ctx, sn); err != nil {
		b.Fatal(err)
	}
	n := 0
	batch := func(size int) []*model.Event {
		out := make([]*model.Event, size)
		for i := range out {
			n++
			out[i] = &model.Event{Timestamp: time.UnixMilli(int64(n) * 100), SensorID: sn.ID, GroupID: g.ID, Service: "ssh",
				Classification: 3, Source: netip.AddrFrom4([4]byte{10, byte(n >> 16), byte(n >> 8), byte(n)}),
				SourcePort: 40000 + n%20000, TargetPort: 22, Protocol: 1, Summary: fmt.Sprintf("SSH session: login as root, 3 commands (#%d)", n)}
		}
		return out
	}
	for i := 0; i < 100; i++ {
		if err := s.InsertEvents(ctx, batch(1000)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += 1000 {
		if err := s.InsertEvents(ctx, batch(1000)); err != nil {
			b.Fatal(err)
		}
	}
}
