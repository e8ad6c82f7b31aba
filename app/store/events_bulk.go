package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"honeysens/app/model"
)

// chunkSize is how many events one bulk transaction touches. A chunk holds the single writer
// for a few milliseconds, so ingest keeps flowing between chunks while "all pages" of a
// million events are edited, moved or deleted.
const chunkSize = 500

// eachChunk walks the ids of the events matching f in ascending order, chunkSize at a time,
// and calls fn with each chunk. Walking by id (not re-running the filter from the start) keeps
// it correct while fn changes whether the rows still match.
func (s *Store) eachChunk(ctx context.Context, f *EventFilter, fn func(ids []int64) error) error {
	where, args := f.where()
	q := `SELECT id FROM ` + f.table() + ` WHERE ` + where + ` AND id > ? ORDER BY id LIMIT ?`
	var last int64
	for {
		ids, err := s.chunkIDs(ctx, q, append(append([]any{}, args...), last, chunkSize))
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := fn(ids); err != nil {
			return err
		}
		if len(ids) < chunkSize {
			return nil
		}
		last = ids[len(ids)-1]
	}
}

// chunkIDs reads one chunk of eachChunk's ids; its rows are closed before fn writes.
func (s *Store) chunkIDs(ctx context.Context, q string, args []any) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: select events: %w", err)
	}
	defer rows.Close()
	ids := make([]int64, 0, chunkSize)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func idList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + ")", args
}

// EventChange is a bulk edit: nil fields stay as they are.
type EventChange struct {
	Status  *model.Status
	Comment *string
}

// UpdateEvents applies the change to every live event matching f and returns how many changed.
func (s *Store) UpdateEvents(ctx context.Context, f *EventFilter, ch EventChange) (int64, error) {
	var sets []string
	var vals []any
	if ch.Status != nil {
		sets, vals = append(sets, "status = ?"), append(vals, *ch.Status)
	}
	if ch.Comment != nil {
		sets, vals = append(sets, "comment = ?"), append(vals, *ch.Comment)
	}
	if f.Archive {
		return 0, model.Errorf(model.ErrInvalid, "Archived events are read-only.")
	}
	if len(sets) == 0 {
		return 0, nil
	}
	sets, vals = append(sets, "modified_at = ?"), append(vals, ms(s.now()))
	var total int64
	var after func(*contribution)
	if ch.Status != nil {
		after = func(c *contribution) { c.status = *ch.Status }
	}
	err := s.eachChunk(ctx, f, func(ids []int64) error {
		list, args := idList(ids)
		return s.write(ctx, func(tx *sql.Tx) error {
			update := func() error {
				res, err := tx.ExecContext(ctx, `UPDATE events SET `+strings.Join(sets, ", ")+` WHERE id IN `+list,
					append(append([]any{}, vals...), args...)...)
				if err != nil {
					return fmt.Errorf("store: update events: %w", err)
				}
				n, _ := res.RowsAffected()
				total += n
				return nil
			}
			if after == nil { // a comment only: nothing the rollups count
				return update()
			}
			return s.changeLive(ctx, tx, ids, update, after)
		})
	})
	return total, err
}

// DeleteEvents removes the matching events of f's dataset for good and returns how many.
func (s *Store) DeleteEvents(ctx context.Context, f *EventFilter) (int64, error) {
	var total int64
	err := s.eachChunk(ctx, f, func(ids []int64) error {
		list, args := idList(ids)
		return s.write(ctx, func(tx *sql.Tx) error {
			remove := func() error {
				res, err := tx.ExecContext(ctx, `DELETE FROM `+f.table()+` WHERE id IN `+list, args...)
				if err != nil {
					return fmt.Errorf("store: delete events: %w", err)
				}
				n, _ := res.RowsAffected()
				total += n
				return nil
			}
			if f.Archive {
				return remove()
			}
			return s.changeLive(ctx, tx, ids, remove, nil)
		})
	})
	return total, err
}

// ArchiveEvents moves the matching live events into the archive: each chunk is copied with the
// sensor's and group's current names frozen as text, then deleted from the live table, in one
// transaction, so an event is always in exactly one of the two.
func (s *Store) ArchiveEvents(ctx context.Context, f *EventFilter) (int64, error) {
	live := *f
	live.Archive = false
	var total int64
	err := s.eachChunk(ctx, &live, func(ids []int64) error {
		return s.write(ctx, func(tx *sql.Tx) error {
			n, err := s.archiveIDs(ctx, tx, ids)
			total += n
			return err
		})
	})
	return total, err
}

// archiveIDs moves the live events ids into the archive within tx and returns how many moved.
func (s *Store) archiveIDs(ctx context.Context, tx *sql.Tx, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	list, args := idList(ids)
	res, err := tx.ExecContext(ctx, `INSERT INTO archived_events (original_id, archived_at, timestamp,
		sensor_id, sensor_name, group_id, group_name, service, classification, source, source_key, source_port,
		target, target_port, protocol, summary, status, comment, modified_at, details_count, packets_count,
		details, packets, facts)
		SELECT e.id, ?, e.timestamp, e.sensor_id, coalesce(s.name, ''), e.group_id, coalesce(g.name, ''),
		e.service, e.classification, e.source, e.source_key, e.source_port, e.target, e.target_port,
		e.protocol, e.summary, e.status, e.comment, e.modified_at, e.details_count, e.packets_count,
		coalesce(d.details, '[]'), coalesce(d.packets, '[]'), coalesce(d.facts, '{}')
		FROM events e LEFT JOIN sensors s ON s.id = e.sensor_id LEFT JOIN groups g ON g.id = e.group_id
		LEFT JOIN event_data d ON d.event_id = e.id WHERE e.id IN `+list, append([]any{ms(s.now())}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("store: archive events: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, s.changeLive(ctx, tx, ids, func() error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE id IN `+list, args...); err != nil {
			return fmt.Errorf("store: archive events: %w", err)
		}
		return nil
	}, nil)
}
