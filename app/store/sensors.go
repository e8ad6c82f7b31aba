package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"honeysens/app/model"
)

const sensorColumns = `id, name, location, group_id, update_interval, created_at, last_contact, last_ip, sw_version, secret`

func scanSensor(row interface{ Scan(...any) error }) (*model.Sensor, error) {
	var s model.Sensor
	var created int64
	var contact sql.NullInt64
	if err := row.Scan(&s.ID, &s.Name, &s.Location, &s.GroupID, &s.UpdateInterval, &created, &contact,
		&s.LastIP, &s.SWVersion, &s.Secret); err != nil {
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
	res, err := s.w.ExecContext(ctx, `INSERT INTO sensors (name, location, group_id, secret, update_interval, created_at)
		VALUES (?,?,?,?,?,?)`, sn.Name, sn.Location, sn.GroupID, sn.Secret, sn.UpdateInterval, ms(now))
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
	rows, err := s.r.QueryContext(ctx, `SELECT `+sensorColumns+` FROM sensors ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list sensors: %w", err)
	}
	defer rows.Close()
	list := []*model.Sensor{}
	for rows.Next() {
		sn, err := scanSensor(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list sensors: %w", err)
		}
		list = append(list, sn)
	}
	return list, rows.Err()
}

// RecordHeartbeat stores a sensor's contact. ts is the sensor's own (signed) status timestamp:
// a heartbeat not newer than the last one is a replay and refused.
func (s *Store) RecordHeartbeat(ctx context.Context, id int64, ts int64, at time.Time, ip, version string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE sensors SET last_contact = ?, last_ip = ?, sw_version = ?, last_status_ts = ?
		WHERE id = ? AND last_status_ts < ?`, ms(at), ip, version, ts, id, ts)
	if err != nil {
		return fmt.Errorf("store: record heartbeat: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.Errorf(model.ErrInvalid, "Status timestamp is not newer than the last one.")
	}
	return nil
}
