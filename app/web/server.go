// Package web is the HTTP face of the appliance: one Fiber app serving the UI's static files,
// the JSON API and (mounted by their owners) the sensor endpoints, all behind one route table
// and one authorization guard.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"honeysens/app/auth"
	"honeysens/app/honeypot"
	"honeysens/app/ingest"
	"honeysens/app/metrics"
	"honeysens/app/model"
	"honeysens/app/notify"
	"honeysens/app/outputs"
	"honeysens/app/sensor"
	"honeysens/app/store"
	"honeysens/app/texts"
)

// Deps is what the web layer needs from the rest of the appliance.
type Deps struct {
	Store   *store.Store
	Ingest  *ingest.Service
	Catalog sensor.Catalog  // the honeypot service kinds
	Limits  honeypot.Limits // what services are built with when their settings are checked
	// ReloadLocal applies a changed service assignment of the appliance's own sensor.
	ReloadLocal func(ctx context.Context) error
	Assets      fs.FS // the embedded assets/ folder
	Log         *slog.Logger
	Version     string
	SessionIdle time.Duration
	Limiter     *auth.LoginLimiter
	Now         func() time.Time
	// CertPin is the hex SHA-256 of the certificate the appliance serves over HTTPS ("" when
	// it serves plain HTTP); remote sensor configurations carry it.
	CertPin string
	// DataDir is where the backup download writes its temporary copy.
	DataDir string
	// Mail queues and sends notifications (templates, test mail, outbox).
	Mail *notify.Service
	// Metrics is what GET /metrics exports (nil: the endpoint is always off).
	Metrics *metrics.Registry
	// Outputs forwards events to syslog receivers and webhooks.
	Outputs *outputs.Service
	// Schedule moves the jobs whose times operators set (nil: no scheduler, as in tests).
	Schedule Schedule
}

// Schedule places the jobs whose times are settings, after those settings changed.
type Schedule interface {
	Archive(model.ArchiveSettings) error
	Weekly(model.SMTPSettings) error
}

// Server owns the Fiber app.
type Server struct {
	Deps
	app      *fiber.App
	static   *staticFiles
	english  texts.English  // renders the English text of audit details
	messages serverMessages // translates server messages
	routes   []Route
}

// Route is one entry of the route table: who may call what.
type Route struct {
	Method  string
	Path    string
	Access  auth.Access
	Handler fiber.Handler
	// Background marks requests the UI makes by itself (polling): they do not count as
	// activity, so an unattended open tab still reaches the idle timeout.
	Background bool
}

// New builds the Fiber app with its middleware and every route of the table.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	static, err := loadStatic(d.Assets)
	if err != nil {
		return nil, err
	}
	messages, err := loadServerMessages(d.Assets)
	if err != nil {
		return nil, err
	}
	english, err := texts.LoadEnglish(d.Assets)
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, static: static, english: english, messages: messages}
	s.app = fiber.New(fiber.Config{
		ErrorHandler:          errorHandler(d.Log, messages),
		DisableStartupMessage: true,
		BodyLimit:             4 << 20,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          5 * time.Minute, // long CSV exports stream for a while
		IdleTimeout:           2 * time.Minute,
		// Behind no proxy: the client IP is the TCP peer, never a header an attacker can set.
		EnableIPValidation: true,
		// And no proxy is trusted: the scheme (Secure cookie, HSTS) and host come from the
		// connection itself, never from X-Forwarded-Proto or X-Forwarded-Host.
		EnableTrustedProxyCheck: true,
		// Strings from the request (headers, query, params) are copies, not views of a buffer
		// that the next request overwrites: they may safely outlive the handler (replay
		// guard, rate limiter, CSV export streaming after the handler returned).
		Immutable: true,
	})
	s.app.Use(securityHeaders)
	s.app.Use(recover.New()) // a bug in one handler answers 500; it never stops the appliance
	s.app.Use(identityEncodingOnly)
	s.app.Use(s.identify)
	s.routes = s.table()
	for _, r := range s.routes {
		s.app.Add(r.Method, r.Path, s.guard(r.Access, r.Background), r.Handler)
	}
	return s, nil
}

// App returns the Fiber app, for listening and for app.Test in tests.
func (s *Server) App() *fiber.App { return s.app }

// Routes returns the route table as registered.
func (s *Server) Routes() []Route { return s.routes }

// identityEncodingOnly refuses request bodies with a Content-Encoding: Fiber would inflate a
// gzip body without limit while reading it (the body limit counts compressed bytes), so a few
// hundred kilobytes could make the appliance allocate gigabytes. No client of the appliance
// compresses requests.
func identityEncodingOnly(c *fiber.Ctx) error {
	if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "Send request bodies without Content-Encoding.")
	}
	return c.Next()
}

// securityHeaders sets the headers every response carries, errors and static files included.
// The CSP allows no inline script or style, so an injected tag can neither run nor restyle.
func securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if c.Protocol() == "https" {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	return c.Next()
}
