package http

import (
	"log/slog"
	"net"
	"sync"
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
	cfg    Config
	lim    honeypot.Limits
	log    *slog.Logger
	guard  *honeypot.Guard
	table  *table
	site   *site
	timing honeypot.SessionTiming // when sessions are reported (tests shorten it)

	mu       sync.Mutex
	ln       net.Listener
	reports  *honeypot.Sessions
	stopping bool
	wg       sync.WaitGroup // the accept loop and every admitted connection
}

// New returns the service; Start binds it.
func New(cfg Config, lim honeypot.Limits, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	return &Service{cfg: cfg, lim: lim, log: log.With("service", "http"), guard: honeypot.NewGuard(lim),
		table: newTable(cfg), site: newSite(cfg), timing: honeypot.DefaultSessionTiming}
}

// Name is the service name events carry.
func (s *Service) Name() string { return "http" }

// Addr is the bound address, nil before Start.
func (s *Service) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Start binds the listen address and serves in the background.
func (s *Service) Start(rep honeypot.Reporter) error {
	raw, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	s.serve(raw, rep)
	return nil
}

// serve accepts connections on ln in the background.
func (s *Service) serve(ln net.Listener, rep honeypot.Reporter) {
	reports := honeypot.NewSessions(rep, s.log, s.timing)
	s.table.start(reports)
	s.mu.Lock()
	s.ln, s.reports, s.stopping = ln, reports, false
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				if !s.isStopping() {
					s.log.Warn("serve ended", "err", err)
				}
				return
			}
			wc, release, err := s.guard.Admit(c)
			if err != nil {
				c.Close() // over the limits: refused before a byte is read
				continue
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				rec := newConnRec(c, time.Now())
				s.serveConn(wc, rec)
				release()
				s.table.closed(rec, s.isStopping())
			}()
		}
	}()
	s.log.Info("honeypot listening", "addr", ln.Addr().String())
}

// Stop closes the listener and every connection, ends every session (their events are still
// reported) and waits.
func (s *Service) Stop() {
	s.mu.Lock()
	s.stopping = true
	ln, reports := s.ln, s.reports
	s.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	s.guard.CloseAll()
	s.wg.Wait()
	s.table.endAll("service stopped")
	reports.Wait()
}

func (s *Service) isStopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopping
}
