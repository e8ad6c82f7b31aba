// Package hptest holds the test helpers the honeypot services share: a Reporter that records
// events, the lookup of client programs for end-to-end tests, running them, and free ports.
// It is imported by tests only.
package hptest

import (
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

// Recorder is a honeypot.Reporter that keeps every event reported to it.
type Recorder struct {
	mu     sync.Mutex
	events []*model.Event
	signal chan struct{} // one pending wake-up for Wait; never blocks Report
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{signal: make(chan struct{}, 1)} }

// Report keeps e.
func (r *Recorder) Report(_ context.Context, e *model.Event) error {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default: // a wake-up is already pending; Wait looks at all events anyway
	}
	return nil
}

// Events returns the events reported so far, in order.
func (r *Recorder) Events() []*model.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Count returns how many events were reported.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Forget lets go of the n-th event (1-based), so a long fuzz run keeps its memory flat; the
// count stays.
func (r *Recorder) Forget(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events[n-1] = nil
}

// Wait returns the n-th event (1-based) once it has been reported, failing t if that takes
// longer than timeout.
func (r *Recorder) Wait(t testing.TB, n int, timeout time.Duration) *model.Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		r.mu.Lock()
		if len(r.events) >= n {
			e := r.events[n-1]
			r.mu.Unlock()
			return e
		}
		r.mu.Unlock()
		select {
		case <-r.signal:
		case <-deadline:
			t.Fatalf("no event %d within %v", n, timeout)
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
