package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"honeysens/app/model"
)

// CreateToken stores a personal API token by the hash of its secret and sets t.ID.
func (s *Store) CreateToken(ctx context.Context, t *model.APIToken, tokenHash string) error {
	now := s.now()
	res, err := s.w.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?,?,?,?)`,
		t.UserID, t.Name, tokenHash, ms(now))
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	t.ID, _ = res.LastInsertId()
	t.CreatedAt = fromMS(ms(now))
	return nil
}

// Tokens lists a user's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]*model.APIToken, error) {
	return queryAll(ctx, s, "list tokens", scanToken,
		`SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
}

const tokenColumns = `id, user_id, name, created_at, last_used_at, last_used_ip`

func scanToken(row interface{ Scan(...any) error }) (*model.APIToken, error) {
	t := &model.APIToken{}
	var created int64
	var used sql.NullInt64
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &created, &used, &t.LastUsedIP); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMS(created)
	if used.Valid {
		u := fromMS(used.Int64)
		t.LastUsedAt = &u
	}
	return t, nil
}

// TokenByHash returns the token whose secret hashes to tokenHash.
func (s *Store) TokenByHash(ctx context.Context, tokenHash string) (*model.APIToken, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ?`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrUnauthorized, "Unknown API token.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: get token: %w", err)
	}
	return t, nil
}

// TouchToken records the use of a token, when and from which address.
func (s *Store) TouchToken(ctx context.Context, id int64, at time.Time, ip string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ?, last_used_ip = ? WHERE id = ?`, ms(at), ip, id)
	return err
}

// DeleteToken removes one of a user's tokens and returns it.
func (s *Store) DeleteToken(ctx context.Context, userID, id int64) (*model.APIToken, error) {
	t := &model.APIToken{ID: id, UserID: userID}
	err := s.w.QueryRowContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ? RETURNING name`, id, userID).Scan(&t.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No such token.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: delete token: %w", err)
	}
	return t, nil
}
