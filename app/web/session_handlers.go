package web

import (
	"math"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/model"
)

// sessionView is what the UI learns about the logged-in user.
type sessionView struct {
	User               *model.User `json:"user"`
	CSRFToken          string      `json:"csrf_token,omitempty"`
	MustChangePassword bool        `json:"must_change_password"`
	Version            string      `json:"version"`
}

func (s *Server) sessionView(p *auth.Principal) sessionView {
	v := sessionView{User: p.User, MustChangePassword: p.User.MustChangePassword, Version: s.Version}
	if p.Session != nil {
		v.CSRFToken = p.Session.CSRFToken
	}
	return v
}

// sessionCreate logs a user in. Failures are counted per IP and per login name; past the limit
// the answer is 429 before any password is checked.
func (s *Server) sessionCreate(c *fiber.Ctx) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Username == "" || in.Password == "" || len(in.Username) > 64 || len(in.Password) > model.PasswordMaxLen {
		return model.Errorf(model.ErrUnauthorized, "Wrong user name or password.")
	}
	ip, key := c.IP(), strings.ToLower(in.Username)
	if ok, wait := s.Limiter.Allow(ip, key); !ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return model.Errorf(model.ErrRateLimited, "Too many failed logins; try again in %d seconds.", int(math.Ceil(wait.Seconds())))
	}
	ctx := c.UserContext()
	u, err := s.Store.UserByLogin(ctx, in.Username)
	if model.ErrorCode(err) == model.ErrNotFound {
		auth.CheckUnknownUser(in.Password)
	} else if err != nil {
		return err
	}
	if u == nil || !s.passwordMatches(u, in.Password) {
		s.Limiter.Fail(ip, key)
		s.audit(c, "login_failed", "user", 0, in.Username, "")
		return model.Errorf(model.ErrUnauthorized, "Wrong user name or password.")
	}
	token := auth.NewSecret("")
	now := s.Now()
	sess := &model.Session{TokenHash: auth.HashSecret(token), UserID: u.ID, CSRFToken: auth.NewSecret(""),
		CreatedAt: now, LastSeen: now, IP: ip, UserAgent: truncate(c.Get(fiber.HeaderUserAgent), 256)}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true,
		SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https"})
	p := &auth.Principal{User: u, Session: sess, ClientIP: ip}
	c.Locals("principal", p)
	s.audit(c, "login", "user", u.ID, u.Login, "")
	return c.JSON(s.sessionView(p))
}

func (s *Server) passwordMatches(u *model.User, password string) bool {
	ok, err := auth.CheckPassword(u.PasswordHash, password)
	if err != nil {
		s.Log.Error("unreadable password hash", "component", "web", "user_id", u.ID, "err", err)
	}
	return ok
}

// sessionGet tells the UI who is logged in.
func (s *Server) sessionGet(c *fiber.Ctx) error {
	return c.JSON(s.sessionView(principal(c)))
}

// sessionDelete logs out.
func (s *Server) sessionDelete(c *fiber.Ctx) error {
	p := principal(c)
	if p.Session != nil {
		if err := s.Store.DeleteSession(c.UserContext(), p.Session.TokenHash); err != nil {
			return err
		}
		s.audit(c, "logout", "user", p.User.ID, p.User.Login, "")
	}
	c.ClearCookie(sessionCookie)
	return c.SendStatus(fiber.StatusNoContent)
}

// sessionPasswordChange lets every user change their own password; it is the only thing a user
// with a forced password change can do. Other sessions of the user end.
func (s *Server) sessionPasswordChange(c *fiber.Ctx) error {
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p := principal(c)
	ip, key := c.IP(), strings.ToLower(p.User.Login)
	if ok, _ := s.Limiter.Allow(ip, key); !ok {
		return model.Errorf(model.ErrRateLimited, "Too many wrong passwords; try again later.")
	}
	f := model.FieldErrors{}
	if !s.passwordMatches(p.User, in.Current) {
		s.Limiter.Fail(ip, key)
		f.Add("current_password", "This is not your current password.")
	}
	if msg := model.ValidatePassword(in.New); msg != "" {
		f.Add("new_password", msg)
	} else if in.New == in.Current {
		f.Add("new_password", "Choose a password different from the current one.")
	}
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := auth.HashPassword(in.New)
	if err != nil {
		return err
	}
	keep := ""
	if p.Session != nil {
		keep = p.Session.TokenHash
	}
	if err := s.Store.SetPassword(c.UserContext(), p.User.ID, hash, false, keep); err != nil {
		return err
	}
	s.audit(c, "password_changed", "user", p.User.ID, p.User.Login, "")
	return c.SendStatus(fiber.StatusNoContent)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
