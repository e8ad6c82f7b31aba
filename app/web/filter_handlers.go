package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
)

// filterInput is the body of filter rule create and update; absent keys stay unchanged.
type filterInput struct {
	Name        *string                  `json:"name"`
	Group       *int64                   `json:"group"`
	Description *string                  `json:"description"`
	Enabled     *bool                    `json:"enabled"`
	Conditions  *[]model.FilterCondition `json:"conditions"`
}

func (in *filterInput) apply(c *fiber.Ctx, r *model.FilterRule) error {
	if in.Name != nil {
		r.Name = *in.Name
	}
	if in.Group != nil {
		r.GroupID = *in.Group
	}
	if in.Description != nil {
		r.Description = strings.ToValidUTF8(*in.Description, "\uFFFD")
	}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
	if in.Conditions != nil {
		r.Conditions = *in.Conditions
	}
	if !principal(c).InGroup(r.GroupID) {
		return invalidField("group", "You can add filter rules only to your own groups.")
	}
	return nil
}

// filterInScope loads the :id rule, "not found" outside the caller's groups.
func (s *Server) filterInScope(c *fiber.Ctx) (*model.FilterRule, error) {
	return inScope(c, s.Store.FilterRule, func(r *model.FilterRule) int64 { return r.GroupID },
		model.Errorf(model.ErrNotFound, "No such filter rule."))
}

// filterList lists the rules of the caller's groups, optionally of one group (?group=).
func (s *Server) filterList(c *fiber.Ctx) error {
	var only int64
	if g := c.Query("group"); g != "" {
		id, err := strconv.ParseInt(g, 10, 64)
		if err != nil || id <= 0 {
			return invalidField("group", "Use a group id.")
		}
		only = id
	}
	all, err := s.Store.FilterRules(c.UserContext())
	if err != nil {
		return err
	}
	p := principal(c)
	list := make([]*model.FilterRule, 0, len(all))
	for _, r := range all {
		if p.InGroup(r.GroupID) && (only == 0 || r.GroupID == only) {
			list = append(list, r)
		}
	}
	return c.JSON(fiber.Map{"items": list})
}

func (s *Server) filterGet(c *fiber.Ctx) error {
	r, err := s.filterInScope(c)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// filterCreate registers a rule; it applies to the next incoming event.
func (s *Server) filterCreate(c *fiber.Ctx) error {
	var in filterInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r := &model.FilterRule{Enabled: true, Conditions: []model.FilterCondition{}}
	if err := in.apply(c, r); err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := s.Ingest.CreateFilterRule(ctx, r); err != nil {
		return err
	}
	s.audit(c, model.AuditFilterCreated, "filter", r.ID, r.Name, "")
	return c.Status(fiber.StatusCreated).JSON(r)
}

// filterUpdate changes a rule (also enables or disables it); its counter is kept.
func (s *Server) filterUpdate(c *fiber.Ctx) error {
	r, err := s.filterInScope(c)
	if err != nil {
		return err
	}
	var in filterInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	old := *r // apply replaces fields, so this copy keeps the old values
	if err := in.apply(c, r); err != nil {
		return err
	}
	changes := model.Diff(old, r) // before the store sets updated_at
	ctx := c.UserContext()
	if err := s.Ingest.UpdateFilterRule(ctx, r); err != nil {
		return err
	}
	s.auditChanges(c, model.AuditFilterUpdated, "filter", r.ID, r.Name, "", changes)
	return c.JSON(r)
}

func (s *Server) filterDelete(c *fiber.Ctx) error {
	r, err := s.filterInScope(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := s.Ingest.DeleteFilterRule(ctx, r.ID); err != nil {
		return err
	}
	s.audit(c, model.AuditFilterDeleted, "filter", r.ID, r.Name, "")
	return c.SendStatus(fiber.StatusNoContent)
}
