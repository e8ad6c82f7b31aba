package honeypot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// TCPServer is the accept side that the one-port TCP honeypots (ssh, telnet, ftp) share: it
// binds, admits every connection through a Guard, runs the service's handler for it in its own
// goroutine and releases (closes) the connection when the handler returns. Stop closes the
// listener and every open connection and waits for the handlers, so a service's Stop only adds
// what is its own.
type TCPServer struct {
	guard *Guard
	log   *slog.Logger

	mu       sync.Mutex
	ln       net.Listener
	stopping bool
	ctx      context.Context // done once Stop begins (see Context)
	cancel   context.CancelFunc
	wg       sync.WaitGroup // the accept loop and every handler
}

// NewTCPServer returns a server that admits connections within lim; log (nil: discard) gets
// accept errors.
func NewTCPServer(lim Limits, log *slog.Logger) *TCPServer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &TCPServer{guard: NewGuard(lim), log: log}
}

// Guard is the guard connections are admitted through (tests count its open connections).
func (s *TCPServer) Guard() *Guard { return s.guard }

// ErrStarted is returned by Start while the server is running.
var ErrStarted = errors.New("honeypot: already started")

// Start binds addr and serves in the background until Stop: every admitted connection runs
// handle(raw, wrapped), raw being the accepted connection (for its addresses) and wrapped the
// Guard-limited one to talk over. A bind error is returned at once. Start after Stop binds anew.
func (s *TCPServer) Start(addr string, handle func(raw, wrapped net.Conn)) error {
	if s.Addr() != nil {
		return ErrStarted
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln, handle)
}

// Serve is Start on a listener of the caller's; it owns ln from then on (closes it on
// ErrStarted, and on Stop).
func (s *TCPServer) Serve(ln net.Listener, handle func(raw, wrapped net.Conn)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		ln.Close()
		return ErrStarted
	}
	s.ln, s.stopping = ln, false
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.accept(ln, handle)
	return nil
}

// Addr is the bound address, nil when not running.
func (s *TCPServer) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Stopping tells handlers that Stop has begun, so a cut connection can say why it ended.
func (s *TCPServer) Stopping() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopping
}

// Context is done once Stop begins: a handler's waits that read nothing from the connection
// (the fake shell's sleep) end with it, so that Stop does not wait for them.
func (s *TCPServer) Context() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// Stop closes the listener and every admitted connection and waits until the accept loop and
// every handler have returned. It does nothing when not running.
func (s *TCPServer) Stop() {
	s.mu.Lock()
	ln := s.ln
	s.stopping = true
	s.mu.Unlock()
	if ln == nil {
		return
	}
	s.cancel()
	ln.Close()
	s.guard.CloseAll()
	s.wg.Wait()
	s.mu.Lock()
	s.ln = nil
	s.mu.Unlock()
}

func (s *TCPServer) accept(ln net.Listener, handle func(raw, wrapped net.Conn)) {
	defer s.wg.Done()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || s.Stopping() {
				return
			}
			// Out of file descriptors and the like: back off instead of spinning.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("accept failed", "err", err)
			time.Sleep(delay)
			continue
		}
		delay = 0
		wrapped, release, err := s.guard.Admit(c)
		if err != nil {
			c.Close()
			continue
		}
		// The stopping check and wg.Add happen under mu, so Stop's Wait never misses a
		// handler, and a connection admitted after Stop began is dropped, not served.
		s.mu.Lock()
		if s.stopping {
			s.mu.Unlock()
			release()
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer release()
			// Attackers choose this input: a bug a connection triggers must end that
			// connection, not the appliance with every other service.
			defer func() {
				if r := recover(); r != nil {
					s.log.Error("honeypot connection handler panicked", "remote", c.RemoteAddr().String(), "panic", fmt.Sprint(r))
				}
			}()
			handle(c, wrapped)
		}()
	}
}
