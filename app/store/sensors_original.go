package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"honeysens/app/model"
)

// SensorNetwork returns a sensor's network settings, secrets included.
func (s *Store) SensorNetwork(ctx context.Context, sensorID int64) (*model.SensorNetwork, error) {
	var raw string
	err := s.r.QueryRowContext(ctx, `SELECT network FROM sensors WHERE id = ?`, sensorID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No such sensor.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: sensor network: %w", err)
	}
	var n model.SensorNetwork
	if err := json.Unmarshal([]byte(raw), &n); err != nil {
		return nil, fmt.Errorf("store: sensor network: %w", err)
	}
	return &n, nil
}

// SetSensorNetwork stores a sensor's network settings.
func (s *Store) SetSensorNetwork(ctx context.Context, sensorID int64, n *model.SensorNetwork) error {
	b, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("store: set sensor network: %w", err)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE sensors SET network = ? WHERE id = ?`, string(b), sensorID)
	if err != nil {
		return fmt.Errorf("store: set sensor network: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return model.Errorf(model.ErrNotFound, "No such sensor.")
	}
	return nil
}

// ContainerServices lists the container services assigned to a sensor, by id.
func (s *Store) ContainerServices(ctx context.Context, sensorID int64) ([]*model.ContainerService, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, sensor_id, label, registry, images, raw_network_access, catch_all,
		port_assignment FROM sensor_containers WHERE sensor_id = ? ORDER BY id`, sensorID)
	if err != nil {
		return nil, fmt.Errorf("store: list container services: %w", err)
	}
	defer rows.Close()
	list := []*model.ContainerService{}
	for rows.Next() {
		var c model.ContainerService
		var images, ports string
		if err := rows.Scan(&c.ID, &c.SensorID, &c.Label, &c.Registry, &images, &c.RawNetworkAccess, &c.CatchAll, &ports); err != nil {
			return nil, fmt.Errorf("store: list container services: %w", err)
		}
		if err := errors.Join(json.Unmarshal([]byte(images), &c.Images), json.Unmarshal([]byte(ports), &c.PortAssignment)); err != nil {
			return nil, fmt.Errorf("store: list container services: %w", err)
		}
		list = append(list, &c)
	}
	return list, rows.Err()
}

// SaveContainerService creates a container service (ID 0; the new ID is set) or changes one of
// the sensor's.
func (s *Store) SaveContainerService(ctx context.Context, c *model.ContainerService) error {
	images, err := json.Marshal(c.Images)
	if err != nil {
		return fmt.Errorf("store: save container service: %w", err)
	}
	ports, err := json.Marshal(c.PortAssignment)
	if err != nil {
		return fmt.Errorf("store: save container service: %w", err)
	}
	var res sql.Result
	if c.ID == 0 {
		res, err = s.w.ExecContext(ctx, `INSERT INTO sensor_containers (sensor_id, label, registry, images, raw_network_access,
			catch_all, port_assignment) VALUES (?,?,?,?,?,?,?)`, c.SensorID, c.Label, c.Registry, string(images),
			c.RawNetworkAccess, c.CatchAll, string(ports))
	} else {
		res, err = s.w.ExecContext(ctx, `UPDATE sensor_containers SET label = ?, registry = ?, images = ?, raw_network_access = ?,
			catch_all = ?, port_assignment = ? WHERE id = ? AND sensor_id = ?`, c.Label, c.Registry, string(images),
			c.RawNetworkAccess, c.CatchAll, string(ports), c.ID, c.SensorID)
	}
	switch {
	case isUnique(err):
		return &model.Error{Code: model.ErrConflict, Message: "The sensor has a service with this label already.",
			Fields: map[string]string{"label": "This label is taken on this sensor."}}
	case isForeignKey(err):
		return model.Errorf(model.ErrNotFound, "No such sensor.")
	case err != nil:
		return fmt.Errorf("store: save container service: %w", err)
	}
	if c.ID == 0 {
		c.ID, _ = res.LastInsertId()
	} else if k, _ := res.RowsAffected(); k == 0 {
		return model.Errorf(model.ErrNotFound, "No such service.")
	}
	return nil
}

// DeleteContainerService removes a container service from its sensor.
func (s *Store) DeleteContainerService(ctx context.Context, sensorID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sensor_containers WHERE id = ? AND sensor_id = ?`, id, sensorID)
	if err != nil {
		return fmt.Errorf("store: delete container service: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return model.Errorf(model.ErrNotFound, "No such service.")
	}
	return nil
}
