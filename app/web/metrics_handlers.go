package web

import (
	"bytes"
	"strings"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/metrics"
	"honeysens/app/model"
)

// metricsPath is where Prometheus scrapes. It has its own token (see metrics.Settings), so the
// session and API-token identification leaves it alone.
const metricsPath = "/metrics"

// isMetricsPath reports whether a request goes to metricsPath (routing ignores case and a
// trailing slash).
func isMetricsPath(c *fiber.Ctx) bool {
	return strings.EqualFold(strings.TrimSuffix(c.Path(), "/"), metricsPath)
}

// metricsGet is GET /metrics, outside the session auth: switched off it answers 404 like any
// unknown page; on, an address off the allow-list gets 403 and a missing or wrong token 401.
func (s *Server) metricsGet(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var set metrics.Settings
	if err := s.Store.Settings(ctx, metrics.SettingsSection, &set); err != nil {
		return err
	}
	if s.Metrics == nil { // an appliance built without metrics (the benchmark's)
		set.Enabled = false
	}
	if err := set.Check(c.IP(), c.Get(fiber.HeaderAuthorization)); err != nil {
		if model.ErrorCode(err) == model.ErrUnauthorized {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="honeysens metrics"`)
		}
		return err
	}
	var out bytes.Buffer
	if err := s.Metrics.Write(ctx, &out, s.Now()); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, metrics.ContentType)
	return c.Send(out.Bytes())
}

// metricsSettingsView is what the API shows of the metrics settings: whether a token is set,
// never its hash. Token carries a new token in the one answer that generated it.
type metricsSettingsView struct {
	Enabled  bool     `json:"enabled"`
	TokenSet bool     `json:"token_set"`
	Allow    []string `json:"allow"`
	Token    string   `json:"token,omitempty"`
	Path     string   `json:"path"`
}

func viewMetricsSettings(set metrics.Settings, token string) metricsSettingsView {
	allow := set.Allow
	if allow == nil {
		allow = []string{}
	}
	return metricsSettingsView{Enabled: set.Enabled, TokenSet: set.Token != "", Allow: allow, Token: token, Path: metricsPath}
}

// metricsSettingsGet is GET /api/settings/metrics.
func (s *Server) metricsSettingsGet(c *fiber.Ctx) error {
	var set metrics.Settings
	if err := s.Store.Settings(c.UserContext(), metrics.SettingsSection, &set); err != nil {
		return err
	}
	return c.JSON(viewMetricsSettings(set, ""))
}

// metricsSettingsUpdate is PATCH /api/settings/metrics: keys given replace the stored ones;
// new_token generates a token (answered once), remove_token removes it.
func (s *Server) metricsSettingsUpdate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var set metrics.Settings
	if err := s.Store.Settings(ctx, metrics.SettingsSection, &set); err != nil {
		return err
	}
	old := set
	old.Allow = append([]string(nil), set.Allow...) // Validate rewrites entries in place
	var in struct {
		Enabled     *bool     `json:"enabled"`
		Allow       *[]string `json:"allow"`
		NewToken    bool      `json:"new_token"`
		RemoveToken bool      `json:"remove_token"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.NewToken && in.RemoveToken {
		return &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"new_token": "Generate a token or remove it, not both."}}
	}
	if in.Enabled != nil {
		set.Enabled = *in.Enabled
	}
	if in.Allow != nil {
		set.Allow = *in.Allow
	}
	var token string
	switch {
	case in.NewToken:
		token = set.NewToken()
	case in.RemoveToken:
		set.Token = ""
	}
	if err := set.Validate(); err != nil {
		return err
	}
	if err := s.Store.SetSettings(ctx, metrics.SettingsSection, set); err != nil {
		return err
	}
	s.auditChanges(c, model.AuditSettingsUpdated, "settings", 0, metrics.SettingsSection, "", model.Diff(old, set))
	return c.JSON(viewMetricsSettings(set, token))
}
