package notify

import (
	"context"
	"errors"
	"time"

	"honeysens/app/mail"
	"honeysens/app/model"
)

// deliverLoop sends due mails, then sleeps until the next one is due, a wake-up or pollEvery.
func (s *Service) deliverLoop(ctx context.Context) {
	for {
		enabled, err := s.Deliver(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("mail delivery failed", "component", "notify", "err", err)
		}
		wait := pollEvery
		if next, ok, err := s.st.NextMailAttempt(ctx); err == nil && ok && enabled {
			wait = min(wait, max(next.Sub(s.Now()), 0))
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

// deliverBatch bounds the mails one round sends before it looks at the settings again.
const deliverBatch = 50

// Deliver sends the mails that are due and reports whether mail is enabled. While it is not,
// mails stay queued (switching it on sends them) until their give-up time. A failure that concerns the server (unreachable, TLS,
// login) ends the round and puts off the other due mails too: they would only fail the same
// way, each after a timeout. A failed mail is tried again after Backoff, until GiveUpAfter.
func (s *Service) Deliver(ctx context.Context) (enabled bool, err error) {
	set, err := s.settings(ctx)
	if err != nil {
		return false, err
	}
	if !set.Enabled {
		return false, s.st.ExpireMails(ctx, s.Now(), "E-mail notifications were disabled.")
	}
	due, err := s.st.DueMails(ctx, s.Now(), deliverBatch)
	if err != nil {
		return true, err
	}
	for _, m := range due {
		now := s.Now()
		err := s.sender.Send(ctx, set, mail.Message{To: m.Recipient, Subject: m.Subject, Body: m.Body})
		if ctx.Err() != nil {
			return true, nil // shutting down: the mail stays queued as it was
		}
		if err == nil {
			if err := s.st.MailSent(ctx, m.ID, s.Now()); err != nil {
				return true, err
			}
			continue
		}
		next := now.Add(s.Backoff(m.Attempts + 1))
		serverDown := serverFailure(err)
		if err := s.st.MailAttemptFailed(ctx, m.ID, err.Error(), now, next, serverDown); err != nil {
			return true, err
		}
		if serverDown {
			s.log.Warn("mail server failed, mails wait", "component", "notify", "err", err, "retry_at", next)
			return true, nil
		}
	}
	return true, nil
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

// Retry makes queued mails due now and queues failed ones again (retried for another
// GiveUpAfter). failedToo false touches only the queued ones (settings were saved).
func (s *Service) Retry(ctx context.Context, failedToo bool) (int64, error) {
	now := s.Now()
	n, err := s.st.RetryMails(ctx, now, now.Add(GiveUpAfter), failedToo)
	if err == nil {
		signal(s.deliverWake)
	}
	return n, err
}

// Forget removes sent and failed mails older than the retention time.
func (s *Service) Forget(ctx context.Context) error {
	return s.st.DeleteOldMails(ctx, s.Now().Add(-keepDone))
}
