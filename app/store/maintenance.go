package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Maintain is the appliance's daily database care, in short write transactions so that ingest
// goes on meanwhile: fresh planner statistics, the search index merged into one segment, the
// free pages of deleted and archived events given back to the file system, and the WAL
// truncated.
func (s *Store) Maintain(ctx context.Context) error {
	if err := s.optimize(ctx); err != nil {
		return err
	}
	if err := s.mergeSearchIndex(ctx); err != nil {
		return err
	}
	if err := s.releaseFreePages(ctx); err != nil {
		return err
	}
	return s.Checkpoint(ctx)
}

// optimize refreshes the query planner's statistics. analysis_limit makes ANALYZE sample each
// index instead of reading it whole, so this takes milliseconds even at millions of events;
// without statistics SQLite may sort a whole table instead of walking the sort column's index.
func (s *Store) optimize(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA optimize;`); err != nil {
		return fmt.Errorf("store: optimize: %w", err)
	}
	return nil
}

// mergePages is the work of one merge transaction of the search index, in pages written.
const mergePages = 250

// mergeSearchIndex merges the trigram index's segments into one. Every ingest transaction adds
// a small segment, and SQLite's automatic merging keeps a dozen or more of them; a look-up
// seeks each trigram in every segment, so one segment makes a rare term's search several
// times faster. Each step writes about mergePages pages; a step that changed fewer than two
// rows found nothing left to merge (the FTS5 documentation's test). Such a merge rewrites
// every segment it finds, so under steady ingest it would chase new segments forever: it
// stops after writing twice the index's size, and what came in meanwhile waits for the next
// night.
func (s *Store) mergeSearchIndex(ctx context.Context) error {
	var pages int64
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM events_fts_data`).Scan(&pages); err != nil {
		return fmt.Errorf("store: merge search index: %w", err)
	}
	for step := int64(0); step <= 2*pages/mergePages; step++ {
		var before, after int64
		err := s.write(ctx, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO events_fts (events_fts, rank) VALUES ('merge', ?)`, -mergePages); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after)
		})
		if err != nil {
			return fmt.Errorf("store: merge search index: %w", err)
		}
		if after-before < 2 {
			return nil
		}
	}
	return nil
}

// freePagesStep is how many free pages one transaction gives back.
const freePagesStep = 2000

// releaseFreePages shrinks the file by its free pages (the database uses incremental
// auto-vacuum, see migrate.go), a step at a time; pages freed meanwhile wait for the next run.
func (s *Store) releaseFreePages(ctx context.Context) error {
	free, err := s.freePages(ctx)
	if err != nil {
		return err
	}
	steps := free/freePagesStep + 1
	for step := int64(0); free > 0 && step < steps; step++ {
		if err := s.releaseFreePagesStep(ctx); err != nil {
			return fmt.Errorf("store: release free pages: %w", err)
		}
		left, err := s.freePages(ctx)
		if err != nil || left >= free {
			return err // nothing moved: not an incremental auto-vacuum database
		}
		free = left
	}
	return nil
}

// releaseFreePagesStep gives back up to freePagesStep free pages. Each freed page is a result
// row of the pragma: it reads them all, or the pragma stops after one.
func (s *Store) releaseFreePagesStep(ctx context.Context) (err error) {
	rows, err := s.w.QueryContext(ctx, fmt.Sprintf(`PRAGMA incremental_vacuum(%d)`, freePagesStep))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	for rows.Next() {
	}
	return rows.Err()
}

func (s *Store) freePages(ctx context.Context) (int64, error) {
	var n int64
	if err := s.w.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: free pages: %w", err)
	}
	return n, nil
}

// Checkpoint copies the WAL into the database file and truncates it.
func (s *Store) Checkpoint(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	return nil
}
