package model

import "time"

// Ref names a sensor or group in JSON by id and name.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// EventJSON is the part of an event every JSON rendering shares, in the order the API and the
// webhook's json format write it: the API's event list and detail add their counts and archive
// fields after it, the webhook its details and packets.
type EventJSON struct {
	ID             int64     `json:"id"`
	Timestamp      time.Time `json:"timestamp"`
	Sensor         Ref       `json:"sensor"`
	Group          Ref       `json:"group"`
	Service        string    `json:"service"`
	Classification int       `json:"classification"`
	Source         string    `json:"source"`
	SourcePort     *int      `json:"source_port"`
	Target         string    `json:"target"` // empty when the target is unknown
	TargetPort     *int      `json:"target_port"`
	Protocol       string    `json:"protocol"`
	Summary        string    `json:"summary"`
	Status         int       `json:"status"`
	Comment        string    `json:"comment"`
}

// NewEventJSON fills the shared fields from e; an unknown port is null.
func NewEventJSON(e *Event) EventJSON {
	v := EventJSON{ID: e.ID, Timestamp: e.Timestamp, Sensor: Ref{e.SensorID, e.SensorName}, Group: Ref{e.GroupID, e.GroupName},
		Service: e.Service, Classification: int(e.Classification), Source: e.Source.String(), SourcePort: optPort(e.SourcePort),
		TargetPort: optPort(e.TargetPort), Protocol: e.Protocol.String(), Summary: e.Summary, Status: int(e.Status),
		Comment: e.Comment}
	if e.Target.IsValid() {
		v.Target = e.Target.String()
	}
	return v
}

func optPort(p int) *int {
	if p == 0 {
		return nil
	}
	return &p
}

// NonNil makes an absent list an empty JSON array.
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
