package sensor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"honeysens/app/ingest"
	"honeysens/app/model"
	"honeysens/app/store"
)

// fakeIngest stands in for the sensor read and ingest.Submit of a LocalReporter: it counts
// both and records the batches it stored. A batch holding an event of service "bad" fails as
// a whole, like a rolled-back commit.
type fakeIngest struct {
	mu      sync.Mutex
	reads   int
	batches [][]*model.Event // the submits, failed ones included
	stored  map[*model.Event]int
	group   int64
	entered chan struct{} // gated: each submit sends on it when called...
	gate    chan struct{} // ...and then waits for a token from it (or for its ctx)
}

var errBad = errors.New("bad event")

// newFake returns a fake ingest; a gated one holds each submit until the test lets it pass
// (a token on gate, or close(gate) for all), so that reports queue up behind that batch.
func newFake(gated bool) *fakeIngest {
	f := &fakeIngest{stored: map[*model.Event]int{}, group: 1}
	if gated {
		f.entered, f.gate = make(chan struct{}, 1000), make(chan struct{})
	}
	return f
}

func (f *fakeIngest) sensor(context.Context) (*model.Sensor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return &model.Sensor{ID: 7, Name: "appliance", GroupID: f.group}, nil
}

func (f *fakeIngest) submit(ctx context.Context, sn *model.Sensor, events []*model.Event) error {
	if f.gate != nil {
		f.entered <- struct{}{}
		select {
		case <-f.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, events)
	for _, e := range events {
		if e.Service == "bad" {
			return errBad
		}
	}
	for _, e := range events {
		e.GroupID = sn.GroupID
		f.stored[e]++
	}
	return nil
}

func (f *fakeIngest) reporter(window time.Duration, maxBatch, maxWaiting int) *LocalReporter {
	return newLocalReporter(f.sensor, f.submit, window, maxBatch, maxWaiting)
}

func (f *fakeIngest) submits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.batches)
}

// queued waits until n reports wait in r's queue (the batcher is busy with an earlier batch).
func queued(r *LocalReporter, n int) {
	for len(r.in) != n {
		time.Sleep(time.Millisecond)
	}
}

// holdFirst reports one event and returns once its batch is held in f's submit, with the
// report's outcome to come.
func holdFirst(f *fakeIngest, r *LocalReporter) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- r.Report(context.Background(), &model.Event{Service: "ssh"}) }()
	<-f.entered
	return errc
}

// reportAll makes one concurrent report of each event and returns their outcomes once every
// one of them waits in the queue, and a wait for the reports to return.
func reportAll(r *LocalReporter, events []*model.Event) (errs []error, wait func()) {
	errs = make([]error, len(events))
	var wg sync.WaitGroup
	for i := range events {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.Report(context.Background(), events[i])
		}()
	}
	queued(r, len(events))
	return errs, wg.Wait
}

// Reports that arrive together share one sensor read and one submit, and each caller returns
// once its own event is stored.
func TestLocalReporterMergesReports(t *testing.T) {
	f := newFake(true)
	const n = 50
	// a window no test run reaches: the batch goes out because it is full
	r := f.reporter(time.Hour, n, n)
	defer r.Close()
	firstErr := holdFirst(f, r)
	events := make([]*model.Event, n)
	for i := range events {
		events[i] = &model.Event{Service: "ssh", Summary: fmt.Sprint(i)}
	}
	errs, wait := reportAll(r, events)
	close(f.gate)
	wait()
	if err := <-firstErr; err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("report %d: %v", i, err)
		}
		if f.stored[events[i]] != 1 {
			t.Errorf("report %d returned, its event stored %d times", i, f.stored[events[i]])
		}
	}
	if len(f.batches) != 2 || len(f.batches[1]) != n || f.reads != 2 {
		t.Fatalf("one report, then %d together: %d submits and %d sensor reads, want 2 each, the second with all %d",
			n, len(f.batches), f.reads, n)
	}
}

// A caller that reports one event after the other (recon's flush) does not wait for the
// window: with one of an hour, it would not get through.
func TestLocalReporterSequentialCaller(t *testing.T) {
	f := newFake(false)
	r := f.reporter(time.Hour, 64, 64)
	defer r.Close()
	for i := 0; i < 20; i++ {
		if err := r.Report(context.Background(), &model.Event{Service: "recon"}); err != nil {
			t.Fatal(err)
		}
	}
	if f.submits() != 20 {
		t.Fatalf("%d submits for 20 reports one after the other", f.submits())
	}
}

// Concurrent callers each get their own outcome: a batch that fails because of one event is
// submitted again event by event, so the others are stored and only its caller sees the error.
func TestLocalReporterErrorsReachEachCaller(t *testing.T) {
	f := newFake(true)
	const n = 40
	r := f.reporter(time.Hour, 8, n) // five full batches after the held one
	defer r.Close()
	firstErr := holdFirst(f, r)
	events := make([]*model.Event, n)
	for i := range events {
		svc := "ssh"
		if i%8 == 3 {
			svc = "bad"
		}
		events[i] = &model.Event{Service: svc}
	}
	errs, wait := reportAll(r, events)
	close(f.gate)
	wait()
	if err := <-firstErr; err != nil {
		t.Fatal(err)
	}
	for i, e := range events {
		switch {
		case e.Service == "bad" && !errors.Is(errs[i], errBad):
			t.Errorf("report %d (bad): %v, want its error", i, errs[i])
		case e.Service == "bad" && f.stored[e] != 0:
			t.Errorf("report %d (bad) stored", i)
		case e.Service != "bad" && (errs[i] != nil || f.stored[e] != 1):
			t.Errorf("report %d: %v, stored %d times", i, errs[i], f.stored[e])
		}
	}
	merged := 0
	for _, b := range f.batches {
		if len(b) > 1 {
			merged++
		}
	}
	if merged != n/8 {
		t.Fatalf("%d batches held more than one report, want %d", merged, n/8)
	}
}

// A report waiting for its batch is withdrawn when its caller's ctx ends: Report returns the
// ctx's error and the event is not stored.
func TestLocalReporterCancelWhileWaiting(t *testing.T) {
	f := newFake(true)
	r := f.reporter(0, 1, 8)
	firstErr := holdFirst(f, r) // holds the batcher

	waiting := &model.Event{Service: "ssh"}
	ctx, cancel := context.WithCancel(context.Background())
	waitErr := make(chan error, 1)
	go func() { waitErr <- r.Report(ctx, waiting) }()
	queued(r, 1)
	cancel()
	if err := <-waitErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled while waiting: %v", err)
	}

	close(f.gate)
	if err := <-firstErr; err != nil {
		t.Fatal(err)
	}
	r.Close()
	if f.stored[waiting] != 0 || f.submits() != 1 {
		t.Fatalf("withdrawn report stored %d times; %d submits", f.stored[waiting], f.submits())
	}
}

// Once its batch is being stored, a caller whose ctx ends learns the outcome rather than
// hearing "cancelled" about an event that was stored; the batch itself gives up only when
// every caller in it has.
func TestLocalReporterCancelWhileStoring(t *testing.T) {
	f := newFake(true)
	r := f.reporter(time.Hour, 2, 8)
	defer r.Close()
	firstErr := holdFirst(f, r)
	ctxA, cancelA := context.WithCancel(context.Background())
	defer cancelA()
	a, b := &model.Event{Service: "ssh"}, &model.Event{Service: "ssh"}
	errA, errB := make(chan error, 1), make(chan error, 1)
	go func() { errA <- r.Report(ctxA, a) }()
	go func() { errB <- r.Report(context.Background(), b) }()
	queued(r, 2)
	f.gate <- struct{}{} // the first batch is stored...
	<-f.entered          // ...and a and b's is being stored
	cancelA()
	close(f.gate)
	if err := <-errA; err != nil || f.stored[a] != 1 {
		t.Fatalf("caller cancelled while its event was stored: %v, stored %d times", err, f.stored[a])
	}
	if err := <-errB; err != nil {
		t.Fatal(err)
	}
	if err := <-firstErr; err != nil {
		t.Fatal(err)
	}

	// a batch whose only caller gives up is cut short with its error
	g := newFake(true) // never let through
	r2 := g.reporter(0, 1, 8)
	defer r2.Close()
	ctxC, cancelC := context.WithCancel(context.Background())
	errC := make(chan error, 1)
	go func() { errC <- r2.Report(ctxC, &model.Event{Service: "ssh"}) }()
	<-g.entered
	cancelC()
	if err := <-errC; !errors.Is(err, context.Canceled) {
		t.Fatalf("batch given up by its only caller: %v", err)
	}
}

// Close stores what is queued, reports after it fail at once, and it may be called twice.
func TestLocalReporterClose(t *testing.T) {
	f := newFake(true)
	r := f.reporter(time.Hour, 1, 8)
	firstErr := holdFirst(f, r)
	events := make([]*model.Event, 3)
	errs := make(chan error, len(events))
	for i := range events {
		events[i] = &model.Event{Service: "ssh"}
		go func() { errs <- r.Report(context.Background(), events[i]) }()
	}
	queued(r, len(events))
	closed := make(chan struct{})
	go func() {
		r.Close()
		close(closed)
	}()
	for {
		r.mu.RLock()
		c := r.closed
		r.mu.RUnlock()
		if c {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := r.Report(context.Background(), &model.Event{Service: "ssh"}); !errors.Is(err, model.ErrClosed) {
		t.Fatalf("report after Close: %v", err)
	}
	close(f.gate)
	if err := <-firstErr; err != nil {
		t.Fatal(err)
	}
	for range events {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-closed
	for i, e := range events {
		if f.stored[e] != 1 {
			t.Errorf("event %d queued at Close stored %d times", i, f.stored[e])
		}
	}
	r.Close() // again: nothing to do
}

// With the real store and ingest: every report is committed when Report returns, and a move of
// the sensor to another group applies from the next batch on.
func TestLocalReporterCommitsWithSensorGroup(t *testing.T) {
	ctx := context.Background()
	schema, err := os.ReadFile(filepath.Join(repoRoot(), "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "honeysens.db"), string(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	g1, g2 := &model.Group{Name: "Branch"}, &model.Group{Name: "Head office"}
	for _, g := range []*model.Group{g1, g2} {
		if err := st.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	sn := &model.Sensor{Name: "appliance", GroupID: g1.ID, UpdateInterval: 60, Secret: "s3cret-for-tests", Local: true}
	if err := st.CreateSensor(ctx, sn); err != nil {
		t.Fatal(err)
	}
	ing := ingest.New(st, slog.New(slog.DiscardHandler), nil)
	defer ing.Close()
	r := NewLocalReporter(st, ing, sn.ID)
	defer r.Close()

	report := func(n int) []*model.Event {
		events := make([]*model.Event, n)
		var wg sync.WaitGroup
		for i := range events {
			events[i] = &model.Event{Timestamp: time.Now().UTC(), Service: "ssh", Source: netip.MustParseAddr("198.51.100.7"),
				SourcePort: 40000 + i, Target: netip.MustParseAddr("192.0.2.1"), TargetPort: 22, Protocol: model.ProtoTCP,
				Summary: "SSH: connection without login"}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := r.Report(ctx, events[i]); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		return events
	}
	check := func(events []*model.Event, group int64) {
		t.Helper()
		for _, e := range events {
			got, err := st.Event(ctx, e.ID, false)
			if err != nil {
				t.Fatalf("event %d not committed when Report returned: %v", e.ID, err)
			}
			if got.GroupID != group || got.SensorID != sn.ID {
				t.Fatalf("event of sensor %d in group %d, want sensor %d in group %d", got.SensorID, got.GroupID, sn.ID, group)
			}
		}
	}
	check(report(20), g1.ID)
	sn.GroupID = g2.ID
	if err := st.UpdateSensor(ctx, sn); err != nil {
		t.Fatal(err)
	}
	check(report(20), g2.ID)
}
