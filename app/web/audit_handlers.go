package web

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
	"honeysens/app/store"
)

// audit records who did what. A failure to write the trail is logged, not answered: the change
// it describes has already been committed.
func (s *Server) audit(c *fiber.Ctx, action, objectType string, objectID int64, objectName, detail string) {
	s.auditChanges(c, action, objectType, objectID, objectName, detail, nil)
}

// auditChanges records an update with the fields it changed (see model.Diff).
func (s *Server) auditChanges(c *fiber.Ctx, action, objectType string, objectID int64, objectName, detail string, changes model.Changes) {
	s.addAudit(c, objectID, &model.AuditEntry{Action: action, ObjectType: objectType, ObjectName: objectName, Detail: detail, Changes: changes})
}

// auditNote records an entry whose detail is a catalog text: the Audit page shows it in the
// reader's language, the API in English as well. changes may be nil.
func (s *Server) auditNote(c *fiber.Ctx, action, objectType string, objectID int64, objectName string, note model.Text, changes model.Changes) {
	e := &model.AuditEntry{Action: action, ObjectType: objectType, ObjectName: objectName, Changes: changes}
	s.english.Describe(e, note)
	s.addAudit(c, objectID, e)
}

// actor is who makes a change, for an audit entry that the change writes itself.
func actor(c *fiber.Ctx) model.AuditEntry {
	e := model.AuditEntry{IP: c.IP()}
	if p := principal(c); p != nil {
		e.UserID, e.User = &p.User.ID, p.User.Login
	}
	return e
}

// addAudit adds who did it from where to e and writes it.
func (s *Server) addAudit(c *fiber.Ctx, objectID int64, e *model.AuditEntry) {
	by := actor(c)
	e.IP, e.UserID, e.User = by.IP, by.UserID, by.User
	if objectID != 0 {
		e.ObjectID = &objectID
	}
	if err := s.Store.AddAudit(c.UserContext(), e); err != nil {
		s.Log.Error("audit entry lost", "component", "web", "action", e.Action, "err", err)
	}
}

// auditList pages through the audit log, newest first; the cursor is the last id seen. Query
// keys: user (id or login), action, object_type, object_id, from, to (RFC 3339), limit, cursor.
func (s *Server) auditList(c *fiber.Ctx) error {
	f, err := parseAuditFilter(c)
	if err != nil {
		return err
	}
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	items, err := s.Store.SearchAudit(c.UserContext(), f)
	if err != nil {
		return err
	}
	for _, e := range items {
		// A mail server's diagnosis reads in the caller's language, as the failed test said it.
		if diagnosis, ok := e.DetailArgs["error"].(string); ok {
			e.DetailArgs["error"] = s.translate(c, diagnosis)
		}
	}
	var next *string
	if len(items) > limit {
		items = items[:limit]
		cur := strconv.FormatInt(items[limit-1].ID, 10)
		next = &cur
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// parseAuditFilter reads the list's query keys; every invalid one is named in the answer.
func parseAuditFilter(c *fiber.Ctx) (store.AuditFilter, error) {
	f := store.AuditFilter{Limit: c.QueryInt("limit", 50)}
	bad := model.FieldErrors{}
	if f.Limit < 1 || f.Limit > 500 {
		bad.Add("limit", "Use 1 to 500.")
	}
	if cur := c.Query("cursor"); cur != "" {
		v, err := strconv.ParseInt(cur, 10, 64)
		if err != nil || v <= 0 {
			bad.Add("cursor", "Not a cursor from this list.")
		}
		f.Before = v
	}
	f.User = strings.TrimSpace(c.Query("user"))
	if utf8.RuneCountInString(f.User) > 64 {
		bad.Add("user", "Use a user id or login.")
	}
	f.Action = c.Query("action")
	if f.Action != "" && !slices.Contains(model.AuditActions, f.Action) {
		bad.Add("action", "Not an action of the audit log.")
	}
	f.ObjectType = c.Query("object_type")
	if f.ObjectType != "" && !slices.Contains(model.AuditObjectTypes, f.ObjectType) {
		bad.Add("object_type", "Use one of "+strings.Join(model.AuditObjectTypes, ", ")+".")
	}
	if id := c.Query("object_id"); id != "" {
		v, err := strconv.ParseInt(id, 10, 64)
		switch {
		case err != nil || v <= 0:
			bad.Add("object_id", "Use an id.")
		case f.ObjectType == "":
			bad.Add("object_id", "Choose the type of object too.")
		}
		f.ObjectID = v
	}
	for _, k := range []string{"from", "to"} {
		v := c.Query(k)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			bad.Add(k, "Use an RFC 3339 time such as 2026-11-29T08:00:00Z.")
			continue
		}
		if k == "from" {
			f.From = &t
		} else {
			f.To = &t
		}
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		bad.Add("to", "Use a time after the start.")
	}
	return f, bad.Err()
}
