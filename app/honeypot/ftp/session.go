package ftp

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
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

func (s *session) closeDataLocked() {
	if s.pasv != nil {
		s.pasv.Close()
		s.pasv = nil
	}
	if s.data != nil {
		s.data.Close()
		s.data = nil
	}
	s.active = ""
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
		cw.CloseWrite()
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

const helpText = "214-The following commands are recognized.\r\n" +
	" ABOR ACCT ALLO APPE CDUP CWD  DELE EPRT EPSV FEAT HELP LIST MDTM MKD\r\n" +
	" MODE NLST NOOP OPTS PASS PASV PORT PWD  QUIT REIN REST RETR RMD  RNFR\r\n" +
	" RNTO SITE SIZE SMNT STAT STOR STOU STRU SYST TYPE USER XCUP XCWD XMKD\r\n" +
	" XPWD XRMD\r\n" +
	"214 Help OK.\r\n"

// featText is vsftpd's FEAT without TLS: it does not list UTF8, though OPTS UTF8 ON is accepted.
const featText = "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n"

// handle answers one command; false ends the session.
func (s *session) handle(cmd, arg string) bool {
	switch cmd {
	case "QUIT":
		s.reply(221, "Goodbye.")
		s.reason = "client quit"
		return false
	case "USER":
		if s.isLoggedIn {
			if s.guest {
				s.reply(530, "Can't change from guest user.")
			} else {
				s.reply(530, "Can't change to another user.")
			}
			return true
		}
		s.pendUser, s.haveUser = arg, true
		s.reply(331, "Please specify the password.")
		return true
	case "PASS":
		return s.pass(arg)
	case "FEAT":
		io.WriteString(s.conn, featText)
		return true
	case "OPTS":
		if strings.EqualFold(strings.TrimSpace(arg), "UTF8 ON") {
			s.reply(200, "Always in UTF8 mode.")
		} else {
			s.reply(501, "Option not understood.")
		}
		return true
	}
	if cmd == "" && arg == "" { // vsftpd ignores empty lines
		return true
	}
	if !s.isLoggedIn {
		s.reply(530, "Please login with USER and PASS.")
		return true
	}
	switch cmd {
	case "SYST":
		s.reply(215, "UNIX Type: L8")
	case "HELP":
		io.WriteString(s.conn, helpText)
	case "NOOP":
		s.reply(200, "NOOP ok.")
	case "PWD", "XPWD":
		s.reply(257, `"`+s.cwd+`" is the current directory`)
	case "CWD", "XCWD":
		p := resolve(s.cwd, arg)
		if n, ok := s.fs[p]; ok && n.dir {
			s.cwd = p
			s.reply(250, "Directory successfully changed.")
		} else {
			s.reply(550, "Failed to change directory.")
		}
	case "CDUP", "XCUP":
		s.cwd = path.Dir(s.cwd)
		s.reply(250, "Directory successfully changed.")
	case "TYPE":
		switch strings.ToUpper(strings.TrimSpace(arg)) {
		case "A", "A N":
			s.binary = false
			s.reply(200, "Switching to ASCII mode.")
		case "I", "L 8":
			s.binary = true
			s.reply(200, "Switching to Binary mode.")
		default:
			s.reply(500, "Unrecognised TYPE command.")
		}
	case "MODE":
		if strings.EqualFold(arg, "S") {
			s.reply(200, "Mode set to S.")
		} else {
			s.reply(504, "Bad MODE command.")
		}
	case "STRU":
		if strings.EqualFold(arg, "F") {
			s.reply(200, "Structure set to F.")
		} else {
			s.reply(504, "Bad STRU command.")
		}
	case "ALLO":
		s.reply(202, "ALLO command ignored.")
	case "REST":
		n, _ := strconv.ParseInt(strings.TrimSpace(arg), 10, 64)
		s.reply(350, fmt.Sprintf("Restart position accepted (%d).", max(n, 0)))
	case "ABOR":
		s.reply(225, "No transfer to ABOR.")
	case "STAT":
		s.stat(arg)
	case "SITE":
		if s.guest {
			s.reply(550, "Permission denied.")
		} else {
			s.site(arg)
		}
	case "ACCT", "SMNT", "REIN":
		s.reply(502, cmd+" not implemented.")
	case "PASV":
		s.passive(false, arg)
	case "EPSV":
		s.passive(true, arg)
	case "PORT", "EPRT":
		s.port(cmd, arg)
	case "LIST", "NLST":
		s.list(cmd == "LIST", arg)
	case "RETR":
		s.retr(arg)
	case "STOR", "APPE", "STOU":
		s.stor(cmd, arg)
	case "SIZE":
		if n, ok := s.fs[resolve(s.cwd, arg)]; ok && !n.dir {
			s.reply(213, strconv.FormatInt(n.fileSize(), 10))
		} else {
			s.reply(550, "Could not get file size.")
		}
	case "MDTM":
		if n, ok := s.fs[resolve(s.cwd, arg)]; ok && !n.dir {
			s.reply(213, n.mod.UTC().Format("20060102150405"))
		} else {
			s.reply(550, "Could not get file modification time.")
		}
	case "MKD", "XMKD":
		p := resolve(s.cwd, arg)
		if parent, ok := s.fs[path.Dir(p)]; ok && parent.dir && s.fs[p] == nil && arg != "" && len(s.fs) < maxNodes {
			s.fs[p] = &node{dir: true, mod: time.Now()}
			s.reply(257, `"`+p+`" created`)
		} else {
			s.reply(550, "Create directory operation failed.")
		}
	case "RMD", "XRMD":
		p := resolve(s.cwd, arg)
		if n, ok := s.fs[p]; ok && n.dir && p != "/" && len(s.fs.children(p)) == 0 {
			delete(s.fs, p)
			s.reply(250, "Remove directory operation successful.")
		} else {
			s.reply(550, "Remove directory operation failed.")
		}
	case "DELE":
		p := resolve(s.cwd, arg)
		if n, ok := s.fs[p]; ok && !n.dir {
			delete(s.fs, p)
			s.reply(250, "Delete operation successful.")
		} else {
			s.reply(550, "Delete operation failed.")
		}
	case "RNFR":
		p := resolve(s.cwd, arg)
		if _, ok := s.fs[p]; ok && p != "/" {
			s.renameFrom = p
			s.reply(350, "Ready for RNTO.")
		} else {
			s.reply(550, "RNFR command failed.")
		}
	case "RNTO":
		if s.renameFrom == "" {
			s.reply(503, "RNFR required first.")
			break
		}
		from, to := s.renameFrom, resolve(s.cwd, arg)
		s.renameFrom = ""
		if n, ok := s.fs[from]; ok && !n.dir && s.fs[to] == nil && s.fs[path.Dir(to)] != nil {
			delete(s.fs, from)
			s.fs[to] = n
			s.reply(250, "Rename successful.")
		} else {
			s.reply(550, "Rename failed.")
		}
	default:
		s.reply(500, "Unknown command.")
	}
	return true
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
		io.WriteString(s.conn, "213-Status follows:\r\n"+dots+listing+"213 End of status\r\n")
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

func (s *session) site(arg string) {
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

// passive opens a listener for one data connection. Only the control connection's peer may
// connect to it; it is closed after one connection, after a timeout, or with the session.
func (s *session) passive(extended bool, arg string) {
	if extended && strings.EqualFold(strings.TrimSpace(arg), "ALL") {
		s.reply(200, "EPSV ALL ok.")
		return
	}
	_, local := honeypot.Endpoints(s.raw)
	announce := local.Addr()
	if ip := s.svc.cfg.PassiveIP; ip != "" {
		if a, err := netip.ParseAddr(ip); err == nil && a.Is4() {
			announce = a
		}
	}
	if !extended && !announce.Is4() {
		s.reply(425, "Use EPSV with IPv6.")
		return
	}
	ln, err := s.listen(local.Addr().String())
	if err != nil {
		s.reply(425, "Failed to enter passive mode.")
		return
	}
	s.mu.Lock()
	if s.aborted {
		s.mu.Unlock()
		ln.Close()
		return
	}
	s.closeDataLocked()
	s.pasv = ln
	s.mu.Unlock()
	port := ln.Addr().(*net.TCPAddr).Port
	if extended {
		s.reply(229, fmt.Sprintf("Entering Extended Passive Mode (|||%d|)", port))
		return
	}
	b := announce.As4()
	s.reply(227, fmt.Sprintf("Entering Passive Mode (%d,%d,%d,%d,%d,%d).", b[0], b[1], b[2], b[3], port>>8, port&0xff))
}

func (s *session) listen(host string) (net.Listener, error) {
	lo, hi, ok := parseRange(s.svc.cfg.PassivePorts)
	if !ok {
		return net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	var err error
	for range 20 {
		var ln net.Listener
		p := lo + rand.IntN(hi-lo+1)
		if ln, err = net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p))); err == nil {
			return ln, nil
		}
	}
	return nil, err
}

// port records an active-mode request the way vsftpd checks it: the address must be the
// client's own and the port unprivileged, so a bounce to a third host is refused with vsftpd's
// words. Even an allowed one is never connected to (the honeypot makes no outgoing
// connections), so the following transfer fails like a firewalled client would.
func (s *session) port(cmd, arg string) {
	var msg string
	if cmd == "PORT" {
		msg = s.checkPORT(arg)
	} else {
		msg = s.checkEPRT(arg)
	}
	if msg != "" {
		s.reply(500, msg)
		return
	}
	s.mu.Lock()
	s.closeDataLocked()
	s.active = arg
	s.mu.Unlock()
	if cmd == "PORT" {
		s.reply(200, "PORT command successful. Consider using PASV.")
	} else {
		s.reply(200, "EPRT command successful. Consider using EPSV.")
	}
}

// checkPORT returns vsftpd's refusal of "h1,h2,h3,h4,p1,p2", or "" when it is allowed.
func (s *session) checkPORT(arg string) string {
	const illegal = "Illegal PORT command."
	parts := strings.Split(strings.TrimSpace(arg), ",")
	if len(parts) != 6 {
		return illegal
	}
	var b [6]byte
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 {
			return illegal
		}
		b[i] = byte(n)
	}
	addr := netip.AddrFrom4([4]byte{b[0], b[1], b[2], b[3]})
	if !s.allowedTarget(addr, int(b[4])<<8|int(b[5])) {
		return illegal
	}
	return ""
}

// checkEPRT returns vsftpd's refusal of "|1|address|port|", or "" when it is allowed.
func (s *session) checkEPRT(arg string) string {
	before, rest, _ := strings.Cut(arg, "|")
	if before != "" {
		return "Bad EPRT command."
	}
	proto, rest, _ := strings.Cut(rest, "|")
	if proto != "1" && !(proto == "2" && s.src().Is6() && !s.src().Is4In6()) {
		return "Bad EPRT protocol."
	}
	host, rest, _ := strings.Cut(rest, "|")
	addr, err := netip.ParseAddr(host)
	if err != nil || (proto == "1") != addr.Is4() {
		return "Bad EPRT command."
	}
	portText, _, _ := strings.Cut(rest, "|")
	port, err := strconv.Atoi(portText)
	if err != nil {
		port = 0 // vsftpd reads a bad number as 0: a privileged port
	}
	if port > 65535 {
		return "Bad EPRT command."
	}
	if !s.allowedTarget(addr, port) {
		return "Illegal EPRT command."
	}
	return ""
}

// allowedTarget says whether vsftpd (port_promiscuous off) would connect to addr:port.
func (s *session) allowedTarget(addr netip.Addr, port int) bool {
	return addr == s.src().Unmap() && port >= 1024
}

// openData waits for the client's data connection; it answers 425 itself when there is none.
func (s *session) openData() net.Conn {
	s.mu.Lock()
	ln, active := s.pasv, s.active
	s.active = ""
	s.mu.Unlock()
	if ln == nil {
		if active != "" {
			s.note("active mode data connection to " + active + " not made")
			s.reply(425, "Failed to establish connection.")
		} else {
			s.reply(425, "Use PORT or PASV first.")
		}
		return nil
	}
	// The listener stays in s.pasv while waiting, so that abort (Stop) can close it.
	defer func() {
		s.mu.Lock()
		if s.pasv == ln {
			s.pasv = nil
		}
		s.mu.Unlock()
		ln.Close()
	}()
	src, _ := honeypot.Endpoints(s.raw)
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(dataAcceptTimeout))
	for {
		c, err := ln.Accept()
		if err != nil {
			s.reply(425, "Failed to establish connection.")
			return nil
		}
		from, _ := honeypot.Endpoints(c)
		if from.Addr() != src.Addr() {
			s.note("data connection from other address " + from.String() + " refused")
			c.Close()
			continue
		}
		s.mu.Lock()
		if s.aborted {
			s.mu.Unlock()
			c.Close()
			return nil
		}
		s.data = c
		s.mu.Unlock()
		c.SetDeadline(time.Now().Add(dataTransferTimeout))
		return c
	}
}

func (s *session) closeData() {
	s.mu.Lock()
	if s.data != nil {
		s.data.Close()
		s.data = nil
	}
	s.mu.Unlock()
}

func (s *session) list(long bool, arg string) {
	// Skip ls-style flags ("LIST -la", "LIST -a /pub").
	fields := strings.Fields(arg)
	for len(fields) > 0 && strings.HasPrefix(fields[0], "-") {
		fields = fields[1:]
	}
	target := resolve(s.cwd, strings.Join(fields, " "))
	text, ok := s.fs.listing(target, long, time.Now())
	dc := s.openData()
	if dc == nil {
		return
	}
	s.reply(150, "Here comes the directory listing.")
	if ok {
		io.WriteString(dc, text)
	}
	s.closeData()
	s.reply(226, "Directory send OK.")
}

func (s *session) retr(arg string) {
	p := resolve(s.cwd, arg)
	n, ok := s.fs[p]
	if !ok || n.dir {
		s.reply(550, "Failed to open file.")
		return
	}
	dc := s.openData()
	if dc == nil {
		return
	}
	mode := "ASCII"
	if s.binary {
		mode = "BINARY"
	}
	size := n.fileSize()
	s.reply(150, fmt.Sprintf("Opening %s mode data connection for %s (%d bytes).", mode, path.Base(p), size))
	var err error
	if n.content != "" {
		_, err = io.WriteString(dc, n.content)
	} else {
		_, err = io.CopyN(dc, filler{}, min(size, maxRetr))
	}
	s.closeData()
	if err != nil || size > maxRetr {
		s.reply(426, "Failure writing network stream.")
		return
	}
	s.reply(226, "Transfer complete.")
}

// filler yields the bytes of fake files that have no content.
type filler struct{}

func (filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*131 + 7)
	}
	return len(p), nil
}

// stor reads (and discards) up to MaxUpload bytes, recording name, size and SHA-256.
func (s *session) stor(cmd, arg string) {
	p := resolve(s.cwd, arg)
	if cmd == "STOU" {
		p = resolve(s.cwd, fmt.Sprintf("file%d", time.Now().UnixNano()%100000))
	}
	parent, ok := s.fs[path.Dir(p)]
	existing := s.fs[p]
	if (arg == "" && cmd != "STOU") || !ok || !parent.dir || (existing != nil && existing.dir) {
		s.reply(553, "Could not create file.")
		return
	}
	dc := s.openData()
	if dc == nil {
		return
	}
	if cmd == "STOU" {
		s.reply(150, "FILE: "+path.Base(p))
	} else {
		s.reply(150, "Ok to send data.")
	}
	h := sha256.New()
	limit := s.svc.cfg.MaxUpload
	n, err := io.Copy(h, io.LimitReader(dc, limit+1))
	s.closeData()
	capped := n > limit
	if capped {
		n = limit
	}
	text := fmt.Sprintf("%s %s: %d bytes received, sha256 %s", cmd, p, n, hex.EncodeToString(h.Sum(nil)))
	if capped {
		text = fmt.Sprintf("%s %s: more than %d bytes sent, cut off (sha256 of the first %d bytes %s)", cmd, p, limit, limit+1, hex.EncodeToString(h.Sum(nil)))
	}
	s.sess.Update(func(e *model.Event) {
		s.nUploads++
		if len(s.uploads) < maxUploads {
			s.uploads = append(s.uploads, upload{name: p, size: n, capped: capped})
		}
		honeypot.Interaction(e, time.Now(), text)
	})
	if len(s.fs) < maxNodes {
		s.fs[p] = &node{size: n, mod: time.Now()}
	}
	switch {
	case capped:
		s.reply(552, "Exceeded storage allocation.")
	case err != nil:
		s.reply(426, "Failure reading network stream.")
	default:
		s.reply(226, "Transfer complete.")
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
