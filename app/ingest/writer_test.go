package ingest

import (
	"context"
	"sync"
	"testing"

	"honeysens/app/model"
	"honeysens/app/store"
)

// queuedWriter is a writer whose requests are queued before it starts, so that its first
// commit takes all of them together, as under load.
type queuedWriter struct {
	w    *writer
	jobs []*writeJob
	mu   sync.Mutex
	seen [][]*model.Event // what onCommit was handed, commit by commit
}

func newQueuedWriter(st *store.Store) *queuedWriter {
	q := &queuedWriter{}
	q.w = &writer{store: st, in: make(chan *writeJob, 16), onCommit: func(events []*model.Event) {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.seen = append(q.seen, events)
	}}
	return q
}

// queue adds a request with the given events and batch id ("" for none).
func (q *queuedWriter) queue(batch string, sensor *model.Sensor, events ...*model.Event) *writeJob {
	for _, e := range events {
		e.SensorID, e.SensorName, e.GroupID = sensor.ID, sensor.Name, sensor.GroupID
		e.Status, e.Classification = model.StatusNew, Classify(e)
	}
	j := &writeJob{events: events, done: make(chan error, 1)}
	if batch != "" {
		j.batch = &store.BatchID{Sensor: sensor.ID, ID: batch}
	}
	q.jobs = append(q.jobs, j)
	q.w.in <- j
	return j
}

// run starts the writer and waits until it answered every queued request.
func (q *queuedWriter) run(t *testing.T) []error {
	t.Helper()
	q.w.wg.Add(1)
	go q.w.run()
	errs := make([]error, len(q.jobs))
	for i, j := range q.jobs {
		errs[i] = <-j.done
	}
	if err := q.w.Close(); err != nil {
		t.Fatal(err)
	}
	return errs
}

// A batch sent twice at the same moment (a sensor retrying while its first send is still
// being committed) shares a commit with itself and with other sensors' requests. The commit
// fails on the repeated batch id; the writer then commits each request on its own, so the
// first copy and the other requests are stored and answered as stored, and only the copy is
// refused as a conflict.
func TestWriterCommitsEachRequestAloneWhenTheSharedCommitFails(t *testing.T) {
	env := newEnv(t, nil)
	other := &model.Sensor{Name: "edge-2", GroupID: env.sensor.GroupID, UpdateInterval: 60, Secret: "s2"}
	if err := env.store.CreateSensor(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	q := newQueuedWriter(env.store)
	first := q.queue("batch-7", env.sensor, newEvent("ssh", "first copy"))
	q.queue("", other, newEvent("http", "other sensor"), newEvent("http", "other sensor 2"))
	q.queue("batch-7", env.sensor, newEvent("ssh", "second copy"))
	errs := q.run(t)

	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("the first copy and the other sensor's request failed: %v, %v", errs[0], errs[1])
	}
	if model.ErrorCode(errs[2]) != model.ErrConflict {
		t.Fatalf("the second copy of batch-7: err = %v, want a conflict", errs[2])
	}
	if n := env.count(t, `SELECT count(*) FROM events WHERE summary = 'second copy'`); n != 0 {
		t.Errorf("the refused copy's event was stored %d times", n)
	}
	for _, s := range []string{"first copy", "other sensor", "other sensor 2"} {
		if n := env.count(t, `SELECT count(*) FROM events WHERE summary = ?`, s); n != 1 {
			t.Errorf("%q stored %d times, want once", s, n)
		}
	}
	if first.events[0].ID == 0 {
		t.Error("the stored first copy has no id")
	}
	// onCommit (notifications, live updates) saw each stored event once and the refused one never
	var handed []string
	for _, events := range q.seen {
		for _, e := range events {
			handed = append(handed, e.Summary)
		}
	}
	if len(handed) != 3 {
		t.Errorf("onCommit was handed %q, want the three stored events once each", handed)
	}
}

// Requests that share a commit without a fault are committed together and answered alike.
func TestWriterSharesOneCommit(t *testing.T) {
	env := newEnv(t, nil)
	q := newQueuedWriter(env.store)
	for i := range 5 {
		q.queue("", env.sensor, newEvent("ssh", "shared "+string(rune('a'+i))))
	}
	for i, err := range q.run(t) {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if len(q.seen) != 1 || len(q.seen[0]) != 5 {
		t.Errorf("onCommit calls: %d, want one with the five events", len(q.seen))
	}
	if n := env.count(t, `SELECT count(*) FROM events WHERE summary LIKE 'shared %'`); n != 5 {
		t.Errorf("stored %d events, want 5", n)
	}
}
