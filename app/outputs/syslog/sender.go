package syslog

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"honeysens/app/model"
	"honeysens/app/outputs"
)

// timeout bounds a connect and a write, so a stalled receiver holds the queue instead of the
// courier.
const timeout = 10 * time.Second

// sender keeps one connection to the receiver and opens it again after a failure.
type sender struct {
	cfg     Config
	host    string // HOSTNAME of the records
	version string
	tls     *tls.Config // nil unless TLS
	conn    net.Conn
}

// Open builds the sender of checked settings; it connects on the first Send.
func (k Kind) Open(raw json.RawMessage) (outputs.Sender, error) {
	c, err := parse(raw)
	if err != nil {
		return nil, err
	}
	host := k.Hostname
	if host == "" {
		host, _ = os.Hostname()
	}
	s := &sender{cfg: c, host: host, version: k.Version}
	if c.Transport == TLS {
		s.tls = &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
		if c.CA != "" {
			s.tls.RootCAs = x509.NewCertPool()
			s.tls.RootCAs.AppendCertsFromPEM([]byte(c.CA))
		}
	}
	return s, nil
}

// record renders one event in the configured format.
func (s *sender) record(e *model.Event) []byte {
	if s.cfg.Format == CEF {
		return cef(s.cfg.Facility, s.host, s.version, e)
	}
	return rfc5424(s.cfg.Facility, s.host, e)
}

// Send writes the events' records in order, until a write fails.
func (s *sender) Send(ctx context.Context, events []*model.Event) []error {
	return outputs.Taken(s.write(ctx, events))
}

// write writes the events' records and returns how many went out: a datagram each over UDP;
// over TCP and TLS octet-counted ("LEN SP RECORD", RFC 5425 and RFC 6587), so no byte of a
// record can end it early, and all in one write. A written record is delivered as far as
// syslog can tell: the protocol has no acknowledgement.
func (s *sender) write(ctx context.Context, events []*model.Event) (int, error) {
	if err := s.connect(ctx); err != nil {
		return 0, err
	}
	s.conn.SetWriteDeadline(time.Now().Add(timeout))
	if s.cfg.Transport == UDP {
		for i, e := range events {
			if _, err := s.conn.Write(s.record(e)); err != nil {
				return i, s.failed(err)
			}
		}
		return len(events), nil
	}
	var buf []byte
	ends := make([]int, len(events)) // where each record ends in buf
	for i, e := range events {
		rec := s.record(e)
		buf = append(strconv.AppendInt(buf, int64(len(rec)), 10), ' ')
		buf = append(buf, rec...)
		ends[i] = len(buf)
	}
	n, err := s.conn.Write(buf)
	if err != nil {
		// The records written whole went out; the receiver drops the cut one with the connection.
		taken := 0
		for taken < len(ends) && ends[taken] <= n {
			taken++
		}
		return taken, s.failed(err)
	}
	return len(events), nil
}

// failed closes the connection after a write error, so the next Send connects afresh.
func (s *sender) failed(err error) error {
	s.Close()
	return fmt.Errorf("syslog %s: %w", s.addr(), err)
}

func (s *sender) addr() string { return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)) }

// connect opens the connection unless one is open and the receiver has not closed it. A TCP
// write to a connection the receiver closed still succeeds once, losing what it wrote, so the
// connection is checked for an end before every write (once per Send: a batch of records),
// without a wait unless something arrived.
func (s *sender) connect(ctx context.Context) error {
	if s.conn != nil && !s.closedByPeer() {
		return nil
	}
	s.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	network := "tcp"
	if s.cfg.Transport == UDP {
		network = "udp"
	}
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, network, s.addr())
	if err != nil {
		return fmt.Errorf("syslog %s: %w", s.addr(), err)
	}
	if s.tls != nil {
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("syslog %s: TLS: %w", s.addr(), err)
		}
		conn = tc
	}
	s.conn = conn
	return nil
}

// closedByPeer reports whether the receiver ended the stream (a syslog receiver never sends).
// Only when something arrived does it read, with a short wait: TLS may have sent a message of
// its own (a session ticket), which the read consumes, or the end of the stream.
func (s *sender) closedByPeer() bool {
	if s.cfg.Transport == UDP || !readable(s.conn) {
		return false
	}
	s.conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	var b [1]byte
	_, err := s.conn.Read(b[:])
	var ne net.Error
	return !errors.As(err, &ne) || !ne.Timeout() // data, EOF or an error: start afresh
}

// Close closes the connection.
func (s *sender) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}
