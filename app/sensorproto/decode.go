package sensorproto

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"honeysens/app/model"
)

// MaxBatch is the most events one request may carry (HoneySens sensors buffer up to 1024).
const MaxBatch = 2000

// EventsBody is the body of POST /api/events. Events is a JSON array, or the same array as a
// base64 string (as HoneySens sensors send it).
type EventsBody struct {
	Sensor json.RawMessage `json:"sensor"`
	Events json.RawMessage `json:"events"`
	// Batch is an optional id the sensor gives the batch (this appliance's remote sensors do);
	// a batch sent again after a lost answer is then recognised and not stored twice.
	Batch string `json:"batch"`
}

// wireEvent is one event as sensors send it. Numbers and strings are both accepted where
// HoneySens and this appliance differ (service codes, protocol names, timestamps).
type wireEvent struct {
	Timestamp  json.RawMessage `json:"timestamp"`
	Service    json.RawMessage `json:"service"`
	Source     string          `json:"source"`
	SourcePort *int            `json:"source_port"`
	Target     string          `json:"target"`
	TargetPort *int            `json:"target_port"`
	Protocol   json.RawMessage `json:"protocol"`
	Summary    string          `json:"summary"`
	Details    []wireDetail    `json:"details"`
	Packets    []wirePacket    `json:"packets"`
	// Session, Revision and Ongoing make the event one report of a session that grows while it
	// lasts (see model.Event): this appliance's remote sensors send them.
	Session  string `json:"session"`
	Revision int    `json:"revision"`
	Ongoing  bool   `json:"ongoing"`
	// What the attacker tried, as structured values (this appliance's remote sensors).
	Logins   []model.Login `json:"logins"`
	Commands []string      `json:"commands"`
	Paths    []string      `json:"paths"`
	// Classification is optional: this appliance's remote sensors send what their service
	// decided; without it the server classifies by service.
	Classification *int `json:"classification"`
}

type wireDetail struct {
	Timestamp json.RawMessage `json:"timestamp"`
	Type      int             `json:"type"`
	Data      string          `json:"data"`
}

type wirePacket struct {
	Timestamp json.RawMessage `json:"timestamp"`
	Protocol  json.RawMessage `json:"protocol"`
	Port      int             `json:"port"`
	Headers   json.RawMessage `json:"headers"`
	Payload   *string         `json:"payload"`
}

// fieldError names the bad event and field, e.g. events[3].source.
func fieldError(i int, field, msg string) error {
	return &model.Error{Code: model.ErrInvalid, Message: fmt.Sprintf("Event %d is not valid: %s: %s", i, field, msg),
		Fields: map[string]string{fmt.Sprintf("events[%d].%s", i, field): msg}}
}

// DecodeEvents parses the events array of an ingest request (plain or base64) into events.
// Every text field is cut to its limit and made valid UTF-8; anything that cannot be an event
// (no source address, no timestamp, wrong types) is refused with the event's index.
func DecodeEvents(raw json.RawMessage, now time.Time) ([]*model.Event, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, model.Errorf(model.ErrInvalid, "events: not a JSON string.")
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, model.Errorf(model.ErrInvalid, "events: not valid base64.")
		}
		raw = bytes.TrimSpace(b)
	}
	if len(raw) == 0 || raw[0] != '[' {
		return nil, model.Errorf(model.ErrInvalid, "events: want a JSON array (or one encoded as base64).")
	}
	var wire []json.RawMessage
	if err := json.Unmarshal(raw, &wire); err != nil {
		return nil, model.Errorf(model.ErrInvalid, "events: not a valid JSON array.")
	}
	if len(wire) > MaxBatch {
		return nil, model.Errorf(model.ErrTooLarge, "events: at most %d events per request, got %d.", MaxBatch, len(wire))
	}
	out := make([]*model.Event, 0, len(wire))
	for i, w := range wire {
		e, err := decodeEvent(i, w, now)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func decodeEvent(i int, raw json.RawMessage, now time.Time) (*model.Event, error) {
	var w wireEvent
	if err := json.Unmarshal(raw, &w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, fieldError(i, te.Field, "wrong type")
		}
		return nil, fieldError(i, "event", "not a JSON object")
	}
	e := &model.Event{}
	var err error
	if e.Timestamp, err = parseTime(w.Timestamp, now); err != nil {
		return nil, fieldError(i, "timestamp", err.Error())
	}
	if e.Service, err = parseService(w.Service); err != nil {
		return nil, fieldError(i, "service", err.Error())
	}
	if e.Source, err = netip.ParseAddr(strings.TrimSpace(w.Source)); err != nil {
		return nil, fieldError(i, "source", "not an IP address")
	}
	e.Source = e.Source.Unmap().WithZone("")
	if w.Target != "" {
		if e.Target, err = netip.ParseAddr(strings.TrimSpace(w.Target)); err != nil {
			return nil, fieldError(i, "target", "not an IP address")
		}
		e.Target = e.Target.Unmap().WithZone("")
	}
	if e.SourcePort, err = port(w.SourcePort); err != nil {
		return nil, fieldError(i, "source_port", err.Error())
	}
	if e.TargetPort, err = port(w.TargetPort); err != nil {
		return nil, fieldError(i, "target_port", err.Error())
	}
	if e.Protocol, err = parseProtocol(w.Protocol); err != nil {
		return nil, fieldError(i, "protocol", err.Error())
	}
	if w.Classification != nil {
		if *w.Classification < 0 || *w.Classification > 4 {
			return nil, fieldError(i, "classification", "want 0-4")
		}
		e.Classification = model.Classification(*w.Classification)
	}
	e.Summary = model.OneLine(model.Clip(w.Summary, model.MaxSummaryLen))
	// A session without a revision is a one-time event, as before sessions grew.
	if w.Revision < 0 {
		return nil, fieldError(i, "revision", "want 1 or more")
	}
	if w.Session != "" && w.Revision > 0 {
		if len(w.Session) > model.MaxSessionLen {
			return nil, fieldError(i, "session", fmt.Sprintf("at most %d bytes", model.MaxSessionLen))
		}
		e.Session, e.Revision, e.Ongoing = w.Session, w.Revision, w.Ongoing
	}
	for _, l := range w.Logins {
		e.AddLogin(l.User, l.Password, l.Accepted)
	}
	for _, c := range w.Commands {
		e.AddCommand(c)
	}
	for _, p := range w.Paths {
		e.AddPath(p)
	}
	for j, d := range w.Details {
		if j == model.MaxDetails {
			break
		}
		det := model.Detail{Type: d.Type, Data: model.Clip(d.Data, model.MaxDetailLen)}
		if det.Type != model.DetailInteraction {
			det.Type = model.DetailGeneric
		}
		if len(d.Timestamp) > 0 && string(d.Timestamp) != "null" {
			t, err := parseTime(d.Timestamp, now)
			if err != nil {
				return nil, fieldError(i, fmt.Sprintf("details[%d].timestamp", j), err.Error())
			}
			det.Timestamp = &t
		}
		e.Details = append(e.Details, det)
	}
	for j, p := range w.Packets {
		if j == model.MaxPackets {
			break
		}
		pk, err := decodePacket(p, now)
		if err != nil {
			return nil, fieldError(i, fmt.Sprintf("packets[%d].%s", j, err.field), err.msg)
		}
		e.Packets = append(e.Packets, pk)
	}
	// HoneySens sensors put the target port and protocol only into packets: lift them onto the
	// event when every packet agrees, so the list can show, sort and filter them.
	if len(e.Packets) > 0 {
		if e.TargetPort == 0 && samePort(e.Packets) {
			e.TargetPort = e.Packets[0].Port
		}
		if e.Protocol == model.ProtoUnknown && sameProto(e.Packets) {
			e.Protocol = e.Packets[0].Protocol
		}
	}
	return e, nil
}

type packetError struct{ field, msg string }

func decodePacket(p wirePacket, now time.Time) (model.Packet, *packetError) {
	var pk model.Packet
	var err error
	if pk.Timestamp, err = parseTime(p.Timestamp, now); err != nil {
		return pk, &packetError{"timestamp", err.Error()}
	}
	if pk.Protocol, err = parseProtocol(p.Protocol); err != nil {
		return pk, &packetError{"protocol", err.Error()}
	}
	if p.Port < 0 || p.Port > 65535 {
		return pk, &packetError{"port", "not a port number"}
	}
	pk.Port = p.Port
	pk.Flags = headerFlags(p.Headers)
	if p.Payload != nil && *p.Payload != "" {
		b, err := base64.StdEncoding.DecodeString(*p.Payload)
		if err != nil {
			return pk, &packetError{"payload", "not valid base64"}
		}
		if len(b) > model.MaxPayload {
			b = b[:model.MaxPayload]
		}
		pk.Payload = b
	}
	return pk, nil
}

// headerFlags reads the TCP flags HoneySens' recon service sends as headers: a list holding
// one object with an integer "flags", or that object alone. Anything else means no flags.
func headerFlags(raw json.RawMessage) int {
	var list []struct {
		Flags int `json:"flags"`
	}
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return list[0].Flags & 0x3f
	}
	var one struct {
		Flags int `json:"flags"`
	}
	if json.Unmarshal(raw, &one) == nil {
		return one.Flags & 0x3f
	}
	return 0
}

func samePort(ps []model.Packet) bool {
	for _, p := range ps {
		if p.Port != ps[0].Port {
			return false
		}
	}
	return true
}

func sameProto(ps []model.Packet) bool {
	for _, p := range ps {
		if p.Protocol != ps[0].Protocol {
			return false
		}
	}
	return true
}

// earliest is the oldest timestamp accepted; anything older is a broken sensor clock.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// parseTime reads Unix seconds (HoneySens), Unix milliseconds or an RFC 3339 string.
func parseTime(raw json.RawMessage, now time.Time) (time.Time, error) {
	var t time.Time
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "" || s == "null":
		return t, fmt.Errorf("missing")
	case s[0] == '"':
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return t, err
		}
		if v, err := strconv.ParseFloat(str, 64); err == nil {
			t = unix(v)
		} else if t, err = time.Parse(time.RFC3339Nano, str); err != nil {
			return t, fmt.Errorf("not a Unix timestamp or RFC 3339 time")
		}
	default:
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return t, fmt.Errorf("not a Unix timestamp or RFC 3339 time")
		}
		t = unix(v)
	}
	if t.Before(earliest) || t.After(now.Add(24*time.Hour)) {
		return t, fmt.Errorf("out of range (before 2000 or more than a day ahead)")
	}
	return t.UTC().Truncate(time.Millisecond), nil
}

// unix reads seconds, or milliseconds when the value is too large to be seconds.
func unix(v float64) time.Time {
	if v > 1e11 {
		return time.UnixMilli(int64(v))
	}
	return time.UnixMilli(int64(v * 1000))
}

func port(p *int) (int, error) {
	if p == nil {
		return 0, nil
	}
	if *p < 0 || *p > 65535 {
		return 0, fmt.Errorf("not a port number")
	}
	return *p, nil
}

// parseProtocol reads HoneySens' numbers (0 unknown, 1 TCP, 2 UDP; 3 ICMP here) or names.
func parseProtocol(raw json.RawMessage) (model.Protocol, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return model.ProtoUnknown, nil
	}
	if s[0] == '"' {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return model.ProtoUnknown, err
		}
		if p, ok := model.ParseProtocol(name); ok {
			return p, nil
		}
		return 0, fmt.Errorf("want tcp, udp or icmp")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 3 {
		return 0, fmt.Errorf("want 0-3 or tcp, udp, icmp")
	}
	return model.Protocol(n), nil
}

// serviceCodes are HoneySens' numeric services: recon, the "kippo" family (cowrie, dionaea,
// heralding, ...) and the "dionaea" web family (glastopf).
var serviceCodes = map[int]string{0: "recon", 1: "honeypot", 2: "web-honeypot"}

func parseService(raw json.RawMessage) (string, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return "", fmt.Errorf("missing")
	}
	if s[0] == '"' {
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return "", err
		}
		name = strings.ToLower(strings.TrimSpace(model.OneLine(name)))
		if name == "" || len(name) > model.MaxServiceLen {
			return "", fmt.Errorf("want a name of 1-%d characters", model.MaxServiceLen)
		}
		return name, nil
	}
	n, err := strconv.Atoi(s)
	if name, ok := serviceCodes[n]; err == nil && ok {
		return name, nil
	}
	return "", fmt.Errorf("want a service name or 0, 1, 2")
}
