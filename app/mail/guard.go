package mail

import (
	"bytes"
	"errors"
	"net"
	"slices"
	"strings"
)

// errNoSTARTTLS is what the guard returns for a command it holds back.
var errNoSTARTTLS = errors.New("refused to send in clear text: the server did not offer STARTTLS")

// starttlsGuard sits between the SMTP client and the TCP connection when STARTTLS was chosen.
//
// go-simple-mail carries on in clear text when the server does not offer STARTTLS, and then
// sends AUTH (with the password) and the mail unencrypted. Until the client has written
// STARTTLS, the guard lets only the commands of the greeting through; any other command is
// refused before it reaches the network, which fails the send. The check runs on the very
// connection that is used: a separate probe could be answered differently by an attacker
// who strips STARTTLS from the real session.
//
// After STARTTLS the library runs TLS over the guard, which then passes everything through.
type starttlsGuard struct {
	net.Conn
	started bool // STARTTLS was written
	refused bool // a command was held back
}

// allowedInClear are the commands that reveal nothing and may precede STARTTLS.
var allowedInClear = []string{"EHLO", "HELO", "STARTTLS", "QUIT", "RSET", "NOOP"}

func (g *starttlsGuard) Write(p []byte) (int, error) {
	if g.started {
		return g.Conn.Write(p)
	}
	verb, ok := clearCommand(p)
	if !ok {
		g.refused = true
		return 0, errNoSTARTTLS
	}
	n, err := g.Conn.Write(p)
	g.started = verb == "STARTTLS"
	return n, err
}

// clearCommand returns p's verb and whether p may be sent before STARTTLS. The client writes
// one command line per call; anything else (several lines, a partial line) is refused too.
func clearCommand(p []byte) (verb string, ok bool) {
	line, rest, complete := bytes.Cut(p, []byte("\r\n"))
	if !complete || len(rest) > 0 || bytes.ContainsAny(line, "\r\n") {
		return "", false
	}
	v, _, _ := bytes.Cut(line, []byte(" "))
	verb = strings.ToUpper(string(v))
	return verb, slices.Contains(allowedInClear, verb)
}
