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
	"strings"
	"sync/atomic"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/shell"
)

// Name is the service name events carry.
const Name = "telnet"

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
