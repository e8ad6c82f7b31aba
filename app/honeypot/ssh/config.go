// Package ssh is the SSH honeypot: an x/crypto/ssh server that looks like a stock Debian 12
// OpenSSH, records every login attempt (password, public key: the methods Debian's sshd
// offers, without keyboard-interactive), lets clients in per a credential policy and gives them the fake shell of package shell, for
// interactive sessions and exec requests alike. Port forwarding is refused and recorded.
// One event per connection.
package ssh

import (
	"slices"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/shell"
	"honeysens/app/model"
)

// DefaultBanner is the version line of Debian 12's OpenSSH package.
const DefaultBanner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"

// Config is the ssh service's settings.
type Config struct {
	Listen      string   `json:"listen"`
	Banner      string   `json:"banner"`        // the SSH version line we send
	HostKeyFile string   `json:"host_key_file"` // PEM file with our rsa, ecdsa and ed25519 host keys; created (0600) on first start, a missing type added
	Hostname    string   `json:"hostname"`      // the fake shell's host name
	Accept      []string `json:"accept"`        // "user:password" pairs let in; "*" matches anything
	AcceptAfter int      `json:"accept_after"`  // let any password in after this many failures from one address (0 = never)
}

// DefaultConfig returns the settings `go run .` uses. HostKeyFile is relative to the working
// directory; the appliance puts it into its data directory.
func DefaultConfig() Config {
	return Config{
		Listen:      "127.0.0.1:2222",
		Banner:      DefaultBanner,
		HostKeyFile: "ssh_host_keys",
		Hostname:    "debian",
		Accept:      append([]string(nil), shell.DefaultAccept...),
	}
}

// Algorithms returns the key exchange, cipher and MAC lists the service offers, for a server
// that is to offer exactly the same (the bench's bare x/crypto/ssh server, the ceiling the
// honeypot's speed is measured against). Host keys come from LoadHostKeys.
func Algorithms() gossh.Config {
	return gossh.Config{KeyExchanges: slices.Clone(kexAlgos), Ciphers: slices.Clone(ciphers), MACs: slices.Clone(macs)}
}

// fill gives empty fields their defaults.
func (c *Config) fill() {
	d := DefaultConfig()
	if c.Listen == "" {
		c.Listen = d.Listen
	}
	if c.Banner == "" {
		c.Banner = d.Banner
	}
	if c.HostKeyFile == "" {
		c.HostKeyFile = d.HostKeyFile
	}
	if c.Hostname == "" {
		c.Hostname = d.Hostname
	}
	if c.Accept == nil {
		c.Accept = d.Accept
	}
}

// Validate checks the settings (after filling in defaults for empty fields) and returns a
// model error with a message per bad field.
func (c *Config) Validate() error {
	c.fill()
	f := model.FieldErrors{}
	honeypot.ValidateListen(f, c.Listen, "22")
	if !strings.HasPrefix(c.Banner, "SSH-2.0-") || len(c.Banner) > 200 || len(c.Banner) <= len("SSH-2.0-") {
		f.Add("banner", "must start with SSH-2.0- and be at most 200 characters")
	}
	for _, r := range c.Banner {
		if r < 0x20 || r > 0x7e {
			f.Add("banner", "must be printable ASCII")
			break
		}
	}
	if strings.ContainsAny(c.HostKeyFile, "\x00\n") {
		f.Add("host_key_file", "is not a usable path")
	}
	shell.ValidateLogin(f, c.Hostname, c.Accept, c.AcceptAfter)
	return f.Err()
}
