// Package shell is the fake Debian 12 shell the ssh and telnet honeypots give a client once it
// has logged in. It is pure: a Session takes command lines and returns their output, and never
// touches the real filesystem, network or processes. wget and curl are answered with a
// connection time-out and the URL is handed back to the caller for the record; nothing an
// attacker names is ever fetched or run. Output uses "\n" line ends; a terminal transport
// turns them into "\r\n".
//
// The package also holds the Editor (the line discipline of an interactive terminal) and the
// credential Policy both login services share.
package shell

import (
	"fmt"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"
)

// Options set up a Session.
type Options struct {
	User     string           // login name; "root" when empty
	Hostname string           // "debian" when empty
	Client   netip.Addr       // where the client came from (for w and who)
	Local    netip.Addr       // our address as the client saw it (for ip a / ifconfig)
	Exec     bool             // a non-interactive "ssh host CMD": bash error prefix "bash: line 1:"
	Now      func() time.Time // time.Now when nil
}

// Result is what one command line did.
type Result struct {
	Output    string   // what the client sees, "\n" line ends
	Exit      bool     // the line ended the session (exit, logout)
	Status    int      // exit status of the last command
	Downloads []string // URLs wget/curl were asked to fetch (recorded, never fetched)
}

// Limits on what one session may hold.
const (
	maxHistory     = 100
	maxHistoryLine = 1024
	maxLineLen     = 64 << 10
	maxOutput      = 256 << 10
	maxWritten     = 256 << 10
	maxCreated     = 200
	maxEnv         = 64
	maxDepth       = 4
	maxSteps       = 512
)

// Session is one logged-in shell. It is not safe for concurrent use.
type Session struct {
	opt     Options
	uid     int
	home    string
	cwd     string
	oldpwd  string
	root    *node  // the fake filesystem, built on first use (see fs)
	passwd  string // /etc/passwd and /etc/group of the fake filesystem
	group   string
	env     map[string]string
	history []string
	status  int
	start   time.Time
	boot    time.Time
	written int
	created int
	out     strings.Builder
	stderr  strings.Builder // standard error of a command whose output is piped
	dl      []string
	exit    bool
	steps   int  // commands run by the current line (bounded: sh -c and pipes into sh nest)
	piped   bool // the running command's output goes to a pipe or file (ls prints one per line)
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
	s := &Session{opt: o, start: o.Now()}
	s.boot = s.start.Add(-(41*24*time.Hour + 3*time.Hour + 12*time.Minute + 9*time.Second))
	s.passwd, s.group = passwdFor(o.User)
	if o.User == "root" {
		s.home = "/root"
	} else {
		s.home = "/home/" + o.User
		s.uid = uidOf(s.passwd, o.User)
	}
	s.cwd = s.home
	s.env = map[string]string{
		"HOME":     s.home,
		"USER":     o.User,
		"LOGNAME":  o.User,
		"SHELL":    "/bin/bash",
		"HOSTNAME": o.Hostname,
		"TERM":     "xterm-256color",
		"LANG":     "C.UTF-8",
		"SHLVL":    "1",
		"PATH":     "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	}
	if s.uid != 0 {
		s.env["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
	}
	if o.Client.IsValid() {
		s.env["SSH_CLIENT"] = o.Client.String() + " 52114 22"
	}
	return s
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

// Prompt returns the bash prompt, e.g. "root@debian:~# ".
func (s *Session) Prompt() string {
	sign := "$"
	if s.uid == 0 {
		sign = "#"
	}
	return s.opt.User + "@" + s.opt.Hostname + ":" + s.tildeCwd() + sign + " "
}

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
	last := s.start.Add(-(2*24*time.Hour + 3*time.Hour + 17*time.Minute))
	return fmt.Sprintf("Linux %s %s %s x86_64\n%sLast login: %s from 10.0.0.5\n",
		s.opt.Hostname, kernelRelease, kernelVersion, motd, last.UTC().Format("Mon Jan _2 15:04:05 2006"))
}

// History returns the lines run so far (clipped), oldest first.
func (s *Session) History() []string { return append([]string(nil), s.history...) }

// Run runs one command line and returns what it printed.
func (s *Session) Run(line string) Result {
	if len(line) > maxLineLen {
		line = line[:maxLineLen]
	}
	s.out.Reset()
	s.stderr.Reset()
	s.piped = false
	s.steps = 0
	s.dl = nil
	if t := strings.TrimSpace(line); t != "" {
		h := t
		if len(h) > maxHistoryLine {
			h = h[:maxHistoryLine]
		}
		if len(s.history) >= maxHistory {
			copy(s.history, s.history[1:])
			s.history = s.history[:maxHistory-1]
		}
		s.history = append(s.history, h)
	}
	s.runLine(line, 0)
	return Result{Output: s.out.String(), Exit: s.exit, Status: s.status, Downloads: s.dl}
}

func (s *Session) runLine(line string, depth int) {
	if depth > maxDepth {
		return
	}
	parts := splitLine(line)
	for i, p := range parts {
		if s.exit {
			return
		}
		if i+1 < len(parts) && strings.TrimSpace(strings.Join(p.stages, "")) == "" {
			s.errorf("%ssyntax error near unexpected token `%s'\n", s.errPrefix(), parts[i+1].op)
			s.status = 2
			return
		}
		for j, st := range p.stages {
			if j > 0 && strings.TrimSpace(st) == "" || j == 0 && len(p.stages) > 1 && strings.TrimSpace(st) == "" {
				s.errorf("%ssyntax error near unexpected token `|'\n", s.errPrefix())
				s.status = 2
				return
			}
		}
		switch p.op {
		case "&&":
			if s.status != 0 {
				continue
			}
		case "||":
			if s.status == 0 {
				continue
			}
		}
		if len(p.stages) == 0 {
			continue
		}
		argv, redir := words(p.stages[0], s.lookup)
		if len(argv) == 0 && redir == nil {
			if strings.TrimSpace(p.stages[0]) == "" && (p.op != "" && p.op != ";" || len(p.stages) > 1) {
				s.errorf("-bash: syntax error near unexpected token `%s'\n", strings.TrimSpace(p.op))
				s.status = 2
				return
			}
			continue
		}
		start := s.out.Len()
		wasPiped := s.piped
		s.piped = len(p.stages) > 1 || redir != nil
		s.runArgv(argv, depth)
		if len(p.stages) > 1 || redir != nil {
			// a pipeline: what the first command printed goes through the filters we know
			// (grep, head, tail, wc, sort); unknown stages complain like bash and print nothing
			out := s.out.String()[start:]
			before := s.out.String()[:start]
			s.out.Reset()
			s.out.WriteString(before)
			for _, st := range p.stages[1:] {
				w, r := words(st, s.lookup)
				if r != nil {
					redir = r
				}
				if len(w) == 0 {
					continue
				}
				out = s.filter(w, out, depth)
			}
			s.piped = wasPiped
			s.out.WriteString(s.stderr.String())
			s.stderr.Reset()
			if redir != nil {
				s.writeFile(redir.path, out, redir.append)
			} else {
				s.out.WriteString(out)
			}
		}
		s.piped = wasPiped
		if s.out.Len() > maxOutput {
			o := s.out.String()[:maxOutput]
			s.out.Reset()
			s.out.WriteString(o)
		}
	}
}

func (s *Session) lookup(name string) string {
	switch name {
	case "?":
		return strconv.Itoa(s.status)
	case "$":
		return "2187"
	case "#":
		return "0"
	case "0":
		return "-bash"
	case "PWD":
		return s.cwd
	case "OLDPWD":
		return s.oldpwd
	case "UID", "EUID":
		return strconv.Itoa(s.uid)
	case "RANDOM":
		return strconv.Itoa(int(s.opt.Now().UnixNano() % 32768))
	}
	return s.env[name]
}

func (s *Session) errPrefix() string {
	if s.opt.Exec {
		return "bash: line 1: "
	}
	return "-bash: "
}

func (s *Session) print(a ...string) {
	for _, x := range a {
		s.out.WriteString(x)
	}
}

func (s *Session) printf(format string, a ...any) { fmt.Fprintf(&s.out, format, a...) }

// errorf prints an error message. Standard error reaches the client as it is, also when the
// command's standard output goes into a pipe or file.
func (s *Session) errorf(format string, a ...any) {
	if s.piped {
		fmt.Fprintf(&s.stderr, format, a...)
		if s.stderr.Len() > maxOutput {
			s.stderr.Reset()
		}
		return
	}
	fmt.Fprintf(&s.out, format, a...)
}

type command func(s *Session, args []string, depth int) int

var commands map[string]command

func init() {
	commands = map[string]command{
		"ls": cmdLs, "dir": cmdLs, "ll": func(s *Session, a []string, _ int) int { return cmdLs(s, append([]string{"-l"}, a...), 0) },
		"cd": cmdCd, "pwd": cmdPwd, "whoami": cmdWhoami, "id": cmdID, "uname": cmdUname,
		"cat": cmdCat, "echo": cmdEcho, "ps": cmdPs, "hostname": cmdHostname, "w": cmdW,
		"uptime": cmdUptime, "free": cmdFree, "df": cmdDf, "ifconfig": cmdIfconfig, "ip": cmdIP,
		"history": cmdHistory, "wget": cmdWget, "curl": cmdCurl, "exit": cmdExit, "logout": cmdExit,
		"true": func(*Session, []string, int) int { return 0 }, "false": func(*Session, []string, int) int { return 1 },
		":": func(*Session, []string, int) int { return 0 }, "export": cmdNop, "unset": cmdNop, "alias": cmdNop,
		"sleep": cmdNop, "clear": cmdClear, "sh": cmdSh, "bash": cmdSh, "sudo": cmdSudo,
		"nohup": cmdSudo, "chmod": cmdTouchLike, "chown": cmdTouchLike, "touch": cmdTouch, "mkdir": cmdMkdir,
		"rm": cmdRm, "which": cmdWhich, "nproc": func(s *Session, _ []string, _ int) int { s.print("2\n"); return 0 },
		"date": cmdDate, "env": cmdEnv, "printenv": cmdEnv, "crontab": cmdCrontab, "who": cmdWho,
		"passwd": cmdPasswd, "kill": cmdNop, "killall": cmdNop, "pkill": cmdNop, "cp": cmdNop, "mv": cmdNop,
		"head": cmdHead, "tail": cmdHead, "more": cmdCat, "less": cmdCat, "grep": cmdGrep, "wc": cmdWc, "sort": cmdCat,
		"su": cmdNop, "lscpu": cmdLscpu, "tty": func(s *Session, _ []string, _ int) int {
			if s.opt.Exec {
				s.print("not a tty\n")
				return 1
			}
			s.print("/dev/pts/0\n")
			return 0
		},
	}
}

// rootOnly commands live in /usr/sbin, which is not on a normal user's PATH.
var rootOnly = map[string]bool{"ifconfig": true, "iptables": true, "reboot": true, "shutdown": true, "useradd": true}

func known(name string) bool {
	_, ok := commands[path.Base(name)]
	return ok
}

func (s *Session) runArgv(argv []string, depth int) {
	// VAR=value assignments before the command
	for len(argv) > 0 {
		k, v, ok := strings.Cut(argv[0], "=")
		if !ok || k == "" || strings.ContainsAny(k, "/-.$") {
			break
		}
		if _, exists := s.env[k]; exists || len(s.env) < maxEnv {
			s.env[k] = v
		}
		argv = argv[1:]
	}
	if len(argv) == 0 {
		s.status = 0
		return
	}
	if s.steps++; s.steps > maxSteps {
		s.status = 1
		return
	}
	name := argv[0]
	if strings.Contains(name, "/") {
		n, _ := s.resolve(name)
		base := path.Base(name)
		switch {
		case n == nil:
			s.errorf("%s%s: No such file or directory\n", s.errPrefix(), name)
			s.status = 127
			return
		case n.dir:
			s.errorf("%s%s: Is a directory\n", s.errPrefix(), name)
			s.status = 126
			return
		case n.mode != "" && n.mode[3] == 'x' && commands[base] != nil:
			name = base
		default:
			s.errorf("%s%s: Permission denied\n", s.errPrefix(), name)
			s.status = 126
			return
		}
	}
	cmd := commands[name]
	if cmd == nil || s.uid != 0 && rootOnly[name] {
		s.errorf("%s%s: command not found\n", s.errPrefix(), name)
		s.status = 127
		return
	}
	s.status = cmd(s, argv[1:], depth)
}

// flags splits args into short option letters and operands ("--" ends options).
func flags(args []string) (set map[byte]bool, long []string, operands []string) {
	set = map[byte]bool{}
	for i, a := range args {
		switch {
		case a == "--":
			return set, long, append(operands, args[i+1:]...)
		case strings.HasPrefix(a, "--"):
			long = append(long, a)
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				set[a[j]] = true
			}
		default:
			operands = append(operands, a)
		}
	}
	return set, long, operands
}

// abs makes p absolute against the working directory, with ~ expanded.
func (s *Session) abs(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		p = s.home + p[1:]
	}
	if !strings.HasPrefix(p, "/") {
		p = s.cwd + "/" + p
	}
	return path.Clean(p)
}

// resolve finds the node of p, following symlinks. It returns the node (nil when missing)
// and the canonical absolute path.
func (s *Session) resolve(p string) (*node, string) {
	return s.lookupPath(s.abs(p), 0)
}

// fs returns the root of the session's fake filesystem, building it on first use: most
// sessions (a bot's single exec, a login that runs echo or uname) never touch it, and
// building it costs tens of microseconds and ~40 KB. Its times derive from the session's
// start, so the tree is the same whenever it is built.
func (s *Session) fs() *node {
	if s.root == nil {
		s.root = newFS(&s.opt, s.start, s.passwd, s.group)
	}
	return s.root
}

func (s *Session) lookupPath(abs string, hops int) (*node, string) {
	cur := s.fs()
	curPath := "/"
	parts := strings.Split(strings.Trim(abs, "/"), "/")
	for i, part := range parts {
		if part == "" {
			continue
		}
		if !cur.dir {
			return nil, abs
		}
		next, ok := cur.kids[part]
		if !ok {
			return nil, abs
		}
		if next.link != "" && hops < 8 {
			target := next.link
			if !strings.HasPrefix(target, "/") {
				target = path.Join(curPath, target)
			}
			rest := strings.Join(parts[i+1:], "/")
			return s.lookupPath(path.Join(target, rest), hops+1)
		}
		cur = next
		curPath = path.Join(curPath, part)
	}
	return cur, curPath
}

func (s *Session) canRead(n *node) bool { return s.uid == 0 || !n.private }

func (s *Session) canWrite(dir *node, p string) bool {
	if s.uid == 0 {
		return !strings.HasPrefix(p, "/proc") && !strings.HasPrefix(p, "/sys")
	}
	return dir.mode == "drwxrwxrwt" || p == s.home || strings.HasPrefix(p, s.home+"/")
}

// create makes (or finds) a file at p for writing. It prints the error through fail and
// returns nil when that is not possible.
func (s *Session) create(p string, fail func(reason string)) *node {
	abs := s.abs(p)
	dirPath, name := path.Split(abs)
	dir, dirAbs := s.lookupPath(dirPath, 0)
	if name == "" || dir == nil || !dir.dir {
		fail("No such file or directory")
		return nil
	}
	if n, ok := dir.kids[name]; ok {
		if n.dir {
			fail("Is a directory")
			return nil
		}
		if s.uid != 0 && n.owner != s.opt.User {
			fail("Permission denied")
			return nil
		}
		return n
	}
	if !s.canWrite(dir, dirAbs) {
		fail("Permission denied")
		return nil
	}
	if s.created >= maxCreated {
		fail("No space left on device")
		return nil
	}
	s.created++
	n := &node{name: name, mode: "-rw-r--r--", owner: s.opt.User, group: s.opt.User, mtime: s.opt.Now()}
	dir.kids[name] = n
	return n
}

func (s *Session) writeFile(p, content string, appendTo bool) {
	if p == "/dev/null" || p == "/dev/zero" {
		return
	}
	n := s.create(p, func(reason string) { s.errorf("%s%s: %s\n", s.errPrefix(), p, reason) })
	if n == nil {
		s.status = 1
		return
	}
	room := maxWritten - s.written
	if room <= 0 {
		return
	}
	if len(content) > room {
		content = content[:room]
	}
	s.written += len(content)
	if appendTo {
		n.content += content
	} else {
		n.content = content
	}
	n.size = 0
	n.mtime = s.opt.Now()
}
