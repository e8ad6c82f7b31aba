package config

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// env returns a getenv function over a fixed map.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestEnvName(t *testing.T) {
	tests := map[string]string{
		"session-idle": "HONEYSENS_SESSION_IDLE",
		"data":         "HONEYSENS_DATA",
		"log-level":    "HONEYSENS_LOG_LEVEL",
		"a-b-c":        "HONEYSENS_A_B_C",
	}
	for flagName, want := range tests {
		if got := EnvName(flagName); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", flagName, got, want)
		}
	}
}

func TestParsePrecedence(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"default", nil, nil, "default"},
		{"empty env is unset", map[string]string{"HONEYSENS_COLOR": ""}, nil, "default"},
		{"env over default", map[string]string{"HONEYSENS_COLOR": "from-env"}, nil, "from-env"},
		{"flag over default", nil, []string{"--color", "from-flag"}, "from-flag"},
		{"flag over env", map[string]string{"HONEYSENS_COLOR": "from-env"}, []string{"-color=from-flag"}, "from-flag"},
		{"other env ignored", map[string]string{"COLOR": "x", "HONEYSENS_COLOUR": "y"}, nil, "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := NewFlagSet("test", io.Discard)
			color := fs.String("color", "default", "")
			if err := Parse(fs, tt.args, env(tt.env)); err != nil {
				t.Fatal(err)
			}
			if *color != tt.want {
				t.Errorf("color = %q, want %q", *color, tt.want)
			}
		})
	}
}

func TestParseInvalidEnv(t *testing.T) {
	fs := NewFlagSet("test", io.Discard)
	fs.Duration("session-idle", time.Minute, "")
	fs.Int("workers", 1, "")
	err := Parse(fs, nil, env(map[string]string{
		"HONEYSENS_SESSION_IDLE": "soon",
		"HONEYSENS_WORKERS":      "many",
	}))
	if err == nil {
		t.Fatal("Parse with invalid env values succeeded")
	}
	// Every bad variable is named, so the operator can fix them all at once.
	for _, name := range []string{"HONEYSENS_SESSION_IDLE", "HONEYSENS_WORKERS"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}

	// A flag on the command line does not rescue a bad env value: the env is still wrong.
	fs = NewFlagSet("test", io.Discard)
	fs.Duration("session-idle", time.Minute, "")
	err = Parse(fs, []string{"--session-idle", "5m"}, env(map[string]string{"HONEYSENS_SESSION_IDLE": "soon"}))
	if err == nil || !strings.Contains(err.Error(), "HONEYSENS_SESSION_IDLE") {
		t.Errorf("err = %v, want it to name HONEYSENS_SESSION_IDLE", err)
	}
}

func TestParseInvalidFlag(t *testing.T) {
	var out bytes.Buffer
	fs := NewFlagSet("test", &out)
	fs.Duration("session-idle", time.Minute, "")
	err := Parse(fs, []string{"--session-idle", "soon"}, env(nil))
	if err == nil || !strings.Contains(err.Error(), "session-idle") {
		t.Errorf("err = %v, want it to name the flag", err)
	}
}

func TestParseHelpMentionsEnv(t *testing.T) {
	var out bytes.Buffer
	fs := NewFlagSet("serve", &out)
	fs.String("data", "./data", "data directory")
	err := Parse(fs, []string{"-h"}, env(nil))
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("Parse(-h) = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"honeysens serve", "HONEYSENS_<NAME>", "-data"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage %q does not contain %q", out.String(), want)
		}
	}
}

func TestLoadServeDefaults(t *testing.T) {
	c, err := LoadServe(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "./data" || c.Listen != "127.0.0.1:8080" || c.LogLevel != "info" ||
		c.SessionIdle != 30*time.Minute || c.AdminPassword != "" || c.TLS != "off" || c.HTTPS() {
		t.Errorf("defaults = %+v", c)
	}
	if c.DBPath() != filepath.Join("data", "honeysens.db") {
		t.Errorf("DBPath = %q", c.DBPath())
	}
}

func TestLoadServeEnvAndFlags(t *testing.T) {
	vars := map[string]string{
		"HONEYSENS_DATA":           "/var/lib/honeysens",
		"HONEYSENS_LISTEN":         "0.0.0.0:80",
		"HONEYSENS_LOG_LEVEL":      "debug",
		"HONEYSENS_SESSION_IDLE":   "2h",
		"HONEYSENS_ADMIN_PASSWORD": "s3cret-pass",
	}
	c, err := LoadServe([]string{"--listen", "[::1]:8443", "--session-idle=1m"}, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/var/lib/honeysens" || c.LogLevel != "debug" {
		t.Errorf("env values not applied: %+v", c)
	}
	if c.Listen != "[::1]:8443" || c.SessionIdle != time.Minute {
		t.Errorf("flags did not win over env: listen %q, session idle %v", c.Listen, c.SessionIdle)
	}
	if c.AdminPassword != "s3cret-pass" {
		t.Errorf("AdminPassword = %q, want it from HONEYSENS_ADMIN_PASSWORD", c.AdminPassword)
	}
	if c.DBPath() != "/var/lib/honeysens/honeysens.db" {
		t.Errorf("DBPath = %q", c.DBPath())
	}
}

func TestLoadServeTLS(t *testing.T) {
	c, err := LoadServe(nil, env(map[string]string{"HONEYSENS_TLS": "self-signed"}), io.Discard)
	if err != nil || c.TLS != "self-signed" || !c.HTTPS() {
		t.Fatalf("HONEYSENS_TLS: %+v %v", c, err)
	}
	vars := map[string]string{"HONEYSENS_TLS": "files", "HONEYSENS_TLS_CERT": "/etc/ssl/hs.pem"}
	c, err = LoadServe([]string{"--tls-key", "/etc/ssl/hs.key"}, env(vars), io.Discard)
	if err != nil || c.TLSCert != "/etc/ssl/hs.pem" || c.TLSKey != "/etc/ssl/hs.key" || !c.HTTPS() {
		t.Fatalf("tls files: %+v %v", c, err)
	}
}

func TestLoadServeAdminPasswordIsNotAFlag(t *testing.T) {
	// A password on the command line would show up in ps and shell history.
	_, err := LoadServe([]string{"--admin-password", "x"}, env(nil), io.Discard)
	if err == nil {
		t.Error("LoadServe accepted --admin-password")
	}
}

func TestLoadServeErrors(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		wants []string // substrings of the error
	}{
		{"listen without port", []string{"--listen", "localhost"}, nil, []string{"listen", "host:port"}},
		{"listen from env", nil, map[string]string{"HONEYSENS_LISTEN": "8080"}, []string{"listen"}},
		{"log level", []string{"--log-level", "verbose"}, nil, []string{"log-level", "verbose"}},
		{"log level case", []string{"--log-level", "INFO"}, nil, []string{"log-level"}},
		{"session idle too short", []string{"--session-idle", "59s"}, nil, []string{"session-idle", "1m"}},
		{"session idle zero", []string{"--session-idle", "0"}, nil, []string{"session-idle"}},
		{"session idle not a duration", []string{"--session-idle", "30"}, nil, []string{"session-idle"}},
		{"empty data", []string{"--data", ""}, nil, []string{"data"}},
		{"extra argument", []string{"now"}, nil, []string{"unexpected argument", "now"}},
		{"unknown flag", []string{"--port", "80"}, nil, []string{"port"}},
		{"tls mode", []string{"--tls", "on"}, nil, []string{"tls", "self-signed"}},
		{"tls files without files", []string{"--tls", "files", "--tls-cert", "c.pem"}, nil, []string{"tls-key"}},
		{"tls cert without files mode", []string{"--tls-cert", "c.pem"}, nil, []string{"tls-cert", "--tls files"}},
		{"several at once", []string{"--listen", "x", "--log-level", "loud"}, nil, []string{"listen", "log-level"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadServe(tt.args, env(tt.env), io.Discard)
			if err == nil {
				t.Fatalf("LoadServe(%q) = %+v, want an error", tt.args, c)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestValidateBoundaries(t *testing.T) {
	c := Config{DataDir: "d", Listen: ":8080", LogLevel: "warn", SessionIdle: time.Minute}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate(%+v) = %v; want nil (1m and :port are fine)", c, err)
	}
	c.SessionIdle = time.Minute - time.Nanosecond
	if err := c.Validate(); err == nil {
		t.Error("Validate accepted a session idle below 1m")
	}
}

func TestEnsureDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	c := Config{DataDir: dir}
	if err := c.EnsureDataDir(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode = %v, want drwx------", fi.Mode())
	}
	// Calling it again on an existing directory is fine.
	if err := c.EnsureDataDir(); err != nil {
		t.Errorf("second EnsureDataDir: %v", err)
	}
}
