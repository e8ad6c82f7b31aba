package sensor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// dropper is a service that exposes the limits and reporter the host gave it, so a test can
// count drops as a real service's Guard and bounds do.
type dropper struct {
	mu   sync.Mutex
	lim  honeypot.Limits
	rep  honeypot.Reporter
	runs bool
}

func (d *dropper) catalog() Catalog {
	return Catalog{"dropper": Kind{Name: "dropper", Defaults: func() any { return map[string]any{} },
		New: func(_ json.RawMessage, lim honeypot.Limits, _ *slog.Logger) (honeypot.Service, error) {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.lim = lim
			return d, nil
		}}}
}

func (d *dropper) Name() string { return "dropper" }

func (d *dropper) Start(rep honeypot.Reporter) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rep, d.runs = rep, true
	return nil
}

func (d *dropper) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.runs = false
}

// syncBuffer is a log sink the host's watcher may write to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The host gives each service its own Drops, counts the reports its reporter refused, and
// reports the counts as the running state's reason (and in the log) when they change.
func TestHostReportsDrops(t *testing.T) {
	d := &dropper{}
	var logs syncBuffer
	var mu sync.Mutex
	var reasons []string
	failing := honeypot.ReporterFunc(func(context.Context, *model.Event) error { return errors.New("store down") })
	h := NewHost(d.catalog().Factories(), honeypot.DefaultLimits, failing, slog.New(slog.NewTextHandler(&logs, nil)),
		func(name, state, reason string) {
			mu.Lock()
			defer mu.Unlock()
			reasons = append(reasons, state+"/"+reason)
		})
	h.dropsEvery = 20 * time.Millisecond
	h.Apply([]*model.SensorService{{Name: "dropper", Enabled: true, Config: json.RawMessage(`{}`)}})
	d.mu.Lock()
	if d.lim.Drops == nil || !d.runs {
		t.Fatal("the service got no Drops, or did not start")
	}
	d.lim.Drops.Refused.Add(2)
	d.lim.Drops.Untracked.Add(5)
	if d.rep.Report(context.Background(), &model.Event{}) == nil {
		t.Fatal("the reporter's error was not passed on")
	}
	d.mu.Unlock()
	want := model.ServiceRunning + "/" + DropsReason(honeypot.DropCounts{Refused: 2, Untracked: 5, Reports: 1})
	last := func() string {
		mu.Lock()
		defer mu.Unlock()
		return reasons[len(reasons)-1]
	}
	for i := 0; i < 250 && last() != want; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if last() != want {
		t.Fatalf("states %v, want the last %q", reasons, want)
	}
	time.Sleep(100 * time.Millisecond) // unchanged counts are not reported again
	h.Stop()
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(reasons, "|"); got != "running/|"+want+"|stopped/" {
		t.Fatalf("states %s", got)
	}
	if out := logs.String(); strings.Count(out, "honeypot limits gave up") != 1 ||
		!strings.Contains(out, "service=dropper refused=2 untracked=5 reports_dropped=1") {
		t.Fatalf("log:\n%s", out)
	}
}

func TestParseDrops(t *testing.T) {
	c := honeypot.DropCounts{Refused: 1, Untracked: 17856, Reports: 3}
	if got, ok := ParseDrops(DropsReason(c)); !ok || got != c {
		t.Fatalf("%+v %v", got, ok)
	}
	for _, reason := range []string{"", "port 3306: address already in use", DropsReason(c) + " and more",
		strings.Replace(DropsReason(c), "17856", "-5", 1), strings.Replace(DropsReason(c), "17856", "0x10", 1)} {
		if got, ok := ParseDrops(reason); ok {
			t.Errorf("%q parsed as %+v", reason, got)
		}
	}
}

// A remote sensor's drop counts reach the server with the state of the service, in the
// heartbeat, and the server keeps them as it keeps the state.
func TestRemoteHeartbeatCarriesDrops(t *testing.T) {
	srv := newIngestServer(t)
	ctx := context.Background()
	if err := srv.st.SetSensorService(ctx, &model.SensorService{SensorID: srv.sensor.ID, Name: "dropper", Enabled: true, Config: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	d := &dropper{}
	r := newTestRemote(t, srv.config(), t.TempDir(), d.catalog())
	defer r.Buffer().Close()
	defer r.host.Stop()
	if err := r.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	d.lim.Drops.Untracked.Add(17856)
	d.mu.Unlock()
	r.host.mu.Lock()
	r.host.reportDrops() // what the host's watcher does every DropsEvery
	r.host.mu.Unlock()
	if err := r.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := srv.st.SensorServices(ctx, srv.sensor.ID)
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	if c, ok := ParseDrops(list[0].Error); list[0].State != model.ServiceRunning || !ok || c.Untracked != 17856 {
		t.Fatalf("stored %q / %q", list[0].State, list[0].Error)
	}
}
