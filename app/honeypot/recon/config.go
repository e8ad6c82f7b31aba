package recon

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// Config are the recon service's settings. In JSON the scan window is in seconds:
//
//	{"listen": "127.0.0.1", "ports": [3306, 3389], "udp_ports": [], "scan_window": 10, "scan_threshold": 3}
type Config struct {
	Listen        string        `json:"listen"`         // IP address to listen on; 0.0.0.0 or :: for all
	Ports         []int         `json:"ports"`          // TCP ports, one listener each
	UDPPorts      []int         `json:"udp_ports"`      // UDP ports (optional)
	ScanWindow    time.Duration `json:"-"`              // distinct ports from one source within this make a scan
	ScanThreshold int           `json:"scan_threshold"` // distinct ports that make a scan
}

// Bounds of the settings.
const (
	MaxPorts      = 1000 // TCP and UDP ports together: one socket and one goroutine each
	MinScanWindow = time.Second
	MaxScanWindow = 10 * time.Minute
	MaxThreshold  = 1000
)

// Defaults returns the default settings: MySQL, RDP, PostgreSQL, VNC, Redis and Elasticsearch
// ports (unprivileged, much scanned, unused by the appliance), a 10 s window and 3 ports.
func Defaults() Config {
	return Config{
		Listen:        "127.0.0.1",
		Ports:         []int{3306, 3389, 5432, 5900, 6379, 9200},
		UDPPorts:      []int{},
		ScanWindow:    10 * time.Second,
		ScanThreshold: 3,
	}
}

type configJSON struct {
	Listen        string  `json:"listen"`
	Ports         []int   `json:"ports"`
	UDPPorts      []int   `json:"udp_ports"`
	ScanWindow    float64 `json:"scan_window"` // seconds
	ScanThreshold int     `json:"scan_threshold"`
}

// MarshalJSON writes the settings with the scan window in seconds.
func (c Config) MarshalJSON() ([]byte, error) {
	udp := c.UDPPorts
	if udp == nil {
		udp = []int{}
	}
	return json.Marshal(configJSON{c.Listen, c.Ports, udp, c.ScanWindow.Seconds(), c.ScanThreshold})
}

// UnmarshalJSON reads settings onto c: keys that are missing keep c's values (the defaults).
func (c *Config) UnmarshalJSON(b []byte) error {
	j := configJSON{c.Listen, c.Ports, c.UDPPorts, c.ScanWindow.Seconds(), c.ScanThreshold}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	w := time.Duration(-1) // out of range: Validate says so
	if j.ScanWindow >= 0 && j.ScanWindow <= 2*MaxScanWindow.Seconds() {
		w = time.Duration(math.Round(j.ScanWindow * float64(time.Second)))
	}
	*c = Config{j.Listen, j.Ports, j.UDPPorts, w, j.ScanThreshold}
	return nil
}

// Validate checks the settings; the messages are per JSON field.
func (c *Config) Validate() error {
	f := model.FieldErrors{}
	honeypot.ValidateListen(f, c.Listen, "")
	checkPorts := func(field string, ports []int) {
		seen := map[int]bool{}
		for _, p := range ports {
			if p < 1 || p > 65535 {
				f.Add(field, fmt.Sprintf("Port %d: use 1 to 65535.", p))
			} else if seen[p] {
				f.Add(field, fmt.Sprintf("Port %d is listed twice.", p))
			}
			seen[p] = true
		}
	}
	checkPorts("ports", c.Ports)
	checkPorts("udp_ports", c.UDPPorts)
	n := len(c.Ports) + len(c.UDPPorts)
	switch {
	case n == 0:
		f.Add("ports", "List at least one port.")
	case n > MaxPorts:
		f.Add("ports", fmt.Sprintf("At most %d ports, TCP and UDP together.", MaxPorts))
	}
	if c.ScanWindow < MinScanWindow || c.ScanWindow > MaxScanWindow {
		f.Add("scan_window", "Use 1 to 600 seconds.")
	}
	switch {
	case c.ScanThreshold < 2 || c.ScanThreshold > MaxThreshold:
		f.Add("scan_threshold", fmt.Sprintf("Use 2 to %d ports.", MaxThreshold))
	case n > 0 && c.ScanThreshold > n:
		f.Add("scan_threshold", fmt.Sprintf("At most the number of ports listened on (%d), or no scan is ever seen.", n))
	}
	return f.Err()
}
