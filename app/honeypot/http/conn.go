package http

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"honeysens/app/honeypot"
)

// connRec is what the honeypot keeps of one TCP connection: its addresses, its first input
// (the packet overview, and the text of input that never became a request) and why it ended.
// Its requests go to the session of its source address. The connection's reader and the
// session table both touch it, hence the mutex.
type connRec struct {
	src, dst netip.AddrPort
	start    time.Time

	mu       sync.Mutex
	raw      []byte    // the first bytes read, at most honeypot.FirstPayloadMax
	firstLen int       // of which the first read's (the packet)
	firstAt  time.Time // when they came
	requests int
	limited  bool  // the per-connection request limit was reached
	lastErr  error // the last read error
	joined   *webSession
}

func newConnRec(c net.Conn, start time.Time) *connRec {
	r := &connRec{start: start}
	if c != nil {
		r.src, r.dst = honeypot.Endpoints(c)
	}
	return r
}

// input keeps the first bytes read and the last read error.
func (r *connRec) input(p []byte, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := min(len(p), honeypot.FirstPayloadMax-len(r.raw)); n > 0 {
		if len(r.raw) == 0 {
			r.firstLen, r.firstAt = n, time.Now()
		}
		r.raw = append(r.raw, p[:n]...)
	}
	if err != nil {
		r.lastErr = err
	}
}

// begin counts a request and says whether it is the last one the connection may carry.
func (r *connRec) begin(max int) (last bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if r.requests >= max {
		r.limited = true
		return true
	}
	return false
}

// join notes that the connection takes part in ws and says whether it is new there (its
// packet is then added).
func (r *connRec) join(ws *webSession) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.joined == ws {
		return false
	}
	r.joined = ws
	return true
}

// packet is the connection's first payload for the packet overview (ok false: no input).
func (r *connRec) packet() (at time.Time, payload []byte, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.firstAt, r.raw[:r.firstLen], r.firstLen > 0
}

// outcome returns what the connection sent (its first bytes), why it ended and how many
// requests it made.
func (r *connRec) outcome(stopping bool) (raw []byte, reason string, requests int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.raw, r.reasonLocked(stopping), r.requests
}

// reasonLocked names why the connection ended.
func (r *connRec) reasonLocked(stopping bool) string {
	var ne net.Error
	switch err := r.lastErr; {
	case stopping:
		return "server stopped"
	case r.limited:
		return "request limit reached"
	case err == nil:
		return "closed by server"
	case errors.Is(err, io.EOF):
		return "closed by client"
	case errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case strings.Contains(err.Error(), "input limit"):
		return "input limit reached"
	}
	return "connection lost"
}
