package store

import (
	"context"
	"fmt"
)

// Optimize refreshes the query planner's statistics. analysis_limit makes ANALYZE sample each
// index instead of reading it whole, so this takes milliseconds even at millions of events;
// without statistics SQLite may sort a whole table instead of walking the sort column's index.
func (s *Store) Optimize(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA optimize;`); err != nil {
		return fmt.Errorf("store: optimize: %w", err)
	}
	return nil
}

// Checkpoint copies the WAL into the database file and truncates it.
func (s *Store) Checkpoint(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	return nil
}
