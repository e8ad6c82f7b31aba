// Package outbox delivers a durable queue: the mails and every output (syslog, webhook) use
// it. Messages are written to the store before anything is sent (in the transaction of what
// they cover); a Courier per queue sends the due ones through its Channel a batch at a time,
// retries with a growing pause, pauses the whole queue while the receiver is down, and records
// each acknowledged send (with the rest of the batch's outcomes, in one write) so that it is
// never sent again.
package outbox

import (
	"context"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"honeysens/app/store"
)

// Verdict is what a failed send means for the message and its queue.
type Verdict int

const (
	// Again means this message failed; try it again after the backoff.
	Again Verdict = iota
	// Refused means the receiver refused this message for good.
	Refused
	// Down means the receiver is unreachable or refuses everyone; every message waits.
	Down
)

// Message is one queued message as the courier sees it; Value is the channel's own.
type Message struct {
	ID       int64
	Attempts int
	Value    any
}

// Channel is one way out: the mail server, a syslog receiver, a webhook.
type Channel interface {
	// Ready reports whether the channel delivers now. While it does not, its messages stay
	// queued until their give-up time, then fail with reason.
	Ready(ctx context.Context) (ok bool, reason string, err error)
	// Due returns up to limit messages whose next attempt has come, oldest first.
	Due(ctx context.Context, now time.Time, limit int) ([]Message, error)
	// Send delivers the messages in order and returns the outcome of each one it tried: nil
	// means the receiver acknowledged it. It starts no message after a failure Judge calls
	// Down (those already under way get their outcome too), so the outcomes may be fewer than
	// the messages; those left out stay queued as they were.
	Send(ctx context.Context, ms []Message) []error
	// Judge says what a Send error means.
	Judge(err error) Verdict
}

// PollEvery is how often a courier looks even without a wake-up: it bounds a missed signal.
const PollEvery = 15 * time.Second

// gather is the least time between the starts of two rounds unless the first was full.
const gather = 250 * time.Millisecond

// A round sends up to Round messages before it asks Ready again and records what became of
// them, in one write. A courier may let its rounds grow: after a round without a failure the
// next one takes up to twice as many as it took, up to its largest round (see New). Each
// write costs a sync of the database, which the writer shares with ingest, so for a queue
// that can run deep (an output after an outage) it must cost less per message the more there
// is to send. A failed round starts small again.
const (
	Round        = 100
	GrowingRound = 1600
)

// Courier delivers one queue. Only its loop (or a test driving Deliver) sends; Retry and Wake
// may be called from anywhere.
type Courier struct {
	st      *store.Store
	queue   store.Outbox
	ch      Channel
	log     *slog.Logger
	now     func() time.Time
	backoff func(n int) time.Duration

	wake      chan struct{}
	retryAtMS atomic.Int64   // after the receiver failed: no attempt before this (Unix ms)
	failures  int            // consecutive receiver failures, for the backoff
	size      int            // messages the next round takes
	maxSize   int            // the most a round takes
	full      bool           // the last round took as many messages as it could: more may be due
	unmarked  map[int64]bool // messages the receiver took whose "sent" could not be recorded
}

// New builds a courier for a queue whose rounds take up to maxRound messages (Round: always
// the same size; GrowingRound: growing while the queue is deep). A round's outcomes are
// recorded when it ends, so mail, sent one message after the other, keeps Round: the queue's
// counts move and a change of the mail settings applies soon. now and backoff are called on
// every use, so a test may swap what they call.
func New(st *store.Store, queue store.Outbox, ch Channel, log *slog.Logger, maxRound int, now func() time.Time, backoff func(n int) time.Duration) *Courier {
	return &Courier{st: st, queue: queue, ch: ch, log: log, now: now, backoff: backoff,
		wake: make(chan struct{}, 1), unmarked: map[int64]bool{}, size: Round, maxSize: max(maxRound, Round)}
}

// DefaultBackoff waits 30 s after the first failure, doubling up to 30 minutes.
func DefaultBackoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < 30*time.Minute; i++ {
		d *= 2
	}
	return min(d, 30*time.Minute)
}

// Wake makes the loop look at the queue now.
func (c *Courier) Wake() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Run sends due messages, then sleeps until the next one is due, a wake-up or PollEvery, until
// ctx ends. After an error it waits PollEvery at least, so a failing database cannot make it
// spin.
func (c *Courier) Run(ctx context.Context) {
	for {
		started := time.Now()
		ready, err := c.Deliver(ctx)
		wait := PollEvery
		if err != nil {
			if ctx.Err() == nil {
				c.log.Error("delivery failed", "err", err)
			}
		} else if next, ok, err := c.st.NextOutboxAttempt(ctx, c.queue); err == nil && ok && ready {
			wait = min(wait, max(next.Sub(c.now()), c.retryAt().Sub(c.now()), 0))
		}
		if !sleep(ctx, c.wake, wait) {
			return
		}
		// What is committed meanwhile goes out with what woke the loop: one write of outcomes
		// for all of it, where a round per ingest commit would take the writer from ingest as
		// often as ingest commits. After a full round more is waiting: it goes on at once.
		if !c.full && !sleep(ctx, nil, time.Until(started.Add(gather))) {
			return
		}
	}
}

// sleep waits d, or until wake delivers, and reports false if ctx ended first.
func sleep(ctx context.Context, wake <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-t.C:
	}
	return true
}

func (c *Courier) retryAt() time.Time { return time.UnixMilli(c.retryAtMS.Load()) }

// Deliver sends the messages that are due and reports whether the channel is ready. A failure
// of the receiver (Down) ends the round, and no message is tried before the receiver's backoff
// has passed: the others would only fail the same way, each after a timeout. A message the
// receiver refuses for good fails at once; any other failure is tried again after the backoff,
// until the message's give-up time. What became of the round's messages is recorded in one
// write after they were sent.
func (c *Courier) Deliver(ctx context.Context) (ready bool, err error) {
	c.full = false
	ok, reason, err := c.ch.Ready(ctx)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, c.st.ExpireOutbox(ctx, c.queue, c.now(), reason)
	}
	if c.now().Before(c.retryAt()) {
		return true, nil
	}
	// A message that went out must never go out again, even when recording it failed before.
	if len(c.unmarked) > 0 {
		var sent []store.OutboxOutcome
		for id := range c.unmarked {
			sent = append(sent, store.OutboxOutcome{ID: id})
		}
		if err := c.record(ctx, sent); err != nil {
			return true, err
		}
		clear(c.unmarked)
	}
	due, err := c.ch.Due(ctx, c.now(), c.size)
	c.full = len(due) == c.size
	if err != nil || len(due) == 0 {
		return true, err
	}
	results := c.ch.Send(ctx, due)
	c.size = nextSize(len(due), results, c.maxSize)
	now := c.now()
	retry := c.hold(ctx, now, results)
	outcomes := make([]store.OutboxOutcome, 0, len(results))
	for i, err := range results {
		m := due[i]
		if err == nil {
			outcomes = append(outcomes, store.OutboxOutcome{ID: m.ID})
			continue
		}
		if ctx.Err() != nil {
			continue // shutting down: the message stays queued as it was
		}
		o := store.OutboxOutcome{ID: m.ID, Reason: err.Error()}
		switch c.ch.Judge(err) {
		case Refused:
			o.Final = true
		case Down:
			// After the others that are due by then, so one troublesome message cannot block them.
			o.Next = retry.Add(time.Millisecond)
		default:
			o.Next = now.Add(c.backoff(m.Attempts + 1))
		}
		outcomes = append(outcomes, o)
	}
	if err := c.record(ctx, outcomes); err != nil {
		for _, o := range outcomes {
			if o.Reason == "" {
				c.unmarked[o.ID] = true
			}
		}
		return true, err
	}
	return true, nil
}

// hold starts the receiver's backoff when a round's results hold a failure of the receiver
// (Down) and returns when it ends. The failures count rounds, not messages: the requests a
// channel had under way at once fail together. A message the receiver took in the round
// shows that it answered, so the count starts again.
func (c *Courier) hold(ctx context.Context, now time.Time, results []error) time.Time {
	i := slices.IndexFunc(results, func(err error) bool { return err != nil && c.ch.Judge(err) == Down })
	if slices.Contains(results, nil) {
		c.failures = 0
	}
	if i < 0 || ctx.Err() != nil {
		return time.Time{}
	}
	c.failures++
	retry := now.Add(c.backoff(c.failures))
	c.retryAtMS.Store(retry.UnixMilli())
	c.log.Warn("receiver failed, messages wait", "err", results[i], "retry_at", retry)
	return retry
}

// nextSize is the size of the round after one that took n messages and got results: twice
// what it took, as the queue grows about as fast again by the next round, up to most; a
// failure starts small again.
func nextSize(n int, results []error, most int) int {
	if len(results) < n || slices.ContainsFunc(results, func(err error) bool { return err != nil }) {
		return Round
	}
	return min(max(2*n, Round), most)
}

// record writes a round's outcomes even while the appliance shuts down: the receiver has the
// messages that went out.
func (c *Courier) record(ctx context.Context, outcomes []store.OutboxOutcome) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return c.st.RecordOutbox(ctx, c.queue, c.now(), outcomes)
}

// retryFailedWithin is how far back "retry" reaches for failed messages.
const retryFailedWithin = 7 * 24 * time.Hour

// Retry makes queued messages due now and, with failedToo, queues the messages that failed
// within the last week again (retried for another giveUpAfter). It also ends the receiver's
// backoff: the operator has probably just fixed what made them fail.
func (c *Courier) Retry(ctx context.Context, failedToo bool, giveUpAfter time.Duration) (int64, error) {
	now := c.now()
	failedSince := now // none
	if failedToo {
		failedSince = now.Add(-retryFailedWithin)
	}
	n, err := c.st.RetryOutbox(ctx, c.queue, now, now.Add(giveUpAfter), failedSince)
	if err == nil {
		c.retryAtMS.Store(0)
		c.Wake()
	}
	return n, err
}

// Forget removes sent and failed messages finished longer ago than keep.
func (c *Courier) Forget(ctx context.Context, keep time.Duration) error {
	return c.st.DeleteOldOutbox(ctx, c.queue, c.now().Add(-keep))
}
