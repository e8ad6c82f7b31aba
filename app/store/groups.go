package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"honeysens/app/model"
)

func groupConflict() error {
	return &model.Error{Code: model.ErrConflict, Message: "A group with this name exists already.",
		Fields: map[string]string{"name": "This name is taken."}}
}

// CreateGroup inserts g with its members and sets g.ID.
func (s *Store) CreateGroup(ctx context.Context, g *model.Group) error {
	now := ms(s.now())
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO groups (name, created_at) VALUES (?, ?)`, g.Name, now)
		if isUnique(err) {
			return groupConflict()
		}
		if err != nil {
			return fmt.Errorf("store: create group: %w", err)
		}
		g.ID, _ = res.LastInsertId()
		g.CreatedAt = fromMS(now)
		if err := setGroupMembers(ctx, tx, g.ID, g.Members); err != nil {
			return err
		}
		if err := keepAllGroupsRows(ctx, tx); err != nil {
			return err
		}
		return setGroupContacts(ctx, tx, g.ID, g.Contacts)
	})
}

func setGroupMembers(ctx context.Context, tx *sql.Tx, groupID int64, members []int64) error {
	return groupMembersSQL.replace(ctx, tx, groupID, members, func(u int64) error {
		return &model.Error{Code: model.ErrInvalid, Message: "Unknown user.",
			Fields: map[string]string{"members": fmt.Sprintf("User %d does not exist.", u)}}
	})
}

// Group returns one group with its members and contacts.
func (s *Store) Group(ctx context.Context, id int64) (*model.Group, error) {
	var g model.Group
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT id, name, created_at FROM groups WHERE id = ?`, id).Scan(&g.ID, &g.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No such group.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: get group: %w", err)
	}
	g.CreatedAt = fromMS(created)
	g.Members = []int64{}
	err = s.eachPair(ctx, func(_, uid int64) { g.Members = append(g.Members, uid) },
		`SELECT group_id, user_id FROM user_groups WHERE group_id = ? ORDER BY user_id`, id)
	if err != nil {
		return nil, err
	}
	contacts, err := s.contactsByGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	g.Contacts = contacts[id]
	if g.Contacts == nil {
		g.Contacts = []model.Contact{}
	}
	return &g, nil
}

// GroupByName returns the group with that name (case-insensitive).
func (s *Store) GroupByName(ctx context.Context, name string) (*model.Group, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT id FROM groups WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No such group.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: get group: %w", err)
	}
	return s.Group(ctx, id)
}

// Groups lists every group ordered by name, each with its members and contacts.
func (s *Store) Groups(ctx context.Context) ([]*model.Group, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, created_at FROM groups ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: list groups: %w", err)
	}
	defer rows.Close()
	var list []*model.Group
	byID := map[int64]*model.Group{}
	for rows.Next() {
		g := &model.Group{Members: []int64{}}
		var created int64
		if err := rows.Scan(&g.ID, &g.Name, &created); err != nil {
			return nil, fmt.Errorf("store: list groups: %w", err)
		}
		g.CreatedAt = fromMS(created)
		list = append(list, g)
		byID[g.ID] = g
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	err = s.eachPair(ctx, func(gid, uid int64) {
		if g := byID[gid]; g != nil {
			g.Members = append(g.Members, uid)
		}
	}, `SELECT group_id, user_id FROM user_groups ORDER BY user_id`)
	if err != nil {
		return nil, err
	}
	contacts, err := s.contactsByGroup(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, g := range list {
		g.Contacts = contacts[g.ID]
		if g.Contacts == nil {
			g.Contacts = []model.Contact{}
		}
	}
	return list, nil
}

// UpdateGroup renames g and replaces its members and contacts.
func (s *Store) UpdateGroup(ctx context.Context, g *model.Group) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE groups SET name = ? WHERE id = ?`, g.Name, g.ID)
		if isUnique(err) {
			return groupConflict()
		}
		if err != nil {
			return fmt.Errorf("store: update group: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrNotFound, "No such group.")
		}
		if err := setGroupMembers(ctx, tx, g.ID, g.Members); err != nil {
			return err
		}
		return setGroupContacts(ctx, tx, g.ID, g.Contacts)
	})
}

// GroupRemoval is what removing a group took with it.
type GroupRemoval struct {
	Sensors int   // sensors removed
	Events  int64 // their events, deleted or archived
}

// DeleteGroup removes a group with its sensors, filter rules, memberships and contacts. The
// sensors' events are deleted, or with archive moved to the archive (where the group's name
// stays). A large event set goes in chunks first; the group, its sensors and the events that
// arrived meanwhile go in one last transaction, so the group is either still there with all
// its sensors or gone with all of them. A group that holds the appliance's own sensor is
// refused: that sensor must move first.
func (s *Store) DeleteGroup(ctx context.Context, id int64, archive bool) (*GroupRemoval, error) {
	var local string
	err := s.r.QueryRowContext(ctx, `SELECT name FROM sensors WHERE group_id = ? AND local`, id).Scan(&local)
	switch {
	case err == nil:
		return nil, model.Errorf(model.ErrConflict, "The appliance's own sensor %s is in this group; move it to another group first.", local)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("store: delete group: %w", err)
	}
	sensors, err := queryIDs(ctx, s.r, `SELECT id FROM sensors WHERE group_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: delete group: %w", err)
	}
	r := &GroupRemoval{}
	for _, sn := range sensors {
		var n int64
		if archive {
			n, err = s.ArchiveEvents(ctx, &EventFilter{SensorID: sn})
		} else {
			n, err = s.DeleteEvents(ctx, &EventFilter{SensorID: sn})
		}
		r.Events += n
		if err != nil {
			return nil, err
		}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT name FROM sensors WHERE group_id = ? AND local`, id).Scan(&local); err == nil {
			return model.Errorf(model.ErrConflict, "The appliance's own sensor %s moved into this group; move it out first.", local)
		}
		ids, err := queryIDs(ctx, tx, `SELECT id FROM events WHERE sensor_id IN (SELECT id FROM sensors WHERE group_id = ?)`, id)
		if err != nil {
			return fmt.Errorf("store: delete group: %w", err)
		}
		var n int64
		if archive {
			n, err = s.archiveIDs(ctx, tx, ids)
		} else {
			n = int64(len(ids))
			err = s.changeLive(ctx, tx, ids, func() error {
				_, err := tx.ExecContext(ctx, `DELETE FROM events WHERE sensor_id IN (SELECT id FROM sensors WHERE group_id = ?)`, id)
				return err
			}, nil)
		}
		if err != nil {
			return fmt.Errorf("store: delete group: %w", err)
		}
		r.Events += n
		res, err := tx.ExecContext(ctx, `DELETE FROM sensors WHERE group_id = ?`, id)
		if err != nil {
			return fmt.Errorf("store: delete group: %w", err)
		}
		k, _ := res.RowsAffected()
		r.Sensors = int(k)
		if res, err = tx.ExecContext(ctx, `DELETE FROM groups WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: delete group: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrNotFound, "No such group.")
		}
		return keepAllGroupsRows(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
