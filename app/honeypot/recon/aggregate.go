package recon

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// Hit is one observed TCP connection, or one UDP flow (datagrams from one source address and
// port to one of our ports), as the listeners hand it to the aggregation.
type Hit struct {
	Proto     model.Protocol
	Src       netip.AddrPort
	Dst       netip.AddrPort
	Start     time.Time // connection accepted / first datagram
	DataAt    time.Time // first payload bytes arrived; zero when none
	End       time.Time // connection closed / last datagram of the flow
	Payload   []byte    // the first bytes (at most the payload cap); nil when none
	Datagrams int       // UDP: datagrams of the flow (the first one is the payload)
	Note      string    // how the connection ended, our words (never attacker text)
	Refused   bool      // closed at once by the connection limits

	// Filled in by the aggregation.
	more          int       // further connections to the same port folded into this one (flood)
	moreLast      time.Time // start of the last of them
	payloadCut    bool      // payload not kept (memory budget or scan packet cap)
	payloadCutWhy string
}

type portKey struct {
	proto model.Protocol
	port  uint16
}

func (k portKey) String() string {
	if k.proto == model.ProtoUDP {
		return strconv.Itoa(int(k.port)) + "/udp"
	}
	return strconv.Itoa(int(k.port))
}

func keyOf(h *Hit) portKey { return portKey{h.Proto, h.Dst.Port()} }

// aggConfig are the aggregation's settings and bounds.
type aggConfig struct {
	Window    time.Duration // distinct ports within this span make a scan; a scan ends after this quiet
	Threshold int           // distinct ports that make a scan
	// Settle is added to Window before anything is decided: hits are handed over when the
	// connection ends, up to the read timeout after it started, so a hit that started earlier
	// may still arrive that long after a later one.
	Settle      time.Duration
	MaxDuration time.Duration // a scan event spans at most this; a longer scan continues in a new event
	MaxSources  int           // sources tracked at once; hits from further sources are dropped (counted)
	PerPortLone int           // lone connections kept per source and port within the window; more are folded (counted)
	MaxScanHits int           // connections listed per scan event; more are counted only
	MaxScanPkts int           // payload packets per scan event
	PayloadMem  int           // payload bytes held at once over all sources; more payloads are not kept
}

func defaultAggConfig(window time.Duration, threshold int, settle time.Duration) aggConfig {
	return aggConfig{
		Window:      window,
		Threshold:   threshold,
		Settle:      settle,
		MaxDuration: 5 * time.Minute,
		MaxSources:  1024,
		PerPortLone: 8,
		MaxScanHits: 256,
		MaxScanPkts: 32,
		PayloadMem:  8 << 20,
	}
}

// Dropped counts what the bounds made the aggregation give up, since it was created.
type Dropped struct {
	Sources  int // hits dropped whole because MaxSources sources were tracked already
	Folded   int // lone connections folded into an earlier one of the same source and port (flood)
	Unlisted int // scan connections counted but not listed (MaxScanHits)
	Payloads int // payloads not kept (scan packet cap or memory budget)
}

// source is what the aggregation holds for one source address.
type source struct {
	addr    netip.Addr
	newest  time.Time             // latest hit start seen while not in a scan
	last    map[portKey]time.Time // latest hit start per port, while not in a scan
	pending []*Hit                // lone connection candidates, in arrival order
	scan    *scan
}

type scan struct {
	src         netip.Addr
	first, last time.Time // earliest and latest connection start
	hits        []*Hit
	conns       int                   // connections, listed or not
	ports       map[portKey]int       // connections per port
	portFirst   map[portKey]time.Time // the earliest connection per port
	pkts        int                   // payload packets
}

// tracker is the aggregation state machine: a pure function of the hits and times it is given,
// with no locks, goroutines or clock of its own. Observe takes hits; Flush returns the events
// that are complete at a time; Drain returns everything (on Stop).
type tracker struct {
	cfg     aggConfig
	service string
	sources map[netip.Addr]*source
	out     []*model.Event
	mem     int // payload bytes held
	swept   time.Time
	dropped Dropped
}

func newTracker(service string, cfg aggConfig) *tracker {
	return &tracker{cfg: cfg, service: service, sources: map[netip.Addr]*source{}}
}

// Dropped returns the counts of what was given up so far.
func (t *tracker) Dropped() Dropped { return t.dropped }

// Sources returns how many sources are tracked now.
func (t *tracker) Sources() int { return len(t.sources) }

// decided reports whether a time is old enough at now for nothing more to change around it.
func (t *tracker) decided(at, now time.Time) bool {
	return now.Sub(at) > t.cfg.Window+t.cfg.Settle
}

// Observe takes one hit seen at now (usually its End).
func (t *tracker) Observe(h *Hit, now time.Time) {
	addr := h.Src.Addr().Unmap()
	s := t.sources[addr]
	if s != nil {
		t.expire(s, now, false)
		s = t.sources[addr] // expire forgets a source with nothing left
	}
	if s == nil {
		if len(t.sources) >= t.cfg.MaxSources && now.Sub(t.swept) >= 100*time.Millisecond {
			// Full: make room from what is decided, at most every 100 ms (a flood of new
			// sources must not make each hit walk the whole table).
			t.swept = now
			for _, o := range t.sources {
				t.expire(o, now, false)
			}
		}
		if len(t.sources) >= t.cfg.MaxSources {
			t.dropped.Sources++
			return
		}
		s = &source{addr: addr, last: map[portKey]time.Time{}}
		t.sources[addr] = s
	}
	t.keepPayload(h)
	if s.scan != nil {
		if h.Start.Sub(s.scan.first) < t.cfg.MaxDuration {
			t.addToScan(s.scan, h)
			return
		}
		t.emitScan(s.scan, fmt.Sprintf("The scan went on for longer than %s; it continues in a new event.", t.cfg.MaxDuration))
		s.scan = nil
	}

	k := keyOf(h)
	if h.Start.After(s.newest) {
		s.newest = h.Start
	}
	if h.Start.After(s.last[k]) {
		s.last[k] = h.Start
	}
	if !t.mergeFlow(s.pending, h) {
		stored := 0
		var prev *Hit
		for _, p := range s.pending {
			if keyOf(p) == k {
				stored++
				prev = p
			}
		}
		if stored >= t.cfg.PerPortLone {
			// A flood to one port: fold it into the last kept connection of that port.
			prev.more++
			if h.Start.After(prev.moreLast) {
				prev.moreLast = h.Start
			}
			t.release(h)
			t.dropped.Folded++
		} else {
			s.pending = append(s.pending, h)
		}
	}

	// Distinct ports touched within the window that ends at the newest connection.
	n := 0
	for _, at := range s.last {
		if s.newest.Sub(at) <= t.cfg.Window {
			n++
		}
	}
	if n >= t.cfg.Threshold {
		sc := &scan{src: addr, ports: map[portKey]int{}, portFirst: map[portKey]time.Time{}}
		for _, p := range s.pending {
			t.addToScan(sc, p)
		}
		s.pending = nil
		clear(s.last)
		s.newest = time.Time{}
		s.scan = sc
	}
}

// mergeFlow adds a UDP datagram to its flow if the flow is among hits; it reports whether it did.
func (t *tracker) mergeFlow(hits []*Hit, h *Hit) bool {
	if h.Proto != model.ProtoUDP {
		return false
	}
	for i := len(hits) - 1; i >= 0 && i >= len(hits)-16; i-- {
		p := hits[i]
		if p.Proto == model.ProtoUDP && p.Src == h.Src && p.Dst.Port() == h.Dst.Port() {
			p.Datagrams += max(h.Datagrams, 1)
			if h.End.After(p.End) {
				p.End = h.End
			}
			t.release(h)
			return true
		}
	}
	return false
}

// keepPayload charges the hit's payload to the memory budget, or drops it.
func (t *tracker) keepPayload(h *Hit) {
	if len(h.Payload) == 0 {
		return
	}
	if t.mem+len(h.Payload) > t.cfg.PayloadMem {
		h.Payload, h.payloadCut, h.payloadCutWhy = nil, true, "payload memory limit of the service"
		t.dropped.Payloads++
		return
	}
	t.mem += len(h.Payload)
}

func (t *tracker) release(h *Hit) {
	t.mem -= len(h.Payload)
	h.Payload = nil
}

func (t *tracker) addToScan(sc *scan, h *Hit) {
	if sc.conns == 0 || h.Start.Before(sc.first) {
		sc.first = h.Start
	}
	if h.Start.After(sc.last) {
		sc.last = h.Start
	}
	if h.moreLast.After(sc.last) {
		sc.last = h.moreLast
	}
	if t.mergeFlow(sc.hits, h) {
		return
	}
	k := keyOf(h)
	sc.ports[k] += 1 + h.more
	if at, ok := sc.portFirst[k]; !ok || h.Start.Before(at) {
		sc.portFirst[k] = h.Start
	}
	sc.conns += 1 + h.more
	if len(sc.hits) >= t.cfg.MaxScanHits {
		t.release(h)
		t.dropped.Unlisted++
		return
	}
	if len(h.Payload) > 0 {
		if sc.pkts >= t.cfg.MaxScanPkts {
			t.release(h)
			h.payloadCut, h.payloadCutWhy = true, fmt.Sprintf("limit of %d packets per scan event", t.cfg.MaxScanPkts)
			t.dropped.Payloads++
		} else {
			sc.pkts++
		}
	}
	sc.hits = append(sc.hits, h)
}

// expire moves what is decided at now for one source to the output; with all, everything.
func (t *tracker) expire(s *source, now time.Time, all bool) {
	if sc := s.scan; sc != nil {
		switch {
		case all:
			t.emitScan(sc, "The service stopped while the scan went on.")
			s.scan = nil
		case t.decided(sc.last, now):
			t.emitScan(sc, fmt.Sprintf("The scan ended: no connection from the source for %s.", t.cfg.Window))
			s.scan = nil
		case now.Sub(sc.first) >= t.cfg.MaxDuration:
			t.emitScan(sc, fmt.Sprintf("The scan went on for longer than %s; it continues in a new event.", t.cfg.MaxDuration))
			s.scan = nil
		}
	}
	keep := s.pending[:0]
	for _, h := range s.pending {
		if all || t.decided(h.Start, now) {
			t.emitLone(h)
		} else {
			keep = append(keep, h)
		}
	}
	clear(s.pending[len(keep):])
	s.pending = keep
	for k, at := range s.last {
		if all || t.decided(at, now) {
			delete(s.last, k)
		}
	}
	if s.scan == nil && len(s.pending) == 0 && len(s.last) == 0 {
		delete(t.sources, s.addr)
	}
}

// Flush returns the events complete at now, oldest first.
func (t *tracker) Flush(now time.Time) []*model.Event {
	for _, s := range t.sources {
		t.expire(s, now, false)
	}
	return t.take()
}

// Drain returns every pending event, complete or not (on Stop).
func (t *tracker) Drain() []*model.Event {
	for _, s := range t.sources {
		t.expire(s, time.Time{}, true)
	}
	return t.take()
}

func (t *tracker) take() []*model.Event {
	out := t.out
	t.out = nil
	slices.SortStableFunc(out, func(a, b *model.Event) int {
		if c := a.Timestamp.Compare(b.Timestamp); c != 0 {
			return c
		}
		return a.Source.Compare(b.Source) // sources come from a map: keep the order stable
	})
	return out
}

func protoName(p model.Protocol) string { return strings.ToUpper(p.String()) }

func (t *tracker) emitLone(h *Hit) {
	e := &model.Event{
		Timestamp:  h.Start.UTC(),
		Service:    t.service,
		Source:     h.Src.Addr().Unmap(),
		SourcePort: int(h.Src.Port()),
		Target:     h.Dst.Addr().Unmap(),
		TargetPort: int(h.Dst.Port()),
		Protocol:   h.Proto,
		Summary:    fmt.Sprintf("Connection attempt on %s port %d", protoName(h.Proto), h.Dst.Port()),
	}
	port := int(h.Dst.Port())
	if h.Proto == model.ProtoTCP {
		t.interaction(e, h.Start, fmt.Sprintf("TCP connection from %s to port %d", h.Src, port))
		e.Packets = append(e.Packets, model.Packet{Timestamp: h.Start.UTC(), Protocol: model.ProtoTCP, Port: port, Flags: honeypot.FlagSYN})
		if !h.DataAt.IsZero() {
			t.interaction(e, h.DataAt, "First payload received: "+payloadText(h))
		}
		if len(h.Payload) > 0 {
			e.Packets = append(e.Packets, model.Packet{Timestamp: h.DataAt.UTC(), Protocol: model.ProtoTCP, Port: port, Flags: honeypot.FlagPSHACK, Payload: h.Payload})
		}
		if !h.End.IsZero() {
			t.interaction(e, h.End, cap1(endText(h)))
		}
	} else {
		t.interaction(e, h.Start, fmt.Sprintf("UDP datagram from %s to port %d: %s", h.Src, port, payloadText(h)))
		if len(h.Payload) > 0 {
			e.Packets = append(e.Packets, model.Packet{Timestamp: h.Start.UTC(), Protocol: model.ProtoUDP, Port: port, Payload: h.Payload})
		}
		if h.Datagrams > 1 {
			t.interaction(e, h.End, fmt.Sprintf("%d datagrams from %s to port %d in all; only the first is kept", h.Datagrams, h.Src, port))
		}
	}
	if h.more > 0 {
		t.info(e, fmt.Sprintf("%d more connections from this source to port %d followed within %s (the last at %s); they are not recorded one by one.",
			h.more, port, t.cfg.Window, h.moreLast.UTC().Format(time.RFC3339Nano)))
	}
	t.mem -= len(h.Payload) // handed over with the event
	t.out = append(t.out, e)
}

// endText says how and when a TCP connection ended.
func endText(h *Hit) string {
	if h.Refused {
		return h.Note
	}
	return h.Note + " after " + dur(h.End.Sub(h.Start))
}

func payloadText(h *Hit) string {
	switch {
	case h.payloadCut:
		return "payload not kept (" + h.payloadCutWhy + ")"
	case len(h.Payload) == 0:
		return "no payload"
	}
	if len(h.Payload) == 1 {
		return "1 byte (kept as packet)"
	}
	return fmt.Sprintf("%d bytes (kept as packet)", len(h.Payload))
}

func (t *tracker) info(e *model.Event, text string) { honeypot.Info(e, text) }

func (t *tracker) interaction(e *model.Event, at time.Time, text string) {
	honeypot.Interaction(e, at, text)
}

// dur renders a duration for people: 12ms, 3.2s, 1m5s.
func dur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "0ms"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func cap1(s string) string {
	if s == "" {
		return "Closed"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
