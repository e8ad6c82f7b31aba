// Package mailtest is an in-process SMTP server for tests: it listens on loopback, speaks
// plain SMTP, STARTTLS or implicit TLS, optionally requires AUTH PLAIN, and keeps every mail
// it receives for the test to inspect.
package mailtest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"honeysens/app/model"
)

// Mode is the encryption the server offers.
type Mode int

// The modes, from none to TLS from the first byte.
const (
	Plain    Mode = iota // no TLS at all (a server without STARTTLS)
	STARTTLS             // plain connect, STARTTLS offered; AUTH is offered only after it
	TLS                  // implicit TLS from the first byte
)

// Options configure a Server.
type Options struct {
	Mode           Mode
	User, Password string // non-empty: AUTH PLAIN required before MAIL FROM, and these must match
	// HideAuth requires the login but never offers AUTH, like a server configured for
	// authenticated submission on another port.
	HideAuth bool
}

// Received is one mail as the server got it.
type Received struct {
	From     string      // MAIL FROM
	To       []string    // RCPT TO
	Header   mail.Header // as sent
	Subject  string      // MIME-decoded
	Body     string      // transfer-decoded, with LF line ends
	TLS      bool        // delivered over TLS
	AuthUser string      // "" unless logged in
	Raw      []byte      // the DATA as received
}

// Server is a running SMTP sink.
type Server struct {
	Host string
	Port int
	CA   *x509.CertPool // trusts the generated certificate; nil in Plain mode

	opt     Options
	tlsConf *tls.Config

	mu      sync.Mutex
	srv     *smtp.Server  // nil while stopped
	ln      net.Listener  // srv's listener
	served  chan struct{} // closed when srv's Serve has returned
	msgs    []Received
	cmds    []string
	refused map[string]bool // recipients answered 550
	arrived chan struct{}   // closed and replaced on every mail, to wake Wait
}

// Start listens on 127.0.0.1:0 with a freshly generated self-signed ECDSA cert for "127.0.0.1"
// (IP SAN) when Mode needs TLS; t.Cleanup closes it.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	s := &Server{Host: "127.0.0.1", opt: opt, arrived: make(chan struct{})}
	if opt.Mode != Plain {
		cert, pool, err := selfSigned()
		if err != nil {
			t.Fatalf("mailtest: certificate: %v", err)
		}
		s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.CA = pool
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) serve(ln net.Listener) {
	srv := smtp.NewServer(backend{s})
	srv.Domain = "mailtest.example.org"
	// Bounds a client that stalls, so that no test hangs on the sink.
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	// Failed handshakes are expected in tests; they are not worth a log line each.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	// Auth is allowed in clear at the protocol level so that a client sending AUTH too early
	// reaches Auth and shows up in Commands; AuthMechanisms decides what is offered.
	srv.AllowInsecureAuth = true
	switch s.opt.Mode {
	case STARTTLS:
		srv.TLSConfig = s.tlsConf
	case TLS:
		ln = tls.NewListener(ln, s.tlsConf)
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln) // returns once Close shuts the listener
	}()
	s.mu.Lock()
	s.srv, s.ln, s.served = srv, ln, served
	s.mu.Unlock()
}

// Settings returns enabled model.SMTPSettings pointing at this server (host 127.0.0.1, port,
// encryption, from "honeysens@example.org", user/password from Options) plus
// model.DefaultSMTPSettings() values for the other fields.
func (s *Server) Settings() model.SMTPSettings {
	set := model.DefaultSMTPSettings()
	set.Enabled = true
	set.Host, set.Port = s.Host, s.Port
	set.Encryption = [...]string{Plain: model.EncryptionNone, STARTTLS: model.EncryptionSTARTTLS, TLS: model.EncryptionTLS}[s.opt.Mode]
	set.From = "honeysens@example.org"
	set.User, set.Password = s.opt.User, s.opt.Password
	return set
}

// Messages returns the mails received so far, in arrival order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Commands returns the SMTP verbs the server acted on (AUTH, MAIL, RCPT, DATA), in arrival
// order over all sessions, so that a test can assert that nothing was sent. An AUTH is listed
// whether it succeeded or not.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cmds...)
}

// Wait waits until at least n mails arrived and returns them, else fails t listing what arrived.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		msgs, arrived := append([]Received(nil), s.msgs...), s.arrived
		s.mu.Unlock()
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-arrived:
		case <-timer.C:
			subjects := make([]string, len(msgs))
			for i, m := range msgs {
				subjects[i] = strconv.Quote(m.Subject)
			}
			t.Fatalf("mailtest: %d of %d mails arrived within %s: [%s]; commands %v",
				len(msgs), n, timeout, strings.Join(subjects, ", "), s.Commands())
			return nil
		}
	}
}

// Stop closes the listener and open connections (mail server "down").
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln, served := s.srv, s.ln, s.served
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	srv.Close()
	// srv closes only the listeners its Serve has registered; right after Start that may not
	// have happened yet.
	ln.Close()
	<-served
}

// Restart listens again on the same port (mail server "back").
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		t.Fatalf("mailtest: Restart while running")
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
	if err != nil {
		t.Fatalf("mailtest: listen again on port %d: %v", s.Port, err)
	}
	s.serve(ln)
}

func (s *Server) record(verb string) {
	s.mu.Lock()
	s.cmds = append(s.cmds, verb)
	s.mu.Unlock()
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

// session is one SMTP session; go-smtp starts a new one after STARTTLS.
type session struct {
	s        *Server
	conn     *smtp.Conn
	authUser string
	from     string
	to       []string
}

func (ss *session) isTLS() bool {
	_, ok := ss.conn.TLSConnectionState()
	return ok
}

// AuthMechanisms offers PLAIN when a login is configured, and in STARTTLS mode only after
// STARTTLS, as real submission servers do.
func (ss *session) AuthMechanisms() []string {
	o := ss.s.opt
	if o.User == "" || o.HideAuth || o.Mode == STARTTLS && !ss.isTLS() {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	ss.s.record("AUTH")
	if ss.AuthMechanisms() == nil {
		return nil, smtp.ErrAuthUnsupported
	}
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.opt.User || pass != ss.s.opt.Password || identity != "" && identity != user {
			return smtp.ErrAuthFailed
		}
		ss.authUser = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.s.record("MAIL")
	if ss.s.opt.User != "" && ss.authUser == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.record("RCPT")
	ss.s.mu.Lock()
	refused := ss.s.refused[to]
	ss.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	ss.to = append(ss.to, to)
	return nil
}

// Refuse makes the server answer RCPT TO the address with 550 (no such user).
func (s *Server) Refuse(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == nil {
		s.refused = map[string]bool{}
	}
	s.refused[addr] = true
}

func (ss *session) Data(r io.Reader) error {
	ss.s.record("DATA")
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec, err := parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "mailtest: " + err.Error()}
	}
	rec.From, rec.To, rec.TLS, rec.AuthUser = ss.from, append([]string(nil), ss.to...), ss.isTLS(), ss.authUser
	s := ss.s
	s.mu.Lock()
	s.msgs = append(s.msgs, rec)
	close(s.arrived)
	s.arrived = make(chan struct{})
	s.mu.Unlock()
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// parse decodes a single-part text mail the way a mail reader would.
func parse(raw []byte) (Received, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return Received{}, fmt.Errorf("subject: %w", err)
	}
	body := m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "", "7bit", "8bit", "binary":
	default:
		return Received{}, errors.New("unknown Content-Transfer-Encoding " + m.Header.Get("Content-Transfer-Encoding"))
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return Received{}, fmt.Errorf("body: %w", err)
	}
	return Received{Header: m.Header, Subject: subject, Body: strings.ReplaceAll(string(text), "\r\n", "\n"), Raw: raw}, nil
}
