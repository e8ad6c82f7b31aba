package web

import (
	"github.com/gofiber/fiber/v2"

	"honeysens/app/archive"
	"honeysens/app/model"
	"honeysens/app/texts"
)

// archiveSettingsGet is GET /api/settings/archive. Every logged-in user reads it: the remove
// dialogs pre-tick "Move events to archive" from it.
func (s *Server) archiveSettingsGet(c *fiber.Ctx) error {
	set := model.DefaultArchiveSettings()
	if err := s.Store.Settings(c.UserContext(), "archive", &set); err != nil {
		return err
	}
	return c.JSON(set)
}

// archiveSettingsUpdate is PATCH /api/settings/archive: keys given replace the stored ones, and
// the daily job moves to the new time at once.
func (s *Server) archiveSettingsUpdate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	set := model.DefaultArchiveSettings()
	if err := s.Store.Settings(ctx, "archive", &set); err != nil {
		return err
	}
	old := set
	if err := decodeJSON(c, &set); err != nil {
		return err
	}
	if err := set.Validate(); err != nil {
		return err
	}
	if err := s.Store.SetSettings(ctx, "archive", set); err != nil {
		return err
	}
	if s.Schedule != nil {
		if err := s.Schedule.Archive(set); err != nil {
			return err
		}
	}
	s.auditChanges(c, model.AuditSettingsUpdated, "settings", 0, "archive", "", model.Diff(old, set))
	return c.JSON(set)
}

// archiveRun is POST /api/archive/run, the "run now" button: one run of the daily job.
func (s *Server) archiveRun(c *fiber.Ctx) error {
	res, err := archive.Run(c.UserContext(), s.Store, s.Now())
	if err != nil {
		return err
	}
	s.auditNote(c, model.AuditArchiveRun, "settings", 0, "archive", model.Text{Key: "audit_detail.archive_run", Args: model.TextArgs{
		"archived": texts.Count("audit_detail.event_count", res.Archived),
		"deleted":  texts.Count("audit_detail.event_count", res.Deleted),
	}}, nil)
	return c.JSON(res)
}
