package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"honeysens/app/model"
)

// The outbox's status column.
var (
	mailStatusCode = map[string]int{model.MailQueued: 0, model.MailSent: 1, model.MailFailed: 2}
	mailStatusName = []string{model.MailQueued, model.MailSent, model.MailFailed}
)

const mailColumns = `id, kind, recipient, subject, body, status, attempts, last_error, created_at, next_attempt, give_up_at, done_at`

func scanMail(row interface{ Scan(...any) error }) (*model.Mail, error) {
	var m model.Mail
	var status int
	var created, next, giveUp int64
	var done sql.NullInt64
	if err := row.Scan(&m.ID, &m.Kind, &m.Recipient, &m.Subject, &m.Body, &status, &m.Attempts, &m.LastError,
		&created, &next, &giveUp, &done); err != nil {
		return nil, err
	}
	if status >= 0 && status < len(mailStatusName) {
		m.Status = mailStatusName[status]
	}
	m.CreatedAt, m.NextAttempt, m.GiveUpAt = fromMS(created), fromMS(next), fromMS(giveUp)
	if done.Valid {
		t := fromMS(done.Int64)
		m.DoneAt = &t
	}
	return &m, nil
}

// MailBatch is what one notification pass writes, all in one transaction: the mails it queues
// together with how far it got, so that after a crash the pass is neither lost nor repeated.
type MailBatch struct {
	Mails        []model.Mail
	Marks        map[string]int64 // notify_marks to set
	StatusMailed []int64          // sensor_status_log rows whose mails are queued
	Storms       []model.Storm    // storm folds opened or grown
	ClosedStorms []string         // recipients whose fold became a summary mail
}

// Empty reports whether the batch writes nothing.
func (b *MailBatch) Empty() bool {
	return len(b.Mails) == 0 && len(b.Marks) == 0 && len(b.StatusMailed) == 0 && len(b.Storms) == 0 && len(b.ClosedStorms) == 0
}

// QueueMails writes a notification pass. Each mail is queued as due at once; its CreatedAt and
// GiveUpAt must be set.
func (s *Store) QueueMails(ctx context.Context, b MailBatch) error {
	if b.Empty() {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, m := range b.Mails {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mail_outbox (kind, recipient, subject, body, created_at, next_attempt, give_up_at)
				VALUES (?,?,?,?,?,?,?)`, m.Kind, m.Recipient, m.Subject, m.Body, ms(m.CreatedAt), ms(m.CreatedAt), ms(m.GiveUpAt)); err != nil {
				return fmt.Errorf("store: queue mail: %w", err)
			}
		}
		for name, v := range b.Marks {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notify_marks (name, value) VALUES (?, ?)
				ON CONFLICT DO UPDATE SET value = excluded.value`, name, v); err != nil {
				return fmt.Errorf("store: set notify mark: %w", err)
			}
		}
		for _, id := range b.StatusMailed {
			if _, err := tx.ExecContext(ctx, `UPDATE sensor_status_log SET mailed = 1 WHERE id = ?`, id); err != nil {
				return fmt.Errorf("store: status change notified: %w", err)
			}
		}
		for _, st := range b.Storms {
			lines, err := json.Marshal(st.Lines)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO mail_storms (recipient, opened_at, events, critical, first_at, last_at, lines)
				VALUES (?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET events = excluded.events, critical = excluded.critical,
				last_at = excluded.last_at, lines = excluded.lines`,
				st.Recipient, ms(st.OpenedAt), st.Events, st.Critical, ms(st.FirstAt), ms(st.LastAt), string(lines)); err != nil {
				return fmt.Errorf("store: storm fold: %w", err)
			}
		}
		for _, r := range b.ClosedStorms {
			if _, err := tx.ExecContext(ctx, `DELETE FROM mail_storms WHERE recipient = ?`, r); err != nil {
				return fmt.Errorf("store: close storm fold: %w", err)
			}
		}
		return nil
	})
}

// NotifyMark returns a notify_marks value; ok is false if it was never set.
func (s *Store) NotifyMark(ctx context.Context, name string) (v int64, ok bool, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT value FROM notify_marks WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: notify mark %s: %w", name, err)
	}
	return v, true, nil
}

// Storms returns the storm guard's open folds.
func (s *Store) Storms(ctx context.Context) (map[string]*model.Storm, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT recipient, opened_at, events, critical, first_at, last_at, lines FROM mail_storms`)
	if err != nil {
		return nil, fmt.Errorf("store: storms: %w", err)
	}
	defer rows.Close()
	out := map[string]*model.Storm{}
	for rows.Next() {
		var st model.Storm
		var opened, first, last int64
		var lines string
		if err := rows.Scan(&st.Recipient, &opened, &st.Events, &st.Critical, &first, &last, &lines); err != nil {
			return nil, fmt.Errorf("store: storms: %w", err)
		}
		st.OpenedAt, st.FirstAt, st.LastAt = fromMS(opened), fromMS(first), fromMS(last)
		if err := json.Unmarshal([]byte(lines), &st.Lines); err != nil {
			return nil, fmt.Errorf("store: storm lines of %s: %w", st.Recipient, err)
		}
		out[st.Recipient] = &st
	}
	return out, rows.Err()
}

// EventMailsSince counts the event mails queued for each recipient since the time: the storm
// guard's measure.
func (s *Store) EventMailsSince(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT recipient, count(*) FROM mail_outbox WHERE kind = ? AND created_at > ?
		GROUP BY recipient`, model.MailEvent, ms(since))
	if err != nil {
		return nil, fmt.Errorf("store: recent event mails: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var r string
		var n int
		if err := rows.Scan(&r, &n); err != nil {
			return nil, err
		}
		out[r] = n
	}
	return out, rows.Err()
}

// DueMails returns queued mails whose next attempt has come, oldest first.
func (s *Store) DueMails(ctx context.Context, now time.Time, limit int) ([]*model.Mail, error) {
	return s.mailList(ctx, `SELECT `+mailColumns+` FROM mail_outbox WHERE status = 0 AND next_attempt <= ?
		ORDER BY next_attempt, id LIMIT ?`, ms(now), limit)
}

// Mails lists the outbox, newest first, optionally only one status.
func (s *Store) Mails(ctx context.Context, status string, limit int) ([]*model.Mail, error) {
	q := `SELECT ` + mailColumns + ` FROM mail_outbox`
	var args []any
	if status != "" {
		code, ok := mailStatusCode[status]
		if !ok {
			return nil, &model.Error{Code: model.ErrInvalid, Message: "Unknown mail status.",
				Fields: map[string]string{"status": "Use queued, sent or failed."}}
		}
		q += ` WHERE status = ?`
		args = append(args, code)
	}
	return s.mailList(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
}

// Mail returns one mail of the outbox.
func (s *Store) Mail(ctx context.Context, id int64) (*model.Mail, error) {
	m, err := scanMail(s.r.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM mail_outbox WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No such mail.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: get mail: %w", err)
	}
	return m, nil
}

func (s *Store) mailList(ctx context.Context, q string, args ...any) ([]*model.Mail, error) {
	return queryAll(ctx, s, "list mails", scanMail, q, args...)
}

// MailCounts counts the outbox by status.
func (s *Store) MailCounts(ctx context.Context) (map[string]int, error) {
	return s.OutboxCounts(ctx, MailOutbox())
}

// Templates returns the operator's own template texts by type.
func (s *Store) Templates(ctx context.Context) (map[string]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT type, body FROM mail_templates`)
	if err != nil {
		return nil, fmt.Errorf("store: templates: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var t, b string
		if err := rows.Scan(&t, &b); err != nil {
			return nil, err
		}
		out[t] = b
	}
	return out, rows.Err()
}

// SetTemplate stores the operator's text for a template type; nil goes back to the default.
func (s *Store) SetTemplate(ctx context.Context, kind string, body *string) error {
	var err error
	if body == nil {
		_, err = s.w.ExecContext(ctx, `DELETE FROM mail_templates WHERE type = ?`, kind)
	} else {
		_, err = s.w.ExecContext(ctx, `INSERT INTO mail_templates (type, body, updated_at) VALUES (?,?,?)
			ON CONFLICT DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`, kind, *body, ms(s.now()))
	}
	if err != nil {
		return fmt.Errorf("store: set template %s: %w", kind, err)
	}
	return nil
}
