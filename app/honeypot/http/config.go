// Package http is the HTTP honeypot: a lighttpd look-alike serving a router/NAS admin login page
// and HTTP basic auth on chosen paths. Every request is recorded (method, path, query, selected
// headers, body up to a cap) together with the credentials it carries; one event per TCP
// connection. It is a plain net/http server, unrelated to the appliance's own UI.
package http

import (
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
)

// DefaultConfig is what a fresh appliance runs under `go run .`.
func DefaultConfig() Config {
	return Config{Listen: DefaultListen, Server: DefaultServer, Title: DefaultTitle,
		BasicAuth: []string{"/admin"}, Realm: DefaultRealm}
}

func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Server == "" {
		c.Server = DefaultServer
	}
	if c.Title == "" {
		c.Title = DefaultTitle
	}
	if c.Realm == "" {
		c.Realm = DefaultRealm
	}
	if c.MaxRequests <= 0 {
		c.MaxRequests = DefaultMaxRequests
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	return c
}

// Validate checks the settings; messages are per field for the UI.
func (c *Config) Validate() error {
	f := model.FieldErrors{}
	if msg := honeypot.ValidateListen(c.Listen, "80"); msg != "" {
		f.Add("listen", msg)
	}
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
	return f.Err()
}
