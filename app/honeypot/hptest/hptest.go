// Package hptest holds the test helpers the honeypot services share: a Reporter that records
// events, the lookup of client programs for end-to-end tests, running them, and free ports.
// It is imported by tests only.
package hptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"honeysens/app/model"
)

// Recorder is a honeypot.Reporter that keeps every report. A session is reported several
// times (ongoing revisions, then the final one); Events, Count and Wait see the events as the
// server stores them, one per session, once final; Reports sees every report.
//
// It also checks the session protocol and makes Wait fail when it was broken: revisions of a
// session strictly increase, nothing follows a final report, a one-time event is final, the
// reports of one session never overlap, and a reported event is never changed afterwards
// (a service must report copies of its live events).
type Recorder struct {
	mu       sync.Mutex
	reports  []report
	events   []*model.Event // final reports, in the order they came
	sessions map[string]*sessionState
	problems []string
	signal   chan struct{} // one pending wake-up for the waits; never blocks Report
}

type report struct {
	e       *model.Event
	details int // len(e.Details) when reported
}

type sessionState struct {
	revision int
	final    bool
	inFlight bool
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{sessions: map[string]*sessionState{}, signal: make(chan struct{}, 1)}
}

// Report keeps e.
func (r *Recorder) Report(_ context.Context, e *model.Event) error {
	r.mu.Lock()
	st := r.check(e)
	r.mu.Unlock()
	// Give an overlapping report of the same session the chance to show.
	time.Sleep(time.Millisecond)
	r.mu.Lock()
	if st != nil {
		st.inFlight = false
	}
	r.reports = append(r.reports, report{e: e, details: len(e.Details)})
	if !e.Ongoing {
		r.events = append(r.events, e)
	}
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default: // a wake-up is already pending; the waits look at everything anyway
	}
	return nil
}

// check notes what e breaks of the session protocol; it returns e's session state.
func (r *Recorder) check(e *model.Event) *sessionState {
	bad := func(format string, args ...any) {
		r.problems = append(r.problems, fmt.Sprintf("%s: ", e.Summary)+fmt.Sprintf(format, args...))
	}
	if e.Session == "" {
		if e.Ongoing || e.Revision != 0 {
			bad("one-time event with ongoing=%v, revision %d", e.Ongoing, e.Revision)
		}
		return nil
	}
	if len(e.Session) > model.MaxSessionLen {
		bad("session id of %d bytes", len(e.Session))
	}
	st := r.sessions[e.Session]
	if st == nil {
		st = &sessionState{}
		r.sessions[e.Session] = st
	}
	switch {
	case st.inFlight:
		bad("session %s reported while its previous report was being delivered", e.Session)
	case st.final:
		bad("session %s reported after its final report", e.Session)
	case e.Revision <= st.revision:
		bad("session %s revision %d after revision %d", e.Session, e.Revision, st.revision)
	}
	st.revision, st.final, st.inFlight = e.Revision, !e.Ongoing, true
	return st
}

// Problems lists what was reported against the session protocol so far (see Recorder), also
// reports changed after they were made.
func (r *Recorder) Problems() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.problems)
	for _, rp := range r.reports {
		if len(rp.e.Details) != rp.details {
			out = append(out, fmt.Sprintf("%s: reported with %d details, changed to %d since", rp.e.Summary, rp.details, len(rp.e.Details)))
		}
	}
	return out
}

// Events returns the final events reported so far, in order.
func (r *Recorder) Events() []*model.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Count returns how many final events were reported.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Reports returns every report so far (ongoing and final), in order.
func (r *Recorder) Reports() []*model.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reportsLocked()
}

func (r *Recorder) reportsLocked() []*model.Event {
	out := make([]*model.Event, 0, len(r.reports))
	for _, rp := range r.reports {
		out = append(out, rp.e)
	}
	return out
}

// Forget lets go of the n-th final event (1-based) and the reports of its session, so a long
// fuzz run keeps its memory flat; the count stays.
func (r *Recorder) Forget(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events[n-1]
	r.events[n-1] = nil
	keep := r.reports[:0]
	for _, rp := range r.reports {
		if rp.e != e && (e.Session == "" || rp.e.Session != e.Session) {
			keep = append(keep, rp)
		}
	}
	clear(r.reports[len(keep):])
	r.reports = keep
	delete(r.sessions, e.Session)
}

// Wait returns the n-th final event (1-based) once it has been reported, failing t if that
// takes longer than timeout or if the session protocol was broken.
func (r *Recorder) Wait(t testing.TB, n int, timeout time.Duration) *model.Event {
	t.Helper()
	var e *model.Event
	r.WaitFor(t, timeout, fmt.Sprintf("event %d", n), func(_ []*model.Event) bool {
		if len(r.events) >= n {
			e = r.events[n-1]
			return true
		}
		return false
	})
	return e
}

// WaitReport returns the first report (ongoing or final) that match accepts, failing t as Wait.
func (r *Recorder) WaitReport(t testing.TB, timeout time.Duration, what string, match func(e *model.Event) bool) *model.Event {
	t.Helper()
	var found *model.Event
	r.WaitFor(t, timeout, what, func(reports []*model.Event) bool {
		for _, e := range reports {
			if match(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

// WaitFor waits until done, called under the recorder's lock with every report so far, says
// so; it fails t after timeout (naming what it waited for) or when the session protocol was
// broken.
func (r *Recorder) WaitFor(t testing.TB, timeout time.Duration, what string, done func(reports []*model.Event) bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		ok := done(r.reportsLocked())
		r.mu.Unlock()
		if p := r.Problems(); len(p) > 0 {
			t.Fatalf("session protocol broken:\n%s", strings.Join(p, "\n"))
		}
		if ok {
			return
		}
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("no %s within %v", what, timeout)
		}
	}
}

// RequireTool returns the path of a client program (ssh, nmap, curl). Without it the test is
// skipped, or fails when HONEYSENS_E2E=1, as in CI where the programs are installed.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("HONEYSENS_E2E") == "1" {
			t.Fatalf("%s is required with HONEYSENS_E2E=1: %v", name, err)
		}
		t.Skipf("%s not installed (e.g. apt-get install openssh-client sshpass nmap curl); set HONEYSENS_E2E=1 to make this a failure", name)
	}
	return p
}

// Run runs a program and returns its combined output and exit code; it fails t if the program
// cannot be run or outlives timeout.
func Run(t testing.TB, timeout time.Duration, name string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee) && ctx.Err() == nil:
		return string(out), ee.ExitCode()
	}
	t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	return "", -1
}

// FreePorts finds n distinct free TCP ports on loopback (bind to :0, note, close).
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	var lns []net.Listener
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// Details returns an event's detail lines, one per line.
func Details(e *model.Event) string {
	var sb strings.Builder
	for _, d := range e.Details {
		sb.WriteString(d.Data + "\n")
	}
	return sb.String()
}

// TypedDetails returns an event's detail lines, each after its detail type number.
func TypedDetails(e *model.Event) string {
	var sb strings.Builder
	for _, d := range e.Details {
		fmt.Fprintf(&sb, "%d %s\n", d.Type, d.Data)
	}
	return sb.String()
}

// LockedBuffer collects what a program writes while the test reads it (a daemon's or a
// client's output).
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
