package sensor

import (
	"encoding/json"
	"sort"
	"strings"

	"honeysens/app/model"
)

// Kind is one kind of honeypot service the appliance can run.
type Kind struct {
	Name     string
	Defaults func() any // the service's default settings, stored when it is assigned
	New      Factory
}

// Catalog lists the service kinds by name.
type Catalog map[string]Kind

// Factories returns the constructors by name.
func (c Catalog) Factories() map[string]Factory {
	out := map[string]Factory{}
	for name, k := range c {
		out[name] = k.New
	}
	return out
}

// Names returns the kinds' names, sorted.
func (c Catalog) Names() []string {
	names := make([]string, 0, len(c))
	for name := range c {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Defaults returns every kind assigned to the sensor with its default settings, enabled.
func (c Catalog) Defaults(sensorID int64) []*model.SensorService {
	var out []*model.SensorService
	for _, name := range c.Names() {
		cfg, _ := json.Marshal(c[name].Defaults())
		out = append(out, &model.SensorService{SensorID: sensorID, Name: name, Enabled: true, Config: cfg})
	}
	return out
}

// standardPorts are the ports the services have on a real network; the defaults use
// unprivileged ports on 127.0.0.1 so that `go run .` works for anyone.
var standardPorts = map[string]string{"ssh": "22", "telnet": "23", "ftp": "21", "http": "80"}

// StandardDefaults is Defaults with every service listening on all interfaces, on its standard
// port (recon keeps its port list): what an installed appliance starts with.
func (c Catalog) StandardDefaults(sensorID int64) []*model.SensorService {
	out := c.Defaults(sensorID)
	for _, sv := range out {
		var m map[string]any
		if json.Unmarshal(sv.Config, &m) != nil {
			continue
		}
		switch listen, _ := m["listen"].(string); {
		case standardPorts[sv.Name] != "":
			m["listen"] = "0.0.0.0:" + standardPorts[sv.Name]
		case listen != "" && !strings.Contains(listen, ":"):
			m["listen"] = "0.0.0.0" // a host without port: the service has its own port list
		}
		sv.Config, _ = json.Marshal(m)
	}
	return out
}

// decode fills dst (holding the defaults) from raw settings; keys not given keep the defaults.
func decode(raw json.RawMessage, dst any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, dst)
}
