// Package ftp is the FTP honeypot: a vsftpd look-alike that records logins, every command and
// uploads (name, size, SHA-256) and answers enough of RFC 959 to keep scanners and brute-forcers
// talking. Nothing is ever read from or written to the real file system, and no outgoing
// connection is ever made (PORT/EPRT are answered but never followed).
package ftp

import (
	"net"
	"strconv"
	"strings"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// Config is the FTP service's settings.
type Config struct {
	Listen string `json:"listen"`
	// Banner is the text of the 220 greeting, without the code: "(vsFTPd 3.0.3)".
	Banner string `json:"banner"`
	// Anonymous lets "anonymous" and "ftp" log in with any password.
	Anonymous bool `json:"anonymous"`
	// Accept lists "user:password" pairs that log in; "user:*" accepts any password.
	Accept []string `json:"accept"`
	// AcceptAfter, when > 0, accepts any credentials after that many failed attempts from one
	// address (within an hour): vsftpd ends a connection after its third failure, so they span
	// connections.
	AcceptAfter int `json:"accept_after"`
	// MaxCommands closes the session after this many commands (0: the default, 500).
	MaxCommands int `json:"max_commands"`
	// MaxUpload is the number of bytes of one STOR that are read (and discarded); 0: 1 MiB.
	MaxUpload int64 `json:"max_upload"`
	// PassiveIP is the address announced in PASV replies; empty: the address the client reached.
	PassiveIP string `json:"passive_ip"`
	// PassivePorts is a "min-max" port range for passive data connections; empty: any free port.
	PassivePorts string `json:"passive_ports"`
}

// Defaults.
const (
	DefaultListen      = "127.0.0.1:2121"
	DefaultBanner      = "(vsFTPd 3.0.3)"
	DefaultMaxCommands = 500
	DefaultMaxUpload   = 1 << 20
	maxLine            = 4096 // vsftpd's VSFTP_MAX_COMMAND_LINE
)

// DefaultConfig is what a fresh appliance runs under `go run .`.
func DefaultConfig() Config {
	return Config{
		Listen:    DefaultListen,
		Banner:    DefaultBanner,
		Anonymous: true,
		Accept:    []string{"admin:admin", "ftp:ftp"},
	}
}

// withDefaults fills the zero values a stored config may lack.
func (c Config) withDefaults() Config {
	c.Listen = honeypot.OrDefault(c.Listen, DefaultListen)
	c.Banner = honeypot.OrDefault(c.Banner, DefaultBanner)
	c.MaxCommands = honeypot.OrDefault(c.MaxCommands, DefaultMaxCommands)
	c.MaxUpload = honeypot.OrDefault(c.MaxUpload, DefaultMaxUpload)
	return c
}

// Validate checks the settings; messages are per field for the UI.
func (c *Config) Validate() error {
	f := model.FieldErrors{}
	honeypot.ValidateListen(f, c.Listen, "21")
	if c.Banner != "" && !honeypot.Printable(c.Banner, 200) {
		f.Add("banner", "Use up to 200 printable ASCII characters on one line.")
	}
	for _, a := range c.Accept {
		user, pass, ok := strings.Cut(a, ":")
		if !ok || user == "" || pass == "" || !honeypot.Printable(a, 200) {
			f.Add("accept", `Use "user:password" entries ("user:*" for any password), printable ASCII.`)
			break
		}
	}
	if c.AcceptAfter < 0 || c.AcceptAfter > 100 {
		f.Add("accept_after", "Use 0 (never) to 100 failed attempts.")
	}
	if c.MaxCommands < 0 || c.MaxCommands > 10000 {
		f.Add("max_commands", "Use 0 (default) to 10000 commands.")
	}
	if c.MaxUpload < 0 || c.MaxUpload > 64<<20 {
		f.Add("max_upload", "Use 0 (default) to 67108864 bytes.")
	}
	if c.PassiveIP != "" {
		if ip := net.ParseIP(c.PassiveIP); ip == nil || ip.To4() == nil {
			f.Add("passive_ip", "Use an IPv4 address, or leave empty.")
		}
	}
	if c.PassivePorts != "" {
		if _, _, ok := parseRange(c.PassivePorts); !ok {
			f.Add("passive_ports", `Use a range "min-max" within 1024-65535, or leave empty.`)
		}
	}
	return f.Err()
}

func parseRange(s string) (lo, hi int, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || lo < 1024 || hi > 65535 || lo > hi {
		return 0, 0, false
	}
	return lo, hi, true
}
