package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"honeysens/app/model"
)

// Outbox names one delivery queue: the mail outbox, or the queue of one output in
// output_outbox. Every queue keeps the same states (status 0 queued, 1 sent, 2 failed; a queued
// message is due at next_attempt and gives up at give_up_at), so one set of operations below
// and one delivery loop (notify/outbox) serve them all.
type Outbox struct {
	table  string
	output int64 // the output whose queue it is; 0 for mail
}

// MailOutbox is the queue of the mails.
func MailOutbox() Outbox { return Outbox{table: "mail_outbox"} }

// OutputOutbox is the queue of one output.
func OutputOutbox(id int64) Outbox { return Outbox{table: "output_outbox", output: id} }

// scope is the condition that keeps a statement inside the queue, with its argument.
func (q Outbox) scope() (string, []any) {
	if q.output == 0 {
		return "1", nil
	}
	return "output_id = ?", []any{q.output}
}

// outboxExec runs an UPDATE or DELETE of the queue's rows; where has the row conditions.
func (s *Store) outboxExec(ctx context.Context, q Outbox, what, set, where string, args ...any) (int64, error) {
	scope, sargs := q.scope()
	res, err := s.w.ExecContext(ctx, set+` WHERE (`+where+`) AND `+scope, append(args, sargs...)...)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", what, err)
	}
	return res.RowsAffected()
}

// OutboxOutcome is what became of one message in a delivery round.
type OutboxOutcome struct {
	ID     int64
	Reason string    // why the attempt failed; "" when the message was delivered
	Final  bool      // the receiver refused the message for good
	Next   time.Time // after a failure that is not final: when to try again (past the give-up time it fails)
}

// RecordOutbox records the outcomes of a delivery round, and the output's last success and last
// error, in one transaction: one commit (one sync) per round instead of one per message, so
// delivery hardly competes with ingest for the writer.
func (s *Store) RecordOutbox(ctx context.Context, q Outbox, now time.Time, outcomes []OutboxOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	scope, sargs := q.scope()
	var sent []int64
	var lastError string
	for _, o := range outcomes {
		if o.Reason == "" {
			sent = append(sent, o.ID)
		} else {
			lastError = o.Reason
		}
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if len(sent) > 0 {
			list, args := idList(sent)
			args = append(append([]any{ms(now)}, args...), sargs...)
			// The unary + keeps the planner on the ids: with the queue's index on output_id it
			// would walk every message the output ever had.
			if _, err := tx.ExecContext(ctx, `UPDATE `+q.table+` SET status = 1, attempts = attempts + 1, last_error = '', done_at = ?
				WHERE id IN `+list+` AND +(`+scope+`)`, args...); err != nil {
				return fmt.Errorf("store: record delivery: %w", err)
			}
		}
		for _, o := range outcomes {
			var set string
			var args []any
			switch {
			case o.Reason == "":
				continue
			case o.Final:
				set, args = `status = 2, attempts = attempts + 1, last_error = ?, done_at = ?`, []any{o.Reason, ms(now)}
			default:
				set = `attempts = attempts + 1, last_error = ?, next_attempt = ?,
					status = CASE WHEN ? > give_up_at THEN 2 ELSE 0 END, done_at = CASE WHEN ? > give_up_at THEN ? END`
				args = []any{o.Reason, ms(o.Next), ms(o.Next), ms(o.Next), ms(now)}
			}
			args = append(append(args, o.ID), sargs...)
			if _, err := tx.ExecContext(ctx, `UPDATE `+q.table+` SET `+set+` WHERE id = ? AND `+scope, args...); err != nil {
				return fmt.Errorf("store: record delivery: %w", err)
			}
		}
		if q.output == 0 {
			return nil
		}
		if len(sent) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE outputs SET last_success = ? WHERE id = ?`, ms(now), q.output); err != nil {
				return fmt.Errorf("store: output result: %w", err)
			}
		}
		if lastError != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE outputs SET last_error = ?, last_error_at = ? WHERE id = ?`,
				lastError, ms(now), q.output); err != nil {
				return fmt.Errorf("store: output result: %w", err)
			}
		}
		return nil
	})
}

// ExpireOutbox fails the queued messages whose give-up time has passed, with the reason. A
// courier whose receiver is off calls it at every wake-up (up to four a second while ingest commits), so it looks
// first with a reader and takes the writer, which ingest needs, only when a message expired.
func (s *Store) ExpireOutbox(ctx context.Context, q Outbox, now time.Time, reason string) error {
	scope, args := q.scope()
	var expired bool
	if err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+q.table+` WHERE status = 0 AND give_up_at < ? AND `+scope+`)`,
		append([]any{ms(now)}, args...)...).Scan(&expired); err != nil {
		return fmt.Errorf("store: expire messages: %w", err)
	}
	if !expired {
		return nil
	}
	_, err := s.outboxExec(ctx, q, "expire messages", `UPDATE `+q.table+` SET status = 2, done_at = ?,
		last_error = CASE WHEN last_error = '' THEN ? ELSE last_error END`, `status = 0 AND give_up_at < ?`, ms(now), reason, ms(now))
	return err
}

// RetryOutbox makes every queued message due now and queues the messages that failed since
// failedSince again, with a new give-up time; it returns how many messages it touched.
func (s *Store) RetryOutbox(ctx context.Context, q Outbox, now, giveUpAt, failedSince time.Time) (int64, error) {
	return s.outboxExec(ctx, q, "retry messages", `UPDATE `+q.table+` SET next_attempt = ?, last_error = '',
		give_up_at = CASE WHEN status = 2 THEN ? ELSE give_up_at END, status = 0, done_at = NULL`,
		`status = 0 OR (status = 2 AND done_at >= ?)`, ms(now), ms(giveUpAt), ms(failedSince))
}

// DeleteOldOutbox forgets sent and failed messages finished before the time.
func (s *Store) DeleteOldOutbox(ctx context.Context, q Outbox, before time.Time) error {
	_, err := s.outboxExec(ctx, q, "delete old messages", `DELETE FROM `+q.table, `status IN (1, 2) AND done_at < ?`, ms(before))
	return err
}

// NextOutboxAttempt returns when the earliest queued message is due; ok is false if none is
// queued.
func (s *Store) NextOutboxAttempt(ctx context.Context, q Outbox) (t time.Time, ok bool, err error) {
	scope, args := q.scope()
	var v sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT min(next_attempt) FROM `+q.table+` WHERE status = 0 AND `+scope, args...).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("store: next attempt: %w", err)
	}
	return fromMS(v.Int64), v.Valid, nil
}

// OutboxCounts counts a queue's messages by status.
func (s *Store) OutboxCounts(ctx context.Context, q Outbox) (map[string]int, error) {
	out := map[string]int{model.MailQueued: 0, model.MailSent: 0, model.MailFailed: 0}
	scope, args := q.scope()
	rows, err := s.r.QueryContext(ctx, `SELECT status, count(*) FROM `+q.table+` WHERE `+scope+` GROUP BY status`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: count messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status, n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, err
		}
		if status >= 0 && status < len(mailStatusName) {
			out[mailStatusName[status]] = n
		}
	}
	return out, rows.Err()
}
