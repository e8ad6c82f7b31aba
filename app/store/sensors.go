package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"honeysens/app/model"
)

const sensorColumns = `id, name, location, group_id, update_interval, created_at, last_contact, last_ip, sw_version, local,
	dropped_events, original, secret`

func scanSensor(row interface{ Scan(...any) error }) (*model.Sensor, error) {
	var s model.Sensor
	var created int64
	var contact sql.NullInt64
	if err := row.Scan(&s.ID, &s.Name, &s.Location, &s.GroupID, &s.UpdateInterval, &created, &contact,
		&s.LastIP, &s.SWVersion, &s.Local, &s.DroppedEvents, &s.Original, &s.Secret); err != nil {
		return nil, err
	}
	s.CreatedAt = fromMS(created)
	if contact.Valid {
		t := fromMS(contact.Int64)
		s.LastContact = &t
	}
	return &s, nil
}

// CreateSensor inserts a sensor and sets its ID.
func (s *Store) CreateSensor(ctx context.Context, sn *model.Sensor) error {
	now := s.now()
	res, err := s.w.ExecContext(ctx, `INSERT INTO sensors (name, location, group_id, secret, update_interval, created_at, local)
		VALUES (?,?,?,?,?,?,?)`, sn.Name, sn.Location, sn.GroupID, sn.Secret, sn.UpdateInterval, ms(now), sn.Local)
	switch {
	case isUnique(err):
		return &model.Error{Code: model.ErrConflict, Message: "A sensor with this name exists already.",
			Fields: map[string]string{"name": "This name is taken."}}
	case isForeignKey(err):
		return &model.Error{Code: model.ErrInvalid, Message: "Unknown group.",
			Fields: map[string]string{"group": "This group does not exist."}}
	case err != nil:
		return fmt.Errorf("store: create sensor: %w", err)
	}
	sn.ID, _ = res.LastInsertId()
	sn.CreatedAt = fromMS(ms(now))
	return nil
}

// Sensor returns one sensor, secret included (callers decide what to show).
func (s *Store) Sensor(ctx context.Context, id int64) (*model.Sensor, error) {
	sn, err := scanSensor(s.stmts.sensor.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No such sensor.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: get sensor: %w", err)
	}
	return sn, nil
}

// Sensors lists every sensor ordered by name.
func (s *Store) Sensors(ctx context.Context) ([]*model.Sensor, error) {
	return queryAll(ctx, s, "list sensors", scanSensor, `SELECT `+sensorColumns+` FROM sensors ORDER BY name`)
}

// Heartbeat is what a sensor reports about itself.
type Heartbeat struct {
	Timestamp int64 // the sensor's own, signed status time; must grow (replay guard)
	At        time.Time
	IP        string
	Version   string
	Dropped   int64 // events dropped by the sensor so far (its buffer was full)
	Original  bool  // sent in the original HoneySens 2.x protocol
}

// RecordHeartbeat stores a sensor's contact. A heartbeat whose timestamp is not newer than the
// last one is a replay and refused.
func (s *Store) RecordHeartbeat(ctx context.Context, id int64, hb Heartbeat) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sensors SET last_contact = ?, last_ip = ?, sw_version = ?, last_status_ts = ?,
		dropped_events = ?, original = ? WHERE id = ? AND last_status_ts < ?`, ms(hb.At), hb.IP, hb.Version, hb.Timestamp,
		hb.Dropped, hb.Original, id, hb.Timestamp)
	if err != nil {
		return fmt.Errorf("store: record heartbeat: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.Errorf(model.ErrInvalid, "Status timestamp is not newer than the last one.")
	}
	return nil
}

// SensorServices lists the services assigned to a sensor, by name.
func (s *Store) SensorServices(ctx context.Context, sensorID int64) ([]*model.SensorService, error) {
	return queryAll(ctx, s, "list sensor services", scanSensorService, `SELECT sensor_id, service, enabled, config, state,
		error, updated_at FROM sensor_services WHERE sensor_id = ? ORDER BY service`, sensorID)
}

func scanSensorService(row interface{ Scan(...any) error }) (*model.SensorService, error) {
	var sv model.SensorService
	var config string
	var updated int64
	if err := row.Scan(&sv.SensorID, &sv.Name, &sv.Enabled, &config, &sv.State, &sv.Error, &updated); err != nil {
		return nil, err
	}
	sv.Config, sv.UpdatedAt = json.RawMessage(config), fromMS(updated)
	return &sv, nil
}

// SetSensorService assigns a service to a sensor, or changes whether it runs and its settings.
func (s *Store) SetSensorService(ctx context.Context, sv *model.SensorService) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sensor_services (sensor_id, service, enabled, config, updated_at)
		VALUES (?,?,?,?,?) ON CONFLICT DO UPDATE SET enabled = excluded.enabled, config = excluded.config,
		updated_at = excluded.updated_at`, sv.SensorID, sv.Name, sv.Enabled, string(sv.Config), ms(s.now()))
	if isForeignKey(err) {
		return model.Errorf(model.ErrNotFound, "No such sensor.")
	}
	if err != nil {
		return fmt.Errorf("store: set sensor service: %w", err)
	}
	return nil
}

// SetServiceState records what a sensor reports about one of its services.
func (s *Store) SetServiceState(ctx context.Context, sensorID int64, name, state, reason string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE sensor_services SET state = ?, error = ? WHERE sensor_id = ? AND service = ?`,
		state, reason, sensorID, name)
	if err != nil {
		return fmt.Errorf("store: set service state: %w", err)
	}
	return nil
}

// LocalSensor returns the appliance's own sensor, or not_found before first start created it.
func (s *Store) LocalSensor(ctx context.Context) (*model.Sensor, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT id FROM sensors WHERE local = 1 ORDER BY id LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No local sensor.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: local sensor: %w", err)
	}
	return s.Sensor(ctx, id)
}

// UpdateSensor stores a sensor's name, location, group and update interval. Its events move to
// the new group with it, in chunks.
func (s *Store) UpdateSensor(ctx context.Context, sn *model.Sensor) error {
	var oldGroup int64
	if err := s.r.QueryRowContext(ctx, `SELECT group_id FROM sensors WHERE id = ?`, sn.ID).Scan(&oldGroup); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return model.Errorf(model.ErrNotFound, "No such sensor.")
		}
		return fmt.Errorf("store: update sensor: %w", err)
	}
	_, err := s.w.ExecContext(ctx, `UPDATE sensors SET name = ?, location = ?, group_id = ?, update_interval = ? WHERE id = ?`,
		sn.Name, sn.Location, sn.GroupID, sn.UpdateInterval, sn.ID)
	switch {
	case isUnique(err):
		return &model.Error{Code: model.ErrConflict, Message: "A sensor with this name exists already.",
			Fields: map[string]string{"name": "This name is taken."}}
	case isForeignKey(err):
		return &model.Error{Code: model.ErrInvalid, Message: "Unknown group.", Fields: map[string]string{"group": "This group does not exist."}}
	case err != nil:
		return fmt.Errorf("store: update sensor: %w", err)
	}
	if oldGroup == sn.GroupID {
		return nil
	}
	err = s.eachChunk(ctx, &EventFilter{SensorID: sn.ID}, func(ids []int64) error {
		list, args := idList(ids)
		return s.write(ctx, func(tx *sql.Tx) error {
			return s.changeLive(ctx, tx, ids, func() error {
				_, err := tx.ExecContext(ctx, `UPDATE events SET group_id = ? WHERE id IN `+list, append([]any{sn.GroupID}, args...)...)
				return err
			}, func(c *contribution) { c.group = sn.GroupID })
		})
	})
	if err != nil {
		return fmt.Errorf("store: move sensor events: %w", err)
	}
	return nil
}

// DeleteSensor removes a sensor with its live events, or with them moved to the archive first.
// It returns how many events were deleted or archived.
func (s *Store) DeleteSensor(ctx context.Context, id int64, archive bool) (int64, error) {
	f := &EventFilter{SensorID: id}
	var n int64
	var err error
	if archive {
		n, err = s.ArchiveEvents(ctx, f)
	} else {
		n, err = s.DeleteEvents(ctx, f)
	}
	if err != nil {
		return n, err
	}
	// Events that arrived while the chunks ran go with the row, in one transaction.
	err = s.write(ctx, func(tx *sql.Tx) error {
		ids, err := queryIDs(ctx, tx, `SELECT id FROM events WHERE sensor_id = ?`, id)
		if err != nil {
			return err
		}
		if err := s.changeLive(ctx, tx, ids, func() error {
			_, err := tx.ExecContext(ctx, `DELETE FROM events WHERE sensor_id = ?`, id)
			return err
		}, nil); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM sensors WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return model.Errorf(model.ErrNotFound, "No such sensor.")
		}
		return nil
	})
	if err != nil && model.ErrorCode(err) != model.ErrNotFound {
		return n, fmt.Errorf("store: delete sensor: %w", err)
	}
	return n, err
}

// AddStatusChange records that a sensor went online or offline.
func (s *Store) AddStatusChange(ctx context.Context, c model.StatusChange) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sensor_status_log (sensor_id, time, online) VALUES (?,?,?)`,
		c.SensorID, ms(c.Time), c.Online)
	if err != nil {
		return fmt.Errorf("store: add status change: %w", err)
	}
	return nil
}

// LastStatusChanges returns the newest status change of every sensor that has one.
func (s *Store) LastStatusChanges(ctx context.Context) (map[int64]model.StatusChange, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT l.sensor_id, l.time, l.online FROM sensor_status_log l
		JOIN (SELECT sensor_id, max(id) AS id FROM sensor_status_log GROUP BY sensor_id) m ON m.id = l.id`)
	if err != nil {
		return nil, fmt.Errorf("store: last status changes: %w", err)
	}
	defer rows.Close()
	out := map[int64]model.StatusChange{}
	for rows.Next() {
		var c model.StatusChange
		var t int64
		if err := rows.Scan(&c.SensorID, &t, &c.Online); err != nil {
			return nil, err
		}
		c.Time = fromMS(t)
		out[c.SensorID] = c
	}
	return out, rows.Err()
}

// StatusHistory returns a sensor's newest status changes, newest first.
func (s *Store) StatusHistory(ctx context.Context, sensorID int64, limit int) ([]model.StatusChange, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT sensor_id, time, online FROM sensor_status_log WHERE sensor_id = ?
		ORDER BY id DESC LIMIT ?`, sensorID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: status history: %w", err)
	}
	defer rows.Close()
	out := []model.StatusChange{}
	for rows.Next() {
		var c model.StatusChange
		var t int64
		if err := rows.Scan(&c.SensorID, &t, &c.Online); err != nil {
			return nil, err
		}
		c.Time = fromMS(t)
		out = append(out, c)
	}
	return out, rows.Err()
}

// NewEventCounts returns the number of New live events per sensor, from the counters.
func (s *Store) NewEventCounts(ctx context.Context) (map[int64]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT sensor_id, sum(n) FROM event_counts WHERE dataset = 0 AND status = 0 GROUP BY sensor_id`)
	if err != nil {
		return nil, fmt.Errorf("store: new event counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
