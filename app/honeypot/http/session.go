package http

import (
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// Bounds of the sessions held at once, over all sources. A session that would pass them ends
// early (the oldest first) and is reported; the source's next request starts a new one.
const (
	maxSessions   = 512      // sources sending at once
	sessionBudget = 32 << 20 // bytes of interaction text held
)

// table holds the sessions of the sources that send now. A scanner or a brute forcer sends
// many requests, over many connections: they become the interaction lines of one event per
// source while it keeps sending, not one event each. Input that never became a request
// (garbage, a TLS handshake) joins the source's session too, so that a probing tool such as
// nmap -sV is one event, not a dozen. A connection that sent nothing is folded into its
// source's open session, or else is a connection attempt of its own, as before.
type table struct {
	idle        time.Duration // a session without a request this long ends
	maxAge      time.Duration // a session ends this long after it started
	maxLines    int           // a session ends after this many requests and unanswered inputs
	maxSessions int           // maxSessions and
	budget      int           // sessionBudget (tests lower them)

	mu      sync.Mutex
	reports *honeypot.Sessions
	bySrc   map[netip.Addr]*webSession
	bytes   int // detail text held over all sessions
}

func newTable(cfg Config) *table {
	return &table{idle: time.Duration(cfg.SessionIdle) * time.Second, maxAge: time.Duration(cfg.SessionMax) * time.Second,
		maxLines: cfg.SessionRequests, maxSessions: maxSessions, budget: sessionBudget, bySrc: map[netip.Addr]*webSession{}}
}

// start makes the table report its sessions to reports.
func (t *table) start(reports *honeypot.Sessions) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reports = reports
}

// request adds an answered request to its source's session.
func (t *table) request(c *connRec, q *request) {
	line := q.text()
	t.mu.Lock()
	defer t.mu.Unlock()
	ws := t.sessionLocked(c, q.at)
	t.addLocked(ws, c, len(line), func(e *model.Event) {
		honeypot.Interaction(e, q.at, line)
		if q.malformed {
			ws.malformed++
			return
		}
		ws.requests++
		if ws.first == "" {
			ws.first = q.short
		}
		e.AddPath(q.path)
		if q.via != "" {
			ws.creds++
			if ws.cred == "" {
				ws.credReq, ws.cred = q.short, q.user+"/"+q.pass
			}
			e.AddLogin(q.user, q.pass, false)
		}
	})
}

// closed takes a connection that ended: its input, if it never became a request, joins the
// source's session; a connection that sent nothing is counted in the open session of its
// source or else reported as a connection attempt.
func (t *table) closed(c *connRec, stopping bool) {
	raw, reason, requests := c.outcome(stopping)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	switch {
	case len(raw) > 0 && requests == 0:
		ws := t.sessionLocked(c, c.start)
		at, _, _ := c.packet()
		line := fmt.Sprintf("unanswered input (%s): %s", reason, strconv.Quote(string(raw)))
		t.addLocked(ws, c, len(line), func(e *model.Event) {
			ws.malformed++
			if reason == "timeout" {
				ws.timeouts++
			}
			honeypot.Interaction(e, at, line)
		})
	case len(raw) == 0:
		if ws := t.bySrc[c.src.Addr()]; ws != nil && t.overLocked(ws, now) == "" {
			ws.sess.Update(func(*model.Event) { ws.conns, ws.bare = ws.conns+1, ws.bare+1 })
			return
		}
		ws := t.openLocked(c, c.start)
		ws.sess.End(func(e *model.Event) {
			ws.conns, ws.bare = 1, 1
			honeypot.Interaction(e, now, fmt.Sprintf("close after %s: %s", now.Sub(c.start).Round(time.Millisecond), reason))
		})
	}
}

// endAll ends every session (on Stop).
func (t *table) endAll(reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, ws := range t.bySrc {
		t.endLocked(ws, reason)
	}
}

// sessionLocked returns the open session of c's source, or starts one at at.
func (t *table) sessionLocked(c *connRec, at time.Time) *webSession {
	src := c.src.Addr()
	if ws := t.bySrc[src]; ws != nil {
		reason := t.overLocked(ws, time.Now())
		if reason == "" {
			return ws
		}
		t.endLocked(ws, reason) // its timer has not fired yet
	}
	if len(t.bySrc) >= t.maxSessions {
		t.endLocked(t.oldestLocked(), fmt.Sprintf("ended early, %d sources were sending at once", t.maxSessions))
	}
	ws := t.openLocked(c, at)
	t.bySrc[src] = ws
	ws.timer = time.AfterFunc(min(t.idle, t.maxAge), func() { t.expire(ws) })
	return ws
}

// openLocked starts a session's event from c's addresses.
func (t *table) openLocked(c *connRec, at time.Time) *webSession {
	now := time.Now()
	ws := &webSession{src: c.src.Addr(), start: now, last: now}
	ev := &model.Event{Timestamp: at.UTC(), Service: "http", Source: c.src.Addr(), SourcePort: int(c.src.Port()),
		Target: c.dst.Addr(), TargetPort: int(c.dst.Port()), Protocol: model.ProtoTCP}
	ws.sess = t.reports.Open(ev, ws.complete)
	return ws
}

// addLocked changes ws's event with fn, adds the packet of a connection new to it, and ends it
// at the request limit. size is the text fn adds, for the memory budget.
func (t *table) addLocked(ws *webSession, c *connRec, size int, fn func(e *model.Event)) {
	joined := c.join(ws)
	at, payload, ok := c.packet()
	ws.sess.Update(func(e *model.Event) {
		if joined {
			ws.conns++
			if ok {
				honeypot.AddPacket(e, honeypot.FirstPacket(at, int(c.dst.Port()), payload))
			}
		}
		fn(e)
	})
	ws.sess.Activate()
	ws.last = time.Now()
	ws.lines++
	size = min(size, model.MaxDetailLen)
	ws.bytes += size
	t.bytes += size
	if ws.lines >= t.maxLines {
		t.endLocked(ws, fmt.Sprintf("request limit of %d reached", t.maxLines))
	}
	for t.bytes > t.budget && len(t.bySrc) > 0 {
		t.endLocked(t.oldestLocked(), "ended early, the service's memory for sessions was full")
	}
}

// overLocked says why ws is over at now (idle or too old), or "".
func (t *table) overLocked(ws *webSession, now time.Time) string {
	switch {
	case now.Sub(ws.start) >= t.maxAge:
		return fmt.Sprintf("time limit of %s reached", t.maxAge)
	case now.Sub(ws.last) >= t.idle:
		return fmt.Sprintf("no request for %s", t.idle)
	}
	return ""
}

// expire ends ws if it is over, or sets its timer for when it may be.
func (t *table) expire(ws *webSession) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.bySrc[ws.src] != ws {
		return // ended already
	}
	now := time.Now()
	if reason := t.overLocked(ws, now); reason != "" {
		t.endLocked(ws, reason)
		return
	}
	ws.timer.Reset(min(ws.last.Add(t.idle).Sub(now), ws.start.Add(t.maxAge).Sub(now)))
}

func (t *table) oldestLocked() *webSession {
	var oldest *webSession
	for _, ws := range t.bySrc {
		if oldest == nil || ws.start.Before(oldest.start) {
			oldest = ws
		}
	}
	return oldest
}

// endLocked ends ws: it leaves the table and its final report goes out.
func (t *table) endLocked(ws *webSession, reason string) {
	if t.bySrc[ws.src] == ws {
		delete(t.bySrc, ws.src)
	}
	ws.timer.Stop()
	t.bytes -= ws.bytes
	ws.bytes = 0
	ws.sess.End(func(*model.Event) { ws.ended = reason })
}
