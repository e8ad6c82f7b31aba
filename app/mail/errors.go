package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"syscall"

	"honeysens/app/model"
)

// Error is a failed send, in words an operator can act on. Kind says what failed.
type Error struct {
	Kind    string
	Message string
	Err     error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// Permanent reports a refusal that sending again cannot change: the server answered 5xx to
// this mail's sender, recipient or content.
func (e *Error) Permanent() bool {
	var reply *textproto.Error
	return e.Kind == KindRejected && errors.As(e.Err, &reply) && reply.Code >= 500
}

// Kinds of Error.
const (
	KindConnect    = "connect"              // no connection, or it broke off
	KindTLS        = "tls"                  // TLS handshake or certificate failed
	KindNoSTARTTLS = "starttls_unavailable" // STARTTLS chosen but not offered: nothing was sent
	KindAuth       = "auth"                 // login refused or impossible, or required but not done
	KindRejected   = "rejected"             // sender, recipient or mail refused (by the server or before connecting)
	KindTimeout    = "timeout"              // no answer in time, or the send was cancelled
)

// phase is the step of a send that failed; the same error means different things in each.
type phase int

const (
	phaseDial    phase = iota // TCP connect
	phaseTLS                  // implicit TLS handshake
	phaseConnect              // greeting, EHLO, STARTTLS
	phaseAuth                 // AUTH
	phaseSend                 // MAIL, RCPT, DATA
)

// attempt is what classifying a failure needs to know about one send.
type attempt struct {
	ctx   context.Context
	addr  string // host:port
	set   model.SMTPSettings
	guard *starttlsGuard // nil unless STARTTLS was chosen
}

// fail turns err from phase p into an *Error with a one-line message. No message quotes the
// password: the library never puts it into an error, and only server replies are quoted.
func (a *attempt) fail(p phase, err error) *Error {
	e := a.classify(p, err)
	e.Message = model.OneLine(e.Message)
	if e.Err == nil {
		e.Err = err
	}
	return e
}

func (a *attempt) classify(p phase, err error) *Error {
	// The guard's record comes first: the library reports its refusal as a plain write error.
	if a.guard != nil && a.guard.refused {
		return &Error{Kind: KindNoSTARTTLS, Message: a.addr + " does not offer STARTTLS; nothing was sent (not even the password)."}
	}
	if ctxErr := a.ctx.Err(); errors.Is(ctxErr, context.Canceled) {
		return &Error{Kind: KindTimeout, Message: "Sending to " + a.addr + " was cancelled.", Err: errors.Join(ctxErr, err)}
	}
	var netErr net.Error
	if errors.Is(a.ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		err = errors.Join(context.DeadlineExceeded, err)
		if p == phaseConnect && a.set.Encryption != model.EncryptionTLS && (a.guard == nil || !a.guard.started) {
			// A server that expects TLS from the first byte waits silently for a handshake.
			return &Error{Kind: KindTimeout, Err: err,
				Message: a.addr + " did not answer in time. If it expects TLS from the first byte (usually port 465), choose TLS."}
		}
		return &Error{Kind: KindTimeout, Message: a.addr + " did not answer in time.", Err: err}
	}

	var reply *textproto.Error
	isReply := errors.As(err, &reply)
	switch p {
	case phaseDial:
		return &Error{Kind: KindConnect, Message: a.dialFailure(err)}
	case phaseTLS:
		var rhe tls.RecordHeaderError
		if errors.As(err, &rhe) {
			return &Error{Kind: KindTLS, Message: a.addr + " does not speak TLS from the first byte; choose STARTTLS or none for this port."}
		}
		return a.tlsFailure("TLS", err)
	case phaseConnect:
		if a.guard != nil && a.guard.started {
			return a.tlsFailure("STARTTLS", err)
		}
		if isReply {
			return &Error{Kind: KindConnect, Message: a.addr + " refused the session: " + replyText(reply)}
		}
		if errors.Is(err, io.EOF) {
			return &Error{Kind: KindConnect, Message: a.addr + " closed the connection during the greeting."}
		}
		return &Error{Kind: KindConnect, Message: "The SMTP session with " + a.addr + " failed: " + reason(err)}
	case phaseAuth:
		if isReply {
			return &Error{Kind: KindAuth, Message: "The server " + a.addr + " refused the user name or password: " + replyText(reply)}
		}
		return &Error{Kind: KindAuth, Message: "Logging in to " + a.addr + " failed: " + reason(err)}
	}
	// phaseSend
	switch {
	case isReply && strings.Contains(strings.ToLower(reply.Msg), "authenticat"):
		if a.set.User == "" {
			return &Error{Kind: KindAuth, Message: a.addr + " requires a login; enter a user name and password: " + replyText(reply)}
		}
		// The library skips the login silently when the server does not offer AUTH.
		return &Error{Kind: KindAuth, Message: a.addr + " did not offer or accept a login (AUTH) on this connection but requires one: " + replyText(reply)}
	case isReply && reply.Code == 421:
		// 421 is the server closing the session (overload, shutdown), not a verdict on the mail.
		return &Error{Kind: KindConnect, Message: a.addr + " closed the session: " + replyText(reply)}
	case isReply:
		return &Error{Kind: KindRejected, Message: a.addr + " rejected the mail: " + replyText(reply)}
	}
	return &Error{Kind: KindConnect, Message: "The connection to " + a.addr + " broke off while sending: " + reason(err)}
}

func (a *attempt) dialFailure(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "The mail server name " + strconv.Quote(a.set.Host) + " does not resolve."
	case errors.As(err, &dnsErr):
		return "Looking up the mail server name " + strconv.Quote(a.set.Host) + " failed: " + dnsErr.Err + "."
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Connection to " + a.addr + " refused."
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return a.addr + " is not reachable (no route to host)."
	}
	return "Could not connect to " + a.addr + ": " + err.Error()
}

// tlsFailure names an untrusted certificate as such; other handshake failures keep their reason.
func (a *attempt) tlsFailure(what string, err error) *Error {
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		return &Error{Kind: KindTLS, Message: "The certificate of " + a.addr + " is not trusted: " + cve.Err.Error()}
	}
	return &Error{Kind: KindTLS, Message: what + " with " + a.addr + " failed: " + reason(err)}
}

// replyText is the server's reply as it sent it (textproto's Error quotes the text).
func replyText(reply *textproto.Error) string {
	return strconv.Itoa(reply.Code) + " " + reply.Msg
}

// reason is err in the server's or the system's words, without the library's "Mail Error on …:" prefix.
func reason(err error) string {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return replyText(reply)
	}
	if inner := errors.Unwrap(err); inner != nil && strings.HasPrefix(err.Error(), "Mail Error") {
		return inner.Error()
	}
	return err.Error()
}
