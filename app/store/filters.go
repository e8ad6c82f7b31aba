package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"honeysens/app/model"
)

const filterColumns = `id, group_id, name, description, enabled, hits, conditions, created_at, updated_at`

func scanFilter(row interface{ Scan(...any) error }) (*model.FilterRule, error) {
	var r model.FilterRule
	var conds string
	var created, updated int64
	if err := row.Scan(&r.ID, &r.GroupID, &r.Name, &r.Description, &r.Enabled, &r.Hits, &conds, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(conds), &r.Conditions); err != nil {
		return nil, fmt.Errorf("conditions of filter rule %d: %w", r.ID, err)
	}
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return &r, nil
}

func filterConflict(err error) error {
	switch {
	case isUnique(err):
		return &model.Error{Code: model.ErrConflict, Message: "A filter rule with this name exists already.",
			Fields: map[string]string{"name": "This name is taken."}}
	case isForeignKey(err):
		return &model.Error{Code: model.ErrInvalid, Message: "Unknown group.", Fields: map[string]string{"group": "This group does not exist."}}
	}
	return err
}

// FilterRules lists every filter rule by name.
func (s *Store) FilterRules(ctx context.Context) ([]*model.FilterRule, error) {
	return queryAll(ctx, s, "list filter rules", scanFilter, `SELECT `+filterColumns+` FROM filter_rules ORDER BY name`)
}

// FilterRule returns one rule.
func (s *Store) FilterRule(ctx context.Context, id int64) (*model.FilterRule, error) {
	r, err := scanFilter(s.r.QueryRowContext(ctx, `SELECT `+filterColumns+` FROM filter_rules WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No such filter rule.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: get filter rule: %w", err)
	}
	return r, nil
}

// CreateFilterRule stores a new rule and sets its ID.
func (s *Store) CreateFilterRule(ctx context.Context, r *model.FilterRule) error {
	conds, _ := json.Marshal(r.Conditions)
	now := s.now()
	res, err := s.w.ExecContext(ctx, `INSERT INTO filter_rules (group_id, name, description, enabled, conditions, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?)`, r.GroupID, r.Name, r.Description, r.Enabled, string(conds), ms(now), ms(now))
	if err != nil {
		return filterConflict(fmt.Errorf("store: create filter rule: %w", err))
	}
	r.ID, _ = res.LastInsertId()
	r.CreatedAt, r.UpdatedAt = fromMS(ms(now)), fromMS(ms(now))
	return nil
}

// UpdateFilterRule stores a rule's settings; its hit counter is kept.
func (s *Store) UpdateFilterRule(ctx context.Context, r *model.FilterRule) error {
	conds, _ := json.Marshal(r.Conditions)
	res, err := s.w.ExecContext(ctx, `UPDATE filter_rules SET group_id = ?, name = ?, description = ?, enabled = ?,
		conditions = ?, updated_at = ? WHERE id = ?`, r.GroupID, r.Name, r.Description, r.Enabled, string(conds), ms(s.now()), r.ID)
	if err != nil {
		return filterConflict(fmt.Errorf("store: update filter rule: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.Errorf(model.ErrNotFound, "No such filter rule.")
	}
	return nil
}

// DeleteFilterRule removes a rule.
func (s *Store) DeleteFilterRule(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM filter_rules WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete filter rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.Errorf(model.ErrNotFound, "No such filter rule.")
	}
	return nil
}
