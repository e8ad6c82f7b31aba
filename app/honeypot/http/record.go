package http

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// rawKeep is how many bytes of a connection's input are kept to describe input that never
// became a request (garbage, TLS handshakes, other protocols).
const rawKeep = 512

type recKey struct{}

// connRec is the record of one TCP connection; it becomes the connection's one event. The
// handler and net/http's background reader both touch it, hence the mutex.
type connRec struct {
	mu       sync.Mutex
	ev       *model.Event
	start    time.Time
	requests int
	first    string // "GET /path" of the first request
	cred     string // "POST /login with credentials admin/admin" of the first credentials
	creds    int
	raw      []byte
	lastErr  error
	limited  bool
}

func newConnRec(c net.Conn) *connRec {
	now := time.Now()
	return &connRec{ev: honeypot.NewEvent("http", c, now), start: now}
}

// input keeps the first bytes read and the last read error.
func (r *connRec) input(p []byte, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := min(len(p), rawKeep-len(r.raw)); n > 0 {
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

// request records one answered request.
type request struct {
	at      time.Time
	line    string // "GET /x?y HTTP/1.1"
	short   string // "GET /x" for the summary
	status  int
	headers string
	body    []byte
	bodyCut bool
	user    string
	pass    string
	via     string // "form" or "basic auth"; empty: no credentials
}

func (r *connRec) add(q *request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.first == "" {
		r.first = q.short
	}
	honeypot.Interaction(r.ev, q.at, fmt.Sprintf("%s → %d", q.line, q.status))
	if q.headers != "" {
		honeypot.Interaction(r.ev, q.at, "headers: "+q.headers)
	}
	if len(q.body) > 0 {
		cut := ""
		if q.bodyCut {
			cut = ", cut"
		}
		honeypot.Interaction(r.ev, q.at, fmt.Sprintf("body (%d bytes%s): %s", len(q.body), cut, q.body))
	}
	if q.via != "" {
		r.creds++
		honeypot.Interaction(r.ev, q.at, fmt.Sprintf("login %s / %s (%s %s): rejected", q.user, q.pass, q.via, q.short))
		if r.cred == "" {
			r.cred = fmt.Sprintf("%s with credentials %s/%s", q.short, q.user, q.pass)
		}
	}
}

// finish completes the event: the close, summary and classification.
func (r *connRec) finish(stopping bool) *model.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.ev
	if r.requests == 0 && len(r.raw) > 0 {
		honeypot.Interaction(e, r.start, "unanswered input: "+strconv.Quote(string(r.raw)))
	}
	honeypot.Interaction(e, time.Now(), fmt.Sprintf("close after %s: %s", time.Since(r.start).Round(time.Millisecond), r.reason(stopping)))
	honeypot.Info(e, fmt.Sprintf("requests: %d, login attempts: %d", r.requests, r.creds))
	e.Classification = model.ClassHoneypot
	e.Summary = model.Clip(model.OneLine(r.summary()), model.MaxSummaryLen)
	if r.requests == 0 && len(r.raw) == 0 {
		e.Classification = model.ClassConnAttempt
	}
	return e
}

func (r *connRec) reason(stopping bool) string {
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

func (r *connRec) summary() string {
	more := ""
	if r.requests > 1 {
		more = fmt.Sprintf(" (+%d requests)", r.requests-1)
		if r.requests == 2 {
			more = " (+1 request)"
		}
	}
	switch {
	case r.creds > 1:
		return fmt.Sprintf("HTTP: %d logins, first %s%s", r.creds, r.cred, more)
	case r.creds == 1:
		return "HTTP: " + r.cred + more
	case r.requests > 0:
		return "HTTP: " + r.first + more
	case len(r.raw) > 0 && r.reason(false) == "timeout":
		return "HTTP: incomplete request (timeout)"
	case len(r.raw) > 0:
		return "HTTP: malformed request"
	}
	return "HTTP: connection without request"
}
