package metrics_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot/hptest"
	"honeysens/app/ingest"
	"honeysens/app/metrics"
	"honeysens/app/model"
	"honeysens/app/store"
)

// env is a registry observing a real ingest service on a temp-file database with one group,
// a sensor that reports, and a filter rule dropping the group's recon events.
type env struct {
	st     *store.Store
	reg    *metrics.Registry
	ing    *ingest.Service
	group  int64
	sensor *model.Sensor
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	schema, err := os.ReadFile("../../schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "honeysens.db"), string(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	g := &model.Group{Name: "Branch office"}
	if err := st.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, reg: metrics.New(st), group: g.ID}
	e.sensor = e.addSensor(t, "edge-1", nil)
	rule := &model.FilterRule{GroupID: g.ID, Name: "no recon", Enabled: true,
		Conditions: []model.FilterCondition{{Attribute: "service", Value: "recon"}}}
	if err := st.CreateFilterRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	e.ing = ingest.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	t.Cleanup(func() { e.ing.Close() })
	e.ing.SetObserver(e.reg)
	if err := e.ing.ReloadFilters(ctx); err != nil {
		t.Fatal(err)
	}
	return e
}

// addSensor creates a sensor with a 60 s interval, heard from at contact (nil: never).
func (e *env) addSensor(t *testing.T, name string, contact *time.Time) *model.Sensor {
	t.Helper()
	ctx := context.Background()
	sn := &model.Sensor{Name: name, GroupID: e.group, UpdateInterval: 60, Secret: "sensor-secret"}
	if err := e.st.CreateSensor(ctx, sn); err != nil {
		t.Fatal(err)
	}
	if contact != nil {
		hb := store.Heartbeat{Timestamp: contact.UnixNano(), At: *contact, IP: "192.0.2.1"}
		if err := e.st.RecordHeartbeat(ctx, sn.ID, hb); err != nil {
			t.Fatal(err)
		}
	}
	return sn
}

func (e *env) submit(t *testing.T, events ...*model.Event) {
	t.Helper()
	if _, err := e.ing.Submit(context.Background(), e.sensor, events); err != nil {
		t.Fatal(err)
	}
}

func event(service, session string, revision int) *model.Event {
	return &model.Event{Timestamp: time.Now().UTC(), Service: service, Source: netip.MustParseAddr("192.0.2.77"),
		SourcePort: 50000, TargetPort: 22, Protocol: model.ProtoTCP, Summary: service, Session: session, Revision: revision}
}

// events returns n one-time events.
func events(n int) []*model.Event {
	out := make([]*model.Event, n)
	for i := range out {
		out[i] = event("ssh", "", 0)
	}
	return out
}

// scrape writes the registry and returns its samples by name and labels as written.
func scrape(t *testing.T, reg *metrics.Registry) (map[string]float64, string) {
	t.Helper()
	var out bytes.Buffer
	if err := reg.Write(context.Background(), &out, time.Now()); err != nil {
		t.Fatal(err)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	return samples, out.String()
}

func want(t *testing.T, samples map[string]float64, key string, value float64) {
	t.Helper()
	if got, ok := samples[key]; !ok || got != value {
		t.Errorf("%s = %v (present %v), want %v", key, got, ok, value)
	}
}

func TestCountersMoveOnIngest(t *testing.T) {
	e := newEnv(t)
	before, _ := scrape(t, e.reg)
	want(t, before, "honeysens_events_filtered_total", 0)
	want(t, before, "honeysens_ingest_batch_events_count", 0)

	e.submit(t, event("ssh", "", 0), event("recon", "", 0), event("recon", "", 0)) // one stored, two dropped
	e.submit(t, event("ssh", "s1", 1))                                             // a session: a new event
	e.submit(t, event("ssh", "s1", 2))                                             // its next report: no new event
	e.submit(t, event("recon", "s2", 1), event("recon", "s2", 2))                  // a dropped session counts once

	s, _ := scrape(t, e.reg)
	want(t, s, `honeysens_events_stored_total{classification="honeypot",service="ssh",sensor="edge-1"}`, 2)
	want(t, s, "honeysens_events_filtered_total", 3)
	// One commit per Submit, each observed with its events (the last one only the rule's hits).
	want(t, s, "honeysens_ingest_batch_events_count", 4)
	want(t, s, "honeysens_ingest_batch_events_sum", 3)
	want(t, s, `honeysens_ingest_batch_events_bucket{le="1"}`, 4)
	want(t, s, "honeysens_ingest_commit_seconds_count", 4)
	want(t, s, `honeysens_ingest_commit_seconds_bucket{le="+Inf"}`, 4)
	if s["honeysens_ingest_commit_seconds_sum"] <= 0 {
		t.Errorf("commit seconds sum %v, want > 0", s["honeysens_ingest_commit_seconds_sum"])
	}
}

func TestHistogramBucketsAreCumulative(t *testing.T) {
	e := newEnv(t)
	e.reg.Committed(events(3), 30*time.Millisecond)
	e.reg.Committed(events(700), 2*time.Second)
	s, _ := scrape(t, e.reg)
	for le, n := range map[string]float64{"2": 0, "5": 1, "500": 1, "1000": 2, "+Inf": 2} {
		want(t, s, `honeysens_ingest_batch_events_bucket{le="`+le+`"}`, n)
	}
	for le, n := range map[string]float64{"0.025": 0, "0.05": 1, "1": 1, "2.5": 2} {
		want(t, s, `honeysens_ingest_commit_seconds_bucket{le="`+le+`"}`, n)
	}
	want(t, s, "honeysens_ingest_batch_events_sum", 703)
}

func TestGaugesAreReadAtScrape(t *testing.T) {
	e := newEnv(t) // edge-1 was never heard from
	now := time.Now()
	ago := now.Add(-time.Hour)
	e.addSensor(t, "up", &now)
	e.addSensor(t, "down", &ago)
	e.reg.OpenConnections("ssh").Add(2)
	e.reg.OpenConnections("ftp").Add(1)
	hook := &model.Output{Kind: model.OutputWebhook, Name: `Team "chat"`, Enabled: true,
		Selection: model.Selection{Events: model.SelectAll}, Config: []byte(`{"url":"https://example.org/hook"}`)}
	if err := e.st.CreateOutput(context.Background(), hook); err != nil {
		t.Fatal(err)
	}
	e.submit(t, event("ssh", "", 0))

	s, _ := scrape(t, e.reg)
	want(t, s, `honeysens_sensors{status="online"}`, 1)
	want(t, s, `honeysens_sensors{status="offline"}`, 1)
	want(t, s, `honeysens_sensors{status="waiting"}`, 1)
	want(t, s, `honeysens_outbox_queued{output="mail"}`, 0)
	want(t, s, `honeysens_outbox_failed{output="mail"}`, 0)
	want(t, s, `honeysens_outbox_queued{output="webhook:Team \"chat\""}`, 1)
	want(t, s, `honeysens_outbox_failed{output="webhook:Team \"chat\""}`, 0)
	want(t, s, `honeysens_honeypot_connections{service="ssh"}`, 2)
	want(t, s, `honeysens_honeypot_connections{service="ftp"}`, 1)
	if s["honeysens_database_bytes"] <= 0 {
		t.Errorf("database bytes %v, want > 0", s["honeysens_database_bytes"])
	}

	e.reg.OpenConnections("ssh").Add(-2)
	s, _ = scrape(t, e.reg)
	want(t, s, `honeysens_honeypot_connections{service="ssh"}`, 0)
}

// Service names come from sensors: quotes, backslashes and line breaks cannot break a line or
// forge a sample, and ever new names do not grow the registry without end.
func TestLabelsEscapedAndCapped(t *testing.T) {
	e := newEnv(t)
	e.reg.Committed([]*model.Event{{Service: "x\"} 99\nforged 1\\", SensorName: "edge-1", Classification: model.ClassScan}}, time.Millisecond)
	s, text := scrape(t, e.reg)
	want(t, s, `honeysens_events_stored_total{classification="scan",service="x\"} 99\nforged 1\\",sensor="edge-1"}`, 1)
	if strings.Contains(text, "\nforged") {
		t.Errorf("a label value started a line:\n%s", text)
	}

	var flood []*model.Event
	for i := range 1500 {
		flood = append(flood, &model.Event{Service: fmt.Sprint("svc-", i), SensorName: "edge-1"})
	}
	e.reg.Committed(flood, time.Millisecond)
	s, _ = scrape(t, e.reg)
	series := 0
	for k := range s {
		if strings.HasPrefix(k, "honeysens_events_stored_total{") {
			series++
		}
	}
	if series != 1001 {
		t.Errorf("%d stored-events series, want the cap of 1000 and one for the rest", series)
	}
	want(t, s, `honeysens_events_stored_total{classification="unknown",service="other",sensor="other"}`, 501)
}

// The exposition passes Prometheus' own checker, lint included (help texts, units, names).
func TestPromtoolChecksExposition(t *testing.T) {
	promtool := hptest.RequireTool(t, "promtool")
	e := newEnv(t)
	e.submit(t, event("ssh", "", 0), event("recon", "", 0))
	e.reg.Committed([]*model.Event{{Service: "we\"ird\\\nname", SensorName: "edge-1"}}, time.Millisecond)
	e.reg.OpenConnections("ssh").Add(1)
	_, text := scrape(t, e.reg)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("promtool check metrics: %v\n%s\n--- exposition:\n%s", err, out, text)
	}
}
