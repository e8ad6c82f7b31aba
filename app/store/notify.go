package store

import (
	"context"
	"fmt"
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

// EventsAfter returns up to limit live events with ids above afterID, oldest first, with
// sensor and group names (no details; Event reads those).
func (s *Store) EventsAfter(ctx context.Context, afterID int64, limit int) ([]*model.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+liveColumns+` FROM events e WHERE e.id > ? ORDER BY e.id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events after %d: %w", afterID, err)
	}
	defer rows.Close()
	var list []*model.Event
	for rows.Next() {
		e, err := scanEvent(rows, false)
		if err != nil {
			return nil, fmt.Errorf("store: events after %d: %w", afterID, err)
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(list) > 0 {
		names, err := s.names(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			names.fill(e)
		}
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

// WeekStats counts the live events of [from, to) per group and lists each group's first
// `critical` Honeypot events. Groups without events are left out.
func (s *Store) WeekStats(ctx context.Context, from, to time.Time, critical int) (map[int64]*GroupWeek, error) {
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT group_id, sensor_id, classification, count(*) FROM events
		WHERE timestamp >= ? AND timestamp < ? GROUP BY group_id, sensor_id, classification`, ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("store: week stats: %w", err)
	}
	out := map[int64]*GroupWeek{}
	for rows.Next() {
		var gid, sid int64
		var class model.Classification
		var n int
		if err := rows.Scan(&gid, &sid, &class, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: week stats: %w", err)
		}
		g := out[gid]
		if g == nil {
			g = &GroupWeek{GroupID: gid, ByClassification: map[model.Classification]int{}, BySensor: map[string]int{}}
			out[gid] = g
		}
		g.Total += n
		g.ByClassification[class] += n
		name := names.sensors[sid]
		if name == "" {
			name = fmt.Sprintf("sensor %d", sid)
		}
		g.BySensor[name] += n
		if class == model.ClassHoneypot {
			g.CriticalTotal += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for gid, g := range out {
		if g.CriticalTotal == 0 {
			continue
		}
		rows, err := s.r.QueryContext(ctx, `SELECT `+liveColumns+` FROM events e INDEXED BY events_classification
			WHERE e.classification = ? AND e.timestamp >= ? AND e.timestamp < ? AND e.group_id = ?
			ORDER BY e.classification, e.timestamp LIMIT ?`, model.ClassHoneypot, ms(from), ms(to), gid, critical)
		if err != nil {
			return nil, fmt.Errorf("store: week critical events: %w", err)
		}
		for rows.Next() {
			e, err := scanEvent(rows, false)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: week critical events: %w", err)
			}
			names.fill(e)
			g.Critical = append(g.Critical, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
