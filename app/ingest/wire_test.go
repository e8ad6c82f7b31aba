package ingest

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

// The events below are the sensor protocol's two forms, as app/sensorproto's tests decode
// them; here they travel through the HTTP handler and the service.

// decNow is the server clock of the tests; decTS is an event time an hour before it.
var (
	decNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	decTS  = decNow.Add(-time.Hour)
)

// obj is one wire event under construction.
type obj = map[string]any

// arrayJSON encodes events as the plain JSON array of our form.
func arrayJSON(t testing.TB, events ...any) json.RawMessage {
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

// honeySensScan is a recon event exactly as a HoneySens sensor reports it: Unix seconds,
// numeric service and protocol, TCP flags in headers and the payload in base64.
func honeySensScan() obj {
	return obj{
		"timestamp": decTS.Unix(), "service": 0, "source": "192.0.2.10", "summary": "Scan",
		"details": []any{},
		"packets": []any{
			obj{"timestamp": decTS.Unix(), "protocol": 1, "port": 445, "headers": []any{obj{"flags": 18}},
				"payload": base64.StdEncoding.EncodeToString([]byte("\x00SMB"))},
			obj{"timestamp": decTS.Unix() + 1, "protocol": 1, "port": 445, "headers": []any{obj{"flags": 2}},
				"payload": nil},
		},
	}
}

// ownSSH is an event in this appliance's own form: RFC 3339 time, names, explicit ports.
func ownSSH() obj {
	return obj{
		"timestamp": decTS.Format(time.RFC3339Nano), "service": "ssh", "source": "2001:db8::7",
		"source_port": 40022, "target": "192.0.2.1", "target_port": 22, "protocol": "tcp",
		"summary": "Login attempt root/123456", "session": "abc",
		"details": []any{
			obj{"type": 0, "data": "client SSH-2.0-Go"},
			obj{"timestamp": decTS.Add(time.Second).UnixMilli(), "type": 1, "data": "login root/123456"},
		},
	}
}

func ptr[T any](v T) *T { return &v }
