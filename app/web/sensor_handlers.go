package web

import (
	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/model"
)

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
	return c.JSON(fiber.Map{"items": list})
}

func (s *Server) sensorGet(c *fiber.Ctx) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	sn, err := s.Store.Sensor(c.UserContext(), id)
	if err != nil {
		return err
	}
	if !principal(c).InGroup(sn.GroupID) {
		return model.Errorf(model.ErrNotFound, "No such sensor.")
	}
	return c.JSON(sn)
}

// sensorCreate registers a sensor and answers its secret, the only time it is shown.
func (s *Server) sensorCreate(c *fiber.Ctx) error {
	var in struct {
		Name           string `json:"name"`
		Location       string `json:"location"`
		Group          int64  `json:"group"`
		UpdateInterval *int   `json:"update_interval"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	sn := &model.Sensor{Name: in.Name, Location: in.Location, GroupID: in.Group, UpdateInterval: 60, Secret: auth.NewSensorSecret()}
	if in.UpdateInterval != nil {
		sn.UpdateInterval = *in.UpdateInterval
	}
	if err := sn.Validate(); err != nil {
		return err
	}
	if !principal(c).InGroup(sn.GroupID) {
		return invalidField("group", "You can add sensors only to your own groups.")
	}
	if err := s.Store.CreateSensor(c.UserContext(), sn); err != nil {
		return err
	}
	s.audit(c, "sensor_created", "sensor", sn.ID, sn.Name, "")
	return c.Status(fiber.StatusCreated).JSON(struct {
		*model.Sensor
		Secret string `json:"secret"`
	}{sn, sn.Secret})
}
