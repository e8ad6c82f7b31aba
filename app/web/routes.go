package web

import (
	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
)

// table is the one list of the appliance's own routes. Each names the access level its guard
// enforces; group scoping inside a level is done by the handler through the Principal. The
// authorization test walks the registered routes and fails on any route missing from its table.
func (s *Server) table() []Route {
	const get, post, put, patch, del = fiber.MethodGet, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch, fiber.MethodDelete
	return []Route{
		{get, "/healthz", auth.Public, s.healthGet},

		{post, "/api/session", auth.Public, s.sessionCreate},
		{get, "/api/session", auth.Self, s.sessionGet},
		{del, "/api/session", auth.Self, s.sessionDelete},
		{put, "/api/session/password", auth.Self, s.sessionPasswordChange},

		{get, "/api/tokens", auth.Observer, s.tokenList},
		{post, "/api/tokens", auth.Observer, s.tokenCreate},
		{del, "/api/tokens/:id", auth.Observer, s.tokenDelete},

		{get, "/api/users", auth.Admin, s.userList},
		{post, "/api/users", auth.Admin, s.userCreate},
		{get, "/api/users/:id", auth.Admin, s.userGet},
		{patch, "/api/users/:id", auth.Admin, s.userUpdate},
		{del, "/api/users/:id", auth.Admin, s.userDelete},

		{get, "/api/groups", auth.Observer, s.groupList},
		{post, "/api/groups", auth.Admin, s.groupCreate},
		{get, "/api/groups/:id", auth.Observer, s.groupGet},
		{patch, "/api/groups/:id", auth.Admin, s.groupUpdate},
		{del, "/api/groups/:id", auth.Admin, s.groupDelete},

		{get, "/api/audit", auth.Admin, s.auditList},

		{get, "/api/events", auth.Observer, s.eventList},
		{patch, "/api/events", auth.Manager, s.eventUpdate},
		{del, "/api/events", auth.Manager, s.eventDelete},
		{get, "/api/events/export.csv", auth.Observer, s.eventExport},
		{get, "/api/events/updates", auth.Observer, s.eventUpdates},
		{get, "/api/events/:id", auth.Observer, s.eventGet},

		{get, "/api/sensors", auth.Observer, s.sensorList},
		{post, "/api/sensors", auth.Manager, s.sensorCreate},
		{get, "/api/sensors/:id", auth.Observer, s.sensorGet},

		// The HoneySens sensor protocol: HMAC-signed, checked by the ingest service.
		{post, "/api/events", auth.Sensor, s.Ingest.EventsCreate},
		{post, "/api/sensors/status", auth.Sensor, s.Ingest.StatusCreate},

		// The UI: index.html and its scripts, styles and icons. Last, so /api routes win.
		{get, "/*", auth.Public, s.staticGet},
		{fiber.MethodHead, "/*", auth.Public, s.staticGet},
	}
}

// healthGet answers 200 while the database answers, for systemd and load checks.
func (s *Server) healthGet(c *fiber.Ctx) error {
	if _, err := s.Store.UserCount(c.UserContext()); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version})
}
