// Package outputs forwards events to the tools a site already runs: syslog receivers and
// webhooks. Every output has its own queue in the store's outbox (rows written in the ingest
// transaction that stores the events) and its own courier (notify/outbox), the same delivery
// the mails have: retried with back-off, held while the receiver is down, never sent twice
// after an acknowledged send.
package outputs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"honeysens/app/model"
	"honeysens/app/notify/outbox"
	"honeysens/app/store"
)

// Sender delivers events to one receiver; a Kind opens it from an output's settings.
type Sender interface {
	// Send delivers events (with details and packets) in order and returns the outcome of
	// each one it tried: nil means the receiver took it. An error wrapped by Refuse fails that
	// event's message for good; any other holds the queue: the sender starts no event after
	// it, so the outcomes may be fewer than the events. A sender with several requests under
	// way reports each of them, so an event the receiver took is never sent again.
	Send(ctx context.Context, events []*model.Event) []error
	// Close releases the connection, if the sender keeps one.
	Close() error
}

// Kind is one type of output: how its settings are checked, shown and opened.
type Kind interface {
	// Config checks raw settings and returns them normalised. old holds the stored settings
	// of an output being changed (nil for a new one): a secret left out is kept from it.
	Config(raw, old json.RawMessage) (json.RawMessage, error)
	// Public returns the settings without secrets, for the API.
	Public(raw json.RawMessage) json.RawMessage
	// Open builds a sender from checked settings.
	Open(raw json.RawMessage) (Sender, error)
}

// DecodeConfig reads raw settings onto c, which holds the kind's defaults; empty settings keep
// them. Settings that are not JSON are invalid with the message notJSON, which names the kind,
// and the decoder's complaint on the field config.
func DecodeConfig[T any](raw json.RawMessage, c *T, notJSON string) error {
	if len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, c); err != nil {
		return &model.Error{Code: model.ErrInvalid, Message: notJSON, Fields: map[string]string{"config": err.Error()}}
	}
	return nil
}

// refusal marks an error that fails its message for good.
type refusal struct{ error }

func (r refusal) Unwrap() error { return r.error }

// Refuse marks err as the receiver's final answer about this one message.
func Refuse(err error) error { return refusal{err} }

// Refused reports whether err is (or wraps) such a final answer.
func Refused(err error) bool { return errors.As(err, new(refusal)) }

// Taken is the outcomes of a sender that delivers in strict order: the first n events were
// taken, and err (if any) is the failure of the next one.
func Taken(n int, err error) []error {
	out := make([]error, n, n+1)
	if err != nil {
		out = append(out, err)
	}
	return out
}

// keepDone is how long delivered and failed messages stay listed.
const keepDone = 7 * 24 * time.Hour

// Service runs one courier per output.
type Service struct {
	st    *store.Store
	log   *slog.Logger
	kinds map[string]Kind
	// Now is the clock; Backoff the wait before attempt n+1 (tests change both before Run).
	Now     func() time.Time
	Backoff func(n int) time.Duration

	mu      sync.Mutex
	running map[int64]*runner
	runCtx  context.Context // set by Run; nil until then
	wg      sync.WaitGroup
}

type runner struct {
	courier *outbox.Courier
	ch      *channel
	stop    context.CancelFunc // nil while its loop is not started
}

// New builds the service with the kinds of output it knows.
func New(st *store.Store, log *slog.Logger, kinds map[string]Kind) *Service {
	return &Service{st: st, log: log, kinds: kinds, Now: time.Now, Backoff: outbox.DefaultBackoff, running: map[int64]*runner{}}
}

// Kind returns the kind of output by name.
func (s *Service) Kind(name string) (Kind, bool) {
	k, ok := s.kinds[name]
	return k, ok
}

// Run delivers every output's queue until ctx ends.
func (s *Service) Run(ctx context.Context) {
	s.mu.Lock()
	s.runCtx = ctx
	s.mu.Unlock()
	if err := s.Sync(ctx); err != nil {
		s.log.Error("outputs not started", "err", err)
	}
	<-ctx.Done()
	s.mu.Lock()
	s.runCtx = nil // no Sync starts a loop from here on, so the wait below sees them all
	s.mu.Unlock()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, r := range s.running {
		if r.stop == nil {
			r.ch.close() // driven by Deliver only
		}
		delete(s.running, id)
	}
}

// Sync starts a courier for every output that has none and stops those of deleted outputs;
// changed settings are picked up by the courier itself. Call it after outputs are saved.
func (s *Service) Sync(ctx context.Context) error {
	list, err := s.st.Outputs(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runCtx == nil || s.runCtx.Err() != nil {
		return nil // not running: Run syncs when it starts
	}
	seen := map[int64]bool{}
	for _, o := range list {
		seen[o.ID] = true
		r := s.running[o.ID]
		if r != nil && r.stop != nil {
			r.courier.Wake()
			continue
		}
		if r == nil {
			r = s.courier(o.ID)
		}
		cctx, stop := context.WithCancel(s.runCtx)
		r.stop = stop
		s.running[o.ID] = r
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer r.ch.close() // here, so that no Send uses the sender while it closes
			r.courier.Run(cctx)
		}()
	}
	for id, r := range s.running {
		if !seen[id] && r.stop != nil {
			r.stop()
			delete(s.running, id)
		}
	}
	return nil
}

// courier builds the delivery of one output's queue.
func (s *Service) courier(id int64) *runner {
	ch := &channel{s: s, id: id}
	log := s.log.With("component", "outputs", "output", id)
	return &runner{ch: ch, courier: outbox.New(s.st, store.OutputOutbox(id), ch, log, outbox.GrowingRound,
		func() time.Time { return s.Now() }, func(n int) time.Duration { return s.Backoff(n) })}
}

// EventsCommitted is the ingest writer's hook: new events may be queued for the outputs.
func (s *Service) EventsCommitted([]*model.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.running {
		r.courier.Wake()
	}
}

// Retry makes an output's queued messages due now and, with failedToo, queues its failures of
// the last week again. Saving an output uses it without failedToo, as saving the mail
// settings does.
func (s *Service) Retry(ctx context.Context, id int64, failedToo bool) (int64, error) {
	s.mu.Lock()
	r := s.running[id]
	s.mu.Unlock()
	if r == nil {
		r = s.courier(id) // not running (yet): the rows are changed all the same
	}
	return r.courier.Retry(ctx, failedToo, store.OutputGiveUpAfter)
}

// Deliver runs one delivery round of an output at once, with the state its loop keeps; tests
// drive delivery with it instead of Run (never both at once).
func (s *Service) Deliver(ctx context.Context, id int64) error {
	s.mu.Lock()
	r := s.running[id]
	if r == nil {
		r = s.courier(id)
		s.running[id] = r
	}
	s.mu.Unlock()
	_, err := r.courier.Deliver(ctx)
	return err
}

// Forget removes delivered and failed messages of every output past the retention time.
func (s *Service) Forget(ctx context.Context) error {
	list, err := s.st.Outputs(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range list {
		errs = append(errs, s.st.DeleteOldOutbox(ctx, store.OutputOutbox(o.ID), s.Now().Add(-keepDone)))
	}
	return errors.Join(errs...)
}
