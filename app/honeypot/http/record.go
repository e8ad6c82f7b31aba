package http

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// request records one answered request.
type request struct {
	at      time.Time
	line    string // "GET /x?y HTTP/1.1"
	short   string // "GET /x" for the summary
	path    string // "/x", the path without the query
	status  int
	headers string
	body    []byte
	bodyCut bool
	user    string
	pass    string
	via     string // "form" or "basic auth"; empty: no credentials
	// malformed: a request that broke the protocol after others on its connection
	malformed bool
}

// text is the request's one interaction line: what was asked, the answer, the credentials,
// the headers kept and the body.
func (q *request) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s → %d", q.line, q.status)
	if q.via != "" {
		fmt.Fprintf(&b, " | login %s / %s (%s): rejected", q.user, q.pass, q.via)
	}
	if q.headers != "" {
		b.WriteString(" | " + q.headers)
	}
	if len(q.body) > 0 {
		cut := ""
		if q.bodyCut {
			cut = ", cut"
		}
		fmt.Fprintf(&b, " | body (%d bytes%s): %s", len(q.body), cut, q.body)
	}
	return b.String()
}

// webSession is the session of one source address: its requests, from any number of
// connections, as one event.
type webSession struct {
	src   netip.Addr
	sess  *honeypot.Session
	start time.Time
	timer *time.Timer // ends the session when idle or too old

	// Under the table's lock.
	last  time.Time // the latest request or unanswered input
	lines int       // requests and unanswered inputs
	bytes int       // detail text held

	// Under sess's lock: what complete makes the summary of.
	requests  int
	creds     int
	malformed int    // connections whose input never became a request
	timeouts  int    // of which ended waiting for the rest of a request
	conns     int    // connections that took part
	bare      int    // of which sent nothing
	first     string // "GET /path" of the first request
	credReq   string // "POST /login" of the first credentials
	cred      string // "admin/admin", the first credentials
	ended     string // why the session ended
}

// complete gives a copy of the event its counters, classification and summary, for every
// report.
func (ws *webSession) complete(e *model.Event, final bool) {
	honeypot.Info(e, fmt.Sprintf("requests: %d, login attempts: %d, malformed: %d, connections: %d (%d without a request)",
		ws.requests, ws.creds, ws.malformed, ws.conns, ws.bare))
	if final && ws.ended != "" {
		honeypot.Info(e, "The session ended: "+ws.ended+".")
	}
	e.Classification = model.ClassHoneypot
	if ws.requests == 0 && ws.malformed == 0 {
		e.Classification = model.ClassConnAttempt // connected, sent nothing
	}
	e.Summary = model.Clip(model.OneLine(ws.summary()), model.MaxSummaryLen)
}

func (ws *webSession) summary() string {
	switch {
	case ws.requests == 0 && ws.malformed == 0:
		return "HTTP: connection without request"
	case ws.requests == 0 && ws.malformed == 1 && ws.timeouts == 1:
		return "HTTP: incomplete request (timeout)"
	case ws.requests == 0 && ws.malformed == 1:
		return "HTTP: malformed request"
	case ws.requests == 0:
		return fmt.Sprintf("HTTP: %d malformed requests", ws.malformed)
	}
	var s string
	switch {
	case ws.requests == 1 && ws.creds == 1:
		s = "HTTP: " + ws.credReq + " with credentials " + ws.cred
	case ws.requests == 1:
		s = "HTTP: " + ws.first
	default:
		s = fmt.Sprintf("HTTP: %d requests, first %s", ws.requests, ws.first)
	}
	switch {
	case ws.requests > 1 && ws.creds == 1:
		s += ", 1 login " + ws.cred
	case ws.creds > 1:
		s += fmt.Sprintf(", %d logins, first %s", ws.creds, ws.cred)
	}
	if ws.malformed > 0 {
		s += fmt.Sprintf(", %d malformed", ws.malformed)
	}
	return s
}
