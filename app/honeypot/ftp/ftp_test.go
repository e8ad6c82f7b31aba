package ftp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

func TestMain(m *testing.M) {
	failDelay = 0
	dataAcceptTimeout = 2 * time.Second
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

func start(t *testing.T, cfg Config) (*Service, *hptest.Recorder) {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	svc := New(cfg, testLimits(), nil)
	rec := hptest.NewRecorder()
	if err := svc.Start(rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	return svc, rec
}

type client struct {
	t  *testing.T
	c  net.Conn
	tp *textproto.Conn
}

func dial(t *testing.T, svc *Service) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", svc.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(15 * time.Second))
	t.Cleanup(func() { c.Close() })
	cl := &client{t: t, c: c, tp: textproto.NewConn(c)}
	cl.expect(220, "(vsFTPd 3.0.3)")
	return cl
}

// expect reads one (possibly multi-line) reply and checks code and, if given, the text.
func (cl *client) expect(code int, text string) string {
	cl.t.Helper()
	got, msg, err := cl.tp.ReadResponse(code)
	if err != nil {
		cl.t.Fatalf("want %d %q, got %d %q: %v", code, text, got, msg, err)
	}
	if text != "" && !strings.Contains(msg, text) {
		cl.t.Fatalf("want %d %q, got %d %q", code, text, got, msg)
	}
	return msg
}

func (cl *client) cmd(line string, code int, text string) string {
	cl.t.Helper()
	if err := cl.tp.PrintfLine("%s", line); err != nil {
		cl.t.Fatal(err)
	}
	return cl.expect(code, text)
}

// pasv sends EPSV and dials the announced data port.
func (cl *client) pasv() net.Conn {
	cl.t.Helper()
	msg := cl.cmd("EPSV", 229, "Entering Extended Passive Mode")
	var port int
	if _, err := fmt.Sscanf(msg[strings.Index(msg, "|||"):], "|||%d|)", &port); err != nil {
		cl.t.Fatalf("EPSV reply %q: %v", msg, err)
	}
	dc, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	if err != nil {
		cl.t.Fatal(err)
	}
	dc.SetDeadline(time.Now().Add(10 * time.Second))
	return dc
}

func TestFailedLogins(t *testing.T) {
	svc, rec := start(t, Config{})
	cl := dial(t, svc)
	cl.cmd("SYST", 530, "Please login with USER and PASS.")
	cl.cmd("PASS early", 503, "Login with USER first.")
	for _, pw := range []string{"123456", "admin"} {
		cl.cmd("USER admin", 331, "Please specify the password.")
		cl.cmd("PASS "+pw, 530, "Login incorrect.")
	}
	cl.cmd("QUIT", 221, "Goodbye.")
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "FTP: 2 failed logins as admin" {
		t.Errorf("summary %q", e.Summary)
	}
	if e.Service != "ftp" || e.Classification != model.ClassHoneypot || e.Source.String() != "127.0.0.1" || e.TargetPort != svc.Addr().(*net.TCPAddr).Port {
		t.Errorf("event %+v", e)
	}
	d := hptest.Details(e)
	for _, want := range []string{"SYST\n", "USER admin\n", "login admin / 123456: rejected", "login admin / admin: rejected", "QUIT\n", "close after", "client quit"} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "PASS ") {
		t.Errorf("raw PASS line recorded, want the login line only:\n%s", d)
	}
	for _, det := range e.Details {
		if det.Type == model.DetailInteraction && det.Timestamp == nil {
			t.Errorf("interaction without time: %q", det.Data)
		}
	}
}

// TestMaxLoginFails: as vsftpd (max_login_fails 3), the third failed login ends the
// connection after its answer; every attempt is recorded.
func TestMaxLoginFails(t *testing.T) {
	svc, rec := start(t, Config{})
	cl := dial(t, svc)
	for _, pw := range []string{"123456", "admin", "root"} {
		cl.cmd("USER admin", 331, "Please specify the password.")
		cl.cmd("PASS "+pw, 530, "Login incorrect.")
	}
	cl.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, err := cl.tp.R.ReadByte(); err != io.EOF {
		t.Errorf("after the third failure: read %q, %v; want the end of the connection", b, err)
	}
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "FTP: 3 failed logins as admin" || len(e.Logins) != 3 || !strings.Contains(hptest.Details(e), "too many failed logins") {
		t.Errorf("summary %q, %d logins:\n%s", e.Summary, len(e.Logins), hptest.Details(e))
	}
}

func TestAnonymousSession(t *testing.T) {
	svc, rec := start(t, Config{Anonymous: true})
	cl := dial(t, svc)
	cl.cmd("FEAT", 211, "EPSV")
	cl.cmd("USER anonymous", 331, "")
	cl.cmd("PASS mozilla@example.com", 230, "Login successful.")
	cl.cmd("SYST", 215, "UNIX Type: L8")
	cl.cmd("PWD", 257, `"/" is the current directory`)
	cl.cmd("CWD /nonexistent", 550, "Failed to change directory.")
	cl.cmd("CWD pub", 250, "Directory successfully changed.")
	cl.cmd("PWD", 257, `"/pub" is the current directory`)
	cl.cmd("TYPE I", 200, "Binary")
	cl.cmd("SITE EXEC /bin/sh", 550, "Permission denied.") // vsftpd refuses SITE to anonymous users
	cl.cmd("XYZZY", 500, "Unknown command.")

	dc := cl.pasv()
	cl.cmd("LIST -la", 150, "Here comes the directory listing.")
	listing, _ := io.ReadAll(dc)
	cl.expect(226, "Directory send OK.")
	if !strings.Contains(string(listing), "README\r\n") || !strings.HasPrefix(string(listing), "-rw-r--r--    1 0        0") {
		t.Errorf("listing %q", listing)
	}

	dc = cl.pasv()
	cl.cmd("RETR README", 150, "Opening BINARY mode data connection for README")
	body, _ := io.ReadAll(dc)
	cl.expect(226, "Transfer complete.")
	if !strings.HasPrefix(string(body), "Welcome") {
		t.Errorf("RETR %q", body)
	}

	dc = cl.pasv()
	cl.cmd("STOR bot.sh", 150, "Ok to send data.")
	dc.Write([]byte(strings.Repeat("x", 1000)))
	dc.Close()
	cl.expect(226, "Transfer complete.")
	cl.cmd("SIZE bot.sh", 213, "1000")

	// Active mode is answered, never followed.
	cl.cmd("PORT 127,0,0,1,4,1", 200, "PORT command successful.")
	cl.cmd("NLST", 425, "Failed to establish connection.")
	cl.cmd("LIST", 425, "Use PORT or PASV first.")
	cl.cmd("QUIT", 221, "")

	e := rec.Wait(t, 1, eventWait)
	// 22 commands in all, 19 after the login (SYST ... QUIT).
	if want := "FTP: login as anonymous, 19 commands, uploaded bot.sh (1000 bytes)"; e.Summary != want {
		t.Errorf("summary %q, want %q", e.Summary, want)
	}
	d := hptest.Details(e)
	for _, want := range []string{"login anonymous / mozilla@example.com: accepted", "CWD pub", "LIST -la", "STOR /pub/bot.sh: 1000 bytes received, sha256 ",
		"active mode data connection to 127,0,0,1,4,1 not made", "commands: 22, failed logins: 0, uploads: 1"} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
}

func TestCredentialPolicy(t *testing.T) {
	svc, rec := start(t, Config{Accept: []string{"root:toor", "backup:*"}, AcceptAfter: 3})
	cl := dial(t, svc)
	cl.cmd("USER anonymous", 331, "")
	cl.cmd("PASS x", 530, "") // anonymous is off
	cl.cmd("USER root", 331, "")
	cl.cmd("PASS toor", 230, "")
	cl.cmd("USER other", 530, "Can't change to another user.")
	cl.cmd("PASS again", 230, "Already logged in.")
	cl.cmd("QUIT", 221, "")
	if e := rec.Wait(t, 1, eventWait); e.Summary != "FTP: login as root after 1 failed attempt, 3 commands" {
		t.Errorf("summary %q", e.Summary)
	}

	cl = dial(t, svc)
	cl.cmd("USER backup", 331, "")
	cl.cmd("PASS anything", 230, "")
	cl.c.Close()
	if e := rec.Wait(t, 2, eventWait); e.Summary != "FTP: login as backup, 0 commands" || !strings.Contains(hptest.Details(e), "closed by client") {
		t.Errorf("summary %q\n%s", e.Summary, hptest.Details(e))
	}

	// AcceptAfter counts the address's failures over its connections: the anonymous attempt
	// above was the first.
	cl = dial(t, svc)
	for i, u := range []string{"a", "b", "c"} {
		code := 530
		if i == 2 {
			code = 230 // AcceptAfter 3
		}
		cl.cmd("USER "+u, 331, "")
		cl.cmd("PASS p", code, "")
	}
	cl.cmd("QUIT", 221, "")
	if e := rec.Wait(t, 3, eventWait); e.Summary != "FTP: login as c after 2 failed attempts, 1 command" {
		t.Errorf("summary %q", e.Summary)
	}
}

func TestLimits(t *testing.T) {
	svc, rec := start(t, Config{Anonymous: true, MaxCommands: 5, MaxUpload: 100})
	cl := dial(t, svc)
	cl.cmd(strings.Repeat("A", 3*maxLine), 500, "Input line too long.")
	cl.cmd("USER ftp", 331, "")
	cl.cmd("PASS x", 230, "")
	dc := cl.pasv()
	cl.cmd("STOR big.bin", 150, "")
	dc.Write(make([]byte, 5000))
	dc.Close()
	cl.expect(552, "Exceeded storage allocation.")
	cl.cmd("NOOP", 200, "")
	cl.cmd("NOOP", 421, "Too many commands")
	e := rec.Wait(t, 1, eventWait)
	d := hptest.Details(e)
	for _, want := range []string{"overlong line: AAAA", "STOR /big.bin: more than 100 bytes sent, cut off", "command limit reached"} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q:\n%s", want, d)
		}
	}
	if len(d) > 20000 {
		t.Errorf("details too long: %d", len(d))
	}
}

func TestPassiveOnlyFromPeer(t *testing.T) {
	// The data port only takes the control connection's peer; here everything is 127.0.0.1, so
	// check the bookkeeping: a second PASV closes the first listener.
	svc, _ := start(t, Config{Anonymous: true})
	cl := dial(t, svc)
	cl.cmd("USER ftp", 331, "")
	cl.cmd("PASS x", 230, "")
	msg := cl.cmd("PASV", 227, "Entering Passive Mode (127,0,0,1,")
	var h [6]int
	fmt.Sscanf(msg[strings.Index(msg, "(")+1:], "%d,%d,%d,%d,%d,%d", &h[0], &h[1], &h[2], &h[3], &h[4], &h[5])
	first := fmt.Sprintf("127.0.0.1:%d", h[4]<<8|h[5])
	cl.cmd("EPSV", 229, "")
	if c, err := net.DialTimeout("tcp", first, time.Second); err == nil {
		c.Close()
		t.Errorf("first passive port %s still open", first)
	}
}

func TestStopReportsOpenSessions(t *testing.T) {
	svc, rec := start(t, Config{Anonymous: true})
	cl := dial(t, svc)
	cl.cmd("USER ftp", 331, "")
	cl.cmd("PASS x", 230, "")
	cl.pasv() // an open passive listener must not hold Stop up
	svc.Stop()
	e := rec.Wait(t, 1, eventWait)
	if !strings.Contains(hptest.Details(e), "server stopped") || e.Summary != "FTP: login as ftp, 1 command" {
		t.Errorf("summary %q\n%s", e.Summary, hptest.Details(e))
	}
}

func TestBareConnect(t *testing.T) {
	svc, rec := start(t, Config{})
	cl := dial(t, svc)
	cl.c.Close()
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "FTP: connection without commands" || e.Classification != model.ClassConnAttempt {
		t.Errorf("event %q %v", e.Summary, e.Classification)
	}
}

func TestIdleTimeout(t *testing.T) {
	cfg := Config{Listen: "127.0.0.1:0"}
	lim := testLimits()
	lim.IdleTimeout = 300 * time.Millisecond
	svc := New(cfg, lim, nil)
	rec := hptest.NewRecorder()
	if err := svc.Start(rec); err != nil {
		t.Fatal(err)
	}
	defer svc.Stop()
	c, err := net.Dial("tcp", svc.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	out, _ := io.ReadAll(bufio.NewReader(c))
	if !strings.HasSuffix(string(out), "421 Timeout.\r\n") {
		t.Errorf("got %q", out)
	}
	if e := rec.Wait(t, 1, eventWait); !strings.Contains(hptest.Details(e), ": timeout") {
		t.Errorf("details %s", hptest.Details(e))
	}
}

func TestValidate(t *testing.T) {
	good := DefaultConfig()
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Config{Listen: "nowhere", Banner: "x\r\n230 hi", Accept: []string{"nopassword"}, AcceptAfter: -1,
		PassiveIP: "::1", PassivePorts: "10-5"}
	err := bad.Validate()
	me, ok := err.(*model.Error)
	if !ok {
		t.Fatalf("err %v", err)
	}
	for _, f := range []string{"listen", "banner", "accept", "accept_after", "passive_ip", "passive_ports"} {
		if me.Fields[f] == "" {
			t.Errorf("no message for %s: %v", f, me.Fields)
		}
	}
}

func TestBindError(t *testing.T) {
	svc, _ := start(t, Config{})
	other := New(Config{Listen: svc.Addr().String()}, testLimits(), nil)
	if err := other.Start(hptest.NewRecorder()); err == nil {
		other.Stop()
		t.Fatal("second bind succeeded")
	}
}

func TestStopDuringDataWait(t *testing.T) {
	svc, rec := start(t, Config{Anonymous: true})
	cl := dial(t, svc)
	cl.cmd("USER ftp", 331, "")
	cl.cmd("PASS x", 230, "")
	cl.cmd("EPSV", 229, "")
	cl.tp.PrintfLine("LIST") // the data connection never comes
	time.Sleep(100 * time.Millisecond)
	begin := time.Now()
	svc.Stop()
	if d := time.Since(begin); d > time.Second {
		t.Errorf("Stop took %s", d)
	}
	if e := rec.Wait(t, 1, eventWait); !strings.Contains(hptest.Details(e), "server stopped") {
		t.Errorf("details\n%s", hptest.Details(e))
	}
}
