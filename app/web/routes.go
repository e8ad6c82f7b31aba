package web

import (
	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
)

// table is the one list of the appliance's own routes: method, path, the access level its
// guard enforces, the handler, and whether it is a background request (see Route). Group
// scoping within a level is done by the handler through the Principal. The authorization test
// walks the registered routes and fails on any route missing from its table.
func (s *Server) table() []Route {
	const get, post, put, patch, del = fiber.MethodGet, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch, fiber.MethodDelete
	return []Route{
		{get, "/healthz", auth.Public, s.healthGet, false},

		{post, "/api/session", auth.Public, s.sessionCreate, false},
		{get, "/api/session", auth.Self, s.sessionGet, false},
		{del, "/api/session", auth.Self, s.sessionDelete, false},
		{put, "/api/session/password", auth.Self, s.sessionPasswordChange, false},
		{put, "/api/session/preferences", auth.Observer, s.sessionPreferences, false},
		{get, "/api/sessions", auth.Observer, s.ownSessionList, false},
		{del, "/api/sessions/:sid", auth.Observer, s.ownSessionEnd, false},

		{get, "/api/tokens", auth.Observer, s.tokenList, false},
		{post, "/api/tokens", auth.Observer, s.tokenCreate, false},
		{del, "/api/tokens/:id", auth.Observer, s.tokenDelete, false},

		{get, "/api/users", auth.Admin, s.userList, false},
		{post, "/api/users", auth.Admin, s.userCreate, false},
		{get, "/api/users/:id", auth.Admin, s.userGet, false},
		{patch, "/api/users/:id", auth.Admin, s.userUpdate, false},
		{del, "/api/users/:id", auth.Admin, s.userDelete, false},
		{get, "/api/users/:id/sessions", auth.Admin, s.userSessionList, false},
		{del, "/api/users/:id/sessions/:sid", auth.Admin, s.userSessionEnd, false},

		{get, "/api/groups", auth.Observer, s.groupList, false},
		{post, "/api/groups", auth.Admin, s.groupCreate, false},
		{get, "/api/groups/:id", auth.Observer, s.groupGet, false},
		{patch, "/api/groups/:id", auth.Admin, s.groupUpdate, false},
		{del, "/api/groups/:id", auth.Admin, s.groupDelete, false},

		{get, "/api/audit", auth.Admin, s.auditList, false},

		{get, "/api/system/backup", auth.Admin, s.systemBackup, false},

		{get, "/api/settings/archive", auth.Observer, s.archiveSettingsGet, false},
		{patch, "/api/settings/archive", auth.Admin, s.archiveSettingsUpdate, false},
		{post, "/api/archive/run", auth.Admin, s.archiveRun, false},

		{get, "/api/settings/metrics", auth.Admin, s.metricsSettingsGet, false},
		{patch, "/api/settings/metrics", auth.Admin, s.metricsSettingsUpdate, false},
		// Prometheus: its own token and allow-list, checked by the handler (see metricsGet).
		{get, metricsPath, auth.Public, s.metricsGet, false},

		{get, "/api/settings/smtp", auth.Admin, s.smtpSettingsGet, false},
		{patch, "/api/settings/smtp", auth.Admin, s.smtpSettingsUpdate, false},
		{post, "/api/settings/smtp/test", auth.Admin, s.smtpTest, false},
		{get, "/api/templates", auth.Admin, s.templateList, false},
		{put, "/api/templates/:type", auth.Admin, s.templateUpdate, false},
		{post, "/api/templates/:type/preview", auth.Admin, s.templatePreview, false},
		{get, "/api/mails", auth.Admin, s.mailList, false},
		{post, "/api/mails/retry", auth.Admin, s.mailRetry, false},
		{get, "/api/mails/:id", auth.Admin, s.mailGet, false},

		{get, "/api/outputs", auth.Admin, s.outputList, false},
		{post, "/api/outputs", auth.Admin, s.outputCreate, false},
		{get, "/api/outputs/:id", auth.Admin, s.outputGet, false},
		{patch, "/api/outputs/:id", auth.Admin, s.outputUpdate, false},
		{del, "/api/outputs/:id", auth.Admin, s.outputDelete, false},
		{post, "/api/outputs/:id/retry", auth.Admin, s.outputRetry, false},
		{post, "/api/settings/testevent", auth.Admin, s.testEventCreate, false},

		{get, "/api/overview", auth.Observer, s.overviewGet, false},
		{get, "/api/attackers", auth.Observer, s.attackerList, false},
		{get, "/api/attackers/:address", auth.Observer, s.attackerGet, false},

		{get, "/api/events", auth.Observer, s.eventList, false},
		{patch, "/api/events", auth.Manager, s.eventUpdate, false},
		{del, "/api/events", auth.Manager, s.eventDelete, false},
		{get, "/api/events/export.csv", auth.Observer, s.eventExport, false},
		{get, "/api/events/updates", auth.Observer, s.eventUpdates, true}, // polled: not user activity
		{get, "/api/events/:id", auth.Observer, s.eventGet, false},

		{get, "/api/filters", auth.Observer, s.filterList, false},
		{post, "/api/filters", auth.Manager, s.filterCreate, false},
		{get, "/api/filters/:id", auth.Observer, s.filterGet, false},
		{patch, "/api/filters/:id", auth.Manager, s.filterUpdate, false},
		{del, "/api/filters/:id", auth.Manager, s.filterDelete, false},

		{get, "/api/sensors", auth.Observer, s.sensorList, false},
		{post, "/api/sensors", auth.Manager, s.sensorCreate, false},
		// Before /api/sensors/:id, which would take "firmware" for an id.
		{get, "/api/sensors/firmware", auth.Sensor, s.Ingest.FirmwareGet, false},
		{get, "/api/sensors/:id", auth.Observer, s.sensorGet, false},
		{patch, "/api/sensors/:id", auth.Manager, s.sensorUpdate, false},
		{del, "/api/sensors/:id", auth.Manager, s.sensorDelete, false},
		{get, "/api/sensors/:id/status", auth.Observer, s.sensorStatusHistory, false},
		{get, "/api/sensors/:id/config", auth.Manager, s.sensorConfig, false},
		{put, "/api/sensors/:id/services/:name", auth.Manager, s.sensorServiceUpdate, false},
		{get, "/api/sensors/:id/network", auth.Observer, s.sensorNetworkGet, false},
		{put, "/api/sensors/:id/network", auth.Manager, s.sensorNetworkUpdate, false},
		{get, "/api/sensors/:id/containers", auth.Observer, s.sensorContainerList, false},
		{post, "/api/sensors/:id/containers", auth.Manager, s.sensorContainerCreate, false},
		{put, "/api/sensors/:id/containers/:cid", auth.Manager, s.sensorContainerUpdate, false},
		{del, "/api/sensors/:id/containers/:cid", auth.Manager, s.sensorContainerDelete, false},

		// The HoneySens sensor protocol: HMAC-signed, checked by the ingest service.
		{post, "/api/events", auth.Sensor, s.Ingest.EventsCreate, false},
		{post, "/api/sensors/status", auth.Sensor, s.Ingest.StatusCreate, false},
		{get, "/api/platforms/firmware/:id/raw", auth.Sensor, s.Ingest.FirmwareDownload, false},
		// Original sensors pull service images from the server's registry; there is none.
		{get, "/v2/*", auth.Public, s.Ingest.Registry, false},

		// The UI: index.html and its scripts, styles and icons. Last, so /api routes win.
		{get, "/*", auth.Public, s.staticGet, false},
		{fiber.MethodHead, "/*", auth.Public, s.staticGet, false},
	}
}

// healthGet answers 200 while the database answers, for systemd and load checks.
func (s *Server) healthGet(c *fiber.Ctx) error {
	if _, err := s.Store.UserCount(c.UserContext()); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version})
}
