package sensor

import (
	"encoding/json"
	"sort"

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

// decode fills dst (holding the defaults) from raw settings; keys not given keep the defaults.
func decode(raw json.RawMessage, dst any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, dst)
}
