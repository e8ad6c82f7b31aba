package honeypot

import (
	"errors"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// readTimesOut admits one end of a pipe with lim, lets set give it the handler's deadlines, and
// returns how long a Read that gets nothing takes to fail with a timeout.
func readTimesOut(t *testing.T, lim Limits, set func(c net.Conn)) time.Duration {
	t.Helper()
	server, client := net.Pipe()
	defer client.Close()
	g := NewGuard(lim)
	wc, release, err := g.Admit(server)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	set(wc)
	start := time.Now()
	_, err = wc.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v, want a deadline error", err)
	}
	return time.Since(start)
}

// The Guard renews its idle deadline on every Read; a shorter deadline of the handler's own
// (a login grace, a read time) must still apply and not be pushed back.
func TestHandlerDeadlineKept(t *testing.T) {
	lim := DefaultLimits
	lim.IdleTimeout = 10 * time.Second
	for name, set := range map[string]func(net.Conn){
		"SetDeadline":     func(c net.Conn) { c.SetDeadline(time.Now().Add(100 * time.Millisecond)) },
		"SetReadDeadline": func(c net.Conn) { c.SetReadDeadline(time.Now().Add(100 * time.Millisecond)) },
	} {
		if d := readTimesOut(t, lim, set); d > 5*time.Second {
			t.Errorf("%s: read failed after %v, want about 100ms", name, d)
		}
	}
}

// A handler's later deadline does not lift the Guard's idle limit either.
func TestGuardDeadlineKept(t *testing.T) {
	lim := DefaultLimits
	lim.IdleTimeout = 100 * time.Millisecond
	d := readTimesOut(t, lim, func(c net.Conn) { c.SetDeadline(time.Now().Add(10 * time.Second)) })
	if d > 5*time.Second {
		t.Errorf("read failed after %v, want about 100ms", d)
	}
}

// A write deadline of the handler's does not cut reads short, and clearing it (zero) leaves
// the Guard's deadline in force.
func TestWriteDeadlineSeparate(t *testing.T) {
	lim := DefaultLimits
	lim.IdleTimeout = 300 * time.Millisecond
	d := readTimesOut(t, lim, func(c net.Conn) {
		c.SetWriteDeadline(time.Now().Add(-time.Second)) // already passed: only writes fail
		c.SetReadDeadline(time.Time{})
	})
	if d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("read failed after %v, want the idle limit, about 300ms", d)
	}
}

// TCPServer serves admitted connections, and Stop closes the open ones and waits for their
// handlers.
func TestTCPServerStop(t *testing.T) {
	s := NewTCPServer(DefaultLimits, nil)
	done := make(chan error, 1)
	err := s.Start("127.0.0.1:0", func(raw, wc net.Conn) {
		wc.Write([]byte("hi"))
		_, err := wc.Read(make([]byte, 1)) // until Stop closes the connection
		done <- err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0", nil); !errors.Is(err, ErrStarted) {
		t.Fatalf("second Start: %v", err)
	}
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Read(make([]byte, 2)); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("handler read succeeded after Stop")
		}
	default:
		t.Fatal("Stop returned before the handler")
	}
	if s.Addr() != nil || s.Guard().Open() != 0 {
		t.Fatalf("after Stop: addr %v, %d open", s.Addr(), s.Guard().Open())
	}
	s.Stop() // twice is fine
}

// What the limits refuse is counted in Drops, per source and in all.
func TestGuardCountsRefusals(t *testing.T) {
	lim := DefaultLimits
	lim.MaxConns, lim.MaxPerSource, lim.Drops = 3, 2, new(Drops)
	g := NewGuard(lim)
	var releases []func()
	refused := 0
	for range 5 {
		server, client := net.Pipe()
		defer client.Close()
		_, release, err := g.Admit(server)
		if errors.Is(err, ErrLimit) {
			refused++
			continue
		}
		releases = append(releases, release)
	}
	for _, r := range releases {
		r()
	}
	// net.Pipe has no addresses: every end is the same (invalid) source, so 2 are admitted.
	if got := lim.Drops.Counts(); refused != 3 || got != (DropCounts{Refused: 3}) {
		t.Fatalf("refused %d, counts %+v", refused, got)
	}
	if (*Drops)(nil).Counts() != (DropCounts{}) {
		t.Fatal("nil Drops counts something")
	}
}

// Open follows the admitted connections: up on Admit, down on release (once, however often
// release is called), and refused connections never count.
func TestGuardKeepsOpenCount(t *testing.T) {
	lim := DefaultLimits
	lim.MaxPerSource, lim.Open = 2, new(atomic.Int64)
	g := NewGuard(lim)
	var releases []func()
	for range 3 {
		server, client := net.Pipe()
		defer client.Close()
		if _, release, err := g.Admit(server); err == nil {
			releases = append(releases, release)
		}
	}
	if n := lim.Open.Load(); n != 2 || g.Open() != 2 {
		t.Fatalf("open %d (guard %d), want 2", n, g.Open())
	}
	releases[0]()
	releases[0]()
	if n := lim.Open.Load(); n != 1 {
		t.Fatalf("open %d after one release, want 1", n)
	}
	releases[1]()
	if n := lim.Open.Load(); n != 0 {
		t.Fatalf("open %d after every release, want 0", n)
	}
}
