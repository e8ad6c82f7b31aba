package sensor

import (
	"encoding/json"
	"log/slog"
	"testing"

	"honeysens/app/honeypot"
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
		json.Unmarshal(sv.Config, &m)
		if l, _ := m["listen"].(string); l == "" || l[:9] != "127.0.0.1" {
			t.Errorf("default %s listens on %q, want 127.0.0.1", sv.Name, l)
		}
	}
}
