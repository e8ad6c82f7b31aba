package store

import (
	"context"
	"database/sql"
	"fmt"

	"honeysens/app/model"
)

// AddAudit appends one entry to the audit log.
func (s *Store) AddAudit(ctx context.Context, e *model.AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO audit_log (time, user_id, user_login, ip, action, object_type, object_id, object_name, detail)
		VALUES (?,?,?,?,?,?,?,?,?)`, ms(e.Time), e.UserID, e.User, e.IP, e.Action, e.ObjectType, e.ObjectID, e.ObjectName, e.Detail)
	if err != nil {
		return fmt.Errorf("store: add audit entry: %w", err)
	}
	return nil
}

// Audit returns up to limit entries with an id below beforeID (0 = from the newest), newest first.
func (s *Store) Audit(ctx context.Context, beforeID int64, limit int) ([]*model.AuditEntry, error) {
	q := `SELECT id, time, user_id, user_login, ip, action, object_type, object_id, object_name, detail FROM audit_log`
	args := []any{}
	if beforeID > 0 {
		q += ` WHERE id < ?`
		args = append(args, beforeID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	defer rows.Close()
	list := []*model.AuditEntry{}
	for rows.Next() {
		e := &model.AuditEntry{}
		var t int64
		var uid, oid sql.NullInt64
		if err := rows.Scan(&e.ID, &t, &uid, &e.User, &e.IP, &e.Action, &e.ObjectType, &oid, &e.ObjectName, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: list audit: %w", err)
		}
		e.Time = fromMS(t)
		if uid.Valid {
			e.UserID = &uid.Int64
		}
		if oid.Valid {
			e.ObjectID = &oid.Int64
		}
		list = append(list, e)
	}
	return list, rows.Err()
}
