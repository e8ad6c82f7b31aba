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
	cfg Config
	lim honeypot.Limits
	log *slog.Logger
	srv *honeypot.TCPServer
	// timing says when sessions are reported (tests shorten it).
	timing honeypot.SessionTiming
	// policy holds the accepted pairs and counts failed logins per address for AcceptAfter.
	policy *shell.Policy

	mu       sync.Mutex
	reports  *honeypot.Sessions
	sessions map[*session]struct{} // running sessions, for Stop to abort their data side
	stopping bool
}

// New returns the service; Start binds it.
func New(cfg Config, lim honeypot.Limits, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("service", "ftp")
	cfg = cfg.withDefaults()
	return &Service{cfg: cfg, lim: lim, log: log, timing: honeypot.DefaultSessionTiming, policy: shell.NewPolicy(cfg.Accept, cfg.AcceptAfter),
		srv: honeypot.NewTCPServer(lim, log), sessions: map[*session]struct{}{}}
}

// Name is the service name events carry.
func (s *Service) Name() string { return "ftp" }

// Addr is the bound address, nil before Start.
func (s *Service) Addr() net.Addr { return s.srv.Addr() }

// Start binds the listen address and serves in the background.
func (s *Service) Start(rep honeypot.Reporter) error {
	s.mu.Lock()
	s.reports, s.stopping = honeypot.NewSessions(rep, s.log, s.timing), false
	s.mu.Unlock()
	if err := s.srv.Start(s.cfg.Listen, s.handle); err != nil {
		return err
	}
	s.log.Info("honeypot listening", "addr", s.srv.Addr().String())
	return nil
}

// handle runs one session; its event is reported while it goes on and when it ends.
func (s *Service) handle(raw, wc net.Conn) {
	s.mu.Lock()
	if s.stopping {
		// Stop has begun and may already have aborted the sessions it knew: drop this one
		// unserved and unreported, as a connection accepted after Stop.
		s.mu.Unlock()
		return
	}
	sess := newSession(s, s.reports, raw, wc)
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
	s.mu.Lock()
	s.stopping = true
	for sess := range s.sessions {
		sess.abort()
	}
	reports := s.reports
	s.mu.Unlock()
	s.srv.Stop()
	reports.Wait()
}
