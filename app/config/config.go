// Package config reads the bootstrap settings of the appliance: the few values needed before
// the database is open. Everything an operator changes after install lives in the database.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is what `honeysens serve` needs to start.
type Config struct {
	DataDir       string        // holds honeysens.db and every other file the appliance writes
	Listen        string        // host:port of the one listener for UI, API and sensor ingest
	LogLevel      string        // debug, info, warn or error
	SessionIdle   time.Duration // a browser session ends after this long without a request
	Honeypots     bool          // run the appliance's own honeypot services
	StandardPorts bool          // first start: the honeypots get the standard ports on all interfaces
	AdminPassword string        // first start only: the admin password (env only, never a flag)
	TLS           string        // off, self-signed or files
	TLSCert       string        // --tls files: the certificate (chain) PEM file
	TLSKey        string        // --tls files: the private key PEM file
	Version       string        // release version, set at build time
}

// DBPath is where the SQLite database lives.
func (c *Config) DBPath() string { return filepath.Join(c.DataDir, "honeysens.db") }

// EnvName returns the environment alias of a flag: --data is HONEYSENS_DATA.
func EnvName(flagName string) string {
	return "HONEYSENS_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// NewFlagSet returns a flag set whose usage text mentions the env aliases.
func NewFlagSet(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: honeysens %s [flags]\n\nFlags (each also settable as HONEYSENS_<NAME>):\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// Parse applies environment aliases and then args to fs: a flag given on the command line wins
// over its environment variable, which wins over the default.
func Parse(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(EnvName(f.Name)); v != "" {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", EnvName(f.Name), err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return fs.Parse(args)
}

// AddDataFlag registers --data, which every command that opens the database takes.
func AddDataFlag(fs *flag.FlagSet, dir *string) {
	fs.StringVar(dir, "data", "./data", "data directory (database, keys, backups)")
}

// AddListenFlag registers --listen (serve, and healthcheck to find the server).
func AddListenFlag(fs *flag.FlagSet, listen *string) {
	fs.StringVar(listen, "listen", "127.0.0.1:8080", "address of the web UI, API and sensor ingest")
}

// AddTLSFlags registers --tls, --tls-cert and --tls-key (serve, and healthcheck to reach it).
func AddTLSFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.TLS, "tls", "off", "HTTPS: off, self-signed (generated into the data directory on first start) or files (--tls-cert, --tls-key)")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "with --tls files: certificate PEM file (leaf first, then intermediates)")
	fs.StringVar(&c.TLSKey, "tls-key", "", "with --tls files: private key PEM file")
}

// LoadServe parses the flags of `honeysens serve`.
func LoadServe(args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	c := &Config{}
	fs := NewFlagSet("serve", out)
	AddDataFlag(fs, &c.DataDir)
	AddListenFlag(fs, &c.Listen)
	AddTLSFlags(fs, c)
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.DurationVar(&c.SessionIdle, "session-idle", 30*time.Minute, "log a browser out after this long without activity")
	fs.BoolVar(&c.Honeypots, "honeypots", true, "run the honeypot services of the appliance's own sensor")
	fs.BoolVar(&c.StandardPorts, "standard-ports", false, "first start only: honeypots on all interfaces with standard ports "+
		"(ssh 22, telnet 23, ftp 21, http 80; recon's list) instead of unprivileged ports on 127.0.0.1")
	if err := Parse(fs, args, getenv); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	c.AdminPassword = getenv("HONEYSENS_ADMIN_PASSWORD")
	return c, c.Validate()
}

// Validate checks the values that cannot be caught by their flag type.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen %q: want host:port", c.Listen))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.SessionIdle < time.Minute {
		errs = append(errs, fmt.Errorf("session-idle %s: want at least 1m", c.SessionIdle))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data: must not be empty"))
	}
	return errors.Join(append(errs, c.ValidateTLS())...)
}

// ValidateTLS checks --tls and the files it needs.
func (c *Config) ValidateTLS() error {
	switch c.TLS {
	case "", "off", "self-signed":
		if c.TLSCert != "" || c.TLSKey != "" {
			return errors.New("tls-cert, tls-key: only used with --tls files")
		}
	case "files":
		if c.TLSCert == "" || c.TLSKey == "" {
			return errors.New("tls files: --tls-cert and --tls-key are required")
		}
	default:
		return fmt.Errorf("tls %q: want off, self-signed or files", c.TLS)
	}
	return nil
}

// HTTPS reports whether the appliance serves HTTPS.
func (c *Config) HTTPS() bool { return c.TLS != "" && c.TLS != "off" }

// EnsureDataDir creates the data directory, readable by the service user only.
func (c *Config) EnsureDataDir() error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	return nil
}
