package web

import (
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/model"
)

const (
	sessionCookie = "hs_session"
	csrfHeader    = "X-CSRF-Token"
	// touchEvery limits session and token "last used" writes to one per minute per client
	// (a change of address is written at once).
	touchEvery = time.Minute
)

// principal returns the caller resolved by identify, or nil for anonymous requests.
func principal(c *fiber.Ctx) *auth.Principal {
	p, _ := c.Locals("principal").(*auth.Principal)
	return p
}

// identify resolves who is calling, from a bearer token or the session cookie, and stores it
// for the guard and the handlers. It never refuses a request itself: the guard decides.
func (s *Server) identify(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := s.Now()
	if isMetricsPath(c) {
		return c.Next() // its bearer token is the metrics token, not a user's
	}
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return model.Errorf(model.ErrUnauthorized, "Use Authorization: Bearer <token>.")
		}
		tok, err := s.Store.TokenByHash(ctx, auth.HashSecret(strings.TrimSpace(secret)))
		if err != nil {
			return err
		}
		u, err := s.Store.User(ctx, tok.UserID)
		if err != nil {
			return err
		}
		if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > touchEvery || tok.LastUsedIP != c.IP() {
			if err := s.Store.TouchToken(ctx, tok.ID, now, c.IP()); err != nil {
				return err
			}
		}
		c.Locals("principal", &auth.Principal{User: u, ViaToken: true, ClientIP: c.IP()})
		return c.Next()
	}
	cookie := c.Cookies(sessionCookie)
	if cookie == "" {
		return c.Next()
	}
	sess, err := s.Store.Session(ctx, auth.HashSecret(cookie))
	if model.ErrorCode(err) == model.ErrUnauthorized {
		return c.Next() // stale cookie: treat as anonymous
	}
	if err != nil {
		return err
	}
	if now.Sub(sess.LastSeen) > s.SessionIdle {
		if err := s.Store.DeleteSession(ctx, sess.TokenHash); err != nil {
			return err
		}
		return c.Next()
	}
	u, err := s.Store.User(ctx, sess.UserID)
	if err != nil {
		return err
	}
	c.Locals("principal", &auth.Principal{User: u, Session: sess, ClientIP: c.IP()})
	return c.Next()
}

// touch records user activity on the session (at most once a minute, or at once from a new
// address), which restarts the idle timeout.
func (s *Server) touch(c *fiber.Ctx, p *auth.Principal) error {
	now := s.Now()
	if p.Session == nil || now.Sub(p.Session.LastSeen) <= touchEvery && p.Session.IP == c.IP() {
		return nil
	}
	return s.Store.TouchSession(c.UserContext(), p.Session.TokenHash, now, c.IP())
}

// guard is the one authorization check: every route of the table passes through it with the
// access level the table names, and cookie-authenticated changes must carry the CSRF token.
func (s *Server) guard(a auth.Access, background bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if a == auth.Public {
			return c.Next()
		}
		if a == auth.Sensor {
			if err := s.Ingest.VerifySensor(c); err != nil {
				return err
			}
			return c.Next()
		}
		p := principal(c)
		if p == nil {
			return model.Errorf(model.ErrUnauthorized, "Please log in.")
		}
		if err := s.checkCSRF(c, p); err != nil {
			return err
		}
		if !p.Allows(a) {
			if p.User.MustChangePassword && p.Allows(auth.Self) {
				return model.Errorf(model.ErrPasswordChangeRequired, "Change your password first.")
			}
			return model.Errorf(model.ErrForbidden, "You are not allowed to do this.")
		}
		if !background {
			if err := s.touch(c, p); err != nil {
				return err
			}
		}
		return c.Next()
	}
}

// checkCSRF protects cookie sessions. Browsers attach the SameSite=Strict cookie only to
// same-site requests already; the per-session token in a custom header is the second lock
// (a cross-site form cannot set headers), and a foreign Origin is refused outright.
func (s *Server) checkCSRF(c *fiber.Ctx, p *auth.Principal) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return nil
	}
	if p.ViaToken {
		return nil
	}
	if err := sameOrigin(c); err != nil {
		return err
	}
	got := c.Get(csrfHeader)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.Session.CSRFToken)) != 1 {
		return model.Errorf(model.ErrForbidden, "Missing or wrong CSRF token; reload the page.")
	}
	return nil
}

// sameOrigin refuses a request whose Origin header names another site.
func sameOrigin(c *fiber.Ctx) error {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || !strings.EqualFold(u.Host, c.Hostname()) {
		return model.Errorf(model.ErrForbidden, "Cross-site request refused.")
	}
	return nil
}
