package http

import (
	"log/slog"
	"net"
	"time"

	"honeysens/app/honeypot"
)

// Connection timeouts (variables for the tests). The Guard's idle and total limits apply on top.
var (
	readHeaderTimeout = 10 * time.Second // for the first request's header
	readTimeout       = 30 * time.Second // for a request body
	writeTimeout      = 30 * time.Second
	keepAliveIdle     = 15 * time.Second // for the next request's header on a kept connection
)

// Service is the HTTP honeypot.
type Service struct {
	*honeypot.Base
	cfg   Config
	srv   *honeypot.TCPServer
	table *table
	site  *site
}

// New returns the service; Start binds it.
func New(cfg Config, lim honeypot.Limits, log *slog.Logger) *Service {
	base := honeypot.NewBase("http", lim, log)
	cfg = cfg.withDefaults()
	return &Service{Base: base, cfg: cfg, srv: honeypot.NewTCPServer(base.Limits, base.Log),
		table: newTable(cfg), site: newSite(cfg)}
}

// Addr is the bound address, nil before Start.
func (s *Service) Addr() net.Addr { return s.srv.Addr() }

// Start binds the listen address and serves in the background.
func (s *Service) Start(rep honeypot.Reporter) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	return s.serve(ln, rep)
}

// serve serves ln in the background (the fuzz test's are in-memory pipes); it closes ln when
// it cannot.
func (s *Service) serve(ln net.Listener, rep honeypot.Reporter) error {
	err := s.Base.Start(rep, func(sessions *honeypot.Sessions) error {
		s.table.start(sessions)
		return s.ServeTCP(s.srv, ln, s.handle)
	})
	if err != nil {
		ln.Close()
	}
	return err
}

// handle answers the requests of one admitted connection and hands what it saw to its session.
func (s *Service) handle(raw, wc net.Conn) {
	rec := newConnRec(raw, time.Now())
	s.serveConn(wc, rec)
	wc.Close() // the connection's time is over, the rest is bookkeeping
	s.table.closed(rec, s.srv.Stopping())
}

// Stop closes the listener and every connection, ends every session (their events are still
// reported) and waits.
func (s *Service) Stop() {
	s.Base.Stop(func() {
		s.srv.Stop()
		s.table.endAll("service stopped")
	})
}
