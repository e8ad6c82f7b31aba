package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"honeysens/app/model"
	"honeysens/app/sensorproto/prototest"
	"honeysens/app/store"
)

// testEnv is an ingest service on a real temp-file database with one group and one sensor.
type testEnv struct {
	store  *store.Store
	db     *sql.DB // a separate read connection for counting rows behind the store's back
	sensor *model.Sensor
	svc    *Service
}

// newEnv opens a store, creates a group and a sensor and starts the ingest service; onCommit
// may be nil. The service is closed at the end of the test unless the test closed it.
func newEnv(t *testing.T, onCommit func([]*model.Event)) *testEnv {
	t.Helper()
	ctx := context.Background()
	schema, err := os.ReadFile("../../schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "honeysens.db")
	st, err := store.Open(ctx, path, string(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("store Close: %v", err)
		}
	})
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	g := &model.Group{Name: "Branch office"}
	if err := st.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	sn := &model.Sensor{Name: "edge-1", GroupID: g.ID, UpdateInterval: 60, Secret: "sensor-secret"}
	if err := st.CreateSensor(ctx, sn); err != nil {
		t.Fatal(err)
	}
	svc := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), onCommit)
	t.Cleanup(func() {
		svc.writer.mu.RLock()
		closed := svc.writer.closed
		svc.writer.mu.RUnlock()
		if !closed {
			if err := svc.Close(); err != nil {
				t.Errorf("service Close: %v", err)
			}
		}
	})
	return &testEnv{store: st, db: db, sensor: sn, svc: svc}
}

// count runs a count query on the separate connection.
func (env *testEnv) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// newEvent is a decoded event as a sensor would report it; the summary tells events apart.
func newEvent(service, summary string) *model.Event {
	at := prototest.EventTime // each event its own copy, as a decoded one has
	return &model.Event{
		Timestamp: at, Service: service, Source: netip.MustParseAddr("192.0.2.77"), SourcePort: 50000,
		TargetPort: 22, Protocol: model.ProtoTCP, Summary: summary,
		Details: []model.Detail{{Type: model.DetailInteraction, Timestamp: &at, Data: "uname -a"}},
	}
}

func TestSubmitStoresEvents(t *testing.T) {
	var mu sync.Mutex
	var committed []*model.Event
	env := newEnv(t, func(batch []*model.Event) {
		mu.Lock()
		committed = append(committed, batch...)
		mu.Unlock()
	})
	ctx := context.Background()
	events := []*model.Event{newEvent("recon", "Scan"), newEvent("recon", "Einzelverbindung"), newEvent("ssh", "root/root"),
		newEvent("icmp", "Ping"), newEvent("mystery", "?")}
	wantClass := []model.Classification{model.ClassScan, model.ClassConnAttempt, model.ClassHoneypot, model.ClassICMP, model.ClassUnknown}

	n, err := env.svc.Submit(ctx, env.sensor, events)
	if err != nil || n != len(events) {
		t.Fatalf("Submit = %d, %v; want %d, nil", n, err, len(events))
	}
	seen := map[int64]bool{}
	for i, e := range events {
		if e.ID <= 0 || seen[e.ID] {
			t.Fatalf("event %d has id %d (duplicate or unset)", i, e.ID)
		}
		seen[e.ID] = true
		got, err := env.store.Event(ctx, e.ID, false)
		if err != nil {
			t.Fatalf("Event(%d): %v", e.ID, err)
		}
		if got.SensorID != env.sensor.ID || got.SensorName != "edge-1" || got.GroupID != env.sensor.GroupID ||
			got.GroupName != "Branch office" {
			t.Errorf("event %d: sensor %d %q, group %d %q", i, got.SensorID, got.SensorName, got.GroupID, got.GroupName)
		}
		if got.Status != model.StatusNew || got.Classification != wantClass[i] {
			t.Errorf("event %d: status %v, classification %v; want New, %v", i, got.Status, got.Classification, wantClass[i])
		}
		if got.Summary != e.Summary || got.Source != e.Source || len(got.Details) != 1 || got.Details[0].Data != "uname -a" {
			t.Errorf("event %d stored as %+v", i, got)
		}
	}
	mu.Lock()
	if len(committed) != len(events) {
		t.Errorf("onCommit saw %d events, want %d", len(committed), len(events))
	}
	mu.Unlock()

	// Nothing to store is not an error and needs no commit.
	if n, err := env.svc.Submit(ctx, env.sensor, nil); n != 0 || err != nil {
		t.Errorf("Submit(nil) = %d, %v", n, err)
	}
	if got := env.count(t, `SELECT count(*) FROM events`); got != len(events) {
		t.Errorf("%d rows, want %d", got, len(events))
	}
}

func TestSubmitConcurrent(t *testing.T) {
	env := newEnv(t, nil)
	ctx := context.Background()
	const workers, perWorker = 50, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	ids := make([][]int64, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := make([]*model.Event, perWorker)
			for i := range batch {
				batch[i] = newEvent("ssh", fmt.Sprintf("w%02d-e%02d", w, i))
			}
			n, err := env.svc.Submit(ctx, env.sensor, batch)
			if err == nil && n != perWorker {
				err = fmt.Errorf("worker %d: %d accepted, want %d", w, n, perWorker)
			}
			if err != nil {
				errs <- err
				return
			}
			for _, e := range batch {
				ids[w] = append(ids[w], e.ID)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	const total = workers * perWorker
	if n := env.count(t, `SELECT count(*) FROM events`); n != total {
		t.Errorf("%d event rows, want %d", n, total)
	}
	if n := env.count(t, `SELECT count(DISTINCT summary) FROM events`); n != total {
		t.Errorf("%d distinct summaries, want %d (an event was stored twice or lost)", n, total)
	}
	if n := env.count(t, `SELECT count(*) FROM event_data`); n != total {
		t.Errorf("%d event_data rows, want %d", n, total)
	}
	seen := map[int64]bool{}
	for _, list := range ids {
		for _, id := range list {
			if seen[id] {
				t.Fatalf("id %d given twice", id)
			}
			seen[id] = true
		}
	}
	if n, err := env.store.CountEvents(ctx, &store.EventFilter{}); err != nil || n != total {
		t.Errorf("CountEvents = %d, %v; want %d", n, err, total)
	}

	if err := env.svc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := env.svc.Submit(ctx, env.sensor, []*model.Event{newEvent("ssh", "late")}); !errors.Is(err, model.ErrClosed) {
		t.Errorf("Submit after Close = %v, want ErrClosed", err)
	}
	if n := env.count(t, `SELECT count(*) FROM events`); n != total {
		t.Errorf("after a refused Submit: %d rows, want %d", n, total)
	}
	if err := env.svc.Close(); err == nil {
		t.Error("second Close = nil, want an error")
	}
}

// TestCloseCommitsQueued holds the writer inside its first commit callback while more jobs
// queue up, then closes: Close must commit every queued job before it returns.
func TestCloseCommitsQueued(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	env := newEnv(t, func([]*model.Event) {
		once.Do(func() {
			close(entered)
			<-release
		})
	})
	ctx := context.Background()

	first := make(chan error, 1)
	go func() {
		_, err := env.svc.Submit(ctx, env.sensor, []*model.Event{newEvent("ssh", "first")})
		first <- err
	}()
	<-entered // the writer is now stuck after committing "first"

	const queued, perJob = 10, 5
	results := make(chan error, queued)
	for j := 0; j < queued; j++ {
		go func() {
			batch := make([]*model.Event, perJob)
			for i := range batch {
				batch[i] = newEvent("ssh", fmt.Sprintf("queued-%d-%d", j, i))
			}
			_, err := env.svc.Submit(ctx, env.sensor, batch)
			results <- err
		}()
	}
	waitFor(t, "jobs to queue", func() bool { return len(env.svc.writer.in) == queued })

	closed := make(chan error, 1)
	go func() { closed <- env.svc.Close() }()
	waitFor(t, "Close to begin", func() bool {
		env.svc.writer.mu.RLock()
		defer env.svc.writer.mu.RUnlock()
		return env.svc.writer.closed
	})
	if _, err := env.svc.Submit(ctx, env.sensor, []*model.Event{newEvent("ssh", "too late")}); !errors.Is(err, model.ErrClosed) {
		t.Errorf("Submit while closing = %v, want ErrClosed", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while the writer still had queued jobs", err)
	default:
	}

	close(release)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-first; err != nil {
		t.Errorf("first Submit: %v", err)
	}
	for j := 0; j < queued; j++ {
		if err := <-results; err != nil {
			t.Errorf("queued Submit: %v", err)
		}
	}
	if n := env.count(t, `SELECT count(*) FROM events`); n != 1+queued*perJob {
		t.Errorf("%d rows after Close, want %d", n, 1+queued*perJob)
	}
	if n := env.count(t, `SELECT count(*) FROM events WHERE summary = 'too late'`); n != 0 {
		t.Errorf("an event submitted after Close was stored")
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSubmitCancelledBeforeQueueing(t *testing.T) {
	env := newEnv(t, nil)
	// A cancelled context is honoured only while the job waits for a queue slot; with a free
	// slot the job is queued and committed, so the result is either stored or ctx.Err().
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := env.svc.Submit(ctx, env.sensor, []*model.Event{newEvent("ssh", "cancelled")})
	rows := env.count(t, `SELECT count(*) FROM events`)
	switch {
	case err == nil && n == 1 && rows == 1:
	case errors.Is(err, context.Canceled) && n == 0 && rows == 0:
	default:
		t.Errorf("Submit with cancelled ctx = %d, %v with %d rows stored", n, err, rows)
	}
}
