package ftp

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"honeysens/app/honeypot"
)

// Service is the FTP honeypot.
type Service struct {
	cfg   Config
	lim   honeypot.Limits
	log   *slog.Logger
	guard *honeypot.Guard

	mu       sync.Mutex
	ln       net.Listener
	rep      honeypot.Reporter
	sessions map[*session]struct{}
	stopping bool
	wg       sync.WaitGroup
}

// New returns the service; Start binds it.
func New(cfg Config, lim honeypot.Limits, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg.withDefaults(), lim: lim, log: log.With("service", "ftp"),
		guard: honeypot.NewGuard(lim), sessions: map[*session]struct{}{}}
}

// Name is the service name events carry.
func (s *Service) Name() string { return "ftp" }

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
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.ln, s.rep, s.stopping = ln, rep, false
	s.mu.Unlock()
	s.wg.Add(1)
	go s.accept(ln)
	s.log.Info("honeypot listening", "addr", ln.Addr().String())
	return nil
}

func (s *Service) accept(ln net.Listener) {
	defer s.wg.Done()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off instead of spinning.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed", "err", err)
			time.Sleep(delay)
			continue
		}
		delay = 0
		wc, release, err := s.guard.Admit(c)
		if err != nil {
			c.Close()
			continue
		}
		sess := newSession(s, c, wc)
		s.mu.Lock()
		if s.stopping {
			s.mu.Unlock()
			release()
			continue
		}
		s.sessions[sess] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer release()
			sess.run()
			s.mu.Lock()
			delete(s.sessions, sess)
			rep := s.rep
			s.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := rep.Report(ctx, sess.ev); err != nil {
				s.log.Warn("report failed", "err", err)
			}
		}()
	}
}

// Stop closes the listener and every session (their events are still reported) and waits.
func (s *Service) Stop() {
	s.mu.Lock()
	s.stopping = true
	ln := s.ln
	for sess := range s.sessions {
		sess.abort()
	}
	s.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	s.guard.CloseAll()
	s.wg.Wait()
}
