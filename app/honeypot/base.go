package honeypot

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"

	"honeysens/app/model"
)

// ReportTimeout bounds one Report call, so that a stuck store or a full disk cannot hold a
// session's reporting (and with it a service's Stop) forever. Ten seconds is far above a
// healthy store's write and well below the 15 minutes after which the server takes a silent
// session as ended.
const ReportTimeout = 10 * time.Second

// Base is the skeleton every honeypot service embeds, so that a service holds only what it
// binds and how it talks: the service's name, a logger tagged with it, the limits with their
// defaults filled in, one Start at a time, the Sessions its events are reported through, the
// report of a single event within ReportTimeout, and the order of Stop (the service's own
// shutdown first, then the final reports of every session it ended).
//
// A one-port TCP service adds a TCPServer and starts it with ListenTCP inside Start's bind
// (see ftp); a service with sockets of its own binds them there (see recon).
type Base struct {
	// Log is the service's logger, tagged with its name.
	Log *slog.Logger
	// Limits are what the service gives hostile clients; zero ones are DefaultLimits'.
	Limits Limits
	// Timing says when sessions are reported (tests shorten it before Start).
	Timing SessionTiming

	name     string
	mu       sync.Mutex
	running  bool
	rep      Reporter
	sessions *Sessions
}

// NewBase returns the skeleton of the named service; log nil discards.
func NewBase(name string, lim Limits, log *slog.Logger) *Base {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Base{Log: log.With("service", name), Limits: lim.WithDefaults(), Timing: DefaultSessionTiming, name: name}
}

// Name is the service name events carry.
func (b *Base) Name() string { return b.name }

// Start makes the Sessions the service's events are reported through to rep and calls bind,
// which binds the service's sockets and starts serving in the background. A bind error is
// returned at once and leaves the service stopped; ErrStarted while it runs.
func (b *Base) Start(rep Reporter, bind func(sessions *Sessions) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running {
		return ErrStarted
	}
	sessions := NewSessions(rep, b.Log, b.Timing)
	if err := bind(sessions); err != nil {
		return err
	}
	// Handlers that ask for Sessions while bind runs wait for the lock, and get these.
	b.rep, b.sessions, b.running = rep, sessions, true
	return nil
}

// ListenTCP binds addr and serves it with srv (inside Start's bind): handle runs for each
// admitted connection. It logs where the service listens.
func (b *Base) ListenTCP(srv *TCPServer, addr string, handle func(raw, wrapped net.Conn)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return b.ServeTCP(srv, ln, handle)
}

// ServeTCP is ListenTCP on a listener of the caller's (tests serve in-memory pipes).
func (b *Base) ServeTCP(srv *TCPServer, ln net.Listener, handle func(raw, wrapped net.Conn)) error {
	if err := srv.Serve(ln, handle); err != nil {
		return err
	}
	b.Log.Info("honeypot listening", "addr", ln.Addr().String())
	return nil
}

// Sessions are the sessions of the current run (nil before the first Start: sessions opened
// on it are never reported).
func (b *Base) Sessions() *Sessions {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sessions
}

// Report reports one event outside any session (recon's aggregates) to the reporter of the
// last Start, within ReportTimeout; a failure is logged and returned.
func (b *Base) Report(e *model.Event) error {
	b.mu.Lock()
	rep := b.rep
	b.mu.Unlock()
	return reportWithin(rep, b.Log, e)
}

// Stop runs shutdown, which closes the service's listeners and connections and waits for its
// handlers, and then waits for the final reports of every session. It does nothing when the
// service is not running.
func (b *Base) Stop(shutdown func()) {
	b.mu.Lock()
	running, sessions := b.running, b.sessions
	b.running = false
	b.mu.Unlock()
	if !running {
		return
	}
	shutdown()
	sessions.Wait()
}

// reportWithin hands e to rep within ReportTimeout and logs a failure.
func reportWithin(rep Reporter, log *slog.Logger, e *model.Event) error {
	ctx, cancel := context.WithTimeout(context.Background(), ReportTimeout)
	defer cancel()
	err := rep.Report(ctx, e)
	if err != nil {
		log.Warn("honeypot: event not reported", "service", e.Service, "session", e.Session, "revision", e.Revision,
			"summary", e.Summary, "source", e.Source.String(), "err", err)
	}
	return err
}
