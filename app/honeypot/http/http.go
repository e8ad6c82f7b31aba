package http

import (
	"context"
	"errors"
	"log"
	"log/slog"
	"net"
	nethttp "net/http"
	"sync"
	"time"

	"honeysens/app/honeypot"
)

// Server timeouts (variables for the tests). The Guard's idle and total limits apply on top.
var (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	keepAliveIdle     = 15 * time.Second
)

// Service is the HTTP honeypot.
type Service struct {
	cfg    Config
	lim    honeypot.Limits
	log    *slog.Logger
	guard  *honeypot.Guard
	table  *table
	timing honeypot.SessionTiming // when sessions are reported (tests shorten it)

	mu       sync.Mutex
	srv      *nethttp.Server
	ln       net.Listener
	reports  *honeypot.Sessions
	stopping bool
	wg       sync.WaitGroup // Serve and every admitted connection until the session has it
}

// New returns the service; Start binds it.
func New(cfg Config, lim honeypot.Limits, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	return &Service{cfg: cfg, lim: lim, log: log.With("service", "http"), guard: honeypot.NewGuard(lim),
		table: newTable(cfg), timing: honeypot.DefaultSessionTiming}
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

// serve runs the server on raw in the background.
func (s *Service) serve(raw net.Listener, rep honeypot.Reporter) {
	ln := &listener{Listener: raw, svc: s}
	srv := &nethttp.Server{
		Handler:                      s,
		ReadHeaderTimeout:            readHeaderTimeout,
		ReadTimeout:                  readTimeout,
		WriteTimeout:                 writeTimeout,
		IdleTimeout:                  keepAliveIdle,
		MaxHeaderBytes:               maxHeaderBytes,
		DisableGeneralOptionsHandler: true, // "OPTIONS *" reaches the handler and is recorded
		ConnState:                    s.connState,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if hc, ok := c.(*conn); ok {
				return context.WithValue(ctx, recKey{}, hc.rec)
			}
			return ctx
		},
		// net/http's own complaints (TLS handshakes, handler panics) go to the debug log.
		ErrorLog: log.New(logWriter{s.log}, "", 0),
	}
	reports := honeypot.NewSessions(rep, s.log, s.timing)
	s.table.start(reports)
	s.mu.Lock()
	s.srv, s.ln, s.reports, s.stopping = srv, raw, reports, false
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, nethttp.ErrServerClosed) {
			s.log.Warn("serve ended", "err", err)
		}
	}()
	s.log.Info("honeypot listening", "addr", raw.Addr().String())
}

// Stop closes the listener and every connection, ends every session (their events are still
// reported) and waits.
func (s *Service) Stop() {
	s.mu.Lock()
	s.stopping = true
	srv, reports := s.srv, s.reports
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
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

// connState hands a connection to the sessions once net/http is done with it.
func (s *Service) connState(c net.Conn, state nethttp.ConnState) {
	if state != nethttp.StateClosed && state != nethttp.StateHijacked {
		return
	}
	hc, ok := c.(*conn)
	if !ok {
		return
	}
	hc.once.Do(func() {
		defer s.wg.Done()
		hc.release()
		s.table.closed(hc.rec, s.isStopping())
	})
}

type logWriter struct{ log *slog.Logger }

func (w logWriter) Write(p []byte) (int, error) {
	w.log.Debug("net/http", "msg", string(p))
	return len(p), nil
}

// listener admits accepted connections through the Guard; refused ones are closed here and
// never reach net/http.
type listener struct {
	net.Listener
	svc *Service
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		// The Guard's connection keeps net/http's own deadlines (header, body, idle timeouts)
		// apart from its idle renewal, so both apply.
		wc, release, err := l.svc.guard.Admit(c)
		if err != nil {
			c.Close()
			continue
		}
		l.svc.wg.Add(1)
		return &conn{Conn: wc, rec: newConnRec(c, time.Now()), release: release}, nil
	}
}

// conn is what net/http sees: the Guard-limited connection plus the connection's record.
type conn struct {
	net.Conn
	rec     *connRec
	release func()
	once    sync.Once
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.rec.input(p[:n], err)
	return n, err
}
