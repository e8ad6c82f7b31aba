package recon

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"honeysens/app/model"
)

func TestConfigJSON(t *testing.T) {
	b, err := json.Marshal(Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"listen":"127.0.0.1","ports":[3306,3389,5432,5900,6379,9200],"udp_ports":[],"scan_window":10,"scan_threshold":3}` {
		t.Fatal(string(b))
	}
	// Missing keys keep the defaults.
	c := Defaults()
	if err := json.Unmarshal([]byte(`{"ports":[22,80],"scan_window":2.5}`), &c); err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.Ports, want.ScanWindow = []int{22, 80}, 2500*time.Millisecond
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("%+v", c)
	}
	var back Config
	b, _ = json.Marshal(c)
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, c) {
		t.Fatalf("round trip %+v %v", back, err)
	}
	for _, in := range []string{`{"scan_window":-1}`, `{"scan_window":1e300}`} {
		c := Defaults()
		if err := json.Unmarshal([]byte(in), &c); err != nil {
			t.Fatal(err)
		}
		if fieldErr(c.Validate(), "scan_window") == "" {
			t.Fatalf("%s: %v accepted", in, c.ScanWindow)
		}
	}
	if err := json.Unmarshal([]byte(`{"ports":"x"}`), &c); err == nil {
		t.Fatal("bad json accepted")
	}
}

func fieldErr(err error, field string) string {
	var e *model.Error
	if !errors.As(err, &e) {
		return ""
	}
	return e.Fields[field]
}

func TestConfigValidate(t *testing.T) {
	many := make([]int, MaxPorts+1)
	for i := range many {
		many[i] = i + 1
	}
	tests := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"defaults", func(*Config) {}, ""},
		{"all interfaces", func(c *Config) { c.Listen = "0.0.0.0" }, ""},
		{"ipv6", func(c *Config) { c.Listen = "::" }, ""},
		{"udp", func(c *Config) { c.UDPPorts = []int{161, 1900} }, ""},
		{"udp only", func(c *Config) { c.Ports, c.UDPPorts = nil, []int{161, 1900, 5060} }, ""},
		{"hostname", func(c *Config) { c.Listen = "localhost" }, "listen"},
		{"empty listen", func(c *Config) { c.Listen = "" }, "listen"},
		{"port 0", func(c *Config) { c.Ports = []int{0, 22, 80} }, "ports"},
		{"port too big", func(c *Config) { c.Ports = []int{22, 80, 65536} }, "ports"},
		{"duplicate", func(c *Config) { c.Ports = []int{22, 80, 22} }, "ports"},
		{"udp duplicate", func(c *Config) { c.UDPPorts = []int{53, 53} }, "udp_ports"},
		{"no ports", func(c *Config) { c.Ports = nil }, "ports"},
		{"too many ports", func(c *Config) { c.Ports = many }, "ports"},
		{"window too short", func(c *Config) { c.ScanWindow = 500 * time.Millisecond }, "scan_window"},
		{"window too long", func(c *Config) { c.ScanWindow = time.Hour }, "scan_window"},
		{"threshold 1", func(c *Config) { c.ScanThreshold = 1 }, "scan_threshold"},
		{"threshold above ports", func(c *Config) { c.ScanThreshold = 7 }, "scan_threshold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Defaults()
			tc.edit(&c)
			err := c.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if fieldErr(err, tc.field) == "" {
				t.Fatalf("want a message for %s, got %v", tc.field, err)
			}
		})
	}
}
