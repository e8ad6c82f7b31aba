package notify

import (
	"context"
	"errors"
	"time"

	"honeysens/app/mail"
	"honeysens/app/model"
	"honeysens/app/notify/outbox"
	"honeysens/app/store"
)

// mailChannel is the outbox's way out for mails: the SMTP server of the settings.
type mailChannel struct {
	s   *Service
	set model.SMTPSettings // read by Ready for the round's sends
}

// Ready reads the settings: while mail is disabled, mails wait until they give up.
func (ch *mailChannel) Ready(ctx context.Context) (bool, string, error) {
	set, err := ch.s.settings(ctx)
	if err != nil {
		return false, "", err
	}
	ch.set = set
	return set.Enabled, "E-mail notifications were disabled.", nil
}

func (ch *mailChannel) Due(ctx context.Context, now time.Time, limit int) ([]outbox.Message, error) {
	due, err := ch.s.st.DueMails(ctx, now, limit)
	if err != nil {
		return nil, err
	}
	out := make([]outbox.Message, len(due))
	for i, m := range due {
		out[i] = outbox.Message{ID: m.ID, Attempts: m.Attempts, Value: m}
	}
	return out, nil
}

// Send sends the mails one by one, until the server fails or the appliance shuts down.
func (ch *mailChannel) Send(ctx context.Context, ms []outbox.Message) []error {
	var results []error
	for _, m := range ms {
		ml := m.Value.(*model.Mail)
		err := ch.s.sender.Send(ctx, ch.set, mail.Message{To: ml.Recipient, Subject: ml.Subject, Body: ml.Body})
		results = append(results, err)
		if err != nil && (ch.Judge(err) == outbox.Down || ctx.Err() != nil) {
			break
		}
	}
	return results
}

// Judge: a recipient refused for good (5xx) fails its mail; a failure of the server
// (unreachable, TLS, login) holds every mail; anything else is tried again.
func (ch *mailChannel) Judge(err error) outbox.Verdict {
	var me *mail.Error
	switch {
	case errors.As(err, &me) && me.Permanent():
		return outbox.Refused
	case !errors.As(err, &me) || me.Kind != mail.KindRejected:
		return outbox.Down
	}
	return outbox.Again
}

func newCourier(s *Service) *outbox.Courier {
	return outbox.New(s.st, store.MailOutbox(), &mailChannel{s: s}, s.log.With("component", "notify"), outbox.Round,
		func() time.Time { return s.Now() }, func(n int) time.Duration { return s.Backoff(n) })
}

// Deliver sends the mails that are due and reports whether mail is enabled (see
// outbox.Courier.Deliver for what happens on failures).
func (s *Service) Deliver(ctx context.Context) (enabled bool, err error) {
	return s.courier.Deliver(ctx)
}

// SendTest sends the test mail with the given (possibly unsaved) settings, at once and not
// through the outbox: the operator waits for the answer.
func (s *Service) SendTest(ctx context.Context, set model.SMTPSettings, to string) error {
	return s.sender.Send(ctx, set, mail.Message{To: to, Subject: "HoneySens test notification",
		Body: "This is a test mail from your HoneySens appliance: the e-mail settings work.\n"})
}

// Retry makes queued mails due now and, with failedToo, queues the mails that failed within
// the last week again (retried for another GiveUpAfter). Settings being saved use it without
// failedToo: the operator has probably just fixed what made the queued mails fail.
func (s *Service) Retry(ctx context.Context, failedToo bool) (int64, error) {
	return s.courier.Retry(ctx, failedToo, GiveUpAfter)
}

// Forget removes sent and failed mails older than the retention time.
func (s *Service) Forget(ctx context.Context) error {
	return s.courier.Forget(ctx, keepDone)
}
