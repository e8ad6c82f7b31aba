package recon

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// step is one hit in a table test: at offset from t0, from source src, to port.
type step struct {
	at      time.Duration
	src     string // IPv4 address, default 10.0.0.1
	port    uint16
	payload string
	udp     bool
	sport   uint16 // source port; default unique per step
}

func mkHit(i int, st step) *Hit {
	src := st.src
	if src == "" {
		src = "10.0.0.1"
	}
	sport := st.sport
	if sport == 0 {
		sport = uint16(40000 + i)
	}
	h := &Hit{
		Proto: model.ProtoTCP,
		Src:   netip.AddrPortFrom(netip.MustParseAddr(src), sport),
		Dst:   netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), st.port),
		Start: t0.Add(st.at),
		End:   t0.Add(st.at + 5*time.Millisecond),
		Note:  "closed by the client",
	}
	if st.udp {
		h.Proto, h.Datagrams, h.End = model.ProtoUDP, 1, h.Start
	}
	if st.payload != "" {
		h.DataAt = h.Start.Add(time.Millisecond)
		h.Payload = []byte(st.payload)
	}
	return h
}

func testAgg() aggConfig {
	c := defaultAggConfig(10*time.Second, 3, time.Second, honeypot.DefaultLimits.Memory)
	c.MaxDuration = 5 * time.Minute
	return c
}

// run feeds the steps in order, flushing with a fake clock at each hit's end and every second
// in between, and finally waits out the window (no Drain) and checks nothing was left.
func run(t *testing.T, cfg aggConfig, steps []step) (*tracker, []*model.Event) {
	t.Helper()
	tr := newTracker("recon", cfg)
	var evs []*model.Event
	now := t0
	for i, st := range steps {
		h := mkHit(i, st)
		for now.Add(time.Second).Before(h.End) {
			now = now.Add(time.Second)
			evs = append(evs, tr.Flush(now)...)
		}
		now = h.End
		tr.Observe(h, now)
	}
	end := now.Add(cfg.MaxDuration + cfg.Window + cfg.Settle + time.Second)
	for now.Before(end) {
		now = now.Add(time.Second)
		evs = append(evs, tr.Flush(now)...)
	}
	if tr.Sources() != 0 || tr.mem != 0 || tr.used != 0 || len(tr.crowds) != 0 {
		t.Fatalf("after the windows: %d sources, %d payload bytes, %d tracking bytes, %d crowds still held",
			tr.Sources(), tr.mem, tr.used, len(tr.crowds))
	}
	if rest := tr.Drain(); len(rest) != 0 {
		t.Fatalf("Drain after the windows returned %d events", len(rest))
	}
	return tr, evs
}

// summaries lists the events' summaries, a scan's as "Scan Ports: ..." from its details; a
// scan whose summary does not name the same ports shows as such.
func summaries(evs []*model.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Summary
		if e.Classification == model.ClassScan {
			ports := infoWith(e, "Ports: ")
			out[i] = "Scan " + ports
			if want := scanSummary(strings.Split(strings.TrimPrefix(ports, "Ports: "), ", ")); e.Summary != want {
				out[i] = fmt.Sprintf("scan summary %q, want %q", e.Summary, want)
			}
		}
	}
	return out
}

func infoWith(e *model.Event, prefix string) string {
	for _, d := range e.Details {
		if d.Type == model.DetailGeneric && strings.HasPrefix(d.Data, prefix) {
			return d.Data
		}
	}
	return ""
}

func count(e *model.Event, typ int) int {
	n := 0
	for _, d := range e.Details {
		if d.Type == typ {
			n++
		}
	}
	return n
}

func TestAggregation(t *testing.T) {
	s := time.Second
	ms := time.Millisecond
	every := func(n int, gap time.Duration, port func(i int) uint16) []step {
		var out []step
		for i := range n {
			out = append(out, step{at: time.Duration(i) * gap, port: port(i)})
		}
		return out
	}
	tests := []struct {
		name  string
		cfg   func(*aggConfig)
		steps []step
		want  []string
	}{
		{
			name:  "lone connection",
			steps: []step{{at: 0, port: 3389, payload: "GET / HTTP/1.0\r\n\r\n"}},
			want:  []string{"Connection attempt on TCP port 3389"},
		},
		{
			name:  "three ports quickly make one scan",
			steps: []step{{at: 0, port: 5432}, {at: 10 * ms, port: 22}, {at: 20 * ms, port: 3306}},
			want:  []string{"Scan Ports: 22, 3306, 5432"},
		},
		{
			name:  "two ports stay lone connections",
			steps: []step{{at: 0, port: 22}, {at: s, port: 80}},
			want:  []string{"Connection attempt on TCP port 22", "Connection attempt on TCP port 80"},
		},
		{
			name:  "one port many times is no scan",
			steps: []step{{at: 0, port: 22}, {at: s, port: 22}, {at: 2 * s, port: 22}, {at: 3 * s, port: 22}},
			want: []string{"Connection attempt on TCP port 22", "Connection attempt on TCP port 22",
				"Connection attempt on TCP port 22", "Connection attempt on TCP port 22"},
		},
		{
			name:  "three ports spread wider than the window",
			steps: []step{{at: 0, port: 1}, {at: 6 * s, port: 2}, {at: 12 * s, port: 3}},
			want:  []string{"Connection attempt on TCP port 1", "Connection attempt on TCP port 2", "Connection attempt on TCP port 3"},
		},
		{
			name:  "exactly the window apart still counts",
			steps: []step{{at: 0, port: 1}, {at: 5 * s, port: 2}, {at: 10 * s, port: 3}},
			want:  []string{"Scan Ports: 1, 2, 3"},
		},
		{
			name: "ports per source, not in all",
			steps: []step{{at: 0, port: 1, src: "10.0.0.1"}, {at: 0, port: 2, src: "10.0.0.2"},
				{at: ms, port: 3, src: "10.0.0.1"}, {at: ms, port: 4, src: "10.0.0.2"}},
			want: []string{"Connection attempt on TCP port 1", "Connection attempt on TCP port 2",
				"Connection attempt on TCP port 3", "Connection attempt on TCP port 4"},
		},
		{
			name: "a scan and a lone connection from another source",
			steps: []step{{at: 0, port: 1}, {at: ms, port: 2}, {at: 2 * ms, port: 3},
				{at: 3 * ms, port: 9, src: "10.0.0.9"}},
			want: []string{"Scan Ports: 1, 2, 3", "Connection attempt on TCP port 9"},
		},
		{
			name: "a slow scan that keeps going extends the same event",
			// a port every 4 s for 2 minutes: always within the window of the last
			steps: every(30, 4*s, func(i int) uint16 { return uint16(1000 + i) }),
			want:  []string{"Scan Ports: " + portList(1000, 30)},
		},
		{
			name: "a scan longer than the duration cap continues in new events",
			cfg:  func(c *aggConfig) { c.MaxDuration = time.Minute },
			// 150 s of a port every 5 s: events for 0-55 s, 60-115 s, 120-145 s
			steps: every(30, 5*s, func(i int) uint16 { return uint16(1000 + i) }),
			want:  []string{"Scan Ports: " + portList(1000, 12), "Scan Ports: " + portList(1012, 12), "Scan Ports: " + portList(1024, 6)},
		},
		{
			name: "after a quiet window a new burst is a new scan",
			steps: []step{{at: 0, port: 1}, {at: ms, port: 2}, {at: 2 * ms, port: 3},
				{at: 30 * s, port: 4}, {at: 30*s + ms, port: 5}, {at: 30*s + 2*ms, port: 6}},
			want: []string{"Scan Ports: 1, 2, 3", "Scan Ports: 4, 5, 6"},
		},
		{
			name:  "threshold 2",
			cfg:   func(c *aggConfig) { c.Threshold = 2 },
			steps: []step{{at: 0, port: 1}, {at: s, port: 2}},
			want:  []string{"Scan Ports: 1, 2"},
		},
		{
			name:  "udp and tcp ports together",
			steps: []step{{at: 0, port: 53, udp: true}, {at: ms, port: 53}, {at: 2 * ms, port: 161, udp: true}},
			want:  []string{"Scan Ports: 53, 53/udp, 161/udp"},
		},
		{
			name: "udp datagrams of one flow are one connection",
			steps: []step{{at: 0, port: 161, udp: true, sport: 5000, payload: "a"}, {at: ms, port: 161, udp: true, sport: 5000, payload: "b"},
				{at: 2 * ms, port: 161, udp: true, sport: 5000}},
			want: []string{"Connection attempt on UDP port 161"},
		},
		{
			name:  "a late hit that started earlier still joins the window",
			steps: []step{{at: 2 * s, port: 1}, {at: 3 * s, port: 2}, {at: 0, port: 3}},
			want:  []string{"Scan Ports: 1, 2, 3"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testAgg()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			_, evs := run(t, cfg, tc.steps)
			got := summaries(evs)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			for _, e := range evs {
				if e.Service != "recon" || !e.Source.IsValid() {
					t.Fatalf("event %+v", e)
				}
			}
		})
	}
}

func portList(from, n int) string {
	var ps []string
	for i := range n {
		ps = append(ps, fmt.Sprint(from+i))
	}
	return strings.Join(ps, ", ")
}

func TestLoneEventContent(t *testing.T) {
	_, evs := run(t, testAgg(), []step{{at: 0, port: 3389, payload: "GET / HTTP/1.0\r\n\r\n"}})
	e := evs[0]
	if e.Protocol != model.ProtoTCP || e.TargetPort != 3389 || e.SourcePort != 40000 || e.Source.String() != "10.0.0.1" ||
		e.Target.String() != "192.0.2.1" || !e.Timestamp.Equal(t0) {
		t.Fatalf("event header %+v", e)
	}
	if len(e.Packets) != 2 || e.Packets[0].Flags != 2 || len(e.Packets[0].Payload) != 0 ||
		e.Packets[1].Flags != 24 || string(e.Packets[1].Payload) != "GET / HTTP/1.0\r\n\r\n" || e.Packets[1].Port != 3389 {
		t.Fatalf("packets %+v", e.Packets)
	}
	if model.FlagLetters(e.Packets[0].Flags) != "S" || model.FlagLetters(e.Packets[1].Flags) != "PA" {
		t.Fatal("flags")
	}
	if count(e, model.DetailInteraction) != 3 {
		t.Fatalf("details %+v", e.Details)
	}

	// Without payload: only the SYN packet.
	_, evs = run(t, testAgg(), []step{{at: 0, port: 22}})
	if len(evs[0].Packets) != 1 || evs[0].Packets[0].Flags != 2 {
		t.Fatalf("packets %+v", evs[0].Packets)
	}
}

func TestScanEventContent(t *testing.T) {
	_, evs := run(t, testAgg(), []step{{at: 0, port: 80, payload: "GET /"}, {at: 10 * time.Millisecond, port: 22},
		{at: 20 * time.Millisecond, port: 3306, payload: "\x00\x01"}, {at: 30 * time.Millisecond, port: 80}})
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[0]
	if e.Summary != "Scan: 3 ports 22, 80, 3306" || e.Classification != model.ClassScan || e.TargetPort != 0 || e.SourcePort != 0 ||
		e.Protocol != model.ProtoTCP || !e.Timestamp.Equal(t0) {
		t.Fatalf("event %+v", e)
	}
	if got := infoWith(e, "Ports: "); got != "Ports: 22, 80, 3306" {
		t.Fatal(got)
	}
	if got := infoWith(e, "4 connections"); got != "4 connections to 3 ports within 30ms" {
		t.Fatalf("%q", got)
	}
	// every port has its packet: the payloads, and a SYN for port 22 that sent none
	if count(e, model.DetailInteraction) != 4 || len(e.Packets) != 3 || string(e.Packets[0].Payload) != "GET /" ||
		e.Packets[1].Port != 22 || e.Packets[1].Flags != honeypot.FlagSYN || len(e.Packets[1].Payload) != 0 ||
		e.Packets[2].Port != 3306 || e.Packets[2].Flags != honeypot.FlagPSHACK {
		t.Fatalf("details %+v packets %+v", e.Details, e.Packets)
	}
	if infoWith(e, "The scan ended") == "" {
		t.Fatal("no end reason")
	}
}

func TestFloodFromOneSourceIsBounded(t *testing.T) {
	var steps []step
	for i := range 5000 {
		steps = append(steps, step{at: time.Duration(i) * time.Millisecond, port: 3306, payload: "x"})
	}
	tr, evs := run(t, testAgg(), steps)
	// 5 s of flood fit in one window: PerPortLone events, the last one telling the rest.
	if len(evs) != 8 {
		t.Fatalf("%d events", len(evs))
	}
	if got := infoWith(evs[7], "4992 more connections"); got == "" {
		t.Fatalf("no flood note: %+v", evs[7].Details)
	}
	if tr.Dropped().Folded != 4992 {
		t.Fatalf("dropped %+v", tr.Dropped())
	}
}

func TestScanBounds(t *testing.T) {
	cfg := testAgg()
	cfg.MaxScanHits, cfg.MaxScanPkts = 5, 2
	var steps []step
	for i := range 20 {
		steps = append(steps, step{at: time.Duration(i) * time.Millisecond, port: uint16(100 + i), payload: "p"})
	}
	tr, evs := run(t, cfg, steps)
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[0]
	// 2 payload packets, then a SYN for each of the 18 other ports probed
	if count(e, model.DetailInteraction) != 5 || len(e.Packets) != 20 || infoWith(e, "15 further connections") == "" ||
		infoWith(e, "Ports: ") != "Ports: "+portList(100, 20) || infoWith(e, "ports are not in the packet list") != "" {
		t.Fatalf("details %+v", e.Details)
	}
	for i, p := range e.Packets {
		if p.Port != 100+i || (i < 2) != (len(p.Payload) == 1) {
			t.Fatalf("packet %d: %+v", i, p)
		}
	}
	if d := tr.Dropped(); d.Unlisted != 15 || d.Payloads != 3 {
		t.Fatalf("dropped %+v", d)
	}
}

// loneBytes is what a source that made one connection holds.
const loneBytes = sourceBytes + portBytes + hitBytes

func TestSourceAndMemoryBounds(t *testing.T) {
	cfg := testAgg()
	cfg.SourceMem = 2 * loneBytes
	tr, evs := run(t, cfg, []step{{at: 0, src: "10.0.0.1", port: 1}, {at: 0, src: "10.0.0.2", port: 1}, {at: 0, src: "10.0.0.3", port: 1},
		// once the others are decided, a new source fits again
		{at: 30 * time.Second, src: "10.0.0.4", port: 1}})
	// The third source takes the place of the first, which is counted in a crowd event.
	got := strings.Join(summaries(evs), "|")
	if got != strings.Repeat("Connection attempt on TCP port 1|", 3)+"Connection attempt on TCP port 1" || tr.Dropped().Untracked != 1 {
		t.Fatalf("events %s, dropped %+v", got, tr.Dropped())
	}
	if evs[0].Source.String() != "10.0.0.1" || infoWith(evs[0], "1 connections to TCP port 1 from many sources") == "" ||
		infoWith(evs[0], "Sources (connections): 10.0.0.1 (1)") == "" {
		t.Fatalf("crowd event %+v", evs[0])
	}

	cfg = testAgg()
	cfg.PayloadMem = 10
	tr, evs = run(t, cfg, []step{{at: 0, port: 1, payload: "12345678"}, {at: 0, port: 2, payload: "abcdefgh"}})
	if len(evs) != 2 || len(evs[0].Packets) != 2 || len(evs[1].Packets) != 1 || tr.Dropped().Payloads != 1 {
		t.Fatalf("events %+v dropped %+v", evs, tr.Dropped())
	}
	if !strings.Contains(evs[1].Details[1].Data, "payload not kept (payload memory limit") {
		t.Fatalf("details %+v", evs[1].Details)
	}
}

func TestFlushTiming(t *testing.T) {
	cfg := testAgg() // window 10 s, settle 1 s
	tr := newTracker("recon", cfg)
	tr.Observe(mkHit(0, step{port: 1}), t0)
	if evs := tr.Flush(t0.Add(11 * time.Second)); len(evs) != 0 {
		t.Fatal("decided before window + settle had passed")
	}
	if evs := tr.Flush(t0.Add(11*time.Second + time.Millisecond)); len(evs) != 1 {
		t.Fatal("not decided after window + settle")
	}

	// Drain hands over what is undecided: a scan going on and lone connections.
	tr.Observe(mkHit(1, step{at: 20 * time.Second, port: 1}), t0.Add(20*time.Second))
	tr.Observe(mkHit(2, step{at: 20 * time.Second, port: 2}), t0.Add(20*time.Second))
	tr.Observe(mkHit(3, step{at: 20 * time.Second, port: 3}), t0.Add(20*time.Second))
	tr.Observe(mkHit(4, step{at: 20 * time.Second, src: "10.0.0.2", port: 3}), t0.Add(20*time.Second))
	evs := tr.Drain()
	if got := strings.Join(summaries(evs), "|"); got != "Scan Ports: 1, 2, 3|Connection attempt on TCP port 3" {
		t.Fatal(got)
	}
	if infoWith(evs[0], "The service stopped") == "" || tr.Sources() != 0 {
		t.Fatalf("%+v", evs[0].Details)
	}
}

// FuzzTracker feeds arbitrary hit sequences (any order, sources, ports, payloads, flushes) and
// checks the invariants: no panic, nothing held after Drain (sources, payload memory), events
// within the model's limits, never more events than hits.
func FuzzTracker(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("\x00\x01\x00\x01\x00\x02\x00\x03\xff\xff\x10\x20"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg := defaultAggConfig(2*time.Second, 3, time.Second, 0)
		cfg.MaxDuration, cfg.SourceMem, cfg.PerPortLone, cfg.MaxScanHits, cfg.MaxScanPkts, cfg.PayloadMem, cfg.CrowdList = 10*time.Second, 4*loneBytes, 2, 5, 2, 16, 2
		tr := newTracker("recon", cfg)
		now := t0
		hits := 0
		var evs []*model.Event
		for i := 0; i+2 < len(b) && i < 3000; i += 3 {
			op, a, c := b[i], b[i+1], b[i+2]
			now = now.Add(time.Duration(op&0x3f) * 100 * time.Millisecond)
			if op&0xc0 == 0xc0 {
				evs = append(evs, tr.Flush(now)...)
				continue
			}
			st := step{at: now.Sub(t0) - time.Duration(c&3)*time.Second, src: fmt.Sprintf("10.0.0.%d", a&7), port: uint16(c >> 4),
				udp: op&0x40 != 0, sport: uint16(1 + a>>6)}
			if c&8 != 0 {
				st.payload = strings.Repeat("p", int(a&15))
			}
			tr.Observe(mkHit(i, st), now)
			hits++
		}
		evs = append(evs, tr.Drain()...)
		if tr.Sources() != 0 || tr.mem != 0 || tr.used != 0 || len(tr.crowds) != 0 {
			t.Fatalf("held after Drain: %d sources, %d payload bytes, %d tracking bytes, %d crowds", tr.Sources(), tr.mem, tr.used, len(tr.crowds))
		}
		for _, e := range evs {
			if e.Summary == "" || len(e.Packets) > model.MaxPackets || len(e.Details) > model.MaxDetails {
				t.Fatalf("event %+v", e)
			}
		}
		if len(evs) > hits {
			t.Fatalf("%d events from %d hits", len(evs), hits)
		}
	})
}

// A flood of one-connection sources that fills the memory budget does not push out a source
// that touched several ports: its scan is one event, and every flood connection is either
// recorded or counted in a crowd event.
func TestFloodFromManySourcesKeepsTheScanner(t *testing.T) {
	cfg := testAgg()
	cfg.SourceMem = 3*loneBytes + 2*(portBytes+hitBytes) // room for the scanner and a few others
	steps := []step{{at: 0, src: "10.9.9.9", port: 1}, {at: time.Millisecond, src: "10.9.9.9", port: 2}}
	const flood = 500
	for i := range flood {
		steps = append(steps, step{at: 2*time.Millisecond + time.Duration(i)*time.Millisecond, src: fmt.Sprintf("10.1.%d.%d", i/200, i%200+1),
			port: uint16(10 + i%3), payload: "x"})
	}
	steps = append(steps, step{at: time.Second, src: "10.9.9.9", port: 3})
	tr, evs := run(t, cfg, steps)
	scans, lone, crowded := 0, 0, 0
	for _, e := range evs {
		switch {
		case e.Classification == model.ClassScan:
			scans++
			if e.Source.String() != "10.9.9.9" || infoWith(e, "Ports: ") != "Ports: 1, 2, 3" {
				t.Fatalf("scan %q from %s", e.Summary, e.Source)
			}
		case infoWith(e, "Sources (connections)") != "" || infoWith(e, "The first 16 sources") != "":
			var n int
			fmt.Sscanf(e.Details[0].Data, "%d connections", &n)
			crowded += n
		default:
			lone++
		}
	}
	d := tr.Dropped()
	if scans != 1 || lone+crowded != flood || d.Untracked != crowded || crowded < flood-10 {
		t.Fatalf("%d scans, %d lone, %d counted in crowd events; dropped %+v", scans, lone, crowded, d)
	}
	if len(evs) > 3+10 { // the scan, a crowd event per port, the last few lone sources
		t.Fatalf("%d events", len(evs))
	}
}
