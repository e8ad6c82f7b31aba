package ingest

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"honeysens/app/filter"
	"honeysens/app/model"
	"honeysens/app/store"
)

// Service is the ingest pipeline: validate → classify → filter → commit → notify.
type Service struct {
	store  *store.Store
	writer *writer
	log    *slog.Logger
	now    func() time.Time
	replay replayGuard
	rules  atomic.Pointer[filter.Set] // compiled once per change, read by every Submit
	// The served certificate, for original sensors (see SetServerCert).
	certPEM []byte
	certPin string
	obs     Observer // nil: nobody listens
}

// Observer hears what the pipeline commits and drops (the metrics). It is called from the
// writer goroutine and from Submit, so it must be quick.
type Observer interface {
	// Committed is called after each successful transaction with its events and its duration.
	Committed(events []*model.Event, took time.Duration)
	// Filtered is called with how many events of one Submit filter rules dropped, once the
	// rules' hit counts are committed (a session counts once, as in the hit counts).
	Filtered(n int)
}

// SetObserver sets the observer. Call it before the first Submit.
func (s *Service) SetObserver(o Observer) { s.obs, s.writer.obs = o, o }

// New starts the ingest pipeline's writer. onCommit (may be nil) is called with every
// committed batch, after the commit, from the writer goroutine: it must not block for long.
func New(st *store.Store, log *slog.Logger, onCommit func([]*model.Event)) *Service {
	return &Service{store: st, writer: newWriter(st, onCommit), log: log, now: time.Now}
}

// ReloadFilters compiles the stored filter rules; the next event is matched against them.
func (s *Service) ReloadFilters(ctx context.Context) error {
	rules, err := s.store.FilterRules(ctx)
	if err != nil {
		return err
	}
	set, err := filter.Compile(rules)
	if err != nil {
		return err
	}
	s.rules.Store(set)
	return nil
}

// Submit stores events reported by a sensor and returns how many were stored; the others were
// dropped by a filter rule of the sensor's group. It is the one entry for every event: the
// HTTP ingest handler and the built-in honeypots both call it. It returns after the events and
// the rules' hit counts are committed.
func (s *Service) Submit(ctx context.Context, sensor *model.Sensor, events []*model.Event) (accepted int, err error) {
	return s.submit(ctx, sensor, events, nil)
}

// submit is Submit with the sensor's batch id, stored in the same commit as the events.
func (s *Service) submit(ctx context.Context, sensor *model.Sensor, events []*model.Event, batch *store.BatchID) (int, error) {
	rules := s.rules.Load()
	kept := events[:0:0]
	var hits map[int64]int64
	for _, e := range events {
		e.SensorID, e.SensorName, e.GroupID = sensor.ID, sensor.Name, sensor.GroupID
		e.Status = model.StatusNew
		// A service may know better (a honeypot connection that never sent a byte is only a
		// connection attempt); otherwise the server decides from the service, as HoneySens does.
		if e.Classification == model.ClassUnknown {
			e.Classification = Classify(e)
		}
		// Every report of a session is matched, so a rule applies from the session's first
		// report on; the rule counts the session once.
		if id, drop := rules.Match(sensor.GroupID, e); drop {
			if e.Revision <= 1 {
				if hits == nil {
					hits = map[int64]int64{}
				}
				hits[id]++
			}
			continue
		}
		kept = append(kept, e)
	}
	if len(kept) == 0 && hits == nil && batch == nil {
		return 0, nil
	}
	if err := s.writer.Write(ctx, kept, hits, batch); err != nil {
		return 0, err
	}
	if s.obs != nil && hits != nil {
		n := 0
		for _, k := range hits {
			n += int(k)
		}
		s.obs.Filtered(n)
	}
	return len(kept), nil
}

// Close commits what is queued and stops the writer. Call it after the HTTP server and the
// honeypots have stopped submitting.
func (s *Service) Close() error { return s.writer.Close() }
