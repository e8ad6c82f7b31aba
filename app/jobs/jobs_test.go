package jobs

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
)

func TestDailyJobRunsAtItsTimeAndMoves(t *testing.T) {
	start := time.Date(2026, 11, 30, 2, 58, 0, 0, time.UTC)
	clock := clockwork.NewFakeClockAt(start)
	s, err := New(slog.New(slog.NewTextHandler(io.Discard, nil)), gocron.WithClock(clock), gocron.WithLocation(time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	var runs atomic.Int32
	run := func(context.Context) error { runs.Add(1); return nil }
	// placed before the scheduler starts, as the appliance does from its settings
	if err := s.Daily("archive", 3, 0, run); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if next := s.NextRun("archive"); !next.Equal(start.Add(2 * time.Minute)) {
		t.Errorf("next run %v, want 03:00", next)
	}
	// Moving the job keeps one job, at the new time.
	if err := s.Daily("archive", 4, 30, run); err != nil {
		t.Fatal(err)
	}
	if next := s.NextRun("archive"); !next.Equal(time.Date(2026, 11, 30, 4, 30, 0, 0, time.UTC)) {
		t.Errorf("next run after the move %v, want 04:30", next)
	}
	clock.Advance(3 * time.Hour)
	deadline := time.Now().Add(5 * time.Second)
	for runs.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if runs.Load() != 1 {
		t.Errorf("ran %d times, want once", runs.Load())
	}
}

func TestWeeklyJobRunsOnMondayInItsZone(t *testing.T) {
	// Wednesday 10:00 UTC; the job wants Monday 08:30 in Berlin (07:30 UTC in winter).
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	clock := clockwork.NewFakeClockAt(start)
	s, err := New(slog.New(slog.NewTextHandler(io.Discard, nil)), gocron.WithClock(clock), gocron.WithLocation(time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	if err := s.Start(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	run := func(context.Context) error { return nil }
	if err := s.Weekly("weekly", time.Monday, 8, 30, berlin, run); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC)
	if next := s.NextRun("weekly"); !next.Equal(want) {
		t.Errorf("next run %v, want %v", next.UTC(), want)
	}
	// Moved to 09:00 New York time, the same job runs at 14:00 UTC.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Weekly("weekly", time.Monday, 9, 0, ny, run); err != nil {
		t.Fatal(err)
	}
	if next := s.NextRun("weekly"); !next.Equal(time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("next run after the move %v, want Monday 14:00 UTC", next.UTC())
	}
}
