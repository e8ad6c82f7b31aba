// Package mail sends the appliance's notification mails: one plain-text message per SMTP
// connection, with the encryption the operator chose and errors an operator can act on.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	simplemail "github.com/xhit/go-simple-mail/v2"

	"honeysens/app/model"
)

// Message is one plain-text mail (UTF-8).
type Message struct{ To, Subject, Body string }

// Sender talks to the configured SMTP server. The zero value is usable (system roots, default timeout).
type Sender struct {
	RootCAs *x509.CertPool // nil: the system's roots; tests trust their own CA
	Timeout time.Duration  // whole connect+send; 0 = 30s
	Helo    string         // EHLO name; "" = os.Hostname() or "localhost"
}

// DefaultTimeout bounds one Send when Sender.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// maxSubject keeps the Subject header well below the 998-byte line limit even after encoding.
const maxSubject = 250

// Send connects, sends msg and quits. It honours ctx (cancel closes the connection).
// Every failure is an *Error; a cancelled ctx is reported as KindTimeout and wraps ctx.Err().
func (s *Sender) Send(ctx context.Context, set model.SMTPSettings, msg Message) error {
	addr := net.JoinHostPort(set.Host, strconv.Itoa(set.Port))
	if model.ValidateEmail(msg.To) != "" {
		return &Error{Kind: KindRejected, Message: "The recipient " + strconv.Quote(model.OneLine(msg.To)) + " is not a valid e-mail address."}
	}
	if model.ValidateEmail(set.From) != "" {
		return &Error{Kind: KindRejected, Message: "The sender " + strconv.Quote(model.OneLine(set.From)) + " is not a valid e-mail address."}
	}
	email := compose(set.From, msg)
	if email.Error != nil {
		return &Error{Kind: KindRejected, Message: "The mail could not be built: " + model.OneLine(email.Error.Error()), Err: email.Error}
	}

	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	a := &attempt{ctx: ctx, addr: addr, set: set}

	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return a.fail(phaseDial, err)
	}
	defer conn.Close()
	// The deadline bounds every read and write; closing on cancel unblocks them at once.
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return a.fail(phaseDial, err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	tlsConf := &tls.Config{ServerName: set.Host, RootCAs: s.RootCAs, MinVersion: tls.VersionTLS12}
	server := simplemail.NewSMTPClient()
	server.Host, server.Port = set.Host, set.Port
	server.Helo = s.helo()
	// Our deadline and ctx bound the whole exchange. The library's own timeouts would run it
	// in a goroutine and, on expiry, return while that goroutine still uses the connection.
	server.ConnectTimeout, server.SendTimeout = 0, 0
	server.Authentication = simplemail.AuthNone
	if set.User != "" {
		server.Authentication = simplemail.AuthAuto
		server.Username, server.Password = set.User, set.Password
	}
	switch set.Encryption {
	case model.EncryptionTLS:
		// The handshake is done here, not in the library, so that its failure is reported as TLS.
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			return a.fail(phaseTLS, err)
		}
		server.CustomConn, server.Encryption = tc, simplemail.EncryptionNone
	case model.EncryptionSTARTTLS:
		a.guard = &starttlsGuard{Conn: conn}
		// The library uses its TLSConfig as is: without ServerName it could not check the host name.
		server.CustomConn, server.Encryption, server.TLSConfig = a.guard, simplemail.EncryptionSTARTTLS, tlsConf
	default:
		server.CustomConn, server.Encryption = conn, simplemail.EncryptionNone
	}

	client, err := server.Connect()
	if err != nil {
		// Connect returns the client only when the connection stood and logging in failed.
		if client != nil {
			return a.fail(phaseAuth, err)
		}
		return a.fail(phaseConnect, err)
	}
	if err := email.Send(client); err != nil {
		return a.fail(phaseSend, err)
	}
	// The server has accepted the mail; a failed QUIT changes nothing about that.
	_ = client.Quit()
	return nil
}

func (s *Sender) helo() string {
	if s.Helo != "" {
		return s.Helo
	}
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, "\r\n ") {
		return h
	}
	return "localhost"
}

// compose builds the mail. The library Q-encodes non-ASCII headers and strips CR/LF from them;
// the subject is made one line here as well, so that no input can add a header.
func compose(from string, msg Message) *simplemail.Email {
	e := simplemail.NewMSG()
	// Quoted-printable (also the library's default) keeps long lines and non-ASCII text intact
	// through servers that accept only 7-bit lines of at most 998 bytes.
	e.Encoding = simplemail.EncodingQuotedPrintable
	return e.SetFrom(from).
		AddTo(msg.To).
		SetSubject(subjectLine(msg.Subject)).
		AddHeader("Message-ID", messageID(from)).
		SetBody(simplemail.TextPlain, strings.ToValidUTF8(msg.Body, "\uFFFD"))
	// The library adds the Date header when it writes the message.
}

// subjectLine makes s one line of at most maxSubject bytes, cut at a rune boundary.
func subjectLine(s string) string {
	s = strings.TrimSpace(model.OneLine(strings.ToValidUTF8(s, "\uFFFD")))
	if len(s) <= maxSubject {
		return s
	}
	cut := maxSubject
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// messageID is unique and uses the sender's domain, as receiving spam filters expect.
func messageID(from string) string {
	return "<" + rand.Text() + "@" + from[strings.LastIndexByte(from, '@')+1:] + ">"
}
