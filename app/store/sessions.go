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
	var sess model.Session
	var created, seen int64
	err := s.r.QueryRowContext(ctx, `SELECT token_hash, user_id, csrf_token, created_at, last_seen, ip, user_agent
		FROM sessions WHERE token_hash = ?`, tokenHash).Scan(&sess.TokenHash, &sess.UserID, &sess.CSRFToken,
		&created, &seen, &sess.IP, &sess.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrUnauthorized, "Please log in.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: get session: %w", err)
	}
	sess.CreatedAt, sess.LastSeen = fromMS(created), fromMS(seen)
	return &sess, nil
}

// TouchSession records activity on a session (the idle timeout counts from here).
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE token_hash = ?`, ms(at), tokenHash)
	return err
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
