// Package http is the HTTP honeypot: a lighttpd 1.4.69 look-alike serving a router/NAS admin login page
// and HTTP basic auth on chosen paths. Every request is recorded (method, path, query, selected
// headers, body up to a cap) together with the credentials it carries; one event per source
// address while it keeps sending (a session), reported early and while it grows. It parses
// requests and writes answers itself, byte for byte as Debian 12's lighttpd does (status
// lines, header order, error pages, limits), and is unrelated to the appliance's own UI.
package http

import (
	"fmt"
	"strings"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// Config is the HTTP service's settings.
type Config struct {
	Listen string `json:"listen"`
	// Server is the Server response header, e.g. "lighttpd/1.4.69".
	Server string `json:"server"`
	// Title names the device on the login page, e.g. "NAS Manager".
	Title string `json:"title"`
	// BasicAuth lists the paths (and everything below them) guarded by HTTP basic auth.
	BasicAuth []string `json:"basic_auth"`
	// Realm is the basic auth realm.
	Realm string `json:"realm"`
	// MaxRequests is the number of requests served on one connection (0: the default, 100).
	MaxRequests int `json:"max_requests"`
	// MaxBody is the number of body bytes read from one request (0: the default, 64 KiB).
	MaxBody int64 `json:"max_body"`
	// SessionIdle is the idle window in seconds: a source's requests less than this apart
	// are one session, one event (0: the default, 60).
	SessionIdle int `json:"session_idle"`
	// SessionMax is the longest a session lasts, in seconds; the source's next request
	// starts a new one (0: the default, 900).
	SessionMax int `json:"session_max"`
	// SessionRequests is the most requests of one session; the next starts a new one
	// (0: the default, 500).
	SessionRequests int `json:"session_requests"`
}

// Defaults.
const (
	DefaultListen      = "127.0.0.1:8081"
	DefaultServer      = "lighttpd/1.4.69"
	DefaultTitle       = "NAS Manager"
	DefaultRealm       = "Administration"
	DefaultMaxRequests = 100
	DefaultMaxBody     = 64 << 10
	maxHeaderBytes     = 8 << 10 // lighttpd's server.max-request-field-size

	DefaultSessionIdle     = 60  // seconds
	DefaultSessionMax      = 900 // seconds
	DefaultSessionRequests = 500
	maxSessionSeconds      = 3600
	// MaxSessionRequests keeps a session's event within model.MaxDetails: one interaction line
	// per request, a few lines of additional information.
	MaxSessionRequests = 900
)

// DefaultConfig is what a fresh appliance runs under `go run .`.
func DefaultConfig() Config {
	return Config{Listen: DefaultListen, Server: DefaultServer, Title: DefaultTitle,
		BasicAuth: []string{"/admin"}, Realm: DefaultRealm, SessionIdle: DefaultSessionIdle,
		SessionMax: DefaultSessionMax, SessionRequests: DefaultSessionRequests}
}

func (c Config) withDefaults() Config {
	c.Listen = honeypot.OrDefault(c.Listen, DefaultListen)
	c.Server = honeypot.OrDefault(c.Server, DefaultServer)
	c.Title = honeypot.OrDefault(c.Title, DefaultTitle)
	c.Realm = honeypot.OrDefault(c.Realm, DefaultRealm)
	c.MaxRequests = honeypot.OrDefault(c.MaxRequests, DefaultMaxRequests)
	c.MaxBody = honeypot.OrDefault(c.MaxBody, DefaultMaxBody)
	c.SessionIdle = honeypot.OrDefault(c.SessionIdle, DefaultSessionIdle)
	c.SessionMax = honeypot.OrDefault(c.SessionMax, DefaultSessionMax)
	c.SessionRequests = honeypot.OrDefault(c.SessionRequests, DefaultSessionRequests)
	return c
}

// Validate checks the settings; messages are per field for the UI.
func (c *Config) Validate() error {
	f := model.FieldErrors{}
	honeypot.ValidateListen(f, c.Listen, "80")
	if c.Server != "" && !honeypot.Printable(c.Server, 100) {
		f.Add("server", "Use up to 100 printable ASCII characters.")
	}
	if c.Title != "" && !honeypot.Printable(c.Title, 100) {
		f.Add("title", "Use up to 100 printable ASCII characters.")
	}
	if c.Realm != "" && (!honeypot.Printable(c.Realm, 100) || strings.ContainsAny(c.Realm, `"\`)) {
		f.Add("realm", `Use up to 100 printable ASCII characters without " or \.`)
	}
	for _, p := range c.BasicAuth {
		if !strings.HasPrefix(p, "/") || !honeypot.Printable(p, 200) || strings.ContainsAny(p, " ?#") {
			f.Add("basic_auth", `Use paths starting with "/", without spaces, "?" or "#".`)
			break
		}
	}
	if len(c.BasicAuth) > 50 {
		f.Add("basic_auth", "Use at most 50 paths.")
	}
	if c.MaxRequests < 0 || c.MaxRequests > 10000 {
		f.Add("max_requests", "Use 0 (default) to 10000 requests.")
	}
	if c.MaxBody < 0 || c.MaxBody > 1<<20 {
		f.Add("max_body", "Use 0 (default) to 1048576 bytes.")
	}
	if c.SessionIdle < 0 || c.SessionIdle > maxSessionSeconds {
		f.Add("session_idle", fmt.Sprintf("Use 0 (default, %d) to %d seconds.", DefaultSessionIdle, maxSessionSeconds))
	}
	if c.SessionMax < 0 || c.SessionMax > maxSessionSeconds {
		f.Add("session_max", fmt.Sprintf("Use 0 (default, %d) to %d seconds.", DefaultSessionMax, maxSessionSeconds))
	} else if c.SessionMax > 0 && c.SessionIdle > c.SessionMax {
		f.Add("session_max", "Use at least the idle window (session_idle).")
	}
	if c.SessionRequests < 0 || c.SessionRequests > MaxSessionRequests {
		f.Add("session_requests", fmt.Sprintf("Use 0 (default, %d) to %d requests.", DefaultSessionRequests, MaxSessionRequests))
	}
	return f.Err()
}
