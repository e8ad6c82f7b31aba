package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
	"honeysens/app/store"
	"honeysens/app/texts"
)

// eventList is GET /api/events: one keyset page plus the total of the filter.
func (s *Server) eventList(c *fiber.Ctx) error {
	f, err := parseEventFilter(queryOf(c), principal(c))
	if err != nil {
		return err
	}
	page, err := parsePage(queryOf(c))
	if err != nil {
		return err
	}
	pg, err := s.Store.Page(c.UserContext(), f, page)
	if err != nil {
		return err
	}
	list, next, total, exact := pg.Items, pg.Next, pg.Total, pg.Exact
	items := make([]eventView, len(list))
	for i, e := range list {
		items[i] = newEventView(e)
	}
	var nextCursor *string
	if next != "" {
		nextCursor = &next
	}
	// total_exact is false when the total of a common search term is estimated.
	return c.JSON(fiber.Map{"items": items, "total": total, "total_exact": exact, "next_cursor": nextCursor})
}

// eventGet is GET /api/events/:id with details and packets. An event outside the caller's
// groups is "not found".
func (s *Server) eventGet(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	archive := c.Query("dataset") == "archive"
	e, err := s.Store.Event(c.UserContext(), id, archive)
	if err != nil {
		return err
	}
	if !principal(c).InGroup(e.GroupID) {
		return model.Errorf(model.ErrNotFound, "No such event.")
	}
	return c.JSON(newEventDetailView(e))
}

// bulkTarget is the selection of a bulk action: explicit ids, or every event matching a
// filter (the "All pages" action, done server-side in chunks).
type bulkTarget struct {
	IDs    []int64                    `json:"ids"`
	Filter map[string]json.RawMessage `json:"filter"`
}

// maxBulkIDs bounds an explicit selection; larger sets are addressed by filter.
const maxBulkIDs = 10000

func (b *bulkTarget) resolve(c *fiber.Ctx, dataset string) (*store.EventFilter, error) {
	if (b.IDs == nil) == (b.Filter == nil) {
		return nil, model.Errorf(model.ErrInvalid, "Name the events either by ids or by filter.")
	}
	get := func(string) string { return "" }
	if b.Filter != nil {
		var err error
		if get, err = bodyFilter(b.Filter); err != nil {
			return nil, err
		}
	}
	withDataset := func(k string) string {
		if k == "dataset" && dataset != "" {
			return dataset
		}
		return get(k)
	}
	f, err := parseEventFilter(withDataset, principal(c))
	if err != nil {
		return nil, err
	}
	if b.IDs != nil {
		if len(b.IDs) == 0 || len(b.IDs) > maxBulkIDs {
			return nil, invalidField("ids", fmt.Sprintf("Name 1 to %d events, or use a filter.", maxBulkIDs))
		}
		f.IDs = b.IDs
	}
	return f, nil
}

// eventUpdate is PATCH /api/events: set status and/or comment of live events.
func (s *Server) eventUpdate(c *fiber.Ctx) error {
	var in struct {
		bulkTarget
		Status  *int    `json:"status"`
		Comment *string `json:"comment"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	f, err := in.resolve(c, "")
	if err != nil {
		return err
	}
	if f.Archive {
		return model.Errorf(model.ErrInvalid, "Archived events are read-only: their status and comment cannot change.")
	}
	var ch store.EventChange
	if in.Status != nil {
		if *in.Status < 0 || *in.Status > 3 {
			return invalidField("status", "Use 0 (New), 1 (In progress), 2 (Resolved) or 3 (Ignored).")
		}
		st := model.Status(*in.Status)
		ch.Status = &st
	}
	if in.Comment != nil {
		if utf8.RuneCountInString(*in.Comment) > model.MaxCommentLen {
			return invalidField("comment", "Use at most 1000 characters.")
		}
		comment := strings.ToValidUTF8(*in.Comment, "\uFFFD")
		ch.Comment = &comment
	}
	if ch.Status == nil && ch.Comment == nil {
		return model.Errorf(model.ErrInvalid, "Change the status, the comment or both.")
	}
	n, err := s.Store.UpdateEvents(c.UserContext(), f, ch)
	if err != nil {
		return err
	}
	s.auditNote(c, model.AuditEventsUpdated, "event", 0, "", eventChangeText(n, ch), nil)
	return c.JSON(fiber.Map{"updated": n})
}

// eventChangeText says what a bulk update set: the status, the comment or both.
func eventChangeText(n int64, ch store.EventChange) model.Text {
	switch {
	case ch.Status == nil:
		return texts.Count("audit_detail.events_comment", n)
	case ch.Comment == nil:
		return model.Text{Key: "audit_detail.events_status", Args: model.TextArgs{"count": n, "status": texts.Status(*ch.Status)}}
	}
	return model.Text{Key: "audit_detail.events_status_comment", Args: model.TextArgs{"count": n, "status": texts.Status(*ch.Status)}}
}

// eventDelete is DELETE /api/events: remove events for good, or move live ones to the archive.
func (s *Server) eventDelete(c *fiber.Ctx) error {
	var in struct {
		bulkTarget
		Dataset string `json:"dataset"`
		Archive bool   `json:"archive"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	f, err := in.resolve(c, in.Dataset)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if in.Archive {
		if f.Archive {
			return invalidField("archive", "These events are archived already.")
		}
		n, err := s.Store.ArchiveEvents(ctx, f)
		if err != nil {
			return err
		}
		s.auditNote(c, model.AuditEventsArchived, "event", 0, "", texts.Count("audit_detail.events_archived", n), nil)
		return c.JSON(fiber.Map{"removed": n, "archived": n})
	}
	n, err := s.Store.DeleteEvents(ctx, f)
	if err != nil {
		return err
	}
	key := "audit_detail.live_events_deleted"
	if f.Archive {
		key = "audit_detail.archived_events_deleted"
	}
	s.auditNote(c, model.AuditEventsDeleted, "event", 0, "", texts.Count(key, n), nil)
	return c.JSON(fiber.Map{"removed": n, "archived": 0})
}

// eventUpdates is GET /api/events/updates, polled by the UI every few seconds: the newest live
// event id and the number of New events, both within the caller's groups. Both come from
// indexes and counters, so polling stays cheap at millions of events.
func (s *Server) eventUpdates(c *fiber.Ctx) error {
	p := principal(c)
	ctx := c.UserContext()
	last, err := s.Store.LatestEventID(ctx, p.GroupScope())
	if err != nil {
		return err
	}
	n, err := s.Store.CountEvents(ctx, &store.EventFilter{Groups: p.GroupScope(), Status: []model.Status{model.StatusNew}})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"last_id": last, "new_count": n})
}
