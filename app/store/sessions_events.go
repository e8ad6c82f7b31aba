package store

import (
	"context"
	"fmt"
	"time"
)

// SessionTimeout is how long a session may go without a report before its event counts as
// ended: a sensor reports an ongoing session at least every 5 minutes, so a longer silence
// means the sensor stopped (crash, power cut) without the session's final report.
const SessionTimeout = 15 * time.Minute

// EndSessions marks the ongoing events of sessions last reported before the time as ended,
// for one sensor or (sensorID 0) every sensor, and returns how many it ended. The appliance
// ends its own sensor's sessions at start: they were cut by the stop.
func (s *Store) EndSessions(ctx context.Context, sensorID int64, reportedBefore time.Time) (int64, error) {
	// From the few ongoing events (events_ongoing) to their sessions (event_sessions_event):
	// the sessions of a week would be many more rows to read, once a minute, on the writer.
	q := `UPDATE events SET ongoing = 0 WHERE ongoing = 1 AND EXISTS (SELECT 1 FROM event_sessions es
		WHERE es.event_id = events.id AND es.updated_at < ?`
	args := []any{ms(reportedBefore)}
	if sensorID != 0 {
		q += ` AND es.sensor_id = ?`
		args = append(args, sensorID)
	}
	res, err := s.w.ExecContext(ctx, q+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("store: end sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// DeleteOldSessions forgets sessions last reported before the time; a later report of one of
// them would become a new event.
func (s *Store) DeleteOldSessions(ctx context.Context, before time.Time) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM event_sessions WHERE updated_at < ?`, ms(before)); err != nil {
		return fmt.Errorf("store: forget sessions: %w", err)
	}
	return nil
}
