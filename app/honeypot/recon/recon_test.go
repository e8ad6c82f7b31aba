package recon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/ingest"
	"honeysens/app/model"
)

// waitFor polls until cond holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// start runs the service on free loopback ports with a short window and read time.
func start(t *testing.T, cfg Config, lim honeypot.Limits, readTimeout time.Duration) (*Service, *hptest.Recorder) {
	t.Helper()
	cfg.Listen = "127.0.0.1"
	s := New(cfg, lim, nil)
	s.readTimeout = readTimeout
	s.agg.Settle = readTimeout
	rec := hptest.NewRecorder()
	if err := s.Start(rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s, rec
}

func dial(t *testing.T, port int) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

func ports(t *testing.T, s *Service) []int {
	var out []int
	for _, a := range s.Addrs() {
		out = append(out, a.(*net.TCPAddr).Port)
	}
	return out
}

func portsInfo(ps []int) string {
	ps = slices.Clone(ps)
	slices.Sort(ps)
	var ss []string
	for _, p := range ps {
		ss = append(ss, strconv.Itoa(p))
	}
	return "Ports: " + strings.Join(ss, ", ")
}

func TestLoopbackScan(t *testing.T) {
	s, rec := start(t, Config{Ports: hptest.FreePorts(t, 4), ScanWindow: 2 * time.Second, ScanThreshold: 3}, honeypot.DefaultLimits, time.Second)
	ps := ports(t, s)[:3]
	for _, p := range ps {
		dial(t, p).Close()
	}
	// Connections still in the listen backlog at Stop are never seen: wait for all three.
	if !waitFor(t, 5*time.Second, func() bool { return s.Stats().Hits == 3 }) {
		t.Fatalf("stats %+v", s.Stats())
	}
	s.Stop()
	evs := rec.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events: %v", len(evs), summaries(evs))
	}
	e := evs[0]
	if summaries(evs)[0] != "Scan "+portsInfo(ps) || count(e, model.DetailInteraction) != 3 || len(e.Packets) != 3 {
		t.Fatalf("event %q %+v", e.Summary, e.Details)
	}
	if e.Source.String() != "127.0.0.1" || e.Target.String() != "127.0.0.1" || e.Protocol != model.ProtoTCP {
		t.Fatalf("event %+v", e)
	}
	if e.Classification != model.ClassScan {
		t.Fatalf("classified %v", e.Classification)
	}
}

func TestLoopbackLoneConnection(t *testing.T) {
	s, rec := start(t, Config{Ports: hptest.FreePorts(t, 3), ScanWindow: 2 * time.Second, ScanThreshold: 3}, honeypot.DefaultLimits, 2*time.Second)
	p := ports(t, s)[1]
	c := dial(t, p)
	const req = "GET / HTTP/1.0\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	// We never answer: the service closes after the read time; the client closes first here.
	c.(*net.TCPConn).CloseWrite()
	if n, err := c.Read(make([]byte, 10)); n != 0 || (err != io.EOF && !errors.Is(err, syscall.ECONNRESET)) {
		t.Fatalf("got %d bytes, %v; want no answer", n, err)
	}
	c.Close()
	s.Stop()
	evs := rec.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events: %v", len(evs), summaries(evs))
	}
	e := evs[0]
	if want := fmt.Sprintf("Connection attempt on TCP port %d", p); e.Summary != want {
		t.Fatalf("summary %q, want %q", e.Summary, want)
	}
	if e.TargetPort != p || e.SourcePort == 0 || ingest.Classify(e) != model.ClassConnAttempt {
		t.Fatalf("event %+v", e)
	}
	if len(e.Packets) != 2 || string(e.Packets[1].Payload) != req || e.Packets[1].Port != p || e.Packets[1].Protocol != model.ProtoTCP {
		t.Fatalf("packets %+v", e.Packets)
	}
	if !strings.Contains(e.Details[len(e.Details)-1].Data, "Closed by the client") {
		t.Fatalf("details %+v", e.Details)
	}
}

// The flusher reports on its own once the window (+ read time) has passed, without Stop.
func TestFlusherReportsWithoutStop(t *testing.T) {
	s, rec := start(t, Config{Ports: hptest.FreePorts(t, 3), ScanWindow: 200 * time.Millisecond, ScanThreshold: 3}, honeypot.DefaultLimits, 200*time.Millisecond)
	ps := ports(t, s)
	dial(t, ps[0]).Close()
	if !waitFor(t, 5*time.Second, func() bool { return len(rec.Events()) == 1 }) {
		t.Fatalf("no event from the flusher")
	}
	for _, p := range ps {
		dial(t, p).Close()
	}
	if !waitFor(t, 5*time.Second, func() bool { return len(rec.Events()) == 2 }) {
		t.Fatalf("no scan event from the flusher: %v", summaries(rec.Events()))
	}
	if evs := rec.Events(); summaries(evs)[1] != "Scan "+portsInfo(ps) {
		t.Fatalf("%v", summaries(evs))
	}
}

func TestBindErrorNamesPortAndClosesOthers(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	free := hptest.FreePorts(t, 2)
	s := New(Config{Listen: "127.0.0.1", Ports: []int{free[0], busyPort, free[1]}}, honeypot.DefaultLimits, nil)
	err = s.Start(hptest.NewRecorder())
	if err == nil {
		s.Stop()
		t.Fatal("started on a busy port")
	}
	if want := fmt.Sprintf("port %d: address already in use", busyPort); err.Error() != want || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("error %q, want %q", err, want)
	}
	// The port bound before the failure is free again.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(free[0])))
	if err != nil {
		t.Fatalf("first port still bound: %v", err)
	}
	ln.Close()
	if s.Addr() != nil {
		t.Fatal("Addr after a failed Start")
	}
	s.Stop() // harmless
}

func TestHugePayloadIsCapped(t *testing.T) {
	s, rec := start(t, Config{Ports: hptest.FreePorts(t, 3)}, honeypot.DefaultLimits, 2*time.Second)
	c := dial(t, ports(t, s)[0])
	big := strings.Repeat("A", 1<<20)
	done := make(chan error, 1)
	go func() { _, err := io.WriteString(c, big); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			// The kernel took it all into buffers; fine, we only read the first bytes.
			t.Log("whole megabyte buffered")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("write did not end: the service did not close")
	}
	// The service closes after the first PayloadCap bytes, without waiting for the read time.
	c.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("not closed by the service: %v", err)
	}
	c.Close()
	s.Stop()
	evs := rec.Events()
	if len(evs) != 1 || len(evs[0].Packets) != 2 || len(evs[0].Packets[1].Payload) != PayloadCap {
		t.Fatalf("events %v", summaries(evs))
	}
	if !strings.Contains(evs[0].Details[len(evs[0].Details)-1].Data, "after the first 1024 bytes") {
		t.Fatalf("details %+v", evs[0].Details)
	}
}

func TestSlowDripIsCutOff(t *testing.T) {
	s, rec := start(t, Config{Ports: hptest.FreePorts(t, 3)}, honeypot.DefaultLimits, 300*time.Millisecond)
	c := dial(t, ports(t, s)[0])
	began := time.Now()
	var err error
	for i := 0; err == nil && i < 200; i++ { // a byte every 20 ms, at most 4 s
		_, err = c.Write([]byte{'x'})
		time.Sleep(20 * time.Millisecond)
	}
	if err == nil {
		t.Fatal("drip not cut off within 4 s")
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Fatalf("cut off only after %s", took)
	}
	c.Close()
	s.Stop()
	evs := rec.Events()
	if len(evs) != 1 || !strings.Contains(evs[0].Details[len(evs[0].Details)-1].Data, "read time over") {
		t.Fatalf("events %v %+v", summaries(evs), evs)
	}
}

// A flood of connections from one source to one port: the guard's per-source limit holds the
// open ones, the aggregation folds the rest, and a handful of events come out.
func TestConnectionFloodIsBounded(t *testing.T) {
	lim := honeypot.DefaultLimits
	lim.MaxPerSource = 4
	s, rec := start(t, Config{Ports: hptest.FreePorts(t, 3)}, lim, 20*time.Second) // the 4 admitted stay open
	p := ports(t, s)[0]
	var conns []net.Conn
	for range 300 {
		c := dial(t, p) // held open: only 4 are admitted, the rest are refused at once
		conns = append(conns, c)
	}
	waitFor(t, 3*time.Second, func() bool { return s.Stats().Refused >= 296 })
	for _, c := range conns {
		c.Close()
	}
	s.Stop()
	evs := rec.Events()
	st := s.Stats()
	if len(evs) != defaultAggConfig(0, 0, 0, 0).PerPortLone || st.Refused != 296 || st.Folded != 292 {
		t.Fatalf("%d events, stats %+v", len(evs), st)
	}
	if infoWith(evs[len(evs)-1], "292 more connections") == "" {
		t.Fatalf("details %+v", evs[len(evs)-1].Details)
	}
}

func TestUDPFirstDatagram(t *testing.T) {
	udp := hptest.FreePorts(t, 1) // a free TCP port is very likely a free UDP port too
	s, rec := start(t, Config{Ports: hptest.FreePorts(t, 2), UDPPorts: udp, ScanThreshold: 2}, honeypot.DefaultLimits, time.Second)
	ua := s.UDPAddrs()[0].(*net.UDPAddr)
	c, err := net.DialUDP("udp", nil, ua)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, m := range []string{"first", "second", "third"} {
		if _, err := c.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	if !waitFor(t, 3*time.Second, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.tr.Sources() == 1 && len(s.tr.sources) == 1 && s.tr.sources[ua.AddrPort().Addr()].pending[0].Datagrams == 3
	}) {
		t.Fatal("datagrams not seen")
	}
	s.Stop()
	evs := rec.Events()
	if len(evs) != 1 || evs[0].Summary != fmt.Sprintf("Connection attempt on UDP port %d", ua.Port) || evs[0].Protocol != model.ProtoUDP ||
		len(evs[0].Packets) != 1 || string(evs[0].Packets[0].Payload) != "first" {
		t.Fatalf("events %+v", evs)
	}
}

func TestStartStopOnce(t *testing.T) {
	s, _ := start(t, Config{Ports: hptest.FreePorts(t, 1)}, honeypot.DefaultLimits, time.Second)
	if s.Name() != "recon" || s.Addr() == nil {
		t.Fatal(s.Name(), s.Addr())
	}
	if err := s.Start(hptest.NewRecorder()); err == nil {
		t.Fatal("second Start")
	}
	s.Stop()
	s.Stop()
	New(Config{}, honeypot.Limits{}, nil).Stop() // never started
	var _ honeypot.Service = s
}

// nmap -sT over the recon ports is ONE Scan event, not one per port.
func TestNmapConnectScan(t *testing.T) {
	nmap := hptest.RequireTool(t, "nmap")
	s, rec := start(t, Config{Ports: hptest.FreePorts(t, 6), ScanWindow: 5 * time.Second, ScanThreshold: 3}, honeypot.DefaultLimits, time.Second)
	ps := ports(t, s)
	var list []string
	for _, p := range ps {
		list = append(list, strconv.Itoa(p))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, nmap, "-sT", "-n", "-Pn", "-p", strings.Join(list, ","), "127.0.0.1").CombinedOutput()
	if err != nil {
		t.Fatalf("nmap: %v\n%s", err, out)
	}
	for _, p := range list {
		if !strings.Contains(string(out), p+"/tcp open") {
			t.Fatalf("nmap did not see port %s open:\n%s", p, out)
		}
	}
	if !waitFor(t, 5*time.Second, func() bool { return s.Stats().Hits >= len(ps) }) {
		t.Fatalf("stats %+v", s.Stats())
	}
	s.Stop()
	evs := rec.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events, want one Scan: %v", len(evs), summaries(evs))
	}
	if e := evs[0]; summaries(evs)[0] != "Scan "+portsInfo(ps) || e.Classification != model.ClassScan || len(e.Packets) != len(ps) {
		t.Fatalf("event %q %+v", e.Summary, e.Details)
	}
	t.Logf("%s", out)
	for _, d := range evs[0].Details {
		t.Log(d.Data)
	}
}
