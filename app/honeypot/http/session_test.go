package http

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

func interactions(e *model.Event) int {
	n := 0
	for _, d := range e.Details {
		if d.Type == model.DetailInteraction {
			n++
		}
	}
	return n
}

// TestSeventyRequestsOneSession: a scanner's 70 requests over 7 connections are one event
// with one interaction line, one path per request and one packet per connection.
func TestSeventyRequestsOneSession(t *testing.T) {
	svc, rec := start(t, DefaultConfig())
	base := "http://" + svc.Addr().String()
	var paths []string
	for conn := range 7 {
		c, tr := oneConn()
		for i := range 10 {
			p := fmt.Sprintf("/scan/%d/%d", conn, i)
			if conn == 3 && i < 3 {
				p = "/login"
				form := url.Values{"username": {fmt.Sprint("admin", i)}, "password": {"pw"}}.Encode()
				get(t, c, req(t, "POST", base+p, form))
			} else {
				get(t, c, req(t, "GET", base+p+"?q=1", ""))
			}
			paths = append(paths, p)
		}
		tr.CloseIdleConnections()
	}
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "HTTP: 70 requests, first GET /scan/0/0, 3 logins, first admin0/pw" {
		t.Errorf("summary %q", e.Summary)
	}
	if n := interactions(e); n != 70 {
		t.Errorf("%d interaction lines, want 70:\n%s", n, hptest.TypedDetails(e))
	}
	if !slices.Equal(e.Paths, paths) || len(e.Logins) != 3 || e.Logins[2] != (model.Login{User: "admin2", Password: "pw"}) {
		t.Errorf("paths %q\nlogins %+v", e.Paths, e.Logins)
	}
	// each POST carries a body and so ends its connection, as with lighttpd: 7 + 3 connections
	if len(e.Packets) != 10 {
		t.Fatalf("%d packets, want one per connection", len(e.Packets))
	}
	for _, p := range e.Packets {
		if p.Protocol != model.ProtoTCP || p.Flags != honeypot.FlagPSHACK || p.Port != e.TargetPort || !strings.HasPrefix(string(p.Payload), "GET /scan/") &&
			!strings.HasPrefix(string(p.Payload), "POST /login") || len(p.Payload) > honeypot.FirstPayloadMax {
			t.Errorf("packet %+v", p)
		}
	}
	if !strings.Contains(hptest.Details(e), "connections: 10 (0 without a request)") {
		t.Errorf("details\n%s", hptest.Details(e))
	}
	time.Sleep(2 * testIdle)
	if n := rec.Count(); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
}

// TestSessionReportedEarly: the first request is reported while the session goes on (the test
// logs how soon), later requests as revisions of it, and Stop makes it final.
func TestSessionReportedEarly(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	svc := New(cfg, testLimits(), nil)
	svc.Timing = fast
	svc.Timing.First = honeypot.DefaultSessionTiming.First
	rec := hptest.NewRecorder()
	if err := svc.Start(rec); err != nil {
		t.Fatal(err)
	}
	defer svc.Stop()
	base := "http://" + svc.Addr().String()
	c, _ := oneConn()
	began := time.Now()
	get(t, c, req(t, "GET", base+"/wp-login.php", ""))
	first := rec.WaitReport(t, eventWait, "the first report", func(*model.Event) bool { return true })
	t.Logf("first report after %s", time.Since(began)) // measured, not asserted: timings vary with load
	if !first.Ongoing || first.Revision != 1 || first.Session == "" || first.Summary != "HTTP: GET /wp-login.php" ||
		!slices.Equal(first.Paths, []string{"/wp-login.php"}) || len(first.Packets) != 1 {
		t.Fatalf("first report %+v", first)
	}
	get(t, c, req(t, "GET", base+"/xmlrpc.php", ""))
	second := rec.WaitReport(t, eventWait, "the second request", func(e *model.Event) bool { return len(e.Paths) == 2 })
	if !second.Ongoing || second.Session != first.Session || second.Revision <= first.Revision || second.Summary != "HTTP: 2 requests, first GET /wp-login.php" {
		t.Fatalf("second report %+v", second)
	}
	if rec.Count() != 0 {
		t.Fatal("a final event while the source still sends")
	}
	svc.Stop()
	final := rec.Wait(t, 1, eventWait)
	if final.Ongoing || final.Session != first.Session || final.Revision <= second.Revision ||
		!strings.Contains(hptest.Details(final), "The session ended: service stopped.") || interactions(final) != 2 {
		t.Errorf("final %+v\n%s", final, hptest.Details(final))
	}
}

// TestIdleWindowEndsSession: after the idle window the session is final, and the source's
// next request starts a new one.
func TestIdleWindowEndsSession(t *testing.T) {
	svc, rec := start(t, DefaultConfig())
	base := "http://" + svc.Addr().String()
	c, _ := oneConn()
	get(t, c, req(t, "GET", base+"/a", ""))
	get(t, c, req(t, "GET", base+"/b", ""))
	one := rec.Wait(t, 1, eventWait)
	get(t, c, req(t, "GET", base+"/c", ""))
	two := rec.Wait(t, 2, eventWait)
	if one.Summary != "HTTP: 2 requests, first GET /a" || two.Summary != "HTTP: GET /c" || !strings.Contains(hptest.Details(one), "no request for 300ms") {
		t.Errorf("summaries %q, %q\n%s", one.Summary, two.Summary, hptest.Details(one))
	}
	if one.Session == "" || one.Session == two.Session {
		t.Errorf("sessions %q and %q", one.Session, two.Session)
	}
}

// TestSessionLimits: the request limit and the time limit end a session; the next request
// starts a new one.
func TestSessionLimits(t *testing.T) {
	svc, rec := start(t, Config{SessionRequests: 5})
	base := "http://" + svc.Addr().String()
	c, _ := oneConn()
	for i := range 12 {
		get(t, c, req(t, "GET", fmt.Sprint(base, "/", i), ""))
	}
	rec.Wait(t, 3, eventWait)
	evs := rec.Events() // sessions report on their own: their finals may come in any order
	slices.SortFunc(evs, func(a, b *model.Event) int { return a.Timestamp.Compare(b.Timestamp) })
	for i, want := range []string{"HTTP: 5 requests, first GET /0", "HTTP: 5 requests, first GET /5", "HTTP: 2 requests, first GET /10"} {
		if evs[i].Summary != want {
			t.Errorf("session %d: %q, want %q", i+1, evs[i].Summary, want)
		}
	}
	if d := hptest.Details(evs[0]); !strings.Contains(d, "request limit of 5 reached") {
		t.Errorf("details\n%s", d)
	}

	svc, rec = start(t, DefaultConfig())
	svc.table.maxAge = 500 * time.Millisecond
	base = "http://" + svc.Addr().String()
	c, _ = oneConn()
	began := time.Now()
	for time.Since(began) < 1200*time.Millisecond { // never idle for the idle window
		get(t, c, req(t, "GET", base+"/", ""))
		time.Sleep(50 * time.Millisecond)
	}
	rec.Wait(t, 2, eventWait)
	if d := hptest.Details(rec.Events()[0]); !strings.Contains(d, "time limit of 500ms reached") {
		t.Errorf("first session\n%s", d)
	}
}

// TestUnansweredAndBareJoinSession: input that never became a request and connections that
// sent nothing join the source's session instead of making events of their own.
func TestUnansweredAndBareJoinSession(t *testing.T) {
	svc, rec := start(t, DefaultConfig())
	base := "http://" + svc.Addr().String()
	c, tr := oneConn()
	get(t, c, req(t, "GET", base+"/", ""))
	raw(t, svc, "GARBAGE\r\n\r\n")
	bare, err := net.Dial("tcp", svc.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	bare.Close()
	get(t, c, req(t, "GET", base+"/robots.txt", ""))
	tr.CloseIdleConnections()
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "HTTP: 2 requests, first GET /, 1 malformed" || interactions(e) != 3 || len(e.Packets) != 2 {
		t.Errorf("event %q, %d packets\n%s", e.Summary, len(e.Packets), hptest.TypedDetails(e))
	}
	if d := hptest.Details(e); !strings.Contains(d, `unanswered input (closed by server): "GARBAGE\r\n\r\n"`) ||
		!strings.Contains(d, "connections: 3 (1 without a request)") {
		t.Errorf("details\n%s", d)
	}
	time.Sleep(2 * testIdle)
	if rec.Count() != 1 {
		t.Errorf("%d events, want 1", rec.Count())
	}
}

// tableConn is a connection of src that sent its first bytes, for the table's unit tests.
func tableConn(src string) *connRec {
	c := &connRec{src: netip.MustParseAddrPort(src + ":40000"), dst: netip.MustParseAddrPort("192.0.2.1:80"), start: time.Now()}
	c.input([]byte("GET / HTTP/1.1\r\n"), nil)
	return c
}

func tableRequest(path string) *request {
	return &request{at: time.Now(), line: "GET " + path + " HTTP/1.1", short: "GET " + path, path: path, status: 404}
}

// TestTableBounds: the table holds at most maxSessions sources and budget bytes of text; the
// oldest sessions end early to make room, and are reported.
func TestTableBounds(t *testing.T) {
	rec := hptest.NewRecorder()
	reports := honeypot.NewSessions(rec, nil, fast)
	tb := newTable(DefaultConfig().withDefaults())
	tb.maxSessions = 3
	tb.start(reports)
	for i := range 5 {
		tb.request(tableConn(fmt.Sprint("198.51.100.", i)), tableRequest("/"))
		time.Sleep(time.Millisecond) // distinct start times: the oldest is well defined
	}
	if n := len(tb.bySrc); n != 3 {
		t.Errorf("%d sessions held, want 3", n)
	}
	for i := range 2 {
		e := rec.Wait(t, i+1, eventWait)
		if e.Source.String() != fmt.Sprint("198.51.100.", i) || !strings.Contains(hptest.Details(e), "ended early, 3 sources were sending at once") {
			t.Errorf("ended early: %s\n%s", e.Source, hptest.Details(e))
		}
	}

	tb.budget = 3000
	long := tableRequest("/" + strings.Repeat("x", 1000))
	for range 4 {
		tb.request(tableConn("198.51.100.4"), long) // ~1 KB each: the fourth passes the budget
	}
	if tb.bytes > tb.budget {
		t.Errorf("%d bytes held, budget %d", tb.bytes, tb.budget)
	}
	tb.endAll("service stopped")
	reports.Wait()
	if len(tb.bySrc) != 0 || tb.bytes != 0 {
		t.Errorf("after endAll: %d sessions, %d bytes", len(tb.bySrc), tb.bytes)
	}
	for _, e := range rec.Events() {
		if len(e.Details) > model.MaxDetails || len(e.Packets) > model.MaxPackets {
			t.Errorf("event of %d details, %d packets", len(e.Details), len(e.Packets))
		}
	}
}

func TestValidateSessions(t *testing.T) {
	c := Config{SessionIdle: 3601, SessionMax: -1, SessionRequests: MaxSessionRequests + 1}
	me, ok := c.Validate().(*model.Error)
	if !ok {
		t.Fatal("no error")
	}
	for _, f := range []string{"session_idle", "session_max", "session_requests"} {
		if me.Fields[f] == "" {
			t.Errorf("no message for %s: %v", f, me.Fields)
		}
	}
	c = Config{SessionIdle: 120, SessionMax: 60}
	if me, ok := c.Validate().(*model.Error); !ok || me.Fields["session_max"] == "" {
		t.Errorf("a time limit below the idle window: %v", c.Validate())
	}
	d := Config{}.withDefaults()
	if d.SessionIdle != 60 || d.SessionMax != 900 || d.SessionRequests != 500 {
		t.Errorf("defaults %+v", d)
	}
	if tb := newTable(d); tb.idle != time.Minute || tb.maxAge != 15*time.Minute || tb.maxLines != 500 {
		t.Errorf("table %v %v %d", tb.idle, tb.maxAge, tb.maxLines)
	}
}
