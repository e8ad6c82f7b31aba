package telnet

import (
	"strings"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/shell"
	"honeysens/app/model"
)

// Config is the telnet service's settings.
type Config struct {
	Listen   string `json:"listen"`
	Hostname string `json:"hostname"` // shown in "<hostname> login:" and the fake shell
	// Issue replaces the banner before the login prompt; empty: inetutils telnetd's host line,
	// "Linux <release> (<hostname>) (pts/0)".
	Issue       string   `json:"issue"`
	Accept      []string `json:"accept"`       // "user:password" pairs let in; "*" matches anything
	AcceptAfter int      `json:"accept_after"` // let any password in after this many failures from one address (0 = never)
	// LoginRetries is login.defs' LOGIN_RETRIES: failed logins before the connection ends
	// (0: DefaultLoginRetries). Above 1, hydra's telnet module (9.4, Debian 12) mixes up its
	// pairs after the first "Login incorrect" of a connection, as it does against a real
	// Debian host: what it types is recorded exactly, but it is not the pair it meant.
	LoginRetries int `json:"login_retries"`
}

// DefaultLoginRetries is one attempt per connection, as on a Debian host with LOGIN_RETRIES 1.
const DefaultLoginRetries = 1

// DefaultConfig returns the settings `go run .` uses.
func DefaultConfig() Config {
	return Config{
		Listen:   "127.0.0.1:2323",
		Hostname: "debian",
		Accept:   append([]string(nil), shell.DefaultAccept...),
	}
}

func (c *Config) fill() {
	d := DefaultConfig()
	if c.Listen == "" {
		c.Listen = d.Listen
	}
	if c.Hostname == "" {
		c.Hostname = d.Hostname
	}
	if c.Accept == nil {
		c.Accept = d.Accept
	}
	if c.LoginRetries == 0 {
		c.LoginRetries = DefaultLoginRetries
	}
}

// Validate checks the settings (after filling in defaults for empty fields).
func (c *Config) Validate() error {
	c.fill()
	f := model.FieldErrors{}
	honeypot.ValidateListen(f, c.Listen, "23")
	if len(c.Issue) > 1024 || strings.IndexFunc(c.Issue, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }) >= 0 {
		f.Add("issue", "must be at most 1024 characters of text")
	}
	if c.LoginRetries < 1 || c.LoginRetries > 10 {
		f.Add("login_retries", "must be 1 to 10 (0: the default, 1)")
	}
	shell.ValidateLogin(f, c.Hostname, c.Accept, c.AcceptAfter)
	return f.Err()
}
