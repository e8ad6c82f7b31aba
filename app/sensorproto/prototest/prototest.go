// Package prototest holds the sensor protocol's sample events for the tests of the packages
// that read it: sensorproto decodes them, ingest takes them through its HTTP handler and
// service. It is imported by tests only.
package prototest

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

// Now is the server clock of the tests; EventTime is an event time an hour before it.
var (
	Now       = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	EventTime = Now.Add(-time.Hour)
)

// obj is one wire event under construction.
type obj = map[string]any

// ArrayJSON encodes wire events as the plain JSON array of the appliance's own form.
func ArrayJSON(t testing.TB, events ...any) json.RawMessage {
	t.Helper()
	if events == nil {
		events = []any{}
	}
	b, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// HoneySensScan is a recon event exactly as a HoneySens sensor reports it: Unix seconds,
// numeric service and protocol, TCP flags in headers and the payload in base64.
func HoneySensScan() obj {
	return obj{
		"timestamp": EventTime.Unix(), "service": 0, "source": "192.0.2.10", "summary": "Scan",
		"details": []any{},
		"packets": []any{
			obj{"timestamp": EventTime.Unix(), "protocol": 1, "port": 445, "headers": []any{obj{"flags": 18}},
				"payload": base64.StdEncoding.EncodeToString([]byte("\x00SMB"))},
			obj{"timestamp": EventTime.Unix() + 1, "protocol": 1, "port": 445, "headers": []any{obj{"flags": 2}},
				"payload": nil},
		},
	}
}

// OwnSSH is an event in this appliance's own form: RFC 3339 time, names, explicit ports.
func OwnSSH() obj {
	return obj{
		"timestamp": EventTime.Format(time.RFC3339Nano), "service": "ssh", "source": "2001:db8::7",
		"source_port": 40022, "target": "192.0.2.1", "target_port": 22, "protocol": "tcp",
		"summary": "Login attempt root/123456", "session": "abc",
		"details": []any{
			obj{"type": 0, "data": "client SSH-2.0-Go"},
			obj{"timestamp": EventTime.Add(time.Second).UnixMilli(), "type": 1, "data": "login root/123456"},
		},
	}
}
