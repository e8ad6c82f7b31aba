package web

import (
	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
	"honeysens/app/texts"
)

type groupInput struct {
	Name     *string          `json:"name"`
	Members  *[]int64         `json:"members"`
	Contacts *[]model.Contact `json:"contacts"`
}

func (in *groupInput) apply(g *model.Group) error {
	if in.Name != nil {
		g.Name = *in.Name
	}
	if in.Members != nil {
		g.Members = *in.Members
	}
	if in.Contacts != nil {
		g.Contacts = *in.Contacts
	}
	return g.Validate()
}

// groupList lists the groups the caller may see: all for admins, their own for others.
func (s *Server) groupList(c *fiber.Ctx) error {
	groups, err := s.Store.Groups(c.UserContext())
	if err != nil {
		return err
	}
	p := principal(c)
	visible := make([]*model.Group, 0, len(groups))
	for _, g := range groups {
		if p.InGroup(g.ID) {
			visible = append(visible, g)
		}
	}
	return c.JSON(fiber.Map{"items": visible})
}

// groupGet answers not_found for a group outside the caller's scope, so that ids of other
// groups are not even confirmed to exist.
func (s *Server) groupGet(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if !principal(c).InGroup(id) {
		return model.Errorf(model.ErrNotFound, "No such group.")
	}
	g, err := s.Store.Group(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(g)
}

func (s *Server) groupCreate(c *fiber.Ctx) error {
	var in groupInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	g := &model.Group{Members: []int64{}, Contacts: []model.Contact{}}
	if err := in.apply(g); err != nil {
		return err
	}
	if err := s.Store.CreateGroup(c.UserContext(), g); err != nil {
		return err
	}
	if err := s.resumeMail(c, in.Contacts != nil); err != nil {
		return err
	}
	s.audit(c, model.AuditGroupCreated, "group", g.ID, g.Name, "")
	return c.Status(fiber.StatusCreated).JSON(g)
}

func (s *Server) groupUpdate(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in groupInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.UserContext()
	g, err := s.Store.Group(ctx, id)
	if err != nil {
		return err
	}
	old := *g // apply replaces fields, so this copy keeps the old values
	if err := in.apply(g); err != nil {
		return err
	}
	if err := s.Store.UpdateGroup(ctx, g); err != nil {
		return err
	}
	if err := s.resumeMail(c, in.Contacts != nil); err != nil {
		return err
	}
	s.auditChanges(c, model.AuditGroupUpdated, "group", g.ID, g.Name, "", model.Diff(old, g))
	return c.JSON(g)
}

// groupDelete removes a group with its sensors and filter rules. The sensors' events are
// deleted, or moved to the archive with {"archive": true} (where the group's name stays).
func (s *Server) groupDelete(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	var in struct {
		Archive bool `json:"archive"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	ctx := c.UserContext()
	g, err := s.Store.Group(ctx, id)
	if err != nil {
		return err
	}
	removed, err := s.Ingest.DeleteGroup(ctx, id, in.Archive)
	if err != nil {
		return err
	}
	key := "audit_detail.group_deleted"
	if in.Archive {
		key = "audit_detail.group_archived"
	}
	s.auditNote(c, model.AuditGroupDeleted, "group", g.ID, g.Name, model.Text{Key: key, Args: model.TextArgs{
		"sensors": texts.Count("audit_detail.sensor_count", removed.Sensors),
		"events":  texts.Count("audit_detail.event_count", removed.Events),
	}}, nil)
	return c.JSON(fiber.Map{"sensors": removed.Sensors, "events": removed.Events, "archived": in.Archive})
}

// resumeMail lets event mails start from now when contacts were saved, in case they were
// paused for want of a contact (notify.Service.Resume).
func (s *Server) resumeMail(c *fiber.Ctx, contactsSaved bool) error {
	if !contactsSaved || s.Mail == nil {
		return nil
	}
	return s.Mail.Resume(c.UserContext())
}
