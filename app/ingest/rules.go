package ingest

import (
	"context"

	"honeysens/app/filter"
	"honeysens/app/model"
	"honeysens/app/store"
)

// Filter rules, and groups (which own rules), change here and not in the store directly: every
// write recompiles the rule set, so the next event meets the rules as they were saved.

// CreateFilterRule checks and stores a new rule.
func (s *Service) CreateFilterRule(ctx context.Context, r *model.FilterRule) error {
	if err := checkRule(r); err != nil {
		return err
	}
	if err := s.store.CreateFilterRule(ctx, r); err != nil {
		return err
	}
	return s.ReloadFilters(ctx)
}

// UpdateFilterRule checks and stores a changed rule (its hit counter is kept).
func (s *Service) UpdateFilterRule(ctx context.Context, r *model.FilterRule) error {
	if err := checkRule(r); err != nil {
		return err
	}
	if err := s.store.UpdateFilterRule(ctx, r); err != nil {
		return err
	}
	return s.ReloadFilters(ctx)
}

// DeleteFilterRule removes a rule.
func (s *Service) DeleteFilterRule(ctx context.Context, id int64) error {
	if err := s.store.DeleteFilterRule(ctx, id); err != nil {
		return err
	}
	return s.ReloadFilters(ctx)
}

// DeleteGroup removes a group with its sensors and filter rules (store.DeleteGroup); the
// group's rules stop applying at once.
func (s *Service) DeleteGroup(ctx context.Context, id int64, archive bool) (*store.GroupRemoval, error) {
	removed, err := s.store.DeleteGroup(ctx, id, archive)
	if err != nil {
		return nil, err
	}
	return removed, s.ReloadFilters(ctx)
}

// checkRule validates a rule's fields and that its conditions compile.
func checkRule(r *model.FilterRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	_, err := filter.CompileConditions(r.Conditions)
	return err
}
