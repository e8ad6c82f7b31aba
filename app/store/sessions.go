package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"honeysens/app/model"
)

// CreateSession stores a new browser session.
func (s *Store) CreateSession(ctx context.Context, sess *model.Session) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen, ip, user_agent)
		VALUES (?,?,?,?,?,?,?)`, sess.TokenHash, sess.UserID, sess.CSRFToken, ms(sess.CreatedAt), ms(sess.LastSeen), sess.IP, sess.UserAgent)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// Session returns the session with that token hash.
func (s *Store) Session(ctx context.Context, tokenHash string) (*model.Session, error) {
	sess, err := scanSession(s.r.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = ?`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrUnauthorized, "Please log in.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: get session: %w", err)
	}
	return sess, nil
}

const sessionColumns = `token_hash, user_id, csrf_token, created_at, last_seen, ip, user_agent`

func scanSession(row interface{ Scan(...any) error }) (*model.Session, error) {
	var sess model.Session
	var created, seen int64
	if err := row.Scan(&sess.TokenHash, &sess.UserID, &sess.CSRFToken, &created, &seen, &sess.IP, &sess.UserAgent); err != nil {
		return nil, err
	}
	sess.CreatedAt, sess.LastSeen = fromMS(created), fromMS(seen)
	return &sess, nil
}

// TouchSession records activity on a session (the idle timeout counts from here) and the
// address it came from.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time, ip string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE sessions SET last_seen = ?, ip = ? WHERE token_hash = ?`, ms(at), ip, tokenHash)
	return err
}

// UserSessions lists a user's sessions, the most recently active first.
func (s *Store) UserSessions(ctx context.Context, userID int64) ([]*model.Session, error) {
	return queryAll(ctx, s, "list sessions", scanSession, `SELECT `+sessionColumns+` FROM sessions WHERE user_id = ?
		ORDER BY last_seen DESC, created_at DESC`, userID)
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// DeleteIdleSessions removes sessions idle since before the cutoff and returns how many.
func (s *Store) DeleteIdleSessions(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen < ?`, ms(cutoff))
	if err != nil {
		return 0, fmt.Errorf("store: delete idle sessions: %w", err)
	}
	return res.RowsAffected()
}
