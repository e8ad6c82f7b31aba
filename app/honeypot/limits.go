package honeypot

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Limits bound what one service gives to hostile clients.
type Limits struct {
	MaxConns      int           // open connections of the service at once
	MaxPerSource  int           // open connections from one source address at once
	IdleTimeout   time.Duration // a connection silent this long is closed
	TotalTimeout  time.Duration // no connection lives longer than this
	MaxInputBytes int64         // bytes read from one connection before it is closed
	// Memory is what a service may hold about connections that ended and are not reported yet
	// (the recon detector's sources, scans and payloads). It bounds what is kept, not a count:
	// what does not fit is counted in Drops and in summary events.
	Memory int64
	// Drops, when set, is where the Guard and the service count what these limits made them
	// give up; the sensor host gives each service its own and shows the counts.
	Drops *Drops
	// Open, when set, follows how many connections the Guard holds admitted (the appliance's
	// metrics read it per service).
	Open *atomic.Int64
}

// Drops counts what a service's limits made it give up since it started. Safe for concurrent use.
type Drops struct {
	Refused   atomic.Int64 // connections closed at once by the connection limits
	Untracked atomic.Int64 // connections not recorded one by one (memory full); summary events count them
	Reports   atomic.Int64 // events the reporter did not take (store or sensor buffer failing)
}

// DropCounts is a snapshot of Drops.
type DropCounts struct {
	Refused   int64 `json:"refused"`
	Untracked int64 `json:"untracked"`
	Reports   int64 `json:"reports"`
}

// Counts returns the counts now; a nil Drops counts nothing.
func (d *Drops) Counts() DropCounts {
	if d == nil {
		return DropCounts{}
	}
	return DropCounts{Refused: d.Refused.Load(), Untracked: d.Untracked.Load(), Reports: d.Reports.Load()}
}

// DefaultLimits suit a small site's appliance on a 1 GB Raspberry Pi.
var DefaultLimits = Limits{
	MaxConns:      1024,
	MaxPerSource:  32,
	IdleTimeout:   2 * time.Minute,
	TotalTimeout:  15 * time.Minute,
	MaxInputBytes: 1 << 20,
	Memory:        16 << 20,
}

// Guard admits connections within Limits and tracks them so Stop can close them all.
type Guard struct {
	lim   Limits
	mu    sync.Mutex
	total int
	per   map[netip.Addr]int
	open  map[net.Conn]struct{}
}

// NewGuard returns a guard for the limits.
func NewGuard(lim Limits) *Guard {
	return &Guard{lim: lim, per: map[netip.Addr]int{}, open: map[net.Conn]struct{}{}}
}

// ErrLimit is returned by Admit when a limit is reached; the caller closes the connection.
var ErrLimit = errors.New("honeypot: connection limit reached")

// Admit registers conn if the limits allow it and returns it wrapped with the idle, total and
// byte limits; release must be called when the connection is done.
func (g *Guard) Admit(conn net.Conn) (wrapped net.Conn, release func(), err error) {
	src, _ := Endpoints(conn)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.total >= g.lim.MaxConns || g.per[src.Addr()] >= g.lim.MaxPerSource {
		if g.lim.Drops != nil {
			g.lim.Drops.Refused.Add(1)
		}
		return nil, nil, ErrLimit
	}
	g.total++
	if g.lim.Open != nil {
		g.lim.Open.Add(1)
	}
	g.per[src.Addr()]++
	g.open[conn] = struct{}{}
	lc := &limitedConn{Conn: conn, lim: g.lim, deadline: time.Now().Add(g.lim.TotalTimeout)}
	var once sync.Once
	return lc, func() {
		once.Do(func() {
			conn.Close()
			g.mu.Lock()
			defer g.mu.Unlock()
			g.total--
			if g.lim.Open != nil {
				g.lim.Open.Add(-1)
			}
			if g.per[src.Addr()]--; g.per[src.Addr()] <= 0 {
				delete(g.per, src.Addr())
			}
			delete(g.open, conn)
		})
	}, nil
}

// CloseAll closes every admitted connection (on Stop); their handlers then see read errors.
func (g *Guard) CloseAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.open {
		c.Close()
	}
}

// Open returns how many connections are admitted now.
func (g *Guard) Open() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

// limitedConn enforces the idle timeout (renewed by every read and write), the total
// lifetime and the input byte cap. A slow-drip client that sends a byte now and then is cut
// off by the total lifetime; one that floods is cut off by the byte cap.
//
// A handler may set its own deadlines (a login grace, net/http's header and idle timeouts, a
// read time): those are kept apart from the Guard's and the socket gets the earlier of the two,
// so the Guard's renewal on every read and write neither extends nor erases them.
type limitedConn struct {
	net.Conn
	lim      Limits
	deadline time.Time // end of the total lifetime
	read     int64     // only touched by Read, which net.Conn users do not call concurrently

	mu     sync.Mutex // deadlines are set from other goroutines (net/http aborts reads so)
	guard  time.Time  // the Guard's current deadline: now+idle, capped at the lifetime
	rd, wd time.Time  // the handler's read and write deadlines; zero: none
}

// earliest returns the earlier of two deadlines, a zero one meaning none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// applyLocked gives the socket the earlier of the Guard's and the handler's deadlines.
func (c *limitedConn) applyLocked() error {
	if err := c.Conn.SetReadDeadline(earliest(c.guard, c.rd)); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(earliest(c.guard, c.wd))
}

// extend renews the Guard's deadline. A renewal that would move it by less than a tenth of
// the idle timeout is skipped: renewing costs two timer updates, and an SSH login reads and
// writes dozens of times within milliseconds. An idle connection is so cut off between 0.9
// and 1 idle timeout after its last byte; near the end of its lifetime the deadline is set to
// that end exactly.
func (c *limitedConn) extend() {
	d := time.Now().Add(c.lim.IdleTimeout)
	if d.After(c.deadline) {
		d = c.deadline
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d.Equal(c.guard) || d.Sub(c.guard) < c.lim.IdleTimeout/10 && !d.Equal(c.deadline) {
		return
	}
	c.guard = d
	// a deadline fails only on a closed connection, which the next read or write reports
	_ = c.applyLocked()
}

func (c *limitedConn) Read(p []byte) (int, error) {
	if c.read >= c.lim.MaxInputBytes {
		return 0, errors.New("honeypot: input limit reached")
	}
	if rest := c.lim.MaxInputBytes - c.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	c.extend()
	n, err := c.Conn.Read(p)
	c.read += int64(n)
	return n, err
}

func (c *limitedConn) Write(p []byte) (int, error) {
	c.extend()
	return c.Conn.Write(p)
}

// SetDeadline sets the handler's read and write deadlines (see limitedConn).
func (c *limitedConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rd, c.wd = t, t
	return c.applyLocked()
}

// SetReadDeadline sets the handler's read deadline (see limitedConn).
func (c *limitedConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rd = t
	return c.applyLocked()
}

// SetWriteDeadline sets the handler's write deadline (see limitedConn).
func (c *limitedConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wd = t
	return c.applyLocked()
}

// WithDefaults returns l with every zero (or negative) limit taken from DefaultLimits, so that
// a service built with zero Limits does not refuse every connection.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	if l.MaxConns <= 0 {
		l.MaxConns = d.MaxConns
	}
	if l.MaxPerSource <= 0 {
		l.MaxPerSource = d.MaxPerSource
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = d.IdleTimeout
	}
	if l.TotalTimeout <= 0 {
		l.TotalTimeout = d.TotalTimeout
	}
	if l.MaxInputBytes <= 0 {
		l.MaxInputBytes = d.MaxInputBytes
	}
	if l.Memory <= 0 {
		l.Memory = d.Memory
	}
	return l
}
