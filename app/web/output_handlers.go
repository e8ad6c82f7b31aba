package web

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
	"honeysens/app/texts"
)

// outputInput is the body of output create and update; absent keys stay unchanged. config is
// the kind's settings; a webhook secret left out of it is kept.
type outputInput struct {
	Type            *string                 `json:"type"`
	Name            *string                 `json:"name"`
	Enabled         *bool                   `json:"enabled"`
	Events          *string                 `json:"events"`
	Classifications *[]model.Classification `json:"classifications"`
	Groups          *[]int64                `json:"groups"`
	Config          json.RawMessage         `json:"config"`
}

// apply changes o by the input and checks the result; its config is checked by its kind.
func (s *Server) applyOutput(c *fiber.Ctx, in *outputInput, o *model.Output, old json.RawMessage) error {
	if in.Type != nil {
		if o.ID != 0 && *in.Type != o.Kind {
			return invalidField("type", "The type of an output cannot change; create a new one.")
		}
		o.Kind = *in.Type
	}
	if in.Name != nil {
		o.Name = *in.Name
	}
	if in.Enabled != nil {
		o.Enabled = *in.Enabled
	}
	if in.Events != nil {
		o.Events = *in.Events
	}
	if in.Classifications != nil {
		o.Classifications = *in.Classifications
	}
	if in.Groups != nil {
		o.Groups = *in.Groups
	}
	f := model.FieldErrors{}
	o.Validate(f)
	if err := s.checkGroups(c, o.Groups, f); err != nil {
		return err
	}
	kind, ok := s.Outputs.Kind(o.Kind)
	if !ok {
		f.Add("type", "Use syslog or webhook.")
		return f.Err()
	}
	raw := in.Config
	if raw == nil {
		raw = old
	}
	cfg, err := kind.Config(raw, old)
	if me, ok := err.(*model.Error); ok {
		for k, v := range me.Fields {
			f.Add(k, v)
		}
		if len(me.Fields) == 0 {
			f.Add("config", me.Message)
		}
	} else if err != nil {
		return err
	}
	o.Config = cfg
	return f.Err()
}

// checkGroups names the selected groups that do not exist.
func (s *Server) checkGroups(c *fiber.Ctx, ids []int64, f model.FieldErrors) error {
	if len(ids) == 0 {
		return nil
	}
	groups, err := s.Store.Groups(c.UserContext())
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(groups, func(g *model.Group) bool { return g.ID == id }) {
			f.Add("groups", fmt.Sprintf("There is no group %d.", id))
		}
	}
	return nil
}

// outputView is an output as the API shows it to the caller: its settings without secrets,
// the last delivery error in the caller's language as far as the catalog knows its form (the
// receiver's own words and the network's stay as they came).
func (s *Server) outputView(c *fiber.Ctx, o *model.Output) *model.Output {
	v := *o
	if kind, ok := s.Outputs.Kind(o.Kind); ok {
		v.Config = kind.Public(o.Config)
	}
	v.LastError = s.translate(c, o.LastError)
	return &v
}

// outputList is GET /api/outputs: every output with queue depth, failures, last error and
// last success.
func (s *Server) outputList(c *fiber.Ctx) error {
	list, err := s.Store.Outputs(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]*model.Output, len(list))
	for i, o := range list {
		items[i] = s.outputView(c, o)
	}
	return c.JSON(fiber.Map{"items": items})
}

// outputParam loads the :id output.
func (s *Server) outputParam(c *fiber.Ctx) (*model.Output, error) {
	id, err := idParam(c)
	if err != nil {
		return nil, err
	}
	return s.Store.Output(c.UserContext(), id)
}

func (s *Server) outputGet(c *fiber.Ctx) error {
	o, err := s.outputParam(c)
	if err != nil {
		return err
	}
	return c.JSON(s.outputView(c, o))
}

// outputCreate adds an output; it gets the events stored from then on.
func (s *Server) outputCreate(c *fiber.Ctx) error {
	var in outputInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	o := &model.Output{Enabled: true, Selection: model.Selection{Events: model.SelectAll}}
	if err := s.applyOutput(c, &in, o, nil); err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := s.Store.CreateOutput(ctx, o); err != nil {
		return err
	}
	if err := s.Outputs.Sync(ctx); err != nil {
		return err
	}
	o, err := s.Store.Output(ctx, o.ID)
	if err != nil {
		return err
	}
	s.audit(c, model.AuditOutputCreated, "output", o.ID, o.Name, o.Kind)
	return c.Status(fiber.StatusCreated).JSON(s.outputView(c, o))
}

// outputUpdate changes an output; its queue is kept and sent with the new settings.
func (s *Server) outputUpdate(c *fiber.Ctx) error {
	o, err := s.outputParam(c)
	if err != nil {
		return err
	}
	ctx, id := c.UserContext(), o.ID
	var in outputInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	before := s.outputView(c, o)
	if err := s.applyOutput(c, &in, o, o.Config); err != nil {
		return err
	}
	if err := s.Store.UpdateOutput(ctx, o); err != nil {
		return err
	}
	if _, err := s.Outputs.Retry(ctx, o.ID, false); err != nil { // the queue may have waited for these settings
		return err
	}
	if err := s.Outputs.Sync(ctx); err != nil {
		return err
	}
	if o, err = s.Store.Output(ctx, id); err != nil {
		return err
	}
	after := s.outputView(c, o)
	changes := model.Diff(before, after)
	for _, k := range []string{"updated_at", "queued", "failed", "last_error", "last_error_at", "last_success"} {
		delete(changes, k)
	}
	s.auditChanges(c, model.AuditOutputUpdated, "output", o.ID, o.Name, "", changes)
	return c.JSON(after)
}

// outputDelete removes an output with its queue.
func (s *Server) outputDelete(c *fiber.Ctx) error {
	o, err := s.outputParam(c)
	if err != nil {
		return err
	}
	ctx, id := c.UserContext(), o.ID
	if err := s.Store.DeleteOutput(ctx, id); err != nil {
		return err
	}
	if err := s.Outputs.Sync(ctx); err != nil {
		return err
	}
	s.audit(c, model.AuditOutputDeleted, "output", o.ID, o.Name, o.Kind)
	return c.SendStatus(fiber.StatusNoContent)
}

// outputRetry is POST /api/outputs/{id}/retry: queued messages are tried at once, those that
// failed in the last week queued again.
func (s *Server) outputRetry(c *fiber.Ctx) error {
	o, err := s.outputParam(c)
	if err != nil {
		return err
	}
	ctx, id := c.UserContext(), o.ID
	n, err := s.Outputs.Retry(ctx, id, true)
	if err != nil {
		return err
	}
	s.auditNote(c, model.AuditOutputRetried, "output", o.ID, o.Name, texts.Count("audit_detail.message_count", n), nil)
	return c.JSON(fiber.Map{"retried": n})
}

// testEventAddress is where the test event claims to come from: TEST-NET-1 (RFC 5737), an
// address no attacker has.
var testEventAddress = netip.MustParseAddr("192.0.2.1")

// testEventCreate is POST /api/settings/testevent: a synthetic event from the appliance's own
// sensor (or the sensor given as {"sensor": id}) through the whole path of a real one: filter
// rules, storage, counters, mails to the group's contacts and every enabled output, so an
// operator can check the chain.
func (s *Server) testEventCreate(c *fiber.Ctx) error {
	var in struct {
		Sensor *int64 `json:"sensor"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	ctx := c.UserContext()
	var sn *model.Sensor
	var err error
	if in.Sensor != nil {
		sn, err = s.Store.Sensor(ctx, *in.Sensor)
		if model.ErrorCode(err) == model.ErrNotFound {
			return invalidField("sensor", "There is no such sensor.")
		}
	} else if sn, err = s.Store.LocalSensor(ctx); model.ErrorCode(err) == model.ErrNotFound {
		return invalidField("sensor", "Choose the sensor the test event comes from.")
	}
	if err != nil {
		return err
	}
	who, now := principal(c).User.Login, s.Now().UTC()
	e := &model.Event{Timestamp: now, Service: "test", Classification: model.ClassHoneypot,
		Source: testEventAddress, Protocol: model.ProtoTCP,
		Summary: fmt.Sprintf("HoneySens TEST EVENT, not an attack: sent by %s to check notifications and integrations", who),
		Details: []model.Detail{{Timestamp: &now, Data: "This event was created by the Send test event button (POST /api/settings/testevent)."}}}
	n, err := s.Ingest.Submit(ctx, sn, []*model.Event{e})
	if err != nil {
		return err
	}
	if n == 0 {
		return model.Errorf(model.ErrConflict, "A filter rule of the group of sensor %s dropped the test event.", sn.Name)
	}
	s.auditNote(c, model.AuditTestEventSent, "event", e.ID, "", model.Text{Key: "audit_detail.from_sensor", Args: model.TextArgs{"sensor": sn.Name}}, nil)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"event": e.ID, "sensor": model.Ref{ID: sn.ID, Name: sn.Name}})
}
