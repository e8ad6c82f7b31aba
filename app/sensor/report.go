package sensor

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"honeysens/app/model"
	"honeysens/app/store"
)

// The local reporter's bounds.
const (
	// reportWindow is how long a report waits for others to share its batch. Every report
	// of a honeypot session goes out from a goroutine of its own (honeypot.Sessions), so the
	// wait delays no connection; it only makes commits bigger and fewer under load. 20 ms
	// against 5 ms: see LocalReporter.
	reportWindow = 20 * time.Millisecond
	// maxReportBatch caps the events of one batch, so one commit stays short.
	maxReportBatch = 256
	// maxReportsWaiting caps the reports queued for a batch; further callers wait (as long as
	// their ctx lets them) until the queue has room.
	maxReportsWaiting = 1024
)

// LocalReporter takes the reports of the appliance's own honeypots into the ingest path. It
// gathers the reports that arrive within a few milliseconds of each other into one batch,
// reads the sensor once per batch (an operator's move of the sensor to another group applies
// from the next batch on) and submits the batch in one ingest.Submit, so that one commit and
// one sensor read serve many sessions. Every caller still returns only once its own event is
// committed, or with the error that kept it from being stored.
//
// The window: with 8 clients logging in and running one command each (bench --ssh-only), a
// 20 ms window made a third of the commits a 5 ms one made (258 against 751 for 4,080
// sessions) and cut the writer's CPU time by 40%, which the honeypot's sessions get instead.
// A batch closes early when reports stop coming for 5 ms, so the end of a burst is stored
// at once; otherwise the added latency is invisible (the first report of a session goes out
// a second after its first action anyway).
type LocalReporter struct {
	sensor   func(context.Context) (*model.Sensor, error)
	submit   func(context.Context, *model.Sensor, []*model.Event) error
	window   time.Duration
	maxBatch int

	mu     sync.RWMutex // guards closed against Report racing Close
	closed bool
	in     chan *pendingReport
	done   chan struct{} // closed when run has answered everything and returned
}

// Submitter is the ingest path the local sensor's events take (ingest.Service); an interface,
// so that this package, which the remote sensor binary also runs, needs no server code.
type Submitter interface {
	Submit(ctx context.Context, sensor *model.Sensor, events []*model.Event) (accepted int, err error)
}

// NewLocalReporter returns the reporter of the local sensor sensorID. Close it after the
// honeypots have stopped and before ing is closed.
func NewLocalReporter(st *store.Store, ing Submitter, sensorID int64) *LocalReporter {
	return newLocalReporter(
		func(ctx context.Context) (*model.Sensor, error) { return st.Sensor(ctx, sensorID) },
		func(ctx context.Context, sn *model.Sensor, events []*model.Event) error {
			_, err := ing.Submit(ctx, sn, events)
			return err
		},
		reportWindow, maxReportBatch, maxReportsWaiting)
}

func newLocalReporter(sensor func(context.Context) (*model.Sensor, error),
	submit func(context.Context, *model.Sensor, []*model.Event) error, window time.Duration, maxBatch, maxWaiting int) *LocalReporter {
	r := &LocalReporter{sensor: sensor, submit: submit, window: window, maxBatch: maxBatch,
		in: make(chan *pendingReport, maxWaiting), done: make(chan struct{})}
	go r.run()
	return r
}

// A pendingReport goes from waiting to taken (into a batch being stored) or withdrawn (its
// caller gave up first); only a taken report is stored.
const (
	reportWaiting int32 = iota
	reportTaken
	reportWithdrawn
)

type pendingReport struct {
	ctx   context.Context
	ev    *model.Event
	at    time.Time // when it was queued
	state atomic.Int32
	done  chan error // buffered: run never waits for the caller
}

// Report stores e and returns once it is committed (honeypot.Reporter). While e waits for its
// batch, a cancelled ctx withdraws it and Report returns ctx's error at once. Once its batch
// is being stored, Report waits for the outcome, as ingest.Submit does once an event is
// queued, so that it never calls a stored event failed; the batch gives up (and its callers
// get the error) when the ctx of every caller in it is done. After Close it returns
// model.ErrClosed.
func (r *LocalReporter) Report(ctx context.Context, e *model.Event) error {
	p := &pendingReport{ctx: ctx, ev: e, at: time.Now(), done: make(chan error, 1)}
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return model.ErrClosed
	}
	select {
	case r.in <- p:
		r.mu.RUnlock()
	case <-ctx.Done():
		r.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		if p.state.CompareAndSwap(reportWaiting, reportWithdrawn) {
			return ctx.Err()
		}
		return <-p.done
	}
}

// Close stores what is queued, then stops taking reports. Call it once the honeypots have
// stopped (their last reports are stored by then) and before the ingest service is closed.
// Later calls do nothing.
func (r *LocalReporter) Close() {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.in)
	}
	r.mu.Unlock()
	<-r.done
}

// run gathers batches: the first waiting report opens one, which closes when the window
// since that report was queued has passed, when no report came for a quarter of the window,
// when it is full, or when the reporter is closed.
// The window is waited only while reports come in faster than one at a time (the last batch
// held several, or more came while it was stored): a lone caller that reports one event
// after the other, as recon does with what it flushes, is never held up by it, and neither
// is the first report after a quiet spell.
func (r *LocalReporter) run() {
	defer close(r.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	batch := make([]*pendingReport, 0, r.maxBatch)
	company := false // reports came in together lately: wait for the next batch's company
	for first := range r.in {
		batch = append(batch[:0], first)
		open := true
		if end := first.at.Add(r.window); company && time.Until(end) > 0 {
		gather:
			for len(batch) < r.maxBatch {
				// the batch closes at the window's end, or sooner when the reports stop
				// coming for a quarter of it: the last sessions of a burst are not held up
				timer.Reset(min(time.Until(end), r.window/4))
				select {
				case p, ok := <-r.in:
					if !ok {
						open = false
						break gather
					}
					batch = append(batch, p)
				case <-timer.C:
					break gather
				}
			}
			timer.Stop()
		} else {
			// alone lately, or it waited its window already (the last batch took that
			// long): take what is queued and go
		drain:
			for len(batch) < r.maxBatch {
				select {
				case p, ok := <-r.in:
					if !ok {
						open = false
						break drain
					}
					batch = append(batch, p)
				default:
					break drain
				}
			}
		}
		outcomes := r.store(batch)
		// Judged before the callers are answered: a lone caller's next report, sent the
		// moment it hears of this one, must not count as company.
		company = len(batch) > 1 || len(r.in) > 0
		for _, o := range outcomes {
			o.p.done <- o.err
		}
		clear(batch) // let the events go
		if !open {
			return
		}
	}
}

// outcome is what storing one report came to, for its caller.
type outcome struct {
	p   *pendingReport
	err error
}

// store submits the reports of a batch that are still wanted and returns each one's outcome.
func (r *LocalReporter) store(batch []*pendingReport) []outcome {
	taken := make([]*pendingReport, 0, len(batch))
	for _, p := range batch {
		if p.state.CompareAndSwap(reportWaiting, reportTaken) {
			taken = append(taken, p)
		}
	}
	if len(taken) == 0 {
		return nil
	}
	out := make([]outcome, 0, len(taken))
	ctx, cancel := untilAllDone(taken)
	defer cancel()
	// Read the sensor for each batch: an operator may have moved it to another group.
	sn, err := r.sensor(ctx)
	if err == nil {
		events := make([]*model.Event, len(taken))
		for i, p := range taken {
			events[i] = p.ev
		}
		err = r.submit(ctx, sn, events)
		if err != nil && len(taken) > 1 && ctx.Err() == nil && !errors.Is(err, model.ErrClosed) {
			// One report's bad event must not fail the others that shared the batch:
			// submit each on its own, so every caller gets its own outcome.
			for _, p := range taken {
				out = append(out, outcome{p, r.submit(ctx, sn, []*model.Event{p.ev})})
			}
			return out
		}
	}
	for _, p := range taken {
		out = append(out, outcome{p, err})
	}
	return out
}

// untilAllDone returns a context that is cancelled once the ctx of every report is done (or
// when cancel is called): a batch is given up only when none of its callers waits for it.
func untilAllDone(reports []*pendingReport) (ctx context.Context, cancel func()) {
	ctx, cancelCtx := context.WithCancel(context.Background())
	var left atomic.Int64
	left.Store(int64(len(reports)))
	stops := make([]func() bool, len(reports))
	for i, p := range reports {
		stops[i] = context.AfterFunc(p.ctx, func() {
			if left.Add(-1) == 0 {
				cancelCtx()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancelCtx()
	}
}
