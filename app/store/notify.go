package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"honeysens/app/model"
)

// StatusNotice is a sensor status change that still needs its notifications.
type StatusNotice struct {
	ID int64 // sensor_status_log row
	model.StatusChange
	// Back is true when the sensor comes back online after an outage; an online change
	// without an earlier offline one is the sensor's first contact.
	Back bool
}

// UnmailedStatusChanges returns the status changes whose notifications are not queued yet,
// oldest first.
func (s *Store) UnmailedStatusChanges(ctx context.Context) ([]StatusNotice, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT l.id, l.sensor_id, l.time, l.online,
		coalesce((SELECT p.online = 0 FROM sensor_status_log p WHERE p.sensor_id = l.sensor_id AND p.id < l.id
			ORDER BY p.id DESC LIMIT 1), 0)
		FROM sensor_status_log l WHERE l.mailed = 0 ORDER BY l.id`)
	if err != nil {
		return nil, fmt.Errorf("store: unmailed status changes: %w", err)
	}
	defer rows.Close()
	var list []StatusNotice
	for rows.Next() {
		var n StatusNotice
		var t int64
		var prevOffline bool
		if err := rows.Scan(&n.ID, &n.SensorID, &t, &n.Online, &prevOffline); err != nil {
			return nil, fmt.Errorf("store: unmailed status changes: %w", err)
		}
		n.Time = fromMS(t)
		n.Back = n.Online && prevOffline
		list = append(list, n)
	}
	return list, rows.Err()
}

// MaxEventID returns the highest live event id (0 without events).
func (s *Store) MaxEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: max event id: %w", err)
	}
	return id, nil
}

// EventsAfter returns up to limit live events with ids above afterID and up to upTo, oldest
// first, with sensor and group names (no details; Event reads those).
func (s *Store) EventsAfter(ctx context.Context, afterID, upTo int64, limit int) ([]*model.Event, error) {
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.eventRows(ctx, `SELECT `+liveColumns+` FROM events e WHERE e.id > ? AND e.id <= ? ORDER BY e.id LIMIT ?`, false, names, afterID, upTo, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events after %d: %w", afterID, err)
	}
	return list, nil
}

// GroupWeek is one group's live events in a period, for the weekly summary.
type GroupWeek struct {
	GroupID          int64
	Total            int
	ByClassification map[model.Classification]int
	BySensor         map[string]int // sensor name → events
	Critical         []*model.Event // the first critical (Honeypot) events, oldest first
	CriticalTotal    int
}

// WeekStats counts the events of [from, to) per group, live and archived alike (an event
// dealt with and archived during the week still happened in it), and lists each group's first
// `critical` Honeypot events. Groups without events are left out.
func (s *Store) WeekStats(ctx context.Context, from, to time.Time, critical int) (map[int64]*GroupWeek, error) {
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	out, err := s.weekCounts(ctx, from, to, names)
	if err != nil {
		return nil, err
	}
	for gid, g := range out {
		if g.CriticalTotal == 0 {
			continue
		}
		for _, q := range []struct {
			sql     string
			archive bool
		}{
			{`SELECT ` + liveColumns + ` FROM events e INDEXED BY events_classification
				WHERE e.classification = ? AND e.timestamp >= ? AND e.timestamp < ? AND e.group_id = ?
				ORDER BY e.classification, e.timestamp LIMIT ?`, false},
			{`SELECT ` + archivedColumns + ` FROM archived_events INDEXED BY archived_classification
				WHERE classification = ? AND timestamp >= ? AND timestamp < ? AND group_id = ?
				ORDER BY classification, timestamp LIMIT ?`, true},
		} {
			list, err := s.eventRows(ctx, q.sql, q.archive, names, model.ClassHoneypot, ms(from), ms(to), gid, critical)
			if err != nil {
				return nil, fmt.Errorf("store: week critical events: %w", err)
			}
			g.Critical = append(g.Critical, list...)
		}
		slices.SortStableFunc(g.Critical, func(a, b *model.Event) int { return a.Timestamp.Compare(b.Timestamp) })
		if len(g.Critical) > critical {
			g.Critical = g.Critical[:critical]
		}
	}
	return out, nil
}

// weekCounts counts the events of [from, to) per group and sensor.
func (s *Store) weekCounts(ctx context.Context, from, to time.Time, names *nameCache) (map[int64]*GroupWeek, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT group_id, sensor_id, sensor_name, classification, count(*) FROM (
			SELECT group_id, sensor_id, '' AS sensor_name, classification FROM events WHERE timestamp >= ? AND timestamp < ?
			UNION ALL
			SELECT group_id, sensor_id, sensor_name, classification FROM archived_events WHERE timestamp >= ? AND timestamp < ?)
		GROUP BY group_id, sensor_id, sensor_name, classification`, ms(from), ms(to), ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("store: week stats: %w", err)
	}
	defer rows.Close()
	out := map[int64]*GroupWeek{}
	for rows.Next() {
		var gid, sid int64
		var name string
		var class model.Classification
		var n int
		if err := rows.Scan(&gid, &sid, &name, &class, &n); err != nil {
			return nil, fmt.Errorf("store: week stats: %w", err)
		}
		g := out[gid]
		if g == nil {
			g = &GroupWeek{GroupID: gid, ByClassification: map[model.Classification]int{}, BySensor: map[string]int{}}
			out[gid] = g
		}
		g.Total += n
		g.ByClassification[class] += n
		if live := names.sensors[sid]; live != "" {
			name = live
		} else if name == "" {
			name = fmt.Sprintf("sensor %d", sid)
		}
		g.BySensor[name] += n
		if class == model.ClassHoneypot {
			g.CriticalTotal += n
		}
	}
	return out, rows.Err()
}

// eventRows runs a query that selects liveColumns or archivedColumns.
func (s *Store) eventRows(ctx context.Context, q string, archive bool, names *nameCache, args ...any) ([]*model.Event, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*model.Event
	sc := newEventScanner(archive)
	for rows.Next() {
		e, err := sc.scan(rows)
		if err != nil {
			return nil, err
		}
		if !archive {
			names.fill(e)
		}
		list = append(list, e)
	}
	return list, rows.Err()
}
