package ingest

import (
	"context"
	"errors"
	"sync"
	"time"

	"honeysens/app/model"
	"honeysens/app/store"
)

// maxCommit caps how many events one transaction takes, so one commit stays short.
const maxCommit = 5000

// writer is the group commit: one goroutine owns event inserts. It takes the first waiting
// request, drains whatever else is queued, commits all of it in one transaction and only then
// answers every request. Under load many sensors share one commit; alone, a request is
// committed at once (no timer to wait for).
type writer struct {
	store    *store.Store
	in       chan *writeJob
	wg       sync.WaitGroup
	mu       sync.RWMutex // guards closed against Write racing Close
	closed   bool
	onCommit func([]*model.Event)
	obs      Observer // set before the first Write
}

type writeJob struct {
	events []*model.Event
	hits   map[int64]int64 // filter rule id → events it dropped from this request
	batch  *store.BatchID  // the sensor's id for this request's batch, if it gave one
	done   chan error
}

func newWriter(st *store.Store, onCommit func([]*model.Event)) *writer {
	w := &writer{store: st, in: make(chan *writeJob, 256), onCommit: onCommit}
	w.wg.Add(1)
	go w.run()
	return w
}

// Write queues events and filter hits and returns once they are committed (or failed). The
// events get IDs.
func (w *writer) Write(ctx context.Context, events []*model.Event, hits map[int64]int64, batch *store.BatchID) error {
	j := &writeJob{events: events, hits: hits, batch: batch, done: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return model.ErrClosed
	}
	select {
	case w.in <- j:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued the job is committed even if the caller gives up; waiting here must not
	// depend on ctx, or a sensor could be told "failed" about events that were stored.
	return <-j.done
}

func (w *writer) run() {
	defer w.wg.Done()
	for j := range w.in {
		jobs := []*writeJob{j}
		n := len(j.events)
	drain:
		for n < maxCommit {
			select {
			case more, ok := <-w.in:
				if !ok {
					break drain
				}
				jobs = append(jobs, more)
				n += len(more.events)
			default:
				break drain
			}
		}
		all := make([]*model.Event, 0, n)
		hits := map[int64]int64{}
		var batches []store.BatchID
		for _, jb := range jobs {
			all = append(all, jb.events...)
			for id, k := range jb.hits {
				hits[id] += k
			}
			if jb.batch != nil {
				batches = append(batches, *jb.batch)
			}
		}
		if err := w.commit(all, hits, batches); err != nil && len(jobs) > 1 {
			// One request's bad event (its sensor deleted meanwhile, a batch sent twice at once)
			// must not fail the others that shared the commit: commit each request on its own.
			for _, jb := range jobs {
				var own []store.BatchID
				if jb.batch != nil {
					own = []store.BatchID{*jb.batch}
				}
				w.finish([]*writeJob{jb}, jb.events, w.commit(jb.events, jb.hits, own))
			}
		} else {
			w.finish(jobs, all, err)
		}
	}
}

// commit runs one transaction and tells the observer about it. Background context: a commit
// must not be cut short by one client hanging up.
func (w *writer) commit(events []*model.Event, hits map[int64]int64, batches []store.BatchID) error {
	start := time.Now()
	err := w.store.CommitBatch(context.Background(), events, hits, batches)
	if err == nil && w.obs != nil {
		w.obs.Committed(events, time.Since(start))
	}
	return err
}

// finish hands the events on after a successful commit, then answers the jobs.
func (w *writer) finish(jobs []*writeJob, events []*model.Event, err error) {
	// onCommit first: when Submit returns, whatever follows a commit (notifications) has
	// seen the events.
	if err == nil && w.onCommit != nil {
		w.onCommit(events)
	}
	for _, jb := range jobs {
		jb.done <- err
	}
}

// Close stops taking events, commits what is queued and waits for the writer to finish.
func (w *writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return errors.New("ingest: writer closed twice")
	}
	w.closed = true
	close(w.in)
	w.mu.Unlock()
	w.wg.Wait()
	return nil
}
