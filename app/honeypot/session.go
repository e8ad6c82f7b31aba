package honeypot

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"honeysens/app/model"
)

// SessionTiming says when the reports of a session go out.
type SessionTiming struct {
	// First is the time from the attacker's first action to the first report. It is short
	// enough for an early warning and long enough that the first report (and its mail)
	// usually carries the first login attempt or request, not only "connected".
	First time.Duration
	// Every is the least time between two reports of a changed event; Slow replaces it once
	// the event has SlowAfter details, so that a big event is not sent again every few seconds.
	Every     time.Duration
	Slow      time.Duration
	SlowAfter int
	// Keepalive is the longest time an ongoing session goes unreported even when nothing
	// changed: the server takes a session silent for 15 minutes as ended.
	Keepalive time.Duration
}

// DefaultSessionTiming is what the services use.
var DefaultSessionTiming = SessionTiming{First: time.Second, Every: 2 * time.Second, Slow: 10 * time.Second,
	SlowAfter: 100, Keepalive: 5 * time.Minute}

// Sessions reports the sessions of one service: each session's event is reported early,
// again while it grows, and finally when it ends, always as a copy, in order and from a
// goroutine of its own, so a connection never waits for the store.
//
// A nil *Sessions opens sessions that are never reported (a service built but not started,
// as the fuzz tests use it).
type Sessions struct {
	rep    Reporter
	log    *slog.Logger
	timing SessionTiming
	wg     sync.WaitGroup // one per session whose reporting goroutine runs
}

// NewSessions returns the reporter of a service's sessions; log (nil: discard) gets failed
// reports.
func NewSessions(rep Reporter, log *slog.Logger, timing SessionTiming) *Sessions {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sessions{rep: rep, log: log, timing: timing}
}

// Open starts the session whose live event is ev. complete (may be nil) finishes each copy
// before it is reported (summary, classification, counters) with final telling the last one
// apart; it runs under the session's lock, so it may read whatever its owner changes inside
// Update, and must not call the session's methods. Nothing is reported before Activate or End.
func (ss *Sessions) Open(ev *model.Event, complete func(e *model.Event, final bool)) *Session {
	var id [8]byte
	rand.Read(id[:])
	return &Session{ss: ss, id: hex.EncodeToString(id[:]), ev: ev, complete: complete, wake: make(chan struct{}, 1)}
}

// Wait returns once every session ended so far has delivered (or failed) its final report.
// Call it after the service's connections have ended their sessions.
func (ss *Sessions) Wait() {
	if ss != nil {
		ss.wg.Wait()
	}
}

func (ss *Sessions) deliver(e *model.Event) error {
	return reportWithin(ss.rep, ss.log, e)
}

// Session is one attacker session: it owns the session's live event under its lock.
type Session struct {
	ss   *Sessions
	id   string
	wake chan struct{} // one pending wake-up for the reporting goroutine

	mu       sync.Mutex
	ev       *model.Event
	complete func(e *model.Event, final bool)
	actedAt  time.Time // the attacker's first action; zero before
	dirty    bool      // changed since the last report
	ended    bool
	running  bool // the reporting goroutine was started
	rev      int  // revisions reported (or attempted)
}

// ID is the session id its reports carry.
func (s *Session) ID() string { return s.id }

// Update changes the live event (and what the owner keeps for complete) under the session's
// lock; the next report carries the change. After End it does nothing.
func (s *Session) Update(fn func(e *model.Event)) {
	if s.update(fn) {
		s.signal()
	}
}

// update applies fn and reports whether the reporting goroutine needs a wake-up (the event
// was unchanged since the last report). The deferred unlock keeps the session usable when
// fn panics on hostile input: the connection's handler recovers and still ends the session.
func (s *Session) update(fn func(e *model.Event)) (wake bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return false
	}
	wake = !s.dirty
	s.dirty = true
	fn(s.ev)
	return wake
}

// Inspect reads the live event (and the owner's state) under the session's lock.
func (s *Session) Inspect(fn func(e *model.Event)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.ev)
}

// Activate says the attacker acted (sent the first bytes, the first request): the first
// report goes out within SessionTiming.First, later changes follow. Later calls do nothing.
func (s *Session) Activate() {
	s.mu.Lock()
	if s.ended || !s.actedAt.IsZero() {
		s.mu.Unlock()
		return
	}
	s.actedAt = time.Now()
	start := s.startLocked()
	s.mu.Unlock()
	if start {
		go s.run()
	}
	s.signal()
}

// End closes the session: fn (may be nil) makes the last changes and the final report goes
// out at once, in the background. A session whose final report is its only one is reported
// as a one-time event, without a session id. Later calls do nothing.
func (s *Session) End(fn func(e *model.Event)) {
	if s.end(fn) {
		go s.run()
	}
	s.signal()
}

// end marks the session ended and reports whether the reporting goroutine must be started.
// A panic of fn is logged: the final report goes out regardless.
func (s *Session) end(fn func(e *model.Event)) (start bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return false
	}
	if fn != nil {
		s.safely("ending", func() { fn(s.ev) })
	}
	s.ended = true
	return s.startLocked()
}

// safely runs owner code that attacker input reaches; a panic is logged and swallowed, so
// that the session's reports still go out.
func (s *Session) safely(what string, fn func()) {
	defer func() {
		if r := recover(); r != nil && s.ss != nil {
			s.ss.log.Error("honeypot: "+what+" a session's event panicked", "service", s.ev.Service, "panic", fmt.Sprint(r))
		}
	}()
	fn()
}

// Snapshot returns a copy of the event as its reports carry it, with the revision last
// reported (tests and fuzzers look at sessions that are not reported).
func (s *Session) Snapshot() *model.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.copyLocked(s.ended)
	e.Revision = s.rev
	if s.ended && s.rev == 0 {
		e.Session = ""
	}
	return e
}

func (s *Session) startLocked() bool {
	if s.running || s.ss == nil {
		return false
	}
	s.running = true
	s.ss.wg.Add(1)
	return true
}

func (s *Session) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// copyLocked copies the live event for a report and lets the owner complete it.
func (s *Session) copyLocked(final bool) *model.Event {
	e := s.ev.Clone()
	e.Session, e.Ongoing = s.id, !final
	if s.complete != nil {
		s.safely("completing", func() { s.complete(e, final) })
	}
	return e
}

// run reports the session until its final report is out.
func (s *Session) run() {
	defer s.ss.wg.Done()
	var last time.Time // when the last report went out
	var timer *time.Timer
	for {
		e, final, wait := s.next(last)
		if e == nil {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			select {
			case <-s.wake:
			case <-timer.C:
			}
			continue
		}
		err := s.ss.deliver(e)
		if final {
			if timer != nil {
				timer.Stop()
			}
			return
		}
		last = time.Now()
		if err != nil {
			// try again at the usual pace rather than at the keepalive: the first report
			// is the early warning
			s.mu.Lock()
			s.dirty = true
			s.mu.Unlock()
		}
	}
}

// next returns the report that is due, or how long to wait for the next one.
func (s *Session) next(last time.Time) (e *model.Event, final bool, wait time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		e = s.copyLocked(true)
		if s.rev == 0 {
			e.Session = "" // nothing reported before: a one-time event
		} else {
			s.rev++
			e.Revision = s.rev
		}
		return e, true, 0
	}
	t := s.ss.timing
	var due time.Time
	switch {
	case s.rev == 0:
		due = s.actedAt.Add(t.First)
	case s.dirty && len(s.ev.Details) >= t.SlowAfter:
		due = last.Add(t.Slow)
	case s.dirty:
		due = last.Add(t.Every)
	default:
		due = last.Add(t.Keepalive)
	}
	if wait = time.Until(due); wait > 0 {
		return nil, false, wait
	}
	s.rev++
	s.dirty = false
	e = s.copyLocked(false)
	e.Revision = s.rev
	return e, false, 0
}
