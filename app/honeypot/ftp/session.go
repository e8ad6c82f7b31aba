package ftp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// Timeouts of passive data connections (the control connection's are the Guard's).
var (
	dataAcceptTimeout   = 10 * time.Second
	dataTransferTimeout = 60 * time.Second
	failDelay           = time.Second // vsftpd's delay_failed_login
)

// maxLoginFails is vsftpd's max_login_fails: the connection ends after this many failed logins.
const maxLoginFails = 3

const (
	maxRetr    = 1 << 20 // bytes RETR sends at most; larger fake files end with 426
	maxUploads = 100     // uploads listed in the details
)

type upload struct {
	name   string
	size   int64
	capped bool
}

// session is one control connection.
type session struct {
	svc   *Service
	raw   net.Conn // the accepted TCP connection (addresses)
	conn  net.Conn // the Guard-limited connection
	r     *bufio.Reader
	sess  *honeypot.Session // the event, reported while the session goes on
	start time.Time
	// clients is the number of connections open when this one came, this one included
	// (STAT's "client count").
	clients int

	fs         fakeFS
	cwd        string
	binary     bool
	pendUser   string // USER given, PASS awaited
	haveUser   bool
	renameFrom string
	reason     string

	// What the summary is made of: changed only under sess's lock, as complete reads it for
	// every report; the connection's goroutine, the only writer, reads it without.
	loggedIn   string
	isLoggedIn bool
	guest      bool // logged in anonymously: vsftpd's "ftp" guest user
	failures   int
	failedAs   []string // distinct user names of failed logins, first few
	commands   int      // all commands
	afterLogin int      // commands after the login
	uploads    []upload
	nUploads   int

	mu      sync.Mutex // guards what abort touches
	aborted bool
	pasv    net.Listener
	data    net.Conn
	active  string // PORT/EPRT target, never connected to
}

// newSession starts the session of a connection; reports (nil: none) reports its event.
func newSession(svc *Service, reports *honeypot.Sessions, raw, conn net.Conn) *session {
	now := time.Now()
	s := &session{svc: svc, raw: raw, start: now, fs: newFS(now), cwd: "/"}
	s.sess = reports.Open(honeypot.NewEvent("ftp", raw, now), s.complete)
	s.conn = honeypot.WatchInput(conn, s.input)
	s.r = bufio.NewReaderSize(s.conn, maxLine)
	return s
}

// input records the client's first bytes: the packet, and the start of the early reports.
func (s *session) input(at time.Time, payload []byte) {
	s.sess.Update(func(e *model.Event) { honeypot.AddPacket(e, honeypot.FirstPacket(at, e.TargetPort, payload)) })
	s.sess.Activate()
}

// abort ends the session's data side at once (Stop); the Guard closes the control connection.
func (s *session) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aborted = true
	s.closeDataLocked()
}

func (s *session) reply(code int, text string) {
	fmt.Fprintf(s.conn, "%d %s\r\n", code, text)
}

func (s *session) note(text string) {
	s.sess.Update(func(e *model.Event) { honeypot.Interaction(e, time.Now(), text) })
}

// run serves the session until it ends and completes the event.
func (s *session) run() {
	s.reply(220, s.svc.cfg.Banner)
	for s.step() {
	}
	// End the client's side at once, as vsftpd's exiting process does: it reads the end right
	// after the last answer (a client that sends on meets an end of file, not a reset).
	if cw, ok := s.raw.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite() // the connection closes right after either way
	}
	s.mu.Lock()
	s.closeDataLocked()
	aborted := s.aborted
	s.mu.Unlock()
	if aborted {
		s.reason = "server stopped"
	}
	s.finish()
}

// step reads and answers one command; false ends the session.
func (s *session) step() bool {
	line, tooLong, err := readLine(s.r)
	if err != nil {
		if line != "" {
			s.note("incomplete line: " + line)
		}
		s.reason = s.readError(err)
		return false
	}
	if tooLong {
		s.note("overlong line: " + line)
		s.reply(500, "Input line too long.")
		return true
	}
	cmd, arg := parseCommand(line)
	s.sess.Update(func(e *model.Event) {
		s.commands++
		if s.isLoggedIn {
			s.afterLogin++
		}
		if cmd != "PASS" { // the password is in the login line
			honeypot.Interaction(e, time.Now(), line)
		}
	})
	// The PASS of a login attempt is answered even past the limit: the attempt is recorded
	// whole, and the client sees a 530, not a 421 it would take for the answer to its pair.
	if s.commands > s.svc.cfg.MaxCommands && !(cmd == "PASS" && s.haveUser) {
		s.reply(421, "Too many commands, closing control connection.")
		s.reason = "command limit reached"
		return false
	}
	if !s.handle(cmd, arg) {
		return false
	}
	if cmd == "PASS" && !s.isLoggedIn && s.commands >= s.svc.cfg.MaxCommands {
		// No room for another attempt: end now, as vsftpd does after its last allowed failed
		// login, so that a brute-forcer's next USER meets a closed connection and it tries
		// that pair again on a new one, instead of a 421 that loses the pair.
		s.reason = "command limit reached"
		return false
	}
	return true
}

func (s *session) readError(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF):
		return "closed by client"
	case errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded):
		s.reply(421, "Timeout.")
		return "timeout"
	case strings.Contains(err.Error(), "input limit"):
		return "input limit reached"
	}
	return "connection lost"
}

// readLine reads one line of at most maxLine bytes without its CR LF. An overlong line is
// consumed to its end and returned cut, with tooLong set.
func readLine(r *bufio.Reader) (line string, tooLong bool, err error) {
	b, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		line = string(b)
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = r.ReadSlice('\n')
		}
		if err != nil {
			return line, true, err
		}
		return line, true, nil
	}
	line = strings.TrimRight(string(b), "\r\n")
	return line, false, err
}

// parseCommand splits a line the way vsftpd does: the verb up to the first space (upper-cased),
// the argument is everything after it.
func parseCommand(line string) (cmd, arg string) {
	cmd, arg, _ = strings.Cut(line, " ")
	return strings.ToUpper(cmd), arg
}

// pass checks the credentials against the policy; false ends the session (vsftpd's
// max_login_fails).
func (s *session) pass(pw string) bool {
	if s.isLoggedIn {
		s.reply(230, "Already logged in.")
		return true
	}
	if !s.haveUser {
		s.reply(503, "Login with USER first.")
		return true
	}
	user := s.pendUser
	s.haveUser, s.pendUser = false, ""
	guest := s.svc.cfg.Anonymous && (strings.EqualFold(user, "anonymous") || strings.EqualFold(user, "ftp"))
	if guest || s.svc.policy.Check(s.src(), user, pw) {
		s.sess.Update(func(e *model.Event) {
			s.isLoggedIn, s.loggedIn, s.guest = true, user, guest
			honeypot.Interaction(e, time.Now(), "login "+user+" / "+pw+": accepted")
			e.AddLogin(user, pw, true)
		})
		s.reply(230, "Login successful.")
		return true
	}
	s.sess.Update(func(e *model.Event) {
		s.failures++
		if len(s.failedAs) < 5 && !contains(s.failedAs, user) {
			s.failedAs = append(s.failedAs, user)
		}
		honeypot.Interaction(e, time.Now(), "login "+user+" / "+pw+": rejected")
		e.AddLogin(user, pw, false)
	})
	time.Sleep(failDelay)
	s.reply(530, "Login incorrect.")
	if s.failures >= maxLoginFails {
		s.reason = "too many failed logins"
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// src is the client's address.
func (s *session) src() netip.Addr {
	src, _ := honeypot.Endpoints(s.raw)
	return src.Addr()
}

// stat answers STAT: the server status, or with an argument an "ls -la" of that path over
// the control connection.
func (s *session) stat(arg string) {
	if arg != "" {
		now, target := time.Now(), resolve(s.cwd, arg)
		var dots string
		if n, ok := s.fs[target]; ok && n.dir {
			dots = listLine(".", n, now) + listLine("..", s.fs[path.Dir(target)], now)
		}
		listing, _ := s.fs.listing(target, true, now)
		_, _ = io.WriteString(s.conn, "213-Status follows:\r\n"+dots+listing+"213 End of status\r\n")
		return
	}
	mode := "ASCII"
	if s.binary {
		mode = "BINARY"
	}
	user := s.loggedIn
	if s.guest {
		user = "ftp"
	}
	fmt.Fprintf(s.conn, "211-FTP server status:\r\n     Connected to %s\r\n     Logged in as %s\r\n"+
		"     TYPE: %s\r\n     No session bandwidth limit\r\n     Session timeout in seconds is 300\r\n"+
		"     Control connection is plain text\r\n     Data connections will be plain text\r\n"+
		"     At session startup, client count was %d\r\n     vsFTPd 3.0.3 - secure, fast, stable\r\n211 End of status\r\n", s.src(), user, mode, s.clients)
}

// site answers SITE, which vsftpd refuses to guests.
func (s *session) site(arg string) {
	if s.guest {
		s.reply(550, "Permission denied.")
		return
	}
	verb, _, _ := strings.Cut(strings.TrimSpace(arg), " ")
	switch strings.ToUpper(verb) {
	case "HELP":
		s.reply(214, "CHMOD UMASK HELP")
	case "CHMOD":
		s.reply(200, "SITE CHMOD command ok.")
	case "UMASK":
		s.reply(200, "UMASK set to 0077 (was 0077).")
	default:
		s.reply(500, "Unknown SITE command.")
	}
}

// finish ends the session with the close line; the final report goes out.
func (s *session) finish() {
	if s.reason == "" {
		s.reason = "connection lost"
	}
	s.sess.End(func(e *model.Event) {
		honeypot.Interaction(e, time.Now(), fmt.Sprintf("close after %s: %s", time.Since(s.start).Round(time.Millisecond), s.reason))
	})
}

// complete gives a copy of the event its counters, classification and summary, for every
// report. FTP verbs are protocol steps, not commands run on a system: the event lists its
// logins, not its commands.
func (s *session) complete(e *model.Event, _ bool) {
	honeypot.Info(e, fmt.Sprintf("commands: %d, failed logins: %d, uploads: %d", s.commands, s.failures, s.nUploads))
	e.Classification = model.ClassHoneypot
	if s.commands == 0 {
		// A bare connect (a port scan's banner grab) is no honeypot interaction.
		e.Classification = model.ClassConnAttempt
	}
	e.Summary = model.Clip(model.OneLine(s.summary()), model.MaxSummaryLen)
}

func (s *session) summary() string {
	var t string
	switch {
	case s.isLoggedIn:
		t = "FTP: login as " + s.loggedIn
		if s.failures > 0 {
			t += fmt.Sprintf(" after %s", plural(s.failures, "failed attempt"))
		}
		t += ", " + plural(s.afterLogin, "command")
	case s.failures > 0:
		t = fmt.Sprintf("FTP: %s as %s", plural(s.failures, "failed login"), s.failedUsers())
	case s.commands > 0:
		t = fmt.Sprintf("FTP: %s, no login", plural(s.commands, "command"))
	default:
		return "FTP: connection without commands"
	}
	switch {
	case s.nUploads == 1:
		t += fmt.Sprintf(", uploaded %s (%d bytes)", path.Base(s.uploads[0].name), s.uploads[0].size)
	case s.nUploads > 1:
		t += fmt.Sprintf(", %d uploads", s.nUploads)
	}
	return t
}

func (s *session) failedUsers() string {
	names := make([]string, len(s.failedAs))
	for i, n := range s.failedAs {
		names[i] = n
		if n == "" {
			names[i] = `""`
		}
	}
	if len(names) > 3 {
		return strings.Join(names[:3], ", ") + " and others"
	}
	return strings.Join(names, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
