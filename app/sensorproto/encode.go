package sensorproto

import (
	"encoding/json"
	"errors"

	"honeysens/app/model"
)

// EncodeEvent renders an event in the sensor protocol's JSON form (times in Unix ms).
func EncodeEvent(e *model.Event) ([]byte, error) {
	type wireDetail struct {
		Type      int    `json:"type"`
		Data      string `json:"data"`
		Timestamp *int64 `json:"timestamp"`
	}
	type wirePacket struct {
		Timestamp int64            `json:"timestamp"`
		Protocol  int              `json:"protocol"`
		Port      int              `json:"port"`
		Headers   []map[string]int `json:"headers"`
		Payload   []byte           `json:"payload"`
	}
	type wireEvent struct {
		Timestamp      int64         `json:"timestamp"`
		Service        string        `json:"service"`
		Source         string        `json:"source"`
		SourcePort     int           `json:"source_port"`
		Target         string        `json:"target,omitempty"`
		TargetPort     int           `json:"target_port"`
		Protocol       int           `json:"protocol"`
		Summary        string        `json:"summary"`
		Classification int           `json:"classification,omitempty"` // what the service decided; 0: the server decides
		Details        []wireDetail  `json:"details,omitempty"`
		Packets        []wirePacket  `json:"packets,omitempty"`
		Session        string        `json:"session,omitempty"`
		Revision       int           `json:"revision,omitempty"`
		Ongoing        bool          `json:"ongoing,omitempty"`
		Logins         []model.Login `json:"logins,omitempty"`
		Commands       []string      `json:"commands,omitempty"`
		Paths          []string      `json:"paths,omitempty"`
	}
	if !e.Source.IsValid() {
		return nil, errors.New("sensor: event without a source address")
	}
	w := wireEvent{Timestamp: e.Timestamp.UnixMilli(), Service: e.Service, Source: e.Source.String(),
		SourcePort: e.SourcePort, TargetPort: e.TargetPort, Protocol: int(e.Protocol), Summary: e.Summary,
		Classification: int(e.Classification), Session: e.Session, Revision: e.Revision, Ongoing: e.Ongoing,
		Logins: e.Logins, Commands: e.Commands, Paths: e.Paths}
	if e.Target.IsValid() {
		w.Target = e.Target.String()
	}
	for _, d := range e.Details {
		wd := wireDetail{Type: d.Type, Data: d.Data}
		if d.Timestamp != nil {
			ms := d.Timestamp.UnixMilli()
			wd.Timestamp = &ms
		}
		w.Details = append(w.Details, wd)
	}
	for _, p := range e.Packets {
		w.Packets = append(w.Packets, wirePacket{Timestamp: p.Timestamp.UnixMilli(), Protocol: int(p.Protocol),
			Port: p.Port, Headers: []map[string]int{{"flags": p.Flags}}, Payload: p.Payload})
	}
	return json.Marshal(w)
}
