package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/honeypot"
	"honeysens/app/model"
	"honeysens/app/sensor"
	"honeysens/app/texts"
)

// sensorView is a sensor as the Sensors page shows it: settings, liveness, the New events it
// reported and its services. The secret is never part of it.
type sensorView struct {
	*model.Sensor
	Status      string        `json:"status"` // waiting, online or offline
	StatusSince *time.Time    `json:"status_since"`
	NewEvents   int64         `json:"new_events"`
	Services    []serviceView `json:"services"`
}

// serviceView is an assigned service as the sensor reported it, with what its limits gave up
// since it started when the sensor reported that (a running service's reason, see
// sensor.DropsReason).
type serviceView struct {
	*model.SensorService
	Dropped *honeypot.DropCounts `json:"dropped,omitempty"`
}

func (s *Server) sensorViews(ctx context.Context, list []*model.Sensor) ([]sensorView, error) {
	last, err := s.Store.LastStatusChanges(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.Store.NewEventCounts(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	out := make([]sensorView, 0, len(list))
	for _, sn := range list {
		v := sensorView{Sensor: sn, Status: "waiting", NewEvents: counts[sn.ID]}
		if sn.LastContact != nil {
			// Since when: from the status history, or, until the timeout check has written the
			// change, the moment it will record (the heartbeat, or when it became overdue).
			since := sn.OverdueAt()
			v.Status = "offline"
			if sn.Online(now) {
				v.Status, since = "online", *sn.LastContact
			}
			if c, ok := last[sn.ID]; ok && c.Online == sn.Online(now) {
				since = c.Time
			}
			v.StatusSince = &since
		}
		services, err := s.Store.SensorServices(ctx, sn.ID)
		if err != nil {
			return nil, err
		}
		v.Services = make([]serviceView, len(services))
		for i, sv := range services {
			v.Services[i].SensorService = sv
			if c, ok := sensor.ParseDrops(sv.Error); ok && sv.State == model.ServiceRunning {
				v.Services[i].Dropped = &c
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// sensorInScope loads the :id sensor, "not found" outside the caller's groups.
func (s *Server) sensorInScope(c *fiber.Ctx) (*model.Sensor, error) {
	return inScope(c, s.Store.Sensor, func(sn *model.Sensor) int64 { return sn.GroupID },
		model.Errorf(model.ErrNotFound, "No such sensor."))
}

// sensorList lists the sensors of the caller's groups.
func (s *Server) sensorList(c *fiber.Ctx) error {
	all, err := s.Store.Sensors(c.UserContext())
	if err != nil {
		return err
	}
	p := principal(c)
	list := make([]*model.Sensor, 0, len(all))
	for _, sn := range all {
		if p.InGroup(sn.GroupID) {
			list = append(list, sn)
		}
	}
	views, err := s.sensorViews(c.UserContext(), list)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": views, "services": s.Catalog.Names()})
}

func (s *Server) sensorGet(c *fiber.Ctx) error {
	sn, err := s.sensorInScope(c)
	if err != nil {
		return err
	}
	views, err := s.sensorViews(c.UserContext(), []*model.Sensor{sn})
	if err != nil {
		return err
	}
	return c.JSON(views[0])
}

// sensorInput is the body of sensor create and update.
type sensorInput struct {
	Name           *string `json:"name"`
	Location       *string `json:"location"`
	Group          *int64  `json:"group"`
	UpdateInterval *int    `json:"update_interval"`
}

func (in *sensorInput) apply(c *fiber.Ctx, sn *model.Sensor) error {
	if in.Name != nil {
		sn.Name = *in.Name
	}
	if in.Location != nil {
		sn.Location = *in.Location
	}
	if in.Group != nil {
		sn.GroupID = *in.Group
	}
	if in.UpdateInterval != nil {
		sn.UpdateInterval = *in.UpdateInterval
	}
	if err := sn.Validate(); err != nil {
		return err
	}
	if !principal(c).InGroup(sn.GroupID) {
		return invalidField("group", "You can place sensors only in your own groups.")
	}
	return nil
}

// sensorCreate registers a remote sensor with every service assigned with its defaults, and
// answers its secret: the only time it is shown (the config download carries it too).
func (s *Server) sensorCreate(c *fiber.Ctx) error {
	var in sensorInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sn := &model.Sensor{UpdateInterval: 60, Secret: auth.NewSensorSecret()}
	if err := in.apply(c, sn); err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := s.Store.CreateSensor(ctx, sn); err != nil {
		return err
	}
	for _, sv := range s.Catalog.Defaults(sn.ID) {
		if err := s.Store.SetSensorService(ctx, sv); err != nil {
			return err
		}
	}
	s.audit(c, model.AuditSensorCreated, "sensor", sn.ID, sn.Name, "")
	return c.Status(fiber.StatusCreated).JSON(struct {
		*model.Sensor
		Secret string `json:"secret"`
	}{sn, sn.Secret})
}

func (s *Server) sensorUpdate(c *fiber.Ctx) error {
	sn, err := s.sensorInScope(c)
	if err != nil {
		return err
	}
	var in sensorInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	old := *sn
	if err := in.apply(c, sn); err != nil {
		return err
	}
	if err := s.Store.UpdateSensor(c.UserContext(), sn); err != nil {
		return err
	}
	// The sensor's secret is not part of its JSON, so it never reaches the log.
	s.auditChanges(c, model.AuditSensorUpdated, "sensor", sn.ID, sn.Name, "", model.Diff(old, sn))
	return c.JSON(sn)
}

// sensorDelete removes a remote sensor; its events are deleted, or archived when asked.
func (s *Server) sensorDelete(c *fiber.Ctx) error {
	sn, err := s.sensorInScope(c)
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
	if sn.Local {
		return model.Errorf(model.ErrConflict, "The appliance's own sensor cannot be removed; disable its services instead.")
	}
	n, err := s.Store.DeleteSensor(c.UserContext(), sn.ID, in.Archive)
	if err != nil {
		return err
	}
	key := "audit_detail.events_deleted"
	if in.Archive {
		key = "audit_detail.events_archived"
	}
	s.auditNote(c, model.AuditSensorDeleted, "sensor", sn.ID, sn.Name, texts.Count(key, n), nil)
	return c.JSON(fiber.Map{"events": n, "archived": in.Archive})
}

// sensorStatusHistory lists a sensor's recent online/offline changes.
func (s *Server) sensorStatusHistory(c *fiber.Ctx) error {
	sn, err := s.sensorInScope(c)
	if err != nil {
		return err
	}
	list, err := s.Store.StatusHistory(c.UserContext(), sn.ID, 50)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list})
}

// sensorServiceUpdate turns a service of a sensor on or off and changes its settings. The
// settings are checked by building the service (without starting it); the appliance's own
// sensor applies the change at once, a remote sensor with its next heartbeat.
func (s *Server) sensorServiceUpdate(c *fiber.Ctx) error {
	sn, err := s.sensorInScope(c)
	if err != nil {
		return err
	}
	name := c.Params("name")
	kind, ok := s.Catalog[name]
	if !ok {
		return model.Errorf(model.ErrNotFound, "No such service.")
	}
	var in struct {
		Enabled bool            `json:"enabled"`
		Config  json.RawMessage `json:"config"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if len(in.Config) == 0 || string(in.Config) == "null" {
		in.Config, _ = json.Marshal(kind.Defaults())
	}
	if _, err := kind.New(in.Config, s.Limits, s.Log); err != nil {
		// Field messages of the settings are answered as config.<field>, next to the editor.
		out := &model.Error{Code: model.ErrInvalid, Message: "The service's settings are not valid.", Fields: map[string]string{}}
		var me *model.Error
		if errors.As(err, &me) && len(me.Fields) > 0 {
			for k, v := range me.Fields {
				if k != "config" {
					k = "config." + k
				}
				out.Fields[k] = v
			}
		} else {
			out.Fields["config"] = "The settings could not be read."
		}
		return out
	}
	sv := &model.SensorService{SensorID: sn.ID, Name: name, Enabled: in.Enabled, Config: in.Config}
	ctx := c.UserContext()
	before, err := s.Store.SensorServices(ctx, sn.ID)
	if err != nil {
		return err
	}
	changes := model.Changes{}
	for _, prev := range before {
		if prev.Name == name {
			changes = model.Diff(prev.Config, in.Config)
			if prev.Enabled != in.Enabled {
				changes["enabled"] = [2]any{prev.Enabled, in.Enabled}
			}
		}
	}
	if err := s.Store.SetSensorService(ctx, sv); err != nil {
		return err
	}
	if sn.Local && s.ReloadLocal != nil {
		if err := s.ReloadLocal(ctx); err != nil {
			return err
		}
	}
	key := "audit_detail.service_disabled"
	if in.Enabled {
		key = "audit_detail.service_enabled"
	}
	s.auditNote(c, model.AuditServiceUpdated, "sensor", sn.ID, sn.Name, model.Text{Key: key, Args: model.TextArgs{"service": name}}, changes)
	list, err := s.Store.SensorServices(ctx, sn.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list})
}

// sensorConfig is the configuration file of a remote sensor: where the server is, the pin of
// the certificate it serves (empty over plain HTTP) and the sensor's credentials. It contains
// the secret, so only managers may download it.
func (s *Server) sensorConfig(c *fiber.Ctx) error {
	sn, err := s.sensorInScope(c)
	if err != nil {
		return err
	}
	if sn.Local {
		return model.Errorf(model.ErrConflict, "The appliance's own sensor needs no configuration file.")
	}
	if c.Query("format") == "original" {
		return s.sensorConfigOriginal(c, sn)
	}
	pin := ""
	if c.Protocol() == "https" {
		pin = s.CertPin
	}
	cfg := fiber.Map{"server": c.BaseURL(), "server_cert_sha256": pin, "sensor": sn.ID, "secret": sn.Secret, "name": sn.Name}
	s.audit(c, model.AuditSensorConfigDownloaded, "sensor", sn.ID, sn.Name, "")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="sensor-%d.json"`, sn.ID))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(cfg)
}
