package notify

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"honeysens/app/mail"
	"honeysens/app/model"
)

// deliverLoop sends due mails, then sleeps until the next one is due, a wake-up or pollEvery.
// After an error it waits pollEvery at least, so a failing database cannot make it spin.
func (s *Service) deliverLoop(ctx context.Context) {
	for {
		enabled, err := s.Deliver(ctx)
		wait := pollEvery
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("mail delivery failed", "component", "notify", "err", err)
			}
		} else if next, ok, err := s.st.NextMailAttempt(ctx); err == nil && ok && enabled {
			wait = min(wait, max(next.Sub(s.Now()), s.server.retryAt().Sub(s.Now()), 0))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.deliverWake:
		case <-t.C:
		}
		t.Stop()
	}
}

// serverState is what the delivery loop knows about the mail server between rounds. Only the
// loop (or a test driving Deliver) touches it, except that Retry may clear the wait.
type serverState struct {
	retryAtMS atomic.Int64   // after a server failure: no attempt before this (Unix ms)
	failures  int            // consecutive server failures, for the backoff
	unmarked  map[int64]bool // mails the server took whose "sent" could not be recorded
}

func (st *serverState) retryAt() time.Time { return time.UnixMilli(st.retryAtMS.Load()) }

// deliverBatch bounds the mails one round sends before it looks at the settings again.
const deliverBatch = 50

// Deliver sends the mails that are due and reports whether mail is enabled. While it is not,
// mails stay queued (switching it on sends them) until their give-up time. A failure that
// concerns the server (unreachable, TLS, login) ends the round, and no mail is tried before
// the server's backoff has passed: the others would only fail the same way, each after a
// timeout. A mail the server refuses for good (5xx) fails at once; any other failure is
// tried again after Backoff, until GiveUpAfter.
func (s *Service) Deliver(ctx context.Context) (enabled bool, err error) {
	set, err := s.settings(ctx)
	if err != nil {
		return false, err
	}
	if !set.Enabled {
		return false, s.st.ExpireMails(ctx, s.Now(), "E-mail notifications were disabled.")
	}
	if s.Now().Before(s.server.retryAt()) {
		return true, nil
	}
	// A mail that went out must never go out again, even when recording it failed before.
	for id := range s.server.unmarked {
		if err := s.markSent(ctx, id); err != nil {
			return true, err
		}
		delete(s.server.unmarked, id)
	}
	due, err := s.st.DueMails(ctx, s.Now(), deliverBatch)
	if err != nil {
		return true, err
	}
	for _, m := range due {
		now := s.Now()
		err := s.sender.Send(ctx, set, mail.Message{To: m.Recipient, Subject: m.Subject, Body: m.Body})
		if err == nil {
			s.server.failures = 0
			if err := s.markSent(ctx, m.ID); err != nil {
				s.server.unmarked[m.ID] = true
				return true, err
			}
			continue
		}
		if ctx.Err() != nil {
			return true, nil // shutting down: the mail stays queued as it was
		}
		var me *mail.Error
		switch {
		case errors.As(err, &me) && me.Permanent():
			err = s.st.MailFailed(ctx, m.ID, err.Error(), now)
		case serverFailure(err):
			s.server.failures++
			retry := now.Add(s.Backoff(s.server.failures))
			s.server.retryAtMS.Store(retry.UnixMilli())
			s.log.Warn("mail server failed, mails wait", "component", "notify", "err", err, "retry_at", retry)
			// After the others that are due by then, so one troublesome mail cannot block them.
			return true, s.st.MailAttemptFailed(ctx, m.ID, err.Error(), now, retry.Add(time.Millisecond))
		default:
			err = s.st.MailAttemptFailed(ctx, m.ID, err.Error(), now, now.Add(s.Backoff(m.Attempts+1)))
		}
		if err != nil {
			return true, err
		}
	}
	return true, nil
}

// markSent records a delivered mail even while the appliance shuts down: the server has it.
func (s *Service) markSent(ctx context.Context, id int64) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return s.st.MailSent(ctx, id, s.Now())
}

// serverFailure reports whether a send error concerns the mail server rather than this mail.
func serverFailure(err error) bool {
	var me *mail.Error
	if !errors.As(err, &me) {
		return true
	}
	return me.Kind != mail.KindRejected
}

// SendTest sends the test mail with the given (possibly unsaved) settings, at once and not
// through the outbox: the operator waits for the answer.
func (s *Service) SendTest(ctx context.Context, set model.SMTPSettings, to string) error {
	return s.sender.Send(ctx, set, mail.Message{To: to, Subject: "HoneySens test notification",
		Body: "This is a test mail from your HoneySens appliance: the e-mail settings work.\n"})
}

// retryFailedWithin is how far back "retry" reaches for failed mails.
const retryFailedWithin = 7 * 24 * time.Hour

// Retry makes queued mails due now and, with failedToo, queues the mails that failed within
// the last week again (retried for another GiveUpAfter). Settings being saved use it without
// failedToo: the operator has probably just fixed what made the queued mails fail.
func (s *Service) Retry(ctx context.Context, failedToo bool) (int64, error) {
	now := s.Now()
	failedSince := now // none
	if failedToo {
		failedSince = now.Add(-retryFailedWithin)
	}
	n, err := s.st.RetryMails(ctx, now, now.Add(GiveUpAfter), failedSince)
	if err == nil {
		s.server.retryAtMS.Store(0)
		signal(s.deliverWake)
	}
	return n, err
}

// Forget removes sent and failed mails older than the retention time.
func (s *Service) Forget(ctx context.Context) error {
	return s.st.DeleteOldMails(ctx, s.Now().Add(-keepDone))
}
