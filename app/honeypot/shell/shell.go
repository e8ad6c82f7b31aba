// Package shell is the fake Debian 12 shell the ssh and telnet honeypots give a client once it
// has logged in. It interprets the part of bash that attackers' scripts use (see syntax.go)
// and answers the common recon and persistence commands from one consistent fake host (see
// host.go). It is pure: a Session takes command lines and returns their output, and never
// touches the real filesystem, network or processes. wget and curl fail as on a host without
// a way out and the URL is handed back to the caller for the record; nothing an attacker
// names is ever fetched or run. Output uses "\n" line ends; a terminal transport turns them
// into "\r\n".
//
// The package also holds the Editor (the line discipline of an interactive terminal) and the
// credential Policy both login services share.
package shell

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Options set up a Session.
type Options struct {
	User     string           // login name; "root" when empty
	Hostname string           // "debian" when empty; also seeds the host's facts (boot time, install date)
	Client   netip.Addr       // where the client came from (for w and who)
	Local    netip.Addr       // our address as the client saw it (for ip a / ifconfig)
	Exec     bool             // a non-interactive "ssh host CMD": bash error prefix "bash: line 1:"
	Now      func() time.Time // time.Now when nil
	// Terminal says the client has a terminal (a pty): like bash 5.2 the prompt then turns
	// bracketed-paste mode on and reading a line turns it off again.
	Terminal bool
	// Context ends what takes time (sleep, a download that times out) when it is done,
	// e.g. because the connection closed. Nil means no cancellation; waits stay bounded.
	Context context.Context
}

// Result is what one command line did.
type Result struct {
	Output    string   // what the client sees, "\n" line ends
	Exit      bool     // the line ended the session (exit, logout)
	Status    int      // exit status of the last command
	Downloads []string // URLs wget/curl were asked to fetch (recorded, never fetched)
}

// Limits on what one session may hold and do. A line (a script) runs at most maxSteps
// commands and loop rounds, so "while true" ends; time spent waiting (sleep, downloads,
// the start-up time of programs) is capped per command and per session.
const (
	maxHistory     = 100
	maxHistoryLine = 1024
	maxLineLen     = 64 << 10
	maxOutput      = 256 << 10
	maxWritten     = 256 << 10
	maxCreated     = 200
	maxVars        = 128
	maxVarLen      = 64 << 10
	maxVarBytes    = 512 << 10
	maxDepth       = 32
	maxSteps       = 20000
	maxWaitCommand = 30 * time.Second
	maxWaitSession = 2 * time.Minute
)

// Session is one logged-in shell. It is not safe for concurrent use.
type Session struct {
	opt      Options
	host     host
	uid      int
	home     string
	cwd      string
	oldpwd   string
	root     *node  // the fake filesystem, built on first use (see fs)
	passwd   string // /etc/passwd and /etc/group of the fake filesystem
	group    string
	vars     map[string]string
	exported []string // exported variable names, in the order env lists them
	varBytes int
	funcs    map[string]cmd
	args     []string // positional parameters $1...
	history  []string
	status   int
	start    time.Time
	written  int
	created  int
	term     *outBuf // what the client sees of the running line
	io       stream  // where the running command reads and writes
	dl       []string
	exit     bool
	pending  string // an unfinished construct (a loop typed over several lines)
	globOff  bool   // set -f

	// State of the running line.
	steps       int
	depth       int
	failed      bool // an expansion failed: the command does not run
	ctl         int  // break, continue or return on its way out
	ctlN        int  // how many loops break/continue leave
	substStatus int  // status of the last command substitution
	hadSubst    bool
	lastBg      int // $!
	jobs        int
	external    int           // programs (not builtins) run, for time's user and sys
	waited      time.Duration // time spent waiting this session
	wait        func(ctx context.Context, d time.Duration)
}

var validUser = func(u string) bool {
	if u == "" || len(u) > 32 {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') || i == 0 && c == '-' {
			return false
		}
	}
	return true
}

// NewSession starts a shell for the options.
func NewSession(o Options) *Session {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.Hostname == "" {
		o.Hostname = "debian"
	}
	if o.User == "" {
		o.User = "root"
	}
	if !validUser(o.User) {
		// a name no real system would have: the shell shows the first created user instead
		o.User = "debian"
	}
	s := &Session{opt: o, start: o.Now(), wait: sleepCtx, vars: make(map[string]string, sessionVars), funcs: map[string]cmd{}}
	s.host = newHost(o.Hostname, s.start)
	s.passwd, s.group = passwdFor(o.User)
	s.home = homeOf(o.User)
	if o.User != "root" {
		s.uid = uidOf(s.passwd, o.User)
	}
	s.cwd = s.home
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	if s.uid != 0 {
		path = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
	}
	env := [][2]string{{"SHELL", "/bin/bash"}, {"PWD", s.cwd}, {"LOGNAME", o.User}, {"XDG_SESSION_TYPE", "tty"},
		{"MOTD_SHOWN", "pam"}, {"HOME", s.home}, {"LANG", "C.UTF-8"}}
	if o.Client.IsValid() {
		env = append(env, [2]string{"SSH_CONNECTION", fmt.Sprintf("%s %d %s 22", o.Client, s.host.clientPort, s.localIP())})
	}
	env = append(env, [2]string{"XDG_SESSION_CLASS", "user"})
	if !o.Exec {
		env = append(env, [2]string{"TERM", "xterm-256color"})
	}
	env = append(env, [][2]string{{"USER", o.User}, {"SHLVL", "1"}, {"XDG_SESSION_ID", strconv.Itoa(s.host.sessionID)},
		{"XDG_RUNTIME_DIR", fmt.Sprintf("/run/user/%d", s.uid)}}...)
	if o.Client.IsValid() {
		env = append(env, [2]string{"SSH_CLIENT", fmt.Sprintf("%s %d 22", o.Client, s.host.clientPort)})
	}
	env = append(env, [][2]string{{"PATH", path}, {"DBUS_SESSION_BUS_ADDRESS", fmt.Sprintf("unix:path=/run/user/%d/bus", s.uid)}}...)
	if o.Client.IsValid() && !o.Exec {
		env = append(env, [2]string{"SSH_TTY", "/dev/pts/0"})
	}
	for _, kv := range env {
		s.setVar(kv[0], kv[1])
		s.export(kv[0])
	}
	uid := strconv.Itoa(s.uid)
	for _, kv := range [...][2]string{{"BASH", "/bin/bash"}, {"BASH_VERSION", bashVersion}, {"HOSTNAME", o.Hostname},
		{"HOSTTYPE", "x86_64"}, {"OSTYPE", "linux-gnu"}, {"MACHTYPE", "x86_64-pc-linux-gnu"}, {"IFS", " \t\n"},
		{"UID", uid}, {"EUID", uid}, {"PPID", strconv.Itoa(s.host.sshdPID)}, {"OPTIND", "1"},
		{"PS4", "+ "}, {"HISTFILE", s.home + "/.bash_history"}, {"HISTSIZE", "500"}, {"HISTFILESIZE", "500"}} {
		s.setVar(kv[0], kv[1])
	}
	if !o.Exec {
		ps1 := `${debian_chroot:+($debian_chroot)}\u@\h:\w\$ `
		s.setVar("PS1", ps1)
		s.setVar("PS2", "> ")
	}
	return s
}

const bashVersion = "5.2.15(1)-release"

// sessionVars is room for the variables a new session starts with and a few more, so that
// the map is made once: every SSH and telnet login makes a session.
const sessionVars = 48

func homeOf(user string) string {
	if user == "root" {
		return "/root"
	}
	return "/home/" + user
}

const systemUsers = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin
messagebus:x:100:107::/nonexistent:/usr/sbin/nologin
sshd:x:101:65534::/run/sshd:/usr/sbin/nologin
debian:x:1000:1000:Debian,,,:/home/debian:/bin/bash
`

func passwdFor(user string) (passwd, group string) {
	passwd = systemUsers
	group = "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:debian\ntty:x:5:\ndisk:x:6:\nmail:x:8:\nwww-data:x:33:\nshadow:x:42:\nutmp:x:43:\nusers:x:100:\nnogroup:x:65534:\nsudo:x:27:debian\ndebian:x:1000:\n"
	if user != "root" && user != "debian" {
		if uidOf(passwd, user) < 0 {
			passwd += user + ":x:1001:1001:,,,:/home/" + user + ":/bin/bash\n"
			group += user + ":x:1001:\n"
		}
	}
	return passwd, group
}

func uidOf(passwd, user string) int {
	for _, l := range strings.Split(passwd, "\n") {
		f := strings.Split(l, ":")
		if len(f) > 3 && f[0] == user {
			n, _ := strconv.Atoi(f[2])
			return n
		}
	}
	return -1
}

// User returns the login name the shell runs as.
func (s *Session) User() string { return s.opt.User }

// Prompt returns the bash prompt, e.g. "root@debian:~# ", or "> " while a construct typed
// over several lines is unfinished.
func (s *Session) Prompt() string {
	p := "> "
	if s.pending == "" {
		sign := "$"
		if s.uid == 0 {
			sign = "#"
		}
		p = s.opt.User + "@" + s.opt.Hostname + ":" + s.tildeCwd() + sign + " "
	}
	if s.opt.Terminal {
		p = bracketedPasteOn + p
	}
	return p
}

// Bracketed-paste mode switches (xterm), as readline sends them around reading a line.
const (
	bracketedPasteOn  = "\x1b[?2004h"
	bracketedPasteOff = "\x1b[?2004l\r"
)

func (s *Session) tildeCwd() string {
	if s.cwd == s.home {
		return "~"
	}
	if strings.HasPrefix(s.cwd, s.home+"/") {
		return "~" + s.cwd[len(s.home):]
	}
	return s.cwd
}

// Banner is what a login prints before the first prompt: kernel line, Debian's motd and the
// last login.
func (s *Session) Banner() string {
	return fmt.Sprintf("Linux %s %s %s x86_64\n%sLast login: %s from %s\n",
		s.opt.Hostname, KernelRelease, kernelVersion, motd, s.host.lastLogin.UTC().Format("Mon Jan _2 15:04:05 2006"), s.host.lastFrom)
}

// History returns the lines run so far (clipped), oldest first.
func (s *Session) History() []string { return append([]string(nil), s.history...) }

// Run runs one command line and returns what it printed. A line that leaves a construct
// open (a for loop without its done, an open quote) is kept until a later line completes it,
// as bash does with its "> " prompt; in an exec session it is a syntax error.
func (s *Session) Run(line string) Result {
	if len(line) > maxLineLen {
		line = line[:maxLineLen]
	}
	s.term = &outBuf{max: maxOutput}
	s.io = stream{out: s.term, err: s.term, in: &inBuf{}, tty: !s.opt.Exec}
	s.steps, s.dl, s.ctl, s.depth = 0, nil, 0, 0
	src := line
	if s.pending != "" {
		src = s.pending + "\n" + line
	}
	prog, err := parseScript(src+"\n", s.opt.Exec)
	if err == errIncomplete && len(src) < maxLineLen {
		s.pending = src
		return s.result()
	}
	s.pending = ""
	s.remember(src)
	if err != nil {
		s.syntaxError(err, src)
		s.status = 2
		return s.result()
	}
	s.runList(prog)
	return s.result()
}

func (s *Session) result() Result {
	out := s.term.String()
	if s.opt.Terminal {
		out = bracketedPasteOff + out
	}
	return Result{Output: out, Exit: s.exit, Status: s.status, Downloads: s.dl}
}

// remember adds a command to the history; a construct typed over several lines is one entry,
// its lines joined the way bash's cmdhist joins them.
func (s *Session) remember(src string) {
	lines := strings.Split(strings.TrimSpace(src), "\n")
	h := ""
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if i > 0 && l != "" && h != "" {
			last := h[len(h)-1]
			if strings.HasSuffix(h, " do") || strings.HasSuffix(h, " then") || strings.HasSuffix(h, " else") || h == "do" ||
				last == '{' || last == '|' || last == '&' || last == ';' || last == '(' {
				h += " "
			} else {
				h += "; "
			}
		}
		h += l
	}
	if h == "" {
		return
	}
	if len(h) > maxHistoryLine {
		h = h[:maxHistoryLine]
	}
	if len(s.history) >= maxHistory {
		copy(s.history, s.history[1:])
		s.history = s.history[:maxHistory-1]
	}
	s.history = append(s.history, h)
}

// syntaxError prints a parse error the way bash does for typed lines or for bash -c.
func (s *Session) syntaxError(err error, src string) {
	line := strings.Count(strings.TrimRight(src, "\n"), "\n") + 1
	se, ok := err.(*syntaxError)
	switch {
	case !ok || se.near == "end of file":
		if s.opt.Exec {
			s.errorf("bash: -c: line %d: syntax error: unexpected end of file\n", line+1)
		} else {
			s.errorf("-bash: syntax error: unexpected end of file\n")
		}
	case s.opt.Exec:
		s.errorf("bash: -c: line %d: %s\nbash: -c: line %d: `%s'\n", line, se.Error(), line, strings.TrimSpace(src))
	default:
		s.errorf("-bash: %s\n", se.Error())
	}
}

func (s *Session) errPrefix() string {
	if s.opt.Exec {
		return "bash: line 1: "
	}
	return "-bash: "
}

func (s *Session) print(a ...string) {
	for _, x := range a {
		s.io.out.WriteString(x)
	}
}

func (s *Session) printf(format string, a ...any) { s.io.out.WriteString(fmt.Sprintf(format, a...)) }

// errorf prints to standard error, which reaches the client as it is also when standard
// output goes into a pipe or file.
func (s *Session) errorf(format string, a ...any) { s.io.err.WriteString(fmt.Sprintf(format, a...)) }
