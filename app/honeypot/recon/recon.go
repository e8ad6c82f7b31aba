// Package recon is HoneySens' connection and port-scan detector: it listens on ports nothing
// else uses, takes the first bytes a client sends without answering, and reports one
// "Connection attempt on TCP port N" event per lone connection, or ONE event with the summary
// "Scan" (HoneySens' convention: service recon + summary Scan is classified as a port scan) when
// a source touches ScanThreshold distinct ports within ScanWindow.
//
// Connections are handed to the aggregation (tracker, a pure state machine) when they end; a
// background flusher reports what is decided, and Stop reports everything still held.
package recon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// Name is the service name events carry; the server classifies by it.
const Name = "recon"

// What one connection may cost.
const (
	PayloadCap = 1024 // first bytes kept per connection or datagram; then we close
	// ReadTimeout is how long a connection is held open, silent, after it was accepted: like
	// a service waiting for its client. nmap -sV waits 6 s for a banner before it sends its
	// probes, and calls a port that closes sooner "tcpwrapped".
	ReadTimeout = 10 * time.Second
)

// Service is the recon honeypot service.
type Service struct {
	*honeypot.Base
	cfg Config

	// Set before Start; tests replace them.
	clock       func() time.Time
	readTimeout time.Duration
	agg         aggConfig

	mu    sync.Mutex // guards tr
	tr    *tracker
	drops *honeypot.Drops // the limits' (the sensor host shows them), or the service's own
	hits  atomic.Int64

	sockMu   sync.Mutex // guards lns and pcs
	lns      []net.Listener
	pcs      []net.PacketConn
	guard    *honeypot.Guard
	stop     chan struct{}
	stopping atomic.Bool
	wg       sync.WaitGroup
}

// New returns the service for the settings (zero values take the defaults; Validate is the
// caller's) and limits. Recon holds a connection only for ReadTimeout and PayloadCap bytes
// (see Start and handle).
func New(cfg Config, lim honeypot.Limits, log *slog.Logger) *Service {
	d := Defaults()
	if cfg.Listen == "" {
		cfg.Listen = d.Listen
	}
	if cfg.Ports == nil && cfg.UDPPorts == nil {
		cfg.Ports = d.Ports
	}
	if cfg.ScanWindow <= 0 {
		cfg.ScanWindow = d.ScanWindow
	}
	if cfg.ScanThreshold <= 0 {
		cfg.ScanThreshold = d.ScanThreshold
	}
	base := honeypot.NewBase(Name, lim, log)
	drops := lim.Drops
	if drops == nil {
		drops = new(honeypot.Drops)
	}
	return &Service{
		Base: base, cfg: cfg, drops: drops,
		clock:       time.Now,
		readTimeout: ReadTimeout,
		agg:         defaultAggConfig(cfg.ScanWindow, cfg.ScanThreshold, ReadTimeout, base.Limits.Memory),
	}
}

// Start binds every port and serves in the background. If any bind fails, the ports bound so
// far are closed and the error names the port, e.g. "port 3306: address already in use".
func (s *Service) Start(rep honeypot.Reporter) error {
	return s.Base.Start(rep, func(*honeypot.Sessions) error { return s.bind() })
}

func (s *Service) bind() error {
	s.sockMu.Lock()
	defer s.sockMu.Unlock()
	// The read time is handle's own deadline, which the Guard respects; the Guard's idle and
	// total limits apply on top, and no more than PayloadCap is read.
	lim := s.Limits
	lim.Drops = s.drops
	if lim.MaxInputBytes > PayloadCap {
		lim.MaxInputBytes = PayloadCap
	}
	s.lns, s.pcs = nil, nil
	for _, p := range s.cfg.Ports {
		ln, err := net.Listen("tcp", net.JoinHostPort(s.cfg.Listen, strconv.Itoa(p)))
		if err != nil {
			s.forgetSocketsLocked()
			return fmt.Errorf("port %d: %w", p, bindErr(err))
		}
		s.lns = append(s.lns, ln)
	}
	for _, p := range s.cfg.UDPPorts {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(s.cfg.Listen, strconv.Itoa(p)))
		if err != nil {
			s.forgetSocketsLocked()
			return fmt.Errorf("udp port %d: %w", p, bindErr(err))
		}
		s.pcs = append(s.pcs, pc)
	}
	s.guard = honeypot.NewGuard(lim)
	s.mu.Lock()
	s.tr = newTracker(Name, s.agg)
	s.mu.Unlock()
	s.stop = make(chan struct{})
	s.stopping.Store(false)
	for _, ln := range s.lns {
		s.wg.Add(1)
		go s.accept(ln)
	}
	for _, pc := range s.pcs {
		s.wg.Add(1)
		go s.readUDP(pc)
	}
	s.wg.Add(1)
	go s.flusher()
	return nil
}

// forgetSocketsLocked closes the sockets a failed Start bound.
func (s *Service) forgetSocketsLocked() {
	s.closeSocketsLocked()
	s.lns, s.pcs = nil, nil
}

// closeSocketsLocked closes every bound socket; the accept and read loops then end.
func (s *Service) closeSocketsLocked() {
	for _, ln := range s.lns {
		ln.Close()
	}
	for _, pc := range s.pcs {
		pc.Close()
	}
}

// bindErr keeps the reason of a listen error ("address already in use", "permission denied").
func bindErr(err error) error {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

// Stop closes the listeners and connections, waits for every goroutine, and reports every
// event still held (connections in a window that has not passed yet, scans still going on).
func (s *Service) Stop() {
	s.Base.Stop(func() {
		s.stopping.Store(true)
		close(s.stop)
		s.sockMu.Lock()
		s.closeSocketsLocked()
		s.sockMu.Unlock()
		s.guard.CloseAll()
		s.wg.Wait()
		s.mu.Lock()
		evs := s.tr.Drain()
		s.mu.Unlock()
		s.report(evs)
	})
}

// Addr returns the first bound address (TCP, else UDP), nil before Start.
func (s *Service) Addr() net.Addr {
	s.sockMu.Lock()
	defer s.sockMu.Unlock()
	if len(s.lns) > 0 {
		return s.lns[0].Addr()
	}
	if len(s.pcs) > 0 {
		return s.pcs[0].LocalAddr()
	}
	return nil
}

// Addrs returns the bound TCP addresses, in the order of Config.Ports.
func (s *Service) Addrs() []net.Addr {
	s.sockMu.Lock()
	defer s.sockMu.Unlock()
	out := make([]net.Addr, len(s.lns))
	for i, ln := range s.lns {
		out[i] = ln.Addr()
	}
	return out
}

// UDPAddrs returns the bound UDP addresses, in the order of Config.UDPPorts.
func (s *Service) UDPAddrs() []net.Addr {
	s.sockMu.Lock()
	defer s.sockMu.Unlock()
	out := make([]net.Addr, len(s.pcs))
	for i, pc := range s.pcs {
		out[i] = pc.LocalAddr()
	}
	return out
}

// Stats are the counts of what the service's bounds gave up since Start.
type Stats struct {
	Dropped
	Hits    int // connections (and UDP datagrams) seen
	Refused int // connections closed at once by the connection limits (still counted as hits)
}

// Stats returns what was given up so far.
func (s *Service) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Refused: int(s.drops.Refused.Load()), Hits: int(s.hits.Load())}
	if s.tr != nil {
		st.Dropped = s.tr.Dropped()
	}
	return st
}

func (s *Service) accept(ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if s.stopping.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors or the like: wait a little rather than spin.
			s.Log.Warn("recon: accept failed", "addr", ln.Addr().String(), "err", err)
			select {
			case <-s.stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		src, dst := honeypot.Endpoints(c)
		h := &Hit{Proto: model.ProtoTCP, Src: src, Dst: dst, Start: s.clock()}
		wc, release, err := s.guard.Admit(c)
		if err != nil {
			// Over a limit: close at once, but the source still touched the port.
			c.Close() // the Guard counted it in Drops.Refused
			h.End, h.Refused, h.Note = h.Start, true, "refused at once (connection limit of the service)"
			s.observe(h)
			continue
		}
		s.wg.Add(1)
		go s.handle(wc, release, h)
	}
}

// handle reads the first bytes of a connection, never answering, until PayloadCap bytes, the
// read timeout, or the client closes.
func (s *Service) handle(c net.Conn, release func(), h *Hit) {
	defer s.wg.Done()
	defer release()
	c.SetDeadline(time.Now().Add(s.readTimeout))
	buf := make([]byte, PayloadCap)
	n := 0
	var err error
	for n < len(buf) && err == nil && !s.stopping.Load() {
		var m int
		m, err = c.Read(buf[n:])
		if m > 0 && n == 0 {
			h.DataAt = s.clock()
		}
		n += m
	}
	release() // close now: the connection's time is over, the rest is bookkeeping
	h.End = s.clock()
	if n > 0 {
		h.Payload = bytes.Clone(buf[:n])
	}
	switch {
	case err == nil && n >= len(buf):
		h.Note = fmt.Sprintf("closed by us after the first %d bytes", n)
	case errors.Is(err, io.EOF):
		h.Note = "closed by the client"
	case errors.Is(err, syscall.ECONNRESET):
		h.Note = "reset by the client"
	case s.stopping.Load():
		h.Note = "closed (the service stopped)"
	case errors.Is(err, os.ErrDeadlineExceeded):
		h.Note = "closed by us (read time over)"
	default:
		h.Note = "closed (" + err.Error() + ")"
	}
	s.observe(h)
}

func (s *Service) readUDP(pc net.PacketConn) {
	defer s.wg.Done()
	var local netip.AddrPort
	if a, ok := pc.LocalAddr().(*net.UDPAddr); ok {
		local = a.AddrPort()
		local = netip.AddrPortFrom(local.Addr().Unmap(), local.Port())
	}
	buf := make([]byte, 64<<10)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if s.stopping.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			s.Log.Warn("recon: udp read failed", "addr", local.String(), "err", err)
			select {
			case <-s.stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		ua, ok := from.(*net.UDPAddr)
		if !ok {
			continue
		}
		src := ua.AddrPort()
		now := s.clock()
		h := &Hit{Proto: model.ProtoUDP, Src: netip.AddrPortFrom(src.Addr().Unmap(), src.Port()), Dst: local,
			Start: now, End: now, Datagrams: 1}
		if n > 0 {
			h.DataAt = now
			h.Payload = bytes.Clone(buf[:min(n, PayloadCap)])
		}
		s.observe(h)
	}
}

func (s *Service) observe(h *Hit) {
	s.hits.Add(1)
	s.mu.Lock()
	s.tr.Observe(h, s.clock())
	s.drops.Untracked.Store(int64(s.tr.Dropped().Untracked))
	s.mu.Unlock()
}

// flusher reports the events the aggregation has decided, a few times per window.
func (s *Service) flusher() {
	defer s.wg.Done()
	tick := min(max(s.cfg.ScanWindow/4, 20*time.Millisecond), time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.mu.Lock()
			evs := s.tr.Flush(s.clock())
			s.mu.Unlock()
			s.report(evs)
		}
	}
}

func (s *Service) report(evs []*model.Event) {
	for _, e := range evs {
		_ = s.Report(e) // Report logs a failure, and the next flush has new aggregates
	}
}
