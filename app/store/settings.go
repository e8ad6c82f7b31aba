package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Settings reads a settings section into dst, which holds the defaults: keys the stored
// section lacks (it may come from an older release) keep them.
func (s *Store) Settings(ctx context.Context, section string, dst any) error {
	var raw string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE section = ?`, section).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: read settings %s: %w", section, err)
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return fmt.Errorf("store: decode settings %s: %w", section, err)
	}
	return nil
}

// SetSettings stores a settings section.
func (s *Store) SetSettings(ctx context.Context, section string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO settings (section, value, updated_at) VALUES (?,?,?)
		ON CONFLICT DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, section, string(raw), ms(s.now()))
	if err != nil {
		return fmt.Errorf("store: write settings %s: %w", section, err)
	}
	return nil
}
