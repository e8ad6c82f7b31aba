package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"honeysens/app/model"
)

// An entry with changes or a catalog key keeps them with its text in the detail column, as the
// JSON of auditDetail; text the appliance writes never starts with its opening, so older entries
// (plain English text) read as they were written.
type auditDetail struct {
	Text    string         `json:"text"`
	Key     string         `json:"key,omitempty"`
	Args    model.TextArgs `json:"args,omitempty"`
	Changes model.Changes  `json:"changes,omitempty"`
}

const auditDetailStart = `{"text":`

// AddAudit appends one entry to the audit log.
func (s *Store) AddAudit(ctx context.Context, e *model.AuditEntry) error {
	return insertAudit(ctx, s.w, s.now(), e)
}

// insertAudit writes e with the writer or inside a transaction that makes the change it records.
func insertAudit(ctx context.Context, x interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, now time.Time, e *model.AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = now
	}
	detail := e.Detail
	if len(e.Changes) > 0 || e.DetailKey != "" {
		b, err := json.Marshal(auditDetail{Text: e.Detail, Key: e.DetailKey, Args: e.DetailArgs, Changes: e.Changes})
		if err != nil {
			return fmt.Errorf("store: add audit entry: %w", err)
		}
		detail = string(b)
	}
	_, err := x.ExecContext(ctx, `INSERT INTO audit_log (time, user_id, user_login, ip, action, object_type, object_id, object_name, detail)
		VALUES (?,?,?,?,?,?,?,?,?)`, ms(e.Time), e.UserID, e.User, e.IP, e.Action, e.ObjectType, e.ObjectID, e.ObjectName, detail)
	if err != nil {
		return fmt.Errorf("store: add audit entry: %w", err)
	}
	return nil
}

// AuditFilter selects audit entries; zero fields select everything. The table is scanned
// newest first without an index of its own: a few hundred thousand entries (decades of
// operator work) take tens of milliseconds even for a filter that matches nothing.
type AuditFilter struct {
	User       string // the actor's user id or login
	Action     string
	ObjectType string
	ObjectID   int64 // with ObjectType
	From, To   *time.Time
	Before     int64 // entries with a smaller id only (the paging cursor)
	Limit      int
}

// Audit returns up to limit entries with an id below beforeID (0 = from the newest), newest first.
func (s *Store) Audit(ctx context.Context, beforeID int64, limit int) ([]*model.AuditEntry, error) {
	return s.SearchAudit(ctx, AuditFilter{Before: beforeID, Limit: limit})
}

// SearchAudit returns up to f.Limit entries that match f, newest first.
func (s *Store) SearchAudit(ctx context.Context, f AuditFilter) ([]*model.AuditEntry, error) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if f.User != "" {
		// A login may consist of digits only, so a number matches either.
		add(`(user_id = ? OR user_login = ?)`, f.User, f.User)
	}
	if f.Action != "" {
		add(`action = ?`, f.Action)
	}
	if f.ObjectType != "" {
		add(`object_type = ?`, f.ObjectType)
	}
	if f.ObjectID != 0 {
		add(`object_id = ?`, f.ObjectID)
	}
	if f.From != nil {
		add(`time >= ?`, ms(*f.From))
	}
	if f.To != nil {
		add(`time <= ?`, ms(*f.To))
	}
	if f.Before > 0 {
		add(`id < ?`, f.Before)
	}
	q := `SELECT id, time, user_id, user_login, ip, action, object_type, object_id, object_name, detail FROM audit_log`
	if len(conds) > 0 {
		q += ` WHERE ` + strings.Join(conds, ` AND `)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
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
		if strings.HasPrefix(e.Detail, auditDetailStart) {
			var d auditDetail
			if json.Unmarshal([]byte(e.Detail), &d) == nil {
				e.Detail, e.DetailKey, e.DetailArgs, e.Changes = d.Text, d.Key, d.Args, d.Changes
			}
		}
		list = append(list, e)
	}
	return list, rows.Err()
}
