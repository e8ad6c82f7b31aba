package recon

import (
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

func TestScanSummary(t *testing.T) {
	for _, c := range []struct {
		ports []string
		want  string
	}{
		{[]string{"3306"}, "Scan: 1 port 3306"},
		{[]string{"3306", "3389", "5432", "5900", "6379", "9200"}, "Scan: 6 ports 3306, 3389, 5432, 5900, 6379, 9200"},
		{[]string{"53", "53/udp", "161/udp"}, "Scan: 3 ports 53, 53/udp, 161/udp"},
	} {
		if got := scanSummary(c.ports); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
	many := strings.Split(portList(10000, 200), ", ")
	got := scanSummary(many)
	if len(got) > model.MaxSummaryLen || !strings.HasPrefix(got, "Scan: 200 ports 10000, 10001, ") || !strings.HasSuffix(got, ", …") {
		t.Errorf("%d bytes: %q", len(got), got)
	}
	// as many ports as fit: one more would not
	listed := strings.Count(got, ",") // the commas between the ports listed and the one before …
	if next := strings.TrimSuffix(got, ", …") + ", " + many[listed] + ", …"; len(next) <= model.MaxSummaryLen {
		t.Errorf("%q could list %s too", got, many[listed])
	}
}

// TestScanPacketsBounded: a scan of more ports than an event holds packets lists as many as
// fit and says how many are missing.
func TestScanPacketsBounded(t *testing.T) {
	cfg := testAgg()
	cfg.MaxScanHits = 1000
	var steps []step
	for i := range 150 {
		st := step{at: time.Duration(i) * time.Millisecond, port: uint16(2000 + i)}
		if i%50 == 0 {
			st.payload = "probe"
		}
		steps = append(steps, st)
	}
	_, evs := run(t, cfg, steps)
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	e := evs[0]
	payloads := 0
	for _, p := range e.Packets {
		if len(p.Payload) > 0 {
			payloads++
		} else if p.Flags != honeypot.FlagSYN {
			t.Errorf("packet %+v", p)
		}
	}
	if len(e.Packets) != model.MaxPackets || payloads != 3 || infoWith(e, "50 ports are not in the packet list") == "" {
		t.Errorf("%d packets, %d with payload; %+v", len(e.Packets), payloads, e.Details[:4])
	}
}
