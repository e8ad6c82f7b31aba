package store

import (
	"context"
	"database/sql"
	"fmt"

	"honeysens/app/model"
)

const contactColumns = `id, group_id, user_id, email, all_events, critical_events, weekly_summary, sensor_timeout`

// setGroupContacts replaces the group's contact list.
func setGroupContacts(ctx context.Context, tx *sql.Tx, groupID int64, contacts []model.Contact) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM group_contacts WHERE group_id = ?`, groupID); err != nil {
		return fmt.Errorf("store: set group contacts: %w", err)
	}
	for i := range contacts {
		c := &contacts[i]
		res, err := tx.ExecContext(ctx, `INSERT INTO group_contacts (group_id, user_id, email, all_events, critical_events,
			weekly_summary, sensor_timeout) VALUES (?,?,?,?,?,?,?)`,
			groupID, c.UserID, c.Email, c.AllEvents, c.CriticalEvents, c.WeeklySummary, c.SensorTimeout)
		if isForeignKey(err) {
			return &model.Error{Code: model.ErrInvalid, Message: "Unknown user.",
				Fields: map[string]string{fmt.Sprintf("contacts.%d.email", i): "This user does not exist."}}
		}
		if err != nil {
			return fmt.Errorf("store: set group contacts: %w", err)
		}
		c.ID, _ = res.LastInsertId()
	}
	return nil
}

// contactsByGroup reads the contacts of one group (id > 0) or of all groups (id 0).
func (s *Store) contactsByGroup(ctx context.Context, groupID int64) (map[int64][]model.Contact, error) {
	q := `SELECT ` + contactColumns + ` FROM group_contacts`
	var args []any
	if groupID > 0 {
		q += ` WHERE group_id = ?`
		args = append(args, groupID)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list contacts: %w", err)
	}
	defer rows.Close()
	out := map[int64][]model.Contact{}
	for rows.Next() {
		var c model.Contact
		var gid int64
		var user sql.NullInt64
		if err := rows.Scan(&c.ID, &gid, &user, &c.Email, &c.AllEvents, &c.CriticalEvents, &c.WeeklySummary, &c.SensorTimeout); err != nil {
			return nil, fmt.Errorf("store: list contacts: %w", err)
		}
		if user.Valid {
			c.UserID = &user.Int64
		}
		out[gid] = append(out[gid], c)
	}
	return out, rows.Err()
}

// Recipient is a contact resolved to the address mail goes to: a user's contact takes the
// user's current address (none: the contact gets nothing until the user has one).
type Recipient struct {
	GroupID int64
	Email   string
	model.Contact
}

// Recipients lists every group's contacts with their addresses, users without one left out.
func (s *Store) Recipients(ctx context.Context) ([]Recipient, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.group_id, CASE WHEN c.user_id IS NULL THEN c.email ELSE u.email END,
		c.all_events, c.critical_events, c.weekly_summary, c.sensor_timeout
		FROM group_contacts c LEFT JOIN users u ON u.id = c.user_id ORDER BY c.id`)
	if err != nil {
		return nil, fmt.Errorf("store: recipients: %w", err)
	}
	defer rows.Close()
	var list []Recipient
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.GroupID, &r.Email, &r.AllEvents, &r.CriticalEvents, &r.WeeklySummary, &r.SensorTimeout); err != nil {
			return nil, fmt.Errorf("store: recipients: %w", err)
		}
		if r.Email != "" {
			list = append(list, r)
		}
	}
	return list, rows.Err()
}
