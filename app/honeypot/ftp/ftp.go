package ftp

import (
	"log/slog"
	"net"
	"sync"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/shell"
)

// Service is the FTP honeypot.
type Service struct {
	*honeypot.Base
	cfg Config
	srv *honeypot.TCPServer
	// policy holds the accepted pairs and counts failed logins per address for AcceptAfter.
	policy *shell.Policy

	mu       sync.Mutex
	sessions map[*session]struct{} // running sessions, for Stop to abort their data side
	stopping bool
}

// New returns the service; Start binds it.
func New(cfg Config, lim honeypot.Limits, log *slog.Logger) *Service {
	base := honeypot.NewBase("ftp", lim, log)
	cfg = cfg.withDefaults()
	return &Service{Base: base, cfg: cfg, policy: shell.NewPolicy(cfg.Accept, cfg.AcceptAfter),
		srv: honeypot.NewTCPServer(base.Limits, base.Log), sessions: map[*session]struct{}{}}
}

// Addr is the bound address, nil before Start.
func (s *Service) Addr() net.Addr { return s.srv.Addr() }

// Start binds the listen address and serves in the background.
func (s *Service) Start(rep honeypot.Reporter) error {
	return s.Base.Start(rep, func(*honeypot.Sessions) error {
		s.mu.Lock()
		s.stopping = false
		s.mu.Unlock()
		return s.ListenTCP(s.srv, s.cfg.Listen, s.handle)
	})
}

// handle runs one session; its event is reported while it goes on and when it ends.
func (s *Service) handle(raw, wc net.Conn) {
	reports := s.Sessions()
	s.mu.Lock()
	if s.stopping {
		// Stop has begun and may already have aborted the sessions it knew: drop this one
		// unserved and unreported, as a connection accepted after Stop.
		s.mu.Unlock()
		return
	}
	sess := newSession(s, reports, raw, wc)
	s.sessions[sess] = struct{}{}
	sess.clients = len(s.sessions)
	s.mu.Unlock()
	sess.run()
	s.mu.Lock()
	delete(s.sessions, sess)
	s.mu.Unlock()
}

// Stop closes the listener and every session (their events are still reported) and waits.
func (s *Service) Stop() {
	s.Base.Stop(func() {
		s.mu.Lock()
		s.stopping = true
		for sess := range s.sessions {
			sess.abort()
		}
		s.mu.Unlock()
		s.srv.Stop()
	})
}
