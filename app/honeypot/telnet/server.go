// Package telnet is the telnet honeypot: Debian's login prompt behind a telnet option
// negotiation, the same credential policy as the ssh honeypot, and then the fake shell of
// package shell. One event per connection with every login attempt and command.
package telnet

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/shell"
	"honeysens/app/model"
)

// Name is the service name events carry.
const Name = "telnet"

// Config is the telnet service's settings.
type Config struct {
	Listen   string `json:"listen"`
	Hostname string `json:"hostname"` // shown in "<hostname> login:" and the fake shell
	// Issue replaces the banner before the login prompt; empty: inetutils telnetd's host line,
	// "Linux <release> (<hostname>) (pts/0)".
	Issue       string   `json:"issue"`
	Accept      []string `json:"accept"`       // "user:password" pairs let in; "*" matches anything
	AcceptAfter int      `json:"accept_after"` // let any password in after this many failures from one address (0 = never)
	// LoginRetries is login.defs' LOGIN_RETRIES: failed logins before the connection ends
	// (0: DefaultLoginRetries). Above 1, hydra's telnet module (9.4, Debian 12) mixes up its
	// pairs after the first "Login incorrect" of a connection, as it does against a real
	// Debian host: what it types is recorded exactly, but it is not the pair it meant.
	LoginRetries int `json:"login_retries"`
}

// DefaultLoginRetries is one attempt per connection, as on a Debian host with LOGIN_RETRIES 1.
const DefaultLoginRetries = 1

// DefaultConfig returns the settings `go run .` uses.
func DefaultConfig() Config {
	return Config{
		Listen:   "127.0.0.1:2323",
		Hostname: "debian",
		Accept:   append([]string(nil), shell.DefaultAccept...),
	}
}

func (c *Config) fill() {
	d := DefaultConfig()
	if c.Listen == "" {
		c.Listen = d.Listen
	}
	if c.Hostname == "" {
		c.Hostname = d.Hostname
	}
	if c.Accept == nil {
		c.Accept = d.Accept
	}
	if c.LoginRetries == 0 {
		c.LoginRetries = DefaultLoginRetries
	}
}

// Validate checks the settings (after filling in defaults for empty fields).
func (c *Config) Validate() error {
	c.fill()
	f := model.FieldErrors{}
	if msg := honeypot.ValidateListen(c.Listen, "23"); msg != "" {
		f.Add("listen", msg)
	}
	if len(c.Hostname) > 63 || strings.IndexFunc(c.Hostname, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.')
	}) >= 0 {
		f.Add("hostname", "must be 1 to 63 letters, digits, dots or dashes")
	}
	if len(c.Issue) > 1024 || strings.IndexFunc(c.Issue, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }) >= 0 {
		f.Add("issue", "must be at most 1024 characters of text")
	}
	if c.LoginRetries < 1 || c.LoginRetries > 10 {
		f.Add("login_retries", "must be 1 to 10 (0: the default, 1)")
	}
	if m, a := shell.ValidateAccept(c.Accept, c.AcceptAfter); m != "" || a != "" {
		if m != "" {
			f.Add("accept", m)
		}
		if a != "" {
			f.Add("accept_after", a)
		}
	}
	return f.Err()
}

// How a login goes, like Debian's telnetd and login(1).
const (
	loginGrace = 60 * time.Second // "Login timed out after 60 seconds."
	failDelay  = 3 * time.Second  // pam_faildelay
	lingerTime = 2 * time.Second  // longest wait for the client's close after ours
	maxOptions = 32               // distinct negotiation steps listed in the event
	maxEarly   = 4096             // bytes typed before the login prompt that login reads later
	// promptHold is how long a client that does not finish the negotiation waits for the
	// login prompt. telnetd would wait for ever; the honeypot prompts such a client (a raw TCP
	// script) anyway, later than nmap's probes wait, so that scanners see telnetd's silence:
	// nmap -sV keeps its first connection 11 s (the NULL probe's 6 s, then GenericLines' 5 s
	// on the same connection; measured with nmap 7.93), so 15 s.
	promptHold = 15 * time.Second
	flushAt    = 32 << 10
)

// Service is the telnet honeypot.
type Service struct {
	*honeypot.Base
	cfg    Config
	srv    *honeypot.TCPServer
	policy *shell.Policy
	now    func() time.Time
	delay  time.Duration // after a failed login (tests shorten it)
	hold   time.Duration // promptHold (tests shorten it)
	// stop is closed by Stop and ends the failed-login delays at once; Start makes it anew.
	stop chan struct{}
}

// New returns the service; zero limits take honeypot.DefaultLimits' values.
func New(cfg Config, lim honeypot.Limits, log *slog.Logger) *Service {
	cfg.fill()
	base := honeypot.NewBase(Name, lim, log)
	return &Service{Base: base, cfg: cfg, srv: honeypot.NewTCPServer(base.Limits, base.Log), policy: shell.NewPolicy(cfg.Accept, cfg.AcceptAfter),
		now: time.Now, delay: failDelay, hold: min(promptHold, base.Limits.IdleTimeout/2)}
}

// Addr returns the bound address, or nil before Start.
func (s *Service) Addr() net.Addr { return s.srv.Addr() }

// Start binds the port and serves until Stop.
func (s *Service) Start(rep honeypot.Reporter) error {
	return s.Base.Start(rep, func(*honeypot.Sessions) error {
		if err := s.cfg.Validate(); err != nil {
			return err
		}
		s.stop = make(chan struct{})
		return s.ListenTCP(s.srv, s.cfg.Listen, s.handle)
	})
}

// Stop closes the listener and every connection and waits for their events to be reported.
func (s *Service) Stop() {
	s.Base.Stop(func() {
		// s.stop is left in place: handlers still select on it until srv.Stop has waited for them.
		close(s.stop)
		s.srv.Stop()
	})
}

type phase int

const (
	phaseUser phase = iota
	phasePass
	phaseShell
	phaseDone
)

// conn is one telnet connection.
type conn struct {
	s        *Service
	c        net.Conn
	tr       *shell.Transcript
	src, dst netip.Addr
	start    time.Time

	p      Parser
	ed     shell.Editor
	out    []byte
	phase  phase
	user   string
	tries  int
	sh     *shell.Session
	echo   bool            // the client agreed to our WILL ECHO
	us     map[byte]bool   // options enabled on our side
	them   map[byte]bool   // options enabled on the client's side
	asked  map[string]bool // negotiations we sent and wait an answer for
	sbWait map[byte]bool   // subnegotiations (SEND) we wait an answer for
	early  []byte          // typed before the login prompt, at most maxEarly bytes
	stage  stage
	// reoffered: the client refused our ECHO at the prompt and has been offered it again
	reoffered bool
	modeSent  bool     // a LINEMODE MODE subnegotiation went out
	seen      []string // what the client negotiated, for the event
	ttype     bool
	naws      bool
	graced    atomic.Bool
}

// stage is how far the option negotiation has come; inetutils telnetd goes through it in
// this order and starts login(1), which prints the prompt, only at the end.
type stage int

const (
	stageOffers     stage = iota // first offers sent, their answers awaited
	stageSubneg                  // SEND subnegotiations sent for the options the client took
	stageTerminal                // terminal options offered
	stageLoginShown              // the host line and login prompt are out
)

// The options telnetd asks the client for first, and then for the terminal.
var (
	firstOffers    = []byte{IAC, WILL, OptAuth, IAC, WILL, OptEncrypt, IAC, DO, OptTTYPE, IAC, DO, OptTSPEED, IAC, DO, OptXDISPLOC, IAC, DO, OptNewEnv, IAC, DO, OptEnviron}
	firstAsked     = []string{"will37", "will38", "do24", "do32", "do35", "do39", "do36"}
	terminalOffers = []byte{IAC, WILL, OptSGA, IAC, DO, OptEcho, IAC, DO, OptLinemode, IAC, DO, OptNAWS, IAC, WILL, OptStatus, IAC, DO, OptLFlow}
	terminalAsked  = []string{"will3", "do1", "do34", "do31", "will5", "do33"}
	// subnegOrder is the order of telnetd's SEND requests for the options the client took.
	subnegOrder = []byte{OptTSPEED, OptXDISPLOC, OptNewEnv, OptEnviron, OptTTYPE}
)

// newConn sets up a connection and queues what Debian's telnetd offers first. The host line
// and the login prompt follow once the client has answered every offer and request; a
// client that never answers (a port scanner's probe) gets the offers only, as from telnetd.
func (s *Service) newConn(raw, wrapped net.Conn, start time.Time) *conn {
	c := &conn{s: s, start: start, tr: shell.NewTranscript("Telnet", s.Sessions(), honeypot.NewEvent(Name, raw, start), start),
		us: map[byte]bool{}, them: map[byte]bool{}, asked: map[string]bool{}, sbWait: map[byte]bool{}}
	c.c = honeypot.WatchInput(wrapped, c.tr.Input)
	src, dst := honeypot.Endpoints(raw)
	c.src, c.dst = src.Addr(), dst.Addr()
	c.ed.Max = shell.DefaultMaxLine
	c.out = append(c.out, firstOffers...)
	for _, k := range firstAsked {
		c.asked[k] = true
	}
	return c
}

// advance sends the next step of the negotiation once the client has answered the last.
func (c *conn) advance() {
	for {
		switch c.stage {
		case stageOffers:
			if c.waiting(firstAsked) {
				return
			}
			for _, o := range subnegOrder {
				if c.them[o] {
					c.out = append(c.out, IAC, SB, o, 1, IAC, SE)
					c.sbWait[o] = true
				}
			}
			c.stage = stageSubneg
		case stageSubneg:
			if len(c.sbWait) > 0 {
				return
			}
			for i := 0; i < len(terminalOffers); i += 3 {
				if o := terminalOffers[i+2]; o == OptLinemode && c.them[o] {
					continue // the client has offered it already
				}
				c.out = append(c.out, terminalOffers[i:i+3]...)
				c.asked[terminalAsked[i/3]] = true
			}
			c.stage = stageTerminal
		case stageTerminal:
			if c.waiting(terminalAsked) {
				return
			}
			if c.them[OptLinemode] {
				// telnetd sets the client's line mode (EDIT|TRAPSIG), then takes LINEMODE back.
				if !c.modeSent {
					c.out = append(c.out, IAC, SB, OptLinemode, 1, 3, IAC, SE, 0)
				}
				c.out = append(c.out, IAC, WILL, OptEcho, IAC, DO, OptBinary, IAC, DONT, OptLinemode)
				c.them[OptLinemode] = false
				c.asked["will1"], c.asked["do0"] = true, true
			} else {
				c.out = append(c.out, IAC, WILL, OptEcho, IAC, DO, OptTimingMark, IAC, DO, OptBinary)
				c.asked["will1"], c.asked["do6"], c.asked["do0"] = true, true, true
			}
			c.showLogin()
			return
		default:
			return
		}
	}
}

// showLogin ends the negotiation: the host line and the login prompt go out, and login reads
// what was typed ahead.
func (c *conn) showLogin() {
	c.stage = stageLoginShown
	issue := c.s.cfg.Issue
	if issue == "" {
		issue = fmt.Sprintf("\nLinux %s (%s) (pts/0)\n", shell.KernelRelease, c.s.cfg.Hostname)
	}
	c.writeText(issue + "\n" + c.s.cfg.Hostname + " login: ")
	early := c.early
	c.early = nil
	for _, b := range early {
		if c.phase != phaseDone {
			c.input(b)
		}
	}
}

// waiting says whether an answer to one of the offers keys is still due.
func (c *conn) waiting(keys []string) bool {
	for _, k := range keys {
		if c.asked[k] {
			return true
		}
	}
	return false
}

func (s *Service) handle(raw, wrapped net.Conn) {
	start := s.now()
	c := s.newConn(raw, wrapped, start)

	if loginGrace < s.Limits.TotalTimeout {
		grace := time.AfterFunc(loginGrace, func() {
			if !c.tr.LoggedIn() {
				c.graced.Store(true)
				wrapped.Close()
			}
		})
		defer grace.Stop()
	}
	defer c.linger(raw) // after the event is final
	var err error
	defer func() {
		if len(c.seen) > 0 {
			c.tr.Info("telnet negotiation: " + strings.Join(c.seen, ", "))
		} else {
			c.tr.Info("telnet negotiation: none (raw TCP client)")
		}
		c.tr.Close(c.closeReason(err))
	}()

	if err = c.flush(); err != nil {
		return
	}
	holdUntil := time.Now().Add(s.hold)
	c.c.SetReadDeadline(holdUntil)
	buf := make([]byte, 1024)
	for c.phase != phaseDone {
		var n int
		n, err = c.c.Read(buf)
		c.feed(buf[:n])
		if c.stage != stageLoginShown && n == 0 && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(holdUntil) {
			c.showLogin()
			err = nil
		}
		if c.stage == stageLoginShown && !holdUntil.IsZero() {
			holdUntil = time.Time{}
			c.c.SetReadDeadline(holdUntil)
		}
		if ferr := c.flush(); ferr != nil && err == nil {
			err = ferr
		}
		if err != nil {
			return
		}
	}
}

// linger ends a connection that the server ends (after the last failed login, at logout) in
// two steps: FIN first, then it reads and drops what the client still sends until the client
// closes too, for at most lingerTime. A client that sends its next user name before it reads
// the end (hydra does, a character at a time when it has no LINEMODE) then reads an end of
// file instead of running into a reset, which kills hydra's task with SIGPIPE.
func (c *conn) linger(raw net.Conn) {
	if c.phase != phaseDone || c.s.srv.Stopping() {
		return
	}
	cw, ok := raw.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	c.c.SetReadDeadline(time.Now().Add(lingerTime))
	buf := make([]byte, 512)
	for {
		if _, err := c.c.Read(buf); err != nil {
			return
		}
	}
}

// feed takes bytes from the client; the answers queue in c.out.
func (c *conn) feed(in []byte) {
	for i := 0; i < len(in) && c.phase != phaseDone; i++ {
		kind, b, cmd := c.p.Next(in[i])
		switch kind {
		case Data:
			if c.stage != stageLoginShown {
				// Typed ahead: it waits, as in telnetd's pty, until login reads it.
				if len(c.early) < maxEarly {
					c.early = append(c.early, b)
				}
				continue
			}
			c.input(b)
		case Cmd:
			c.command(cmd)
			if c.stage != stageLoginShown {
				c.advance()
			}
		}
		if len(c.out) > flushAt {
			c.flush()
		}
	}
}

func (c *conn) closeReason(err error) string {
	switch {
	case c.s.srv.Stopping():
		return "service stopped"
	case c.graced.Load():
		return "login timed out"
	case c.phase == phaseDone && c.tries >= c.s.cfg.LoginRetries && !c.tr.LoggedIn():
		return "too many login attempts"
	case c.phase == phaseDone:
		return "logout"
	case err == nil || errors.Is(err, io.EOF):
		return "client disconnected"
	case errors.Is(err, os.ErrDeadlineExceeded):
		if c.s.now().Sub(c.start) >= c.s.Limits.TotalTimeout-min(time.Second, c.s.Limits.TotalTimeout/10) {
			return "total time limit"
		}
		return "idle timeout"
	case strings.Contains(err.Error(), "input limit"):
		return "input limit"
	}
	return "connection error"
}

// writeText queues text for the client: "\n" becomes "\r\n" and IAC bytes are doubled.
func (c *conn) writeText(s string) {
	c.out = append(c.out, Escape([]byte(strings.ReplaceAll(s, "\n", "\r\n")))...)
}

func (c *conn) flush() error {
	if len(c.out) == 0 {
		return nil
	}
	_, err := c.c.Write(c.out)
	c.out = c.out[:0]
	return err
}

func (c *conn) note(step string) {
	for _, s := range c.seen {
		if s == step {
			return
		}
	}
	if len(c.seen) < maxOptions {
		c.seen = append(c.seen, step)
	}
}

// Options the honeypot takes when the client offers them unasked, as telnetd does.
var (
	takesFromClient = map[byte]bool{OptBinary: true, OptTTYPE: true, OptNAWS: true, OptTSPEED: true, OptLFlow: true,
		OptLinemode: true, OptXDISPLOC: true, OptEnviron: true, OptNewEnv: true}
	offersItself = map[byte]bool{OptBinary: true, OptEcho: true, OptSGA: true, OptStatus: true}
)

// command answers one telnet command from the client. An answer to an offer of ours is taken
// silently; an unasked offer is taken or refused.
func (c *conn) command(cmd Command) {
	c.note(cmd.String())
	key := func(v string) string { return fmt.Sprintf("%s%d", v, cmd.Opt) }
	switch cmd.Verb {
	case WILL:
		switch {
		case c.asked[key("do")]:
			delete(c.asked, key("do"))
			c.them[cmd.Opt] = true
			if c.stage == stageLoginShown && slices.Contains(subnegOrder, cmd.Opt) {
				// a late answer (after the prompt hold): its SEND follows at once
				c.out = append(c.out, IAC, SB, cmd.Opt, 1, IAC, SE)
			}
		case c.them[cmd.Opt]:
		case takesFromClient[cmd.Opt]:
			c.them[cmd.Opt] = true
			c.out = append(c.out, IAC, DO, cmd.Opt)
			if cmd.Opt == OptLinemode {
				// telnetd acknowledges the client's line mode (MODE_ACK) at once.
				c.out = append(c.out, IAC, SB, OptLinemode, 1, 0x10, IAC, SE, 0)
				c.modeSent = true
			}
			if c.stage != stageOffers && slices.Contains(subnegOrder, cmd.Opt) {
				c.out = append(c.out, IAC, SB, cmd.Opt, 1, IAC, SE)
			}
		default:
			c.out = append(c.out, IAC, DONT, cmd.Opt)
		}
	case WONT:
		if c.asked[key("do")] {
			delete(c.asked, key("do"))
		} else if c.them[cmd.Opt] {
			c.out = append(c.out, IAC, DONT, cmd.Opt)
		}
		c.them[cmd.Opt] = false
	case DO:
		switch {
		case c.asked[key("will")]:
			delete(c.asked, key("will"))
			c.us[cmd.Opt] = true
		case c.us[cmd.Opt]:
		case offersItself[cmd.Opt]:
			c.us[cmd.Opt] = true
			c.out = append(c.out, IAC, WILL, cmd.Opt)
		default:
			c.out = append(c.out, IAC, WONT, cmd.Opt)
		}
		if cmd.Opt == OptEcho && c.us[OptEcho] {
			c.echo = true
			c.ed.Echo = c.phase != phasePass
		}
	case DONT:
		if c.asked[key("will")] {
			delete(c.asked, key("will"))
			if cmd.Opt == OptEcho && c.stage == stageLoginShown && !c.reoffered {
				// telnetd offers a refused ECHO once more, with SGA.
				c.reoffered = true
				c.out = append(c.out, IAC, WILL, OptSGA, IAC, WILL, OptEcho)
				c.asked["will3"], c.asked["will1"] = true, true
			}
		} else if c.us[cmd.Opt] {
			c.out = append(c.out, IAC, WONT, cmd.Opt)
		}
		c.us[cmd.Opt] = false
		if cmd.Opt == OptEcho {
			c.echo = false
			c.ed.Echo = false
		}
	case SB:
		if len(cmd.Data) > 0 && cmd.Data[0] == 0 { // IS: the answer to our SEND
			delete(c.sbWait, cmd.Opt)
		}
		switch cmd.Opt {
		case OptTTYPE:
			if t, ok := parseTTYPE(cmd.Data); ok && !c.ttype {
				c.ttype = true
				c.tr.Note("terminal type " + t)
			}
		case OptNAWS:
			if w, h, ok := parseNAWS(cmd.Data); ok && !c.naws {
				c.naws = true
				c.tr.Note(fmt.Sprintf("window size %dx%d", w, h))
			}
		case OptNewEnv, OptEnviron:
			if vars := parseEnv(cmd.Data); len(vars) > 0 {
				c.tr.Note("environment " + strings.Join(vars, " "))
			}
		}
	case IP, BRK:
		c.input(0x03)
	case EC:
		c.input(0x7f)
	case EL:
		c.input(0x15)
	case AYT:
		c.writeText("\n[Yes]\n")
	}
}

// input takes one data byte from the client.
func (c *conn) input(b byte) {
	var ev shell.Event
	start := len(c.out)
	c.out, ev = c.ed.Feed(b, c.out)
	if esc := Escape(c.out[start:]); len(esc) != len(c.out)-start {
		c.out = append(c.out[:start], esc...)
	}
	switch ev.Kind {
	case shell.Line:
		c.line(ev.Line)
	case shell.Interrupt:
		c.ed.Reset()
		switch c.phase {
		case phaseShell:
			c.writeText(c.sh.Prompt())
		default:
			c.phase = phaseUser
			c.ed.Echo = c.echo
			c.writeText("\n" + c.s.cfg.Hostname + " login: ")
		}
	case shell.EOF:
		if c.phase == phaseShell {
			c.writeText("logout\n")
			c.phase = phaseDone
		}
	}
}

func (c *conn) line(l string) {
	switch c.phase {
	case phaseUser:
		// The name as typed, an empty one too: Debian's login (PAM) asks for its password
		// and counts the failure like any other.
		c.user = l
		c.phase = phasePass
		c.ed.Echo = false
		c.writeText("Password: ")
	case phasePass:
		c.writeText("\n")
		c.tries++
		ok := c.s.policy.Check(c.src, c.user, l)
		c.tr.Login("", c.user, l, ok)
		if ok {
			c.phase = phaseShell
			c.ed.Echo = c.echo
			// telnetd runs login on a pty, so bash is interactive with its line editor
			c.sh = shell.NewSession(shell.Options{User: c.user, Hostname: c.s.cfg.Hostname, Client: c.src, Local: c.dst,
				Terminal: true, Context: c.s.srv.Context(), Now: c.s.now})
			c.writeText(c.sh.Banner() + c.sh.Prompt())
			return
		}
		c.flush()
		if c.s.delay > 0 {
			t := time.NewTimer(c.s.delay)
			select {
			case <-t.C:
			case <-c.s.stop:
				t.Stop()
			}
		}
		c.writeText("\nLogin incorrect\n")
		if c.tries >= c.s.cfg.LoginRetries {
			c.writeText(fmt.Sprintf("Maximum number of tries exceeded (%d)\n", c.tries))
			c.phase = phaseDone
			return
		}
		c.phase = phaseUser
		c.ed.Echo = c.echo
		c.writeText(c.s.cfg.Hostname + " login: ")
	case phaseShell:
		r := c.sh.Run(l)
		if strings.TrimSpace(l) != "" {
			c.tr.Command("command", l, r)
		}
		c.writeText(r.Output)
		if r.Exit {
			c.writeText("logout\n")
			c.phase = phaseDone
			return
		}
		c.writeText(c.sh.Prompt())
	}
}
