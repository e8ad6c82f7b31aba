package honeypot

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Limits bound what one service gives to hostile clients.
type Limits struct {
	MaxConns      int           // open connections of the service at once
	MaxPerSource  int           // open connections from one source address at once
	IdleTimeout   time.Duration // a connection silent this long is closed
	TotalTimeout  time.Duration // no connection lives longer than this
	MaxInputBytes int64         // bytes read from one connection before it is closed
}

// DefaultLimits suit a small site's appliance on a 1 GB Raspberry Pi.
var DefaultLimits = Limits{
	MaxConns:      1024,
	MaxPerSource:  32,
	IdleTimeout:   2 * time.Minute,
	TotalTimeout:  15 * time.Minute,
	MaxInputBytes: 1 << 20,
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
		return nil, nil, ErrLimit
	}
	g.total++
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
type limitedConn struct {
	net.Conn
	lim      Limits
	deadline time.Time
	read     int64
}

func (c *limitedConn) extend() {
	d := time.Now().Add(c.lim.IdleTimeout)
	if d.After(c.deadline) {
		d = c.deadline
	}
	c.Conn.SetDeadline(d)
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
