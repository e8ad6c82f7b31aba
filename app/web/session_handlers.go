package web

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/model"
	"honeysens/app/store"
	"honeysens/app/texts"
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

// sessionCreate logs a user in. The login limiter decides before any password is checked
// (429 with Retry-After); failures from one address never refuse another address.
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
	if ok, wait := s.Limiter.Attempt(ip, key); !ok {
		return rateLimited(c, wait, "Too many failed logins; try again in %d seconds.")
	}
	ctx := c.UserContext()
	u, err := s.Store.UserByLogin(ctx, in.Username)
	if model.ErrorCode(err) == model.ErrNotFound {
		auth.CheckUnknownUser(in.Password)
	} else if err != nil {
		return err
	}
	if u == nil || !s.passwordMatches(u, in.Password) {
		s.audit(c, "login_failed", "user", 0, in.Username, "")
		return model.Errorf(model.ErrUnauthorized, "Wrong user name or password.")
	}
	s.Limiter.Succeeded(ip, key)
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

// rateLimited answers 429 with Retry-After; message has a %d for the seconds to wait.
func rateLimited(c *fiber.Ctx, wait time.Duration, message string) error {
	secs := int(math.Ceil(wait.Seconds()))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
	return model.Errorf(model.ErrRateLimited, message, secs)
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
// with a forced password change can do. The user's other sessions end, and the API tokens are
// revoked unless revoke_tokens is false: whoever knew the old password may have made one.
func (s *Server) sessionPasswordChange(c *fiber.Ctx) error {
	var in struct {
		Current      string `json:"current_password"`
		New          string `json:"new_password"`
		RevokeTokens *bool  `json:"revoke_tokens"` // absent: revoke
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p := principal(c)
	ip, key := c.IP(), strings.ToLower(p.User.Login)
	if ok, wait := s.Limiter.Attempt(ip, key); !ok {
		return rateLimited(c, wait, "Too many wrong passwords; try again in %d seconds.")
	}
	f := model.FieldErrors{}
	if s.passwordMatches(p.User, in.Current) {
		s.Limiter.Succeeded(ip, key)
	} else {
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
	ch := store.PasswordChange{Hash: hash, RevokeTokens: in.RevokeTokens == nil || *in.RevokeTokens}
	if p.Session != nil {
		ch.KeepSession = p.Session.TokenHash
	}
	revoked, err := s.Store.ChangePassword(c.UserContext(), p.User.ID, ch)
	if err != nil {
		return err
	}
	note := model.Text{Key: "audit_detail.tokens_kept"}
	if ch.RevokeTokens {
		note = texts.Count("audit_detail.tokens_revoked", revoked)
	}
	s.auditNote(c, model.AuditPasswordChanged, "user", p.User.ID, p.User.Login, note, nil)
	return c.SendStatus(fiber.StatusNoContent)
}

// sessionPreferences stores the caller's own UI language and time zone and answers the
// session as sessionGet does, so the UI can switch at once.
func (s *Server) sessionPreferences(c *fiber.Ctx) error {
	var in struct {
		Language string `json:"language"`
		TimeZone string `json:"time_zone"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := model.ValidatePreferences(in.Language, in.TimeZone); err != nil {
		return err
	}
	p := principal(c)
	if err := s.Store.SetPreferences(c.UserContext(), p.User.ID, in.Language, in.TimeZone); err != nil {
		return err
	}
	// The principal is this request's copy of the user; the next request reads the stored one.
	p.User.Language, p.User.TimeZone = in.Language, in.TimeZone
	return c.JSON(s.sessionView(p))
}

// sessionInfo is a browser session as its owner and the admin see it. ID names the session
// without giving away the stored hash.
type sessionInfo struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	Current   bool      `json:"current"` // the session of this request
}

func sessionID(tokenHash string) string { return auth.HashSecret(tokenHash)[:16] }

// activeSessions lists the user's sessions that have not timed out yet.
func (s *Server) activeSessions(c *fiber.Ctx, userID int64) ([]*model.Session, error) {
	list, err := s.Store.UserSessions(c.UserContext(), userID)
	if err != nil {
		return nil, err
	}
	cutoff := s.Now().Add(-s.SessionIdle)
	return slices.DeleteFunc(list, func(sess *model.Session) bool { return sess.LastSeen.Before(cutoff) }), nil
}

// sessionsJSON answers a user's active sessions.
func (s *Server) sessionsJSON(c *fiber.Ctx, userID int64) error {
	list, err := s.activeSessions(c, userID)
	if err != nil {
		return err
	}
	p := principal(c)
	items := make([]sessionInfo, 0, len(list))
	for _, sess := range list {
		items = append(items, sessionInfo{ID: sessionID(sess.TokenHash), CreatedAt: sess.CreatedAt, LastSeen: sess.LastSeen,
			IP: sess.IP, UserAgent: sess.UserAgent, Current: p.Session != nil && p.Session.TokenHash == sess.TokenHash})
	}
	return c.JSON(fiber.Map{"items": items})
}

// endSession ends the user's session named by the :sid parameter.
func (s *Server) endSession(c *fiber.Ctx, u *model.User) error {
	list, err := s.activeSessions(c, u.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list, func(sess *model.Session) bool { return sessionID(sess.TokenHash) == c.Params("sid") })
	if i < 0 {
		return model.Errorf(model.ErrNotFound, "No such session.")
	}
	if err := s.Store.DeleteSession(c.UserContext(), list[i].TokenHash); err != nil {
		return err
	}
	s.auditNote(c, model.AuditSessionEnded, "user", u.ID, u.Login, model.Text{Key: "audit_detail.session_from", Args: model.TextArgs{"ip": list[i].IP}}, nil)
	return c.SendStatus(fiber.StatusNoContent)
}

// ownSessionList lists the caller's browser sessions.
func (s *Server) ownSessionList(c *fiber.Ctx) error {
	return s.sessionsJSON(c, principal(c).User.ID)
}

// ownSessionEnd ends one of the caller's sessions (a browser left logged in elsewhere).
func (s *Server) ownSessionEnd(c *fiber.Ctx) error {
	return s.endSession(c, principal(c).User)
}

// userSessionList lets the admin see a user's browser sessions.
func (s *Server) userSessionList(c *fiber.Ctx) error {
	u, err := s.userParam(c)
	if err != nil {
		return err
	}
	return s.sessionsJSON(c, u.ID)
}

// userSessionEnd lets the admin end a user's session.
func (s *Server) userSessionEnd(c *fiber.Ctx) error {
	u, err := s.userParam(c)
	if err != nil {
		return err
	}
	return s.endSession(c, u)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
