package recon

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

// connections returns how many connections an event of the service stands for: a scan's and a
// crowd event's count, or a lone connection and those folded into it.
func connections(e *model.Event) int {
	var n, ports int
	switch {
	case e.Classification == model.ClassScan:
		for _, d := range e.Details {
			if _, err := fmt.Sscanf(d.Data, "%d connections to %d ports", &n, &ports); err == nil {
				return n
			}
		}
	case infoWith(e, "Sources (connections)") != "" || infoWith(e, "The first ") != "":
		fmt.Sscanf(e.Details[0].Data, "%d connections", &n)
		return n
	}
	n = 1
	for _, d := range e.Details {
		var more int
		if _, err := fmt.Sscanf(d.Data, "%d more connections", &more); err == nil {
			n += more
		}
	}
	return n
}

// A real nmap connect scan from 127.0.0.1 in the middle of a flood of 20,000 connections from
// 4,000 other loopback addresses (one port each) is still its one Scan event, and every
// connection seen is in an event: recorded, folded or counted in a crowd event. With the
// default memory budget the flood fits; with a small one, most of it is counted in crowd
// events, and the scanner is still kept.
func TestFloodWithNmapScan(t *testing.T) {
	nmap := hptest.RequireTool(t, "nmap")
	probe, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 1, 0, 1)}}).Dial("tcp", "127.0.0.1:1")
	if err != nil && strings.Contains(err.Error(), "assign requested address") {
		t.Skip("cannot send from 127.1.0.1 on this host")
	}
	if probe != nil {
		probe.Close()
	}
	for name, memory := range map[string]int64{"default budget": 0, "small budget": 2 * 64 * (sourceBytes + portBytes + hitBytes)} {
		t.Run(name, func(t *testing.T) {
			if memory == 0 && testing.Short() {
				t.Skip("20,000 events through the recorder take half a minute")
			}
			lim := honeypot.DefaultLimits
			if memory > 0 {
				lim.Memory = memory
			}
			s, rec := start(t, Config{Ports: hptest.FreePorts(t, 6), ScanWindow: 10 * time.Second, ScanThreshold: 3}, lim, 3*time.Second)
			ps := ports(t, s)
			list := make([]string, len(ps))
			for i, p := range ps {
				list[i] = strconv.Itoa(p)
			}
			const sources, per = 4000, 5
			var dialed atomic.Int64
			jobs := make(chan int)
			var wg sync.WaitGroup
			for range 64 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range jobs {
						src := i % sources
						d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 1, byte(src/250), byte(src%250+1))}, Timeout: 3 * time.Second}
						c, err := d.Dial("tcp", net.JoinHostPort("127.0.0.1", list[src%len(list)]))
						if err != nil {
							continue // the backlog was full: the service never saw it
						}
						if i%2 == 0 {
							c.Write([]byte("flood " + strconv.Itoa(i)))
						}
						c.Close()
						dialed.Add(1)
					}
				}()
			}
			var nmapOut []byte
			var nmapErr error
			nmapDone := make(chan struct{})
			began := time.Now()
			for i := range sources * per {
				if i == sources*per/3 {
					go func() {
						defer close(nmapDone)
						ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
						defer cancel()
						nmapOut, nmapErr = exec.CommandContext(ctx, nmap, "-sT", "-n", "-Pn", "-p", strings.Join(list, ","), "127.0.0.1").CombinedOutput()
					}()
				}
				jobs <- i
			}
			close(jobs)
			wg.Wait()
			<-nmapDone
			t.Logf("flood: %d connections in %s", dialed.Load(), time.Since(began))
			if nmapErr != nil {
				t.Fatalf("nmap: %v\n%s", nmapErr, nmapOut)
			}
			// Under the flood a SYN of nmap's may find the backlog full; nmap then gives up on
			// that port. The ports it reports open are the ones the service must record.
			open := openPorts(nmapOut)
			t.Logf("nmap found %d of %d ports open", len(open), len(ps))
			if len(open) < 3 {
				t.Fatalf("nmap found %v open of %v: too few for a scan\n%s", open, ps, nmapOut)
			}
			want := int(dialed.Load()) + len(open)
			if !waitFor(t, 20*time.Second, func() bool { return s.Stats().Hits >= want }) {
				t.Logf("only %d of %d connections seen", s.Stats().Hits, want)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			s.mu.Lock()
			t.Logf("heap in use %d MiB; tracking %d sources, %d bytes charged of %d", ms.HeapInuse>>20, s.tr.Sources(), s.tr.used, s.tr.cfg.SourceMem)
			s.mu.Unlock()
			s.Stop()
			st := s.Stats()
			evs := rec.Events()
			scans, total := 0, 0
			for _, e := range evs {
				total += connections(e)
				if e.Source.String() != "127.0.0.1" {
					continue
				}
				if e.Classification != model.ClassScan || !strings.HasPrefix(summaries([]*model.Event{e})[0], "Scan Ports: ") {
					t.Fatalf("from the scanner: %q %+v", e.Summary, e.Details)
				}
				// Every port nmap found open was a connection the service took; a port whose
				// handshake the flood delayed past nmap's patience may be there too.
				recorded := strings.Split(strings.TrimPrefix(infoWith(e, "Ports: "), "Ports: "), ", ")
				for _, p := range open {
					if !slices.Contains(recorded, strconv.Itoa(p)) {
						t.Fatalf("nmap found port %d open, the scan event has %v", p, recorded)
					}
				}
				for _, p := range recorded {
					if n, _ := strconv.Atoi(p); !slices.Contains(ps, n) {
						t.Fatalf("the scan event has port %s, not one of the service's %v", p, ps)
					}
				}
				scans++
			}
			t.Logf("%d events; stats %+v", len(evs), st)
			if scans != 1 {
				t.Fatalf("%d scan events from nmap, want 1", scans)
			}
			if total != st.Hits || int64(st.Untracked) != s.drops.Counts().Untracked {
				t.Fatalf("events stand for %d connections, %d were seen; stats %+v, drops %+v", total, st.Hits, st, s.drops.Counts())
			}
			if memory > 0 && st.Untracked == 0 {
				t.Fatal("the small budget counted nothing in crowd events")
			}
		})
	}
}

var nmapOpen = regexp.MustCompile(`(?m)^(\d+)/tcp\s+open\b`)

// openPorts returns the ports nmap's normal output lists as open.
func openPorts(out []byte) []int {
	var ps []int
	for _, m := range nmapOpen.FindAllSubmatch(out, -1) {
		p, _ := strconv.Atoi(string(m[1]))
		ps = append(ps, p)
	}
	return ps
}
