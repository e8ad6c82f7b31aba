package web

import (
	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
)

// remoteSensorInScope is sensorInScope for settings only a remote sensor has.
func (s *Server) remoteSensorInScope(c *fiber.Ctx) (*model.Sensor, error) {
	sn, err := s.sensorInScope(c)
	if err != nil {
		return nil, err
	}
	if sn.Local {
		return nil, model.Errorf(model.ErrConflict, "The appliance's own sensor runs on the appliance's network and runs no containers.")
	}
	return sn, nil
}

// sensorNetworkGet answers a sensor's network settings; secrets only say whether they are set.
func (s *Server) sensorNetworkGet(c *fiber.Ctx) error {
	sn, err := s.sensorInScope(c)
	if err != nil {
		return err
	}
	n, err := s.Store.SensorNetwork(c.UserContext(), sn.ID)
	if err != nil {
		return err
	}
	return c.JSON(n.View())
}

// sensorNetworkUpdate replaces a remote sensor's network settings. A secret left empty keeps
// the stored one while its mode still uses it; what the chosen modes do not use is cleared.
// Original HoneySens sensors receive the settings with their next heartbeat; this appliance's
// own remote sensors leave the network to their host.
func (s *Server) sensorNetworkUpdate(c *fiber.Ctx) error {
	sn, err := s.remoteSensorInScope(c)
	if err != nil {
		return err
	}
	var in model.SensorNetwork
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.UserContext()
	stored, err := s.Store.SensorNetwork(ctx, sn.ID)
	if err != nil {
		return err
	}
	in.Normalize()
	in.KeepSecrets(stored)
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	if err := s.Store.SetSensorNetwork(ctx, sn.ID, &in); err != nil {
		return err
	}
	// The views hold no secrets: the log says only that a password was set or removed.
	s.auditNote(c, model.AuditSensorUpdated, "sensor", sn.ID, sn.Name, model.Text{Key: "audit_detail.network_settings"}, model.Diff(stored.View(), in.View()))
	return c.JSON(in.View())
}

// sensorContainerList lists the container services assigned to a sensor.
func (s *Server) sensorContainerList(c *fiber.Ctx) error {
	sn, err := s.sensorInScope(c)
	if err != nil {
		return err
	}
	list, err := s.Store.ContainerServices(c.UserContext(), sn.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": list})
}

// sensorContainerCreate assigns a container service to a remote sensor.
func (s *Server) sensorContainerCreate(c *fiber.Ctx) error {
	return s.saveContainer(c, 0)
}

// sensorContainerUpdate changes a container service of a sensor.
func (s *Server) sensorContainerUpdate(c *fiber.Ctx) error {
	id, err := c.ParamsInt("cid")
	if err != nil || id <= 0 {
		return model.Errorf(model.ErrNotFound, "No such service.")
	}
	return s.saveContainer(c, int64(id))
}

// saveContainer creates (id 0) or changes a container service of the :id sensor. A sensor
// sends all traffic no service takes to one container, so only one may catch all.
func (s *Server) saveContainer(c *fiber.Ctx, id int64) error {
	sn, err := s.remoteSensorInScope(c)
	if err != nil {
		return err
	}
	var in model.ContainerService
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	in.ID, in.SensorID = id, sn.ID
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	ctx := c.UserContext()
	list, err := s.Store.ContainerServices(ctx, sn.ID)
	if err != nil {
		return err
	}
	var before *model.ContainerService
	for _, other := range list {
		if other.ID == id {
			before = other
		} else if in.CatchAll && other.CatchAll {
			return invalidField("catch_all", "The service "+other.Label+" catches all traffic already; only one service can.")
		}
	}
	if id != 0 && before == nil {
		return model.Errorf(model.ErrNotFound, "No such service.")
	}
	if err := s.Store.SaveContainerService(ctx, &in); err != nil {
		return err
	}
	if before == nil {
		s.auditNote(c, model.AuditSensorUpdated, "sensor", sn.ID, sn.Name, containerText("audit_detail.container_assigned", in.Label), nil)
		return c.Status(fiber.StatusCreated).JSON(&in)
	}
	s.auditNote(c, model.AuditSensorUpdated, "sensor", sn.ID, sn.Name, containerText("audit_detail.container_changed", in.Label), model.Diff(before, &in))
	return c.JSON(&in)
}

// sensorContainerDelete removes a container service from a sensor; the sensor removes the
// container with its next heartbeat.
func (s *Server) sensorContainerDelete(c *fiber.Ctx) error {
	sn, err := s.remoteSensorInScope(c)
	if err != nil {
		return err
	}
	id, err := c.ParamsInt("cid")
	if err != nil || id <= 0 {
		return model.Errorf(model.ErrNotFound, "No such service.")
	}
	ctx := c.UserContext()
	list, err := s.Store.ContainerServices(ctx, sn.ID)
	if err != nil {
		return err
	}
	label := ""
	for _, cs := range list {
		if cs.ID == int64(id) {
			label = cs.Label
		}
	}
	if err := s.Store.DeleteContainerService(ctx, sn.ID, int64(id)); err != nil {
		return err
	}
	s.auditNote(c, model.AuditSensorUpdated, "sensor", sn.ID, sn.Name, containerText("audit_detail.container_removed", label), nil)
	return c.SendStatus(fiber.StatusNoContent)
}

// containerText names a container service in an audit detail.
func containerText(key, label string) model.Text {
	return model.Text{Key: key, Args: model.TextArgs{"label": label}}
}
