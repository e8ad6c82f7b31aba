package recon

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"time"

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
	SourceMem   int           // bytes of tracking state (sources, held connections, scans) at once; see makeRoom
	PerPortLone int           // lone connections kept per source and port within the window; more are folded (counted)
	MaxScanHits int           // connections listed per scan event; more are counted only
	MaxScanPkts int           // payload packets per scan event
	PayloadMem  int           // payload bytes held at once over all sources; more payloads are not kept
	CrowdList   int           // sources named in a crowd summary event
}

// defaultAggConfig splits the memory budget evenly between tracking state and payloads.
func defaultAggConfig(window time.Duration, threshold int, settle time.Duration, memory int64) aggConfig {
	return aggConfig{
		Window:      window,
		Threshold:   threshold,
		Settle:      settle,
		MaxDuration: 5 * time.Minute,
		SourceMem:   int(memory / 2),
		PerPortLone: 8,
		MaxScanHits: 256,
		MaxScanPkts: 32,
		PayloadMem:  int(memory / 2),
		CrowdList:   16,
	}
}

// Approximate heap bytes of the tracking state, charged against SourceMem: a source with its
// map entries, a port it touched, and a held connection (a Hit and its slot). Payload bytes
// are charged to PayloadMem apart. TestFloodWithNmapScan logs the heap to check them.
const (
	sourceBytes = 320
	portBytes   = 96
	hitBytes    = 288
)

// Dropped counts what the bounds made the aggregation give up, since it was created.
type Dropped struct {
	Untracked int // connections not recorded one by one (memory full): counted in crowd events only
	Folded    int // lone connections folded into an earlier one of the same source and port (flood)
	Unlisted  int // scan connections counted but not listed (MaxScanHits or memory full)
	Payloads  int // payloads not kept (scan packet cap or memory budget)
}

// source is what the aggregation holds for one source address.
type source struct {
	addr    netip.Addr
	newest  time.Time             // latest hit start seen while not in a scan
	last    map[portKey]time.Time // latest hit start per port, while not in a scan
	pending []*Hit                // lone connection candidates, in arrival order
	scan    *scan
	cost    int // bytes charged to SourceMem
}

// lone reports whether the source touched one port only so far: what a flood from many
// sources looks like, and what makeRoom gives up first.
func (s *source) lone() bool { return s.scan == nil && len(s.last) <= 1 }

type scan struct {
	src         netip.Addr
	first, last time.Time // earliest and latest connection start
	hits        []*Hit
	conns       int                   // connections, listed or not
	ports       map[portKey]int       // connections per port
	portFirst   map[portKey]time.Time // the earliest connection per port
	pkts        int                   // payload packets
}

// crowd counts the connections to one port that were not recorded one by one because the
// memory budget was full (a flood from many sources); it becomes one summary event.
type crowd struct {
	key         portKey
	target      netip.Addr
	first, last time.Time // earliest and latest connection start
	conns       int
	sources     []crowdSource // the first CrowdList sources
	more        bool          // further sources were not named
}

type crowdSource struct {
	addr  netip.Addr
	conns int
}

// tracker is the aggregation state machine: a pure function of the hits and times it is given,
// with no locks, goroutines or clock of its own. Observe takes hits; Flush returns the events
// that are complete at a time; Drain returns everything (on Stop).
//
// What it holds is bounded by bytes, not by a count of sources: when SourceMem is full, a new
// source takes the place of the oldest source that touched one port only (a flood from many
// sources), whose connections are counted in a crowd summary event of their port. A source
// that touched several ports is never given up for one that touched one, so a scan inside a
// flood is still recorded; when only such sources are held, further new sources go to the
// crowd summary at once.
type tracker struct {
	cfg     aggConfig
	service string
	sources map[netip.Addr]*source
	lone    []*source // sources in the order they came; makeRoom gives up the lone ones first
	crowds  map[portKey]*crowd
	out     []*model.Event
	used    int // bytes charged to SourceMem
	mem     int // payload bytes held
	dropped Dropped
}

func newTracker(service string, cfg aggConfig) *tracker {
	return &tracker{cfg: cfg, service: service, sources: map[netip.Addr]*source{}, crowds: map[portKey]*crowd{}}
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
		if !t.makeRoom(sourceBytes+portBytes+hitBytes, nil, now) {
			t.toCrowd(h)
			return
		}
		s = &source{addr: addr, last: map[portKey]time.Time{}}
		t.sources[addr] = s
		t.lone = append(t.lone, s)
		t.charge(s)
	}
	defer t.charge(s)
	if s.scan != nil {
		if h.Start.Sub(s.scan.first) < t.cfg.MaxDuration {
			t.keepPayload(h)
			t.addToScan(s.scan, h, t.makeRoom(hitBytes+portBytes, s, now))
			return
		}
		t.emitScan(s.scan, fmt.Sprintf("The scan went on for longer than %s; it continues in a new event.", t.cfg.MaxDuration))
		s.scan = nil
	}
	if !t.makeRoom(hitBytes+portBytes, s, now) {
		t.toCrowd(h)
		return
	}
	t.keepPayload(h)

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
			t.addToScan(sc, p, true) // the pending hits were charged already
		}
		s.pending = nil
		clear(s.last)
		s.newest = time.Time{}
		s.scan = sc
	}
}

// bytes is what the source holds now, in the units of SourceMem.
func (s *source) bytes() int {
	n := sourceBytes + portBytes*len(s.last) + hitBytes*len(s.pending)
	if sc := s.scan; sc != nil {
		n += portBytes*len(sc.ports) + hitBytes*len(sc.hits)
	}
	return n
}

// charge brings the source's share of SourceMem up to date (after it changed, or was forgotten).
func (t *tracker) charge(s *source) {
	n := 0
	if t.sources[s.addr] == s {
		n = s.bytes()
	}
	t.used += n - s.cost
	s.cost = n
}

// makeRoom frees SourceMem until need more bytes fit, giving up the oldest lone sources other
// than keep (their connections go to the crowd summaries); it reports whether they fit.
func (t *tracker) makeRoom(need int, keep *source, now time.Time) bool {
	for t.used+need > t.cfg.SourceMem && len(t.lone) > 0 {
		s := t.lone[0]
		t.lone[0] = nil
		t.lone = t.lone[1:]
		if t.sources[s.addr] != s || !s.lone() {
			continue // forgotten already, or touched several ports: kept
		}
		if s == keep {
			t.lone = append(t.lone, s)
			if len(t.lone) == 1 {
				break
			}
			continue
		}
		t.expire(s, now, false) // what is decided becomes its events as usual
		if t.sources[s.addr] == s {
			for _, h := range s.pending {
				t.release(h)
				t.toCrowd(h)
			}
			s.pending = nil
			delete(t.sources, s.addr)
		}
		t.charge(s)
	}
	if len(t.lone) > 64 && len(t.lone) > 2*len(t.sources) {
		// Entries of forgotten sources pile up while nothing needs room: drop them.
		keep := t.lone[:0]
		for _, s := range t.lone {
			if t.sources[s.addr] == s && s.lone() {
				keep = append(keep, s)
			}
		}
		clear(t.lone[len(keep):])
		t.lone = keep
	}
	return t.used+need <= t.cfg.SourceMem
}

// toCrowd counts a connection in the crowd summary of its port instead of recording it; its
// payload, if it was charged, is the caller's to release.
func (t *tracker) toCrowd(h *Hit) {
	t.dropped.Untracked++
	k := keyOf(h)
	c := t.crowds[k]
	if c == nil {
		c = &crowd{key: k, target: h.Dst.Addr().Unmap(), first: h.Start, last: h.Start}
		t.crowds[k] = c
	}
	if h.Start.Before(c.first) {
		c.first = h.Start
	}
	if h.Start.After(c.last) {
		c.last = h.Start
	}
	if h.moreLast.After(c.last) {
		c.last = h.moreLast
	}
	c.conns += 1 + h.more
	addr := h.Src.Addr().Unmap()
	for i := range c.sources {
		if c.sources[i].addr == addr {
			c.sources[i].conns += 1 + h.more
			return
		}
	}
	if len(c.sources) < t.cfg.CrowdList {
		c.sources = append(c.sources, crowdSource{addr, 1 + h.more})
	} else {
		c.more = true
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

// addToScan counts the hit in the scan and lists it if listed and the scan has room.
func (t *tracker) addToScan(sc *scan, h *Hit, listed bool) {
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
	if !listed || len(sc.hits) >= t.cfg.MaxScanHits {
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
	t.charge(s)
}

// Flush returns the events complete at now, oldest first.
func (t *tracker) Flush(now time.Time) []*model.Event {
	for _, s := range t.sources {
		t.expire(s, now, false)
	}
	for k, c := range t.crowds {
		if t.decided(c.last, now) || now.Sub(c.first) >= t.cfg.MaxDuration {
			t.emitCrowd(c)
			delete(t.crowds, k)
		}
	}
	return t.take()
}

// Drain returns every pending event, complete or not (on Stop).
func (t *tracker) Drain() []*model.Event {
	for _, s := range t.sources {
		t.expire(s, time.Time{}, true)
	}
	for k, c := range t.crowds {
		t.emitCrowd(c)
		delete(t.crowds, k)
	}
	clear(t.lone)
	t.lone = t.lone[:0]
	return t.take()
}

// take hands out the events made so far, oldest first.
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
