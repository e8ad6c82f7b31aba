package honeypot_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

// fast reports at once and often, so the tests need not wait long.
var fast = honeypot.SessionTiming{First: 50 * time.Millisecond, Every: 100 * time.Millisecond, Slow: 400 * time.Millisecond,
	SlowAfter: 20, Keepalive: 300 * time.Millisecond}

const wait = 5 * time.Second

func newEvent() *model.Event {
	return &model.Event{Service: "test", Source: netip.MustParseAddr("192.0.2.1"), Protocol: model.ProtoTCP}
}

// line adds a numbered interaction line and keeps the summary up to date.
func line(s *honeypot.Session, n int) {
	s.Update(func(e *model.Event) { honeypot.Interaction(e, time.Now(), fmt.Sprint("line ", n)) })
}

func summarize(e *model.Event, final bool) {
	e.Summary = fmt.Sprintf("%d lines", len(e.Details))
	if final {
		e.Summary += ", ended"
	}
}

func TestSessionReportsEarlyGrowsAndEnds(t *testing.T) {
	rec := hptest.NewRecorder()
	ss := honeypot.NewSessions(rec, nil, fast)
	s := ss.Open(newEvent(), summarize)
	line(s, 1)
	time.Sleep(3 * fast.First)
	if n := len(rec.Reports()); n != 0 {
		t.Fatalf("%d reports before the attacker acted", n)
	}
	began := time.Now()
	s.Activate()
	first := rec.WaitReport(t, wait, "revision 1", func(e *model.Event) bool { return true })
	if d := time.Since(began); d < fast.First || d > fast.First+time.Second {
		t.Errorf("revision 1 after %s, want about %s", d, fast.First)
	}
	if first.Session != s.ID() || len(first.Session) != 16 || first.Revision != 1 || !first.Ongoing || first.Summary != "1 lines" {
		t.Fatalf("first report %+v", first)
	}

	line(s, 2)
	second := rec.WaitReport(t, wait, "the change", func(e *model.Event) bool { return e.Summary == "2 lines" })
	if second.Revision != 2 || !second.Ongoing {
		t.Fatalf("second report %+v", second)
	}
	// nothing changes: reported again after the keepalive, no sooner
	quiet := time.Now()
	third := rec.WaitReport(t, wait, "the keepalive", func(e *model.Event) bool { return e.Revision == 3 })
	if d := time.Since(quiet); d < fast.Keepalive-50*time.Millisecond || third.Summary != "2 lines" || !third.Ongoing {
		t.Errorf("keepalive after %s: %+v", d, third)
	}

	s.End(func(e *model.Event) { honeypot.Interaction(e, time.Now(), "closed") })
	s.End(func(e *model.Event) { t.Error("second End ran") })
	line(s, 99) // after End: ignored
	final := rec.Wait(t, 1, wait)
	ss.Wait()
	if final.Session != s.ID() || final.Revision != 4 || final.Ongoing || final.Summary != "3 lines, ended" {
		t.Fatalf("final report %+v", final)
	}
	if n := len(rec.Reports()); n != 4 {
		t.Errorf("%d reports, want 4", n)
	}
	// what was reported is a copy: the first report still has its one line
	if len(first.Details) != 1 {
		t.Errorf("the first report changed: %d details", len(first.Details))
	}
}

func TestSessionWithoutActionIsOneTimeEvent(t *testing.T) {
	rec := hptest.NewRecorder()
	ss := honeypot.NewSessions(rec, nil, fast)
	s := ss.Open(newEvent(), summarize)
	s.End(nil)
	e := rec.Wait(t, 1, wait)
	ss.Wait()
	if e.Session != "" || e.Revision != 0 || e.Ongoing || e.Summary != "0 lines, ended" {
		t.Fatalf("event %+v", e)
	}
	// a session that acted and ended before its first report was due: one report, final
	s = ss.Open(newEvent(), summarize)
	s.Activate()
	line(s, 1)
	s.End(nil)
	e = rec.Wait(t, 2, wait)
	ss.Wait()
	if e.Session != "" || e.Ongoing || len(rec.Reports()) != 2 {
		t.Fatalf("event %+v, %d reports", e, len(rec.Reports()))
	}
}

// stamped notes when each report arrived, with the detail count it carried.
type stamped struct {
	rec  *hptest.Recorder
	fail atomic.Int32 // fail this many reports first
	mu   sync.Mutex
	at   []time.Time
	size []int
}

func (r *stamped) Report(ctx context.Context, e *model.Event) error {
	r.mu.Lock()
	r.at, r.size = append(r.at, time.Now()), append(r.size, len(e.Details))
	r.mu.Unlock()
	if r.fail.Add(-1) >= 0 {
		return errors.New("store unavailable")
	}
	return r.rec.Report(ctx, e)
}

func TestSessionThrottles(t *testing.T) {
	rep := &stamped{rec: hptest.NewRecorder()}
	ss := honeypot.NewSessions(rep, nil, fast)
	s := ss.Open(newEvent(), summarize)
	s.Activate()
	// a steady stream of changes: reported every fast.Every, then every fast.Slow once the
	// event has fast.SlowAfter details, never per change
	began := time.Now()
	n := 0
	for time.Since(began) < 1500*time.Millisecond {
		n++
		line(s, n)
		time.Sleep(5 * time.Millisecond)
	}
	s.End(nil)
	final := rep.rec.Wait(t, 1, wait)
	ss.Wait()
	if len(final.Details) != n {
		t.Errorf("final has %d lines, want %d", len(final.Details), n)
	}
	rep.mu.Lock()
	defer rep.mu.Unlock()
	if len(rep.at) < 4 || len(rep.at) > 12 {
		t.Errorf("%d reports of %d changes in 1.5 s", len(rep.at), n)
	}
	slack := 20 * time.Millisecond
	for i := 1; i < len(rep.at)-1; i++ { // the final report is not throttled
		gap, want := rep.at[i].Sub(rep.at[i-1]), fast.Every
		if rep.size[i-1] >= fast.SlowAfter {
			want = fast.Slow
		}
		if gap < want-slack {
			t.Errorf("report %d came %s after the one with %d details, want at least %s", i+1, gap, rep.size[i-1], want)
		}
	}
}

func TestSessionRetriesFailedReport(t *testing.T) {
	rep := &stamped{rec: hptest.NewRecorder()}
	rep.fail.Store(1)
	ss := honeypot.NewSessions(rep, nil, fast)
	s := ss.Open(newEvent(), summarize)
	line(s, 1)
	s.Activate()
	// revision 1 failed: the next goes out at the usual pace, not after the keepalive
	e := rep.rec.WaitReport(t, wait, "a report after the failed one", func(*model.Event) bool { return true })
	rep.mu.Lock()
	gap := rep.at[1].Sub(rep.at[0])
	rep.mu.Unlock()
	if gap >= fast.Keepalive || e.Revision != 2 || e.Summary != "1 lines" {
		t.Errorf("retry after %s: %+v", gap, e)
	}
	s.End(nil)
	ss.Wait()
}

func TestSessionSurvivesPanics(t *testing.T) {
	rec := hptest.NewRecorder()
	ss := honeypot.NewSessions(rec, nil, fast)
	s := ss.Open(newEvent(), func(e *model.Event, final bool) {
		e.Summary = "before the panic"
		panic("hostile input")
	})
	func() {
		defer func() { recover() }()
		s.Update(func(*model.Event) { panic("hostile input") })
	}()
	line(s, 1) // the lock was released
	s.Activate()
	s.End(func(*model.Event) { panic("hostile input") })
	e := rec.Wait(t, 1, wait)
	ss.Wait()
	if e.Summary != "before the panic" || e.Ongoing {
		t.Errorf("final %+v", e)
	}
}

func TestSessionStopDeliversFinal(t *testing.T) {
	var delivered atomic.Int32
	slow := honeypot.ReporterFunc(func(ctx context.Context, e *model.Event) error {
		time.Sleep(100 * time.Millisecond)
		if !e.Ongoing {
			delivered.Add(1)
		}
		return nil
	})
	ss := honeypot.NewSessions(slow, nil, fast)
	for range 20 {
		s := ss.Open(newEvent(), nil)
		s.Activate()
		line(s, 1)
		s.End(nil)
	}
	ss.Wait()
	if delivered.Load() != 20 {
		t.Errorf("%d finals delivered before Wait returned", delivered.Load())
	}
}

func TestNilSessions(t *testing.T) {
	var ss *honeypot.Sessions
	s := ss.Open(newEvent(), summarize)
	line(s, 1)
	s.Activate()
	s.End(nil)
	ss.Wait()
	if e := s.Snapshot(); e.Ongoing || e.Summary != "1 lines, ended" || e.Session != "" {
		t.Errorf("snapshot %+v", e)
	}
}
