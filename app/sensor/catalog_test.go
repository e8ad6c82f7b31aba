package sensor

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

func TestStandardDefaultsUseStandardPortsOnAllInterfaces(t *testing.T) {
	want := map[string]string{"ssh": "0.0.0.0:22", "telnet": "0.0.0.0:23", "ftp": "0.0.0.0:21", "http": "0.0.0.0:80", "recon": "0.0.0.0"}
	c := DefaultCatalog(t.TempDir())
	got := map[string]string{}
	for _, sv := range c.StandardDefaults(1) {
		var m map[string]any
		if err := json.Unmarshal(sv.Config, &m); err != nil {
			t.Fatal(err)
		}
		got[sv.Name], _ = m["listen"].(string)
		// The settings still build a service.
		if _, err := c[sv.Name].New(sv.Config, honeypot.DefaultLimits, slog.Default()); err != nil {
			t.Errorf("%s: %v", sv.Name, err)
		}
	}
	for name, listen := range want {
		if got[name] != listen {
			t.Errorf("%s listens on %q, want %q", name, got[name], listen)
		}
	}
	for _, sv := range c.Defaults(1) {
		var m map[string]any
		if err := json.Unmarshal(sv.Config, &m); err != nil {
			t.Fatal(err)
		}
		if l, _ := m["listen"].(string); l == "" || l[:9] != "127.0.0.1" {
			t.Errorf("default %s listens on %q, want 127.0.0.1", sv.Name, l)
		}
	}
}

func TestSSHHostKeyStaysInTheDataDirectory(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	c := DefaultCatalog(data)
	svc, err := c["ssh"].New(json.RawMessage(`{"listen":"127.0.0.1:0","host_key_file":"../escaped_keys"}`), honeypot.DefaultLimits, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(honeypot.ReporterFunc(func(context.Context, *model.Event) error { return nil })); err != nil {
		t.Fatal(err)
	}
	svc.Stop()
	if _, err := os.Stat(filepath.Join(dir, "escaped_keys")); err == nil {
		t.Error("host keys written outside the data directory")
	}
	if _, err := os.Stat(filepath.Join(data, "escaped_keys")); err != nil {
		t.Errorf("host keys not in the data directory: %v", err)
	}
}
