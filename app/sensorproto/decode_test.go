package sensorproto

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"honeysens/app/model"
	"honeysens/app/sensorproto/prototest"
)

// obj is one wire event under construction.
type obj = map[string]any

// base64JSON encodes events as HoneySens sensors send them: a JSON string holding the base64
// of the JSON array.
func base64JSON(t testing.TB, events ...any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(base64.StdEncoding.EncodeToString(prototest.ArrayJSON(t, events...)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeOK(t *testing.T, raw json.RawMessage) []*model.Event {
	t.Helper()
	events, err := DecodeEvents(raw, prototest.Now)
	if err != nil {
		t.Fatalf("DecodeEvents(%.200s) = %v", raw, err)
	}
	return events
}

func TestDecodePlainAndBase64AreTheSame(t *testing.T) {
	plain := decodeOK(t, prototest.ArrayJSON(t, prototest.HoneySensScan(), prototest.OwnSSH()))
	encoded := decodeOK(t, base64JSON(t, prototest.HoneySensScan(), prototest.OwnSSH()))
	if len(plain) != 2 {
		t.Fatalf("got %d events, want 2", len(plain))
	}
	if !reflect.DeepEqual(plain, encoded) {
		t.Errorf("plain and base64 arrays decode differently:\nplain   %+v\nencoded %+v", plain, encoded)
	}
	// Surrounding white space and an empty array are fine.
	if got := decodeOK(t, json.RawMessage("  \n[]\t")); len(got) != 0 {
		t.Errorf("empty array gave %d events", len(got))
	}
	if got := decodeOK(t, base64JSON(t)); len(got) != 0 {
		t.Errorf("empty base64 array gave %d events", len(got))
	}
}

func TestDecodeHoneySensForm(t *testing.T) {
	e := decodeOK(t, base64JSON(t, prototest.HoneySensScan()))[0]
	if !e.Timestamp.Equal(prototest.EventTime) || e.Timestamp.Location() != time.UTC {
		t.Errorf("timestamp = %v, want %v in UTC", e.Timestamp, prototest.EventTime)
	}
	if e.Service != "recon" || e.Summary != "Scan" {
		t.Errorf("service, summary = %q, %q, want recon, Scan", e.Service, e.Summary)
	}
	if e.Source != netip.MustParseAddr("192.0.2.10") || e.Target.IsValid() || e.SourcePort != 0 {
		t.Errorf("source %v:%d, target %v, want 192.0.2.10:0 and no target", e.Source, e.SourcePort, e.Target)
	}
	// Target port and protocol come from the packets, which agree.
	if e.TargetPort != 445 || e.Protocol != model.ProtoTCP {
		t.Errorf("target port, protocol = %d, %v, want 445, tcp", e.TargetPort, e.Protocol)
	}
	if len(e.Details) != 0 || len(e.Packets) != 2 {
		t.Fatalf("got %d details, %d packets, want 0, 2", len(e.Details), len(e.Packets))
	}
	p0, p1 := e.Packets[0], e.Packets[1]
	if p0.Flags != 18 || model.FlagLetters(p0.Flags) != "SA" || p1.Flags != 2 {
		t.Errorf("flags = %d, %d, want 18 (SA), 2", p0.Flags, p1.Flags)
	}
	if string(p0.Payload) != "\x00SMB" || p1.Payload != nil {
		t.Errorf("payloads = %q, %q, want \"\\x00SMB\", nil", p0.Payload, p1.Payload)
	}
	if p0.Port != 445 || p0.Protocol != model.ProtoTCP || !p1.Timestamp.Equal(prototest.EventTime.Add(time.Second)) {
		t.Errorf("packet 0 = %+v, packet 1 time %v", p0, p1.Timestamp)
	}

	// The other HoneySens service codes.
	for code, want := range map[int]string{0: "recon", 1: "honeypot", 2: "web-honeypot"} {
		ev := prototest.HoneySensScan()
		ev["service"] = code
		if got := decodeOK(t, prototest.ArrayJSON(t, ev))[0].Service; got != want {
			t.Errorf("service %d decoded as %q, want %q", code, got, want)
		}
	}
}

func TestDecodeOwnForm(t *testing.T) {
	e := decodeOK(t, prototest.ArrayJSON(t, prototest.OwnSSH()))[0]
	want := &model.Event{
		Timestamp: prototest.EventTime, Service: "ssh",
		Source: netip.MustParseAddr("2001:db8::7"), SourcePort: 40022,
		Target: netip.MustParseAddr("192.0.2.1"), TargetPort: 22, Protocol: model.ProtoTCP,
		Summary: "Login attempt root/123456",
		Details: []model.Detail{
			{Type: model.DetailGeneric, Data: "client SSH-2.0-Go"},
			{Timestamp: ptr(prototest.EventTime.Add(time.Second)), Type: model.DetailInteraction, Data: "login root/123456"},
		},
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", e, want)
	}

	// Every accepted timestamp spelling means the same instant.
	for _, ts := range []any{
		prototest.EventTime.Unix(), float64(prototest.EventTime.Unix()), prototest.EventTime.UnixMilli(), fmt.Sprint(prototest.EventTime.Unix()), fmt.Sprint(prototest.EventTime.UnixMilli()),
		prototest.EventTime.Format(time.RFC3339), prototest.EventTime.In(time.FixedZone("CET", 3600)).Format(time.RFC3339Nano),
	} {
		ev := prototest.OwnSSH()
		ev["timestamp"] = ts
		if got := decodeOK(t, prototest.ArrayJSON(t, ev))[0].Timestamp; !got.Equal(prototest.EventTime) || got.Location() != time.UTC {
			t.Errorf("timestamp %v (%T) decoded as %v, want %v UTC", ts, ts, got, prototest.EventTime)
		}
	}
	// Fractions of seconds are kept to the millisecond.
	ev := prototest.OwnSSH()
	ev["timestamp"] = float64(prototest.EventTime.Unix()) + 0.25
	if got := decodeOK(t, prototest.ArrayJSON(t, ev))[0].Timestamp; !got.Equal(prototest.EventTime.Add(250 * time.Millisecond)) {
		t.Errorf("fractional seconds decoded as %v", got)
	}

	// Service names are trimmed and lower-cased; protocols are read by name (any case) or number.
	for in, want := range map[any]model.Protocol{"TCP": model.ProtoTCP, "udp": model.ProtoUDP, "icmp": model.ProtoICMP,
		"": model.ProtoUnknown, 0: model.ProtoUnknown, 1: model.ProtoTCP, 2: model.ProtoUDP, 3: model.ProtoICMP} {
		ev := prototest.OwnSSH()
		ev["protocol"] = in
		ev["service"] = "  SSH "
		got := decodeOK(t, prototest.ArrayJSON(t, ev))[0]
		if got.Protocol != want || got.Service != "ssh" {
			t.Errorf("protocol %#v: got %v, service %q; want %v, ssh", in, got.Protocol, got.Service, want)
		}
	}

	// Unknown detail types are generic; a null detail timestamp is no timestamp.
	ev = prototest.OwnSSH()
	ev["details"] = []any{obj{"type": 7, "data": "x", "timestamp": nil}}
	d := decodeOK(t, prototest.ArrayJSON(t, ev))[0].Details[0]
	if d.Type != model.DetailGeneric || d.Timestamp != nil {
		t.Errorf("detail = %+v, want generic without timestamp", d)
	}
}

func ptr[T any](v T) *T { return &v }

func TestDecodeAddresses(t *testing.T) {
	for in, want := range map[string]string{
		"::ffff:192.0.2.1": "192.0.2.1", // IPv4-mapped IPv6 is the IPv4 address
		" 198.51.100.7 ":   "198.51.100.7",
		"fe80::1%eth0":     "fe80::1", // zones are dropped
		"2001:DB8::1":      "2001:db8::1",
	} {
		ev := prototest.OwnSSH()
		ev["source"], ev["target"] = in, in
		e := decodeOK(t, prototest.ArrayJSON(t, ev))[0]
		if e.Source.String() != want || e.Target.String() != want {
			t.Errorf("%q decoded as source %v, target %v, want %s", in, e.Source, e.Target, want)
		}
		if strings.Contains(want, ".") && !e.Source.Is4() {
			t.Errorf("%q: source %v is not a plain IPv4 address", in, e.Source)
		}
	}
}

func TestDecodeTargetFromPackets(t *testing.T) {
	pkt := func(proto any, port int) obj {
		return obj{"timestamp": prototest.EventTime.Unix(), "protocol": proto, "port": port, "headers": nil, "payload": nil}
	}
	cases := []struct {
		name      string
		port      any // the event's own target_port, nil for none
		proto     any
		packets   []any
		wantPort  int
		wantProto model.Protocol
	}{
		{"all agree", nil, nil, []any{pkt(2, 53), pkt(2, 53)}, 53, model.ProtoUDP},
		{"ports differ", nil, nil, []any{pkt(1, 22), pkt(1, 23)}, 0, model.ProtoTCP},
		{"protocols differ", nil, nil, []any{pkt(1, 80), pkt(2, 80)}, 80, model.ProtoUnknown},
		{"event's own values win", 8080, "udp", []any{pkt(1, 80)}, 8080, model.ProtoUDP},
		{"no packets", nil, nil, nil, 0, model.ProtoUnknown},
	}
	for _, c := range cases {
		ev := obj{"timestamp": prototest.EventTime.Unix(), "service": 0, "source": "192.0.2.3", "summary": "x",
			"details": []any{}, "packets": c.packets}
		if c.port != nil {
			ev["target_port"] = c.port
		}
		if c.proto != nil {
			ev["protocol"] = c.proto
		}
		e := decodeOK(t, prototest.ArrayJSON(t, ev))[0]
		if e.TargetPort != c.wantPort || e.Protocol != c.wantProto {
			t.Errorf("%s: target port %d, protocol %v; want %d, %v", c.name, e.TargetPort, e.Protocol, c.wantPort, c.wantProto)
		}
	}
}

func TestDecodeHeaderFlags(t *testing.T) {
	for headers, want := range map[string]int{
		`[{"flags":18}]`: 18, `{"flags":4}`: 4, `[{"flags":255}]`: 63, `[]`: 0, `null`: 0, `"x"`: 0,
		`[{"flags":"S"}]`: 0, `[{"other":1}]`: 0,
	} {
		raw := fmt.Sprintf(`[{"timestamp":%d,"service":0,"source":"192.0.2.3","summary":"Scan",
			"packets":[{"timestamp":%d,"protocol":1,"port":1,"headers":%s}]}]`, prototest.EventTime.Unix(), prototest.EventTime.Unix(), headers)
		if got := decodeOK(t, json.RawMessage(raw))[0].Packets[0].Flags; got != want {
			t.Errorf("headers %s: flags %d, want %d", headers, got, want)
		}
	}
}

func TestDecodeClipsText(t *testing.T) {
	ev := prototest.OwnSSH()
	ev["summary"] = strings.Repeat("é", model.MaxSummaryLen) // 2 bytes each: twice the limit
	ev["details"] = []any{
		obj{"type": 1, "data": strings.Repeat("x", model.MaxDetailLen-1) + "€€"},
		obj{"type": 0, "data": "short"},
	}
	e := decodeOK(t, prototest.ArrayJSON(t, ev))[0]
	if len(e.Summary) > model.MaxSummaryLen || !utf8.ValidString(e.Summary) {
		t.Errorf("summary is %d bytes, valid UTF-8 %v; want ≤ %d, valid", len(e.Summary), utf8.ValidString(e.Summary), model.MaxSummaryLen)
	}
	if want := strings.Repeat("é", model.MaxSummaryLen/2); e.Summary != want {
		t.Errorf("summary cut to %d bytes, want the %d-byte prefix at a rune boundary", len(e.Summary), len(want))
	}
	if d := e.Details[0].Data; len(d) != model.MaxDetailLen-1 || !utf8.ValidString(d) {
		t.Errorf("detail data is %d bytes (valid %v), want %d (the euro sign does not fit)", len(d), utf8.ValidString(d), model.MaxDetailLen-1)
	}
	if e.Details[1].Data != "short" {
		t.Errorf("short detail changed to %q", e.Details[1].Data)
	}

	// Control characters would break one-line views and mail headers: they become spaces.
	ev = prototest.OwnSSH()
	ev["summary"] = "line1\r\nline2\tx\x00y\x7f"
	if got := decodeOK(t, prototest.ArrayJSON(t, ev))[0].Summary; got != "line1  line2 x y " {
		t.Errorf("summary with control characters = %q", got)
	}

	// A service name longer than the limit is refused (it is an identifier, not free text).
	ev = prototest.OwnSSH()
	ev["service"] = strings.Repeat("s", model.MaxServiceLen)
	decodeOK(t, prototest.ArrayJSON(t, ev))
	ev["service"] = strings.Repeat("s", model.MaxServiceLen+1)
	if _, err := DecodeEvents(prototest.ArrayJSON(t, ev), prototest.Now); model.ErrorCode(err) != model.ErrInvalid {
		t.Errorf("%d-byte service: err = %v, want invalid", model.MaxServiceLen+1, err)
	}
}

func TestDecodeRepairsInvalidUTF8(t *testing.T) {
	// Raw bytes that are not UTF-8 inside the JSON strings, and an escaped lone surrogate.
	raw := fmt.Sprintf("[{\"timestamp\":%d,\"service\":\"ssh\",\"source\":\"192.0.2.3\","+
		"\"summary\":\"bad \xff\xfe end \\ud800\",\"details\":[{\"type\":0,\"data\":\"a\xc3(b\"}]}]", prototest.EventTime.Unix())
	if utf8.ValidString(raw) {
		t.Fatal("test input is valid UTF-8")
	}
	for name, in := range map[string]json.RawMessage{
		"plain":  json.RawMessage(raw),
		"base64": json.RawMessage(`"` + base64.StdEncoding.EncodeToString([]byte(raw)) + `"`),
	} {
		e := decodeOK(t, in)[0]
		if !utf8.ValidString(e.Summary) || !strings.HasPrefix(e.Summary, "bad ") || !strings.Contains(e.Summary, "\uFFFD") {
			t.Errorf("%s: summary = %q, want valid UTF-8 with replacement characters", name, e.Summary)
		}
		if d := e.Details[0].Data; !utf8.ValidString(d) || !strings.HasPrefix(d, "a") || !strings.HasSuffix(d, "(b") {
			t.Errorf("%s: detail = %q, want valid UTF-8 keeping the valid bytes", name, d)
		}
	}
}

func TestDecodeCutsDetailsPacketsAndPayloads(t *testing.T) {
	ev := prototest.HoneySensScan()
	details := make([]any, model.MaxDetails+5)
	for i := range details {
		details[i] = obj{"timestamp": prototest.EventTime.Unix(), "type": 1, "data": fmt.Sprint(i)}
	}
	packets := make([]any, model.MaxPackets+5)
	for i := range packets {
		packets[i] = obj{"timestamp": prototest.EventTime.Unix(), "protocol": 1, "port": 22, "headers": []any{obj{"flags": 2}},
			"payload": base64.StdEncoding.EncodeToString([]byte(strings.Repeat("p", model.MaxPayload+10)))}
	}
	ev["details"], ev["packets"] = details, packets
	e := decodeOK(t, base64JSON(t, ev))[0]
	if len(e.Details) != model.MaxDetails || e.Details[model.MaxDetails-1].Data != fmt.Sprint(model.MaxDetails-1) {
		t.Errorf("got %d details, want the first %d", len(e.Details), model.MaxDetails)
	}
	if len(e.Packets) != model.MaxPackets {
		t.Errorf("got %d packets, want %d", len(e.Packets), model.MaxPackets)
	}
	for i, p := range e.Packets {
		if len(p.Payload) != model.MaxPayload {
			t.Fatalf("packet %d payload is %d bytes, want %d", i, len(p.Payload), model.MaxPayload)
		}
	}
	// Exactly at the limits nothing is cut.
	ev["details"], ev["packets"] = details[:model.MaxDetails], packets[:1]
	e = decodeOK(t, prototest.ArrayJSON(t, ev))[0]
	if len(e.Details) != model.MaxDetails || len(e.Packets) != 1 {
		t.Errorf("at the limits: %d details, %d packets", len(e.Details), len(e.Packets))
	}
}

func TestDecodeBatchLimit(t *testing.T) {
	one := fmt.Sprintf(`{"timestamp":%d,"service":0,"source":"192.0.2.1","summary":"Scan"}`, prototest.EventTime.Unix())
	batch := func(n int) json.RawMessage {
		return json.RawMessage("[" + strings.TrimSuffix(strings.Repeat(one+",", n), ",") + "]")
	}
	if got := decodeOK(t, batch(MaxBatch)); len(got) != MaxBatch {
		t.Errorf("got %d events, want %d", len(got), MaxBatch)
	}
	_, err := DecodeEvents(batch(MaxBatch+1), prototest.Now)
	if model.ErrorCode(err) != model.ErrTooLarge {
		t.Errorf("%d events: err = %v, want %s", MaxBatch+1, err, model.ErrTooLarge)
	}
	enc, _ := json.Marshal(base64.StdEncoding.EncodeToString(batch(MaxBatch + 1)))
	if _, err := DecodeEvents(enc, prototest.Now); model.ErrorCode(err) != model.ErrTooLarge {
		t.Errorf("%d events in base64: err = %v, want %s", MaxBatch+1, err, model.ErrTooLarge)
	}
}

func TestDecodeEnvelopeErrors(t *testing.T) {
	for _, raw := range []string{``, `null`, `{}`, `5`, `true`, `"not base64!"`,
		`"` + base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)) + `"`, `[1,`, `[{}`} {
		_, err := DecodeEvents(json.RawMessage(raw), prototest.Now)
		if model.ErrorCode(err) != model.ErrInvalid {
			t.Errorf("DecodeEvents(%q) = %v, want invalid", raw, err)
		}
	}
}

func TestDecodeInvalidEvents(t *testing.T) {
	valid := func() obj {
		return obj{"timestamp": prototest.EventTime.Unix(), "service": "ssh", "source": "192.0.2.1", "summary": "x",
			"details": []any{obj{"timestamp": prototest.EventTime.Unix(), "type": 1, "data": "d"}},
			"packets": []any{obj{"timestamp": prototest.EventTime.Unix(), "protocol": 1, "port": 22, "headers": nil, "payload": "aGk="}}}
	}
	with := func(key string, v any) obj { e := valid(); e[key] = v; return e }
	without := func(key string) obj { e := valid(); delete(e, key); return e }
	withPacket := func(key string, v any) obj {
		e := valid()
		e["packets"].([]any)[0].(obj)[key] = v
		return e
	}
	withDetail := func(key string, v any) obj {
		e := valid()
		e["details"].([]any)[0].(obj)[key] = v
		return e
	}
	cases := []struct {
		name  string
		event any
		field string
	}{
		{"bad source", with("source", "999.1.1.1"), "source"},
		{"host name as source", with("source", "example.org"), "source"},
		{"empty source", with("source", ""), "source"},
		{"missing source", without("source"), "source"},
		{"bad target", with("target", "nope"), "target"},
		{"missing timestamp", without("timestamp"), "timestamp"},
		{"null timestamp", with("timestamp", nil), "timestamp"},
		{"timestamp before 2000", with("timestamp", time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()), "timestamp"},
		{"timestamp zero", with("timestamp", 0), "timestamp"},
		{"negative timestamp", with("timestamp", -5), "timestamp"},
		{"timestamp two days ahead", with("timestamp", prototest.Now.Add(48*time.Hour).Unix()), "timestamp"},
		{"RFC 3339 two days ahead", with("timestamp", prototest.Now.Add(48*time.Hour).Format(time.RFC3339)), "timestamp"},
		{"timestamp text", with("timestamp", "yesterday"), "timestamp"},
		{"timestamp bool", with("timestamp", true), "timestamp"},
		{"timestamp NaN", with("timestamp", "NaN"), "timestamp"},
		{"timestamp Inf", with("timestamp", "+Inf"), "timestamp"},
		{"timestamp huge", with("timestamp", 1e300), "timestamp"},
		{"missing service", without("service"), "service"},
		{"service code 3", with("service", 3), "service"},
		{"service code fraction", with("service", 1.5), "service"},
		{"empty service", with("service", "  "), "service"},
		{"source port too big", with("source_port", 65536), "source_port"},
		{"negative source port", with("source_port", -1), "source_port"},
		{"target port too big", with("target_port", 70000), "target_port"},
		{"bad protocol name", with("protocol", "sctp"), "protocol"},
		{"bad protocol number", with("protocol", 4), "protocol"},
		{"negative protocol", with("protocol", -1), "protocol"},
		{"packet payload not base64", withPacket("payload", "!!not base64"), "packets[0].payload"},
		{"packet port too big", withPacket("port", 65536), "packets[0].port"},
		{"packet protocol", withPacket("protocol", "gre"), "packets[0].protocol"},
		{"packet without timestamp", withPacket("timestamp", nil), "packets[0].timestamp"},
		{"detail timestamp", withDetail("timestamp", "soon"), "details[0].timestamp"},
		{"non-object number", 5, "event"},
		{"non-object string", "event", "event"},
		{"non-object array", []any{valid()}, "event"},
		{"source number", with("source", 5), "source"},
		{"summary number", with("summary", 5), "summary"},
		{"source port text", with("source_port", "22"), "source_port"},
		{"details object", with("details", obj{}), "details"},
		{"packets text", with("packets", "x"), "packets"},
		{"detail type text", withDetail("type", "x"), "details.type"},
		{"detail data number", withDetail("data", 1), "details.data"},
		{"packet port text", withPacket("port", "22"), "packets.port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The bad event is the second one, so the index in the field name is checked too.
			for _, raw := range []json.RawMessage{prototest.ArrayJSON(t, valid(), c.event), base64JSON(t, valid(), c.event)} {
				events, err := DecodeEvents(raw, prototest.Now)
				var me *model.Error
				if !errors.As(err, &me) || me.Code != model.ErrInvalid {
					t.Fatalf("DecodeEvents = %d events, %v; want an invalid *model.Error", len(events), err)
				}
				key := "events[1]." + c.field
				if me.Fields[key] == "" {
					t.Fatalf("fields = %v, want a message for %q", me.Fields, key)
				}
				if len(me.Fields) != 1 {
					t.Errorf("fields = %v, want only %q", me.Fields, key)
				}
			}
		})
	}
	// The valid event itself passes, so each case above fails for its own reason.
	decodeOK(t, prototest.ArrayJSON(t, valid(), valid()))
}

// checkDecoded asserts the guarantees DecodeEvents gives for every event it accepts.
func checkDecoded(t *testing.T, events []*model.Event) {
	t.Helper()
	for i, e := range events {
		if e == nil {
			t.Fatalf("event %d is nil", i)
		}
		if !e.Source.IsValid() || e.Source.Zone() != "" || e.Source.Is4In6() {
			t.Fatalf("event %d: source %v is not a plain address", i, e.Source)
		}
		if e.Target.IsValid() && (e.Target.Zone() != "" || e.Target.Is4In6()) {
			t.Fatalf("event %d: target %v is not a plain address", i, e.Target)
		}
		if len(e.Summary) > model.MaxSummaryLen || !utf8.ValidString(e.Summary) {
			t.Fatalf("event %d: summary %q is %d bytes, valid UTF-8 %v", i, e.Summary, len(e.Summary), utf8.ValidString(e.Summary))
		}
		for _, r := range e.Summary {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("event %d: summary %q holds control character %U", i, e.Summary, r)
			}
		}
		if e.Service == "" || len(e.Service) > model.MaxServiceLen || !utf8.ValidString(e.Service) {
			t.Fatalf("event %d: service %q", i, e.Service)
		}
		if e.Timestamp.Before(earliest) || e.Timestamp.After(prototest.Now.Add(24*time.Hour)) {
			t.Fatalf("event %d: timestamp %v out of range", i, e.Timestamp)
		}
		if e.SourcePort < 0 || e.SourcePort > 65535 || e.TargetPort < 0 || e.TargetPort > 65535 {
			t.Fatalf("event %d: ports %d, %d", i, e.SourcePort, e.TargetPort)
		}
		if e.Protocol < model.ProtoUnknown || e.Protocol > model.ProtoICMP {
			t.Fatalf("event %d: protocol %d", i, e.Protocol)
		}
		if len(e.Details) > model.MaxDetails {
			t.Fatalf("event %d: %d details", i, len(e.Details))
		}
		for j, d := range e.Details {
			if len(d.Data) > model.MaxDetailLen || !utf8.ValidString(d.Data) {
				t.Fatalf("event %d detail %d: %d bytes, valid UTF-8 %v", i, j, len(d.Data), utf8.ValidString(d.Data))
			}
			if d.Type != model.DetailGeneric && d.Type != model.DetailInteraction {
				t.Fatalf("event %d detail %d: type %d", i, j, d.Type)
			}
		}
		if len(e.Packets) > model.MaxPackets {
			t.Fatalf("event %d: %d packets", i, len(e.Packets))
		}
		for j, p := range e.Packets {
			if len(p.Payload) > model.MaxPayload {
				t.Fatalf("event %d packet %d: payload of %d bytes", i, j, len(p.Payload))
			}
			if p.Port < 0 || p.Port > 65535 || p.Flags < 0 || p.Flags > 63 {
				t.Fatalf("event %d packet %d: port %d, flags %d", i, j, p.Port, p.Flags)
			}
		}
	}
}

// FuzzDecode feeds arbitrary request bodies' events fields to DecodeEvents. The seeds
// cover both wire forms; the fuzzer mutates from there. It runs the seeds as a plain test.
func FuzzDecode(f *testing.F) {
	ts := prototest.EventTime.Unix()
	seeds := []string{
		`[]`,
		fmt.Sprintf(`[{"timestamp":%d,"service":0,"source":"192.0.2.10","summary":"Scan","details":[],
			"packets":[{"timestamp":%d,"protocol":1,"port":445,"headers":[{"flags":18}],"payload":"AFNNQg=="}]}]`, ts, ts),
		fmt.Sprintf(`[{"timestamp":%d,"service":1,"source":"203.0.113.5","summary":"Login attempt",
			"details":[{"timestamp":%d,"type":1,"data":"root:toor"},{"timestamp":null,"type":0,"data":"SSH-2.0"}],
			"packets":[]}]`, ts, ts),
		fmt.Sprintf(`[{"timestamp":"%s","service":"ssh","source":"::ffff:10.0.0.1","source_port":40000,
			"target":"fe80::1%%eth0","target_port":22,"protocol":"tcp","summary":"a\u0000b\r\nc`+"\xff\x85"+`"}]`,
			prototest.EventTime.Format(time.RFC3339Nano)),
		fmt.Sprintf(`[{"timestamp":%d,"service":"icmp","source":"2001:db8::1","protocol":3,"summary":"Ping"}]`, prototest.EventTime.UnixMilli()),
		fmt.Sprintf(`[{"timestamp":"%d","service":2,"source":"198.51.100.1","summary":"GET /","packets":[
			{"timestamp":%d,"protocol":2,"port":53,"headers":{"flags":4},"payload":null},
			{"timestamp":%d,"protocol":"udp","port":53,"headers":"x","payload":""}]}]`, ts, ts, ts),
		// Invalid ones, so mutations explore the error paths too.
		fmt.Sprintf(`[{"timestamp":%d,"service":0,"source":"999.0.0.1","summary":"Scan"}]`, ts),
		`[{"timestamp":946684799,"service":0,"source":"192.0.2.1","summary":"old"},5]`,
		fmt.Sprintf(`[{"timestamp":%d,"service":9,"source":"192.0.2.1","source_port":70000,"protocol":"sctp"}]`, ts),
		fmt.Sprintf(`[{"timestamp":%d,"service":"x","source":"192.0.2.1","packets":[{"timestamp":%d,"payload":"!!"}]}]`, ts, ts),
		`"W10="`, `"not base64"`, `null`, `{}`, `[1,2`, `[{"timestamp":"NaN"}]`, `[{"timestamp":1e400}]`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
		// The same array the way HoneySens sends it.
		if strings.HasPrefix(s, "[") {
			f.Add([]byte(`"` + base64.StdEncoding.EncodeToString([]byte(s)) + `"`))
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		events, err := DecodeEvents(json.RawMessage(raw), prototest.Now)
		if err != nil {
			if code := model.ErrorCode(err); code != model.ErrInvalid && code != model.ErrTooLarge {
				t.Fatalf("error %v has code %q, want invalid or payload_too_large", err, code)
			}
			if events != nil {
				t.Fatalf("error %v with %d events", err, len(events))
			}
			return
		}
		if len(events) > MaxBatch {
			t.Fatalf("%d events accepted", len(events))
		}
		checkDecoded(t, events)
	})
}
