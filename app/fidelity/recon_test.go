package fidelity

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/honeypot/recon"
	"honeysens/app/model"
)

// reconDifferences lists what nmap -sV sees of the recon ports unlike the real services, with
// the reason.
var reconDifferences = map[string]string{
	"banner": "every port waits silently for the client, then closes after recon.ReadTimeout: MySQL " +
		"(3306) and VNC (5900) greet first and the others answer nmap's probes, so nmap prints the " +
		"port's usual service with a question mark (\"mysql?\") instead of a product and version; " +
		"the detector records connections and never speaks",
}

// TestReconServiceDetection: nmap -sV against the recon honeypot's default ports sees open
// ports that wait for their client, as services do, not "tcpwrapped" (a port that closes
// before nmap's 6 s wait for a banner is over), and the scan is recorded as one Scan event.
func TestReconServiceDetection(t *testing.T) {
	sideBySide(t)
	nmap := hptest.RequireTool(t, "nmap")
	cfg := recon.Defaults()
	// The default ports on an address of their own: 127.0.0.1 may have them taken already.
	cfg.Listen = fmt.Sprintf("127.0.%d.%d", rand.IntN(250)+1, rand.IntN(250)+2)
	s := recon.New(cfg, honeypot.DefaultLimits, nil)
	rec := hptest.NewRecorder()
	if err := s.Start(rec); err != nil {
		t.Logf("default ports on %s: %v; using free ports on 127.0.0.1", cfg.Listen, err)
		cfg.Listen, cfg.Ports = "127.0.0.1", hptest.FreePorts(t, len(cfg.Ports))
		s = recon.New(cfg, honeypot.DefaultLimits, nil)
		if err := s.Start(rec); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(s.Stop)
	ports := make([]string, len(cfg.Ports))
	for i, p := range cfg.Ports {
		ports[i] = strconv.Itoa(p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	began := time.Now()
	out, err := exec.CommandContext(ctx, nmap, "-sV", "-n", "-Pn", "-p", strings.Join(ports, ","), cfg.Listen).CombinedOutput()
	t.Logf("nmap -sV took %s:\n%s", time.Since(began).Round(time.Second), out)
	if err != nil {
		t.Fatalf("nmap: %v", err)
	}
	for _, p := range ports {
		line := ""
		for l := range strings.Lines(string(out)) {
			if strings.HasPrefix(l, p+"/tcp ") {
				line = strings.TrimSpace(l)
			}
		}
		switch {
		case line == "":
			t.Errorf("port %s not in nmap's table", p)
		case strings.Contains(line, "tcpwrapped"):
			t.Errorf("port %s: %q: the port closes before nmap's wait for a banner is over", p, line)
		case !strings.Contains(line, " open "):
			t.Errorf("port %s: %q, want open", p, line)
		}
	}
	for k, why := range reconDifferences {
		t.Logf("differs on purpose (%s): %s", k, why)
	}
	s.Stop()
	scans := 0
	for _, e := range rec.Events() {
		if e.Classification == model.ClassScan {
			scans++
		}
	}
	if scans == 0 {
		t.Errorf("nmap -sV was not recorded as a scan: %d events", len(rec.Events()))
	}
}
