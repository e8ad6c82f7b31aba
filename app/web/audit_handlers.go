package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
)

// audit records who did what. A failure to write the trail is logged, not answered: the change
// it describes has already been committed.
func (s *Server) audit(c *fiber.Ctx, action, objectType string, objectID int64, objectName, detail string) {
	e := &model.AuditEntry{IP: c.IP(), Action: action, ObjectType: objectType, ObjectName: objectName, Detail: detail}
	if p := principal(c); p != nil {
		e.UserID, e.User = &p.User.ID, p.User.Login
	}
	if objectID != 0 {
		e.ObjectID = &objectID
	}
	if err := s.Store.AddAudit(c.UserContext(), e); err != nil {
		s.Log.Error("audit entry lost", "component", "web", "action", action, "err", err)
	}
}

// auditList pages through the audit log, newest first; the cursor is the last id seen.
func (s *Server) auditList(c *fiber.Ctx) error {
	limit := c.QueryInt("limit", 50)
	if limit < 1 || limit > 500 {
		return &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"limit": "Use 1 to 500."}}
	}
	var before int64
	if cur := c.Query("cursor"); cur != "" {
		v, err := strconv.ParseInt(cur, 10, 64)
		if err != nil || v <= 0 {
			return &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
				Fields: map[string]string{"cursor": "Not a cursor from this list."}}
		}
		before = v
	}
	items, err := s.Store.Audit(c.UserContext(), before, limit+1)
	if err != nil {
		return err
	}
	var next *string
	if len(items) > limit {
		items = items[:limit]
		cur := strconv.FormatInt(items[limit-1].ID, 10)
		next = &cur
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}
