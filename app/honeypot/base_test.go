package honeypot_test

import (
	"context"
	"errors"
	"testing"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

// Base runs one Start at a time, leaves a service whose bind failed stopped, and on Stop runs
// the service's shutdown before it waits for the final reports of the sessions it ended.
func TestBaseStartStop(t *testing.T) {
	rec := hptest.NewRecorder()
	b := honeypot.NewBase("test", honeypot.Limits{}, nil)
	b.Timing = fast
	if b.Name() != "test" || b.Limits.MaxConns != honeypot.DefaultLimits.MaxConns {
		t.Fatalf("name %q, limits %+v", b.Name(), b.Limits)
	}
	refused := errors.New("address already in use")
	if err := b.Start(rec, func(*honeypot.Sessions) error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("failed bind: %v", err)
	}
	b.Stop(func() { t.Fatal("shutdown of a service that never ran") })

	var session *honeypot.Session
	if err := b.Start(rec, func(ss *honeypot.Sessions) error {
		session = ss.Open(newEvent(), nil)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(rec, func(*honeypot.Sessions) error { return nil }); !errors.Is(err, honeypot.ErrStarted) {
		t.Fatalf("second Start: %v", err)
	}
	shutdowns := 0
	b.Stop(func() {
		shutdowns++
		session.End(nil)
	})
	if shutdowns != 1 || rec.Count() != 1 {
		t.Fatalf("after Stop: %d shutdowns, %d events reported", shutdowns, rec.Count())
	}
	b.Stop(func() { t.Fatal("shutdown of a stopped service") })
}

// Report gives the reporter a deadline, so that a stuck store cannot hold the caller, and
// returns its failure.
func TestBaseReportHasADeadline(t *testing.T) {
	b := honeypot.NewBase("test", honeypot.Limits{}, nil)
	var deadline bool
	failing := honeypot.ReporterFunc(func(ctx context.Context, e *model.Event) error {
		_, deadline = ctx.Deadline()
		return errors.New("store unavailable")
	})
	if err := b.Start(failing, func(*honeypot.Sessions) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := b.Report(newEvent()); err == nil || !deadline {
		t.Fatalf("report: %v, deadline %v", err, deadline)
	}
}
