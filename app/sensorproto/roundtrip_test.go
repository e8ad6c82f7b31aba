package sensorproto

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
	"honeysens/app/sensorproto/prototest"
)

// roundTrip sends one event the way a remote sensor does and decodes it the way the server does.
func roundTrip(t *testing.T, e *model.Event) (*model.Event, error) {
	t.Helper()
	line, err := EncodeEvent(e)
	if err != nil {
		t.Fatalf("EncodeEvent: %v", err)
	}
	events, err := DecodeEvents(json.RawMessage("["+string(line)+"]"), prototest.Now)
	if err != nil {
		return nil, err
	}
	if len(events) != 1 {
		t.Fatalf("decoded %d events from one", len(events))
	}
	return events[0], nil
}

// viaJSON is a string as JSON carries it: invalid UTF-8 arrives as replacement characters.
func viaJSON(s string) string {
	b, _ := json.Marshal(s)
	var out string
	json.Unmarshal(b, &out)
	return out
}

// fuzzAddr makes an address of the first 16 or 4 bytes, as sensors report it (unmapped).
func fuzzAddr(b []byte, fallback netip.Addr) netip.Addr {
	switch {
	case len(b) >= 16:
		return netip.AddrFrom16([16]byte(b[:16])).Unmap()
	case len(b) >= 4:
		return netip.AddrFrom4([4]byte(b[:4]))
	}
	return fallback
}

// FuzzRoundTrip encodes events built from the fuzzer's values, hostile text included, and
// checks that the server reads back every field: exactly where the value is valid, and as the
// decoder's documented cut and repair where it is text. The seeds are the events of the decode
// tests; plain go test runs them.
func FuzzRoundTrip(f *testing.F) {
	ms := prototest.EventTime.UnixMilli()
	type seed struct {
		service, summary, session, data, user, password, command, path string
		source, target                                                 []byte
		sport, tport                                                   uint16
		ms                                                             int64
		proto, class, detailType, packets, pkProto, flags              uint8
		revision                                                       uint16
		ongoing, detailTS                                              bool
		pkPort                                                         uint16
		payload                                                        []byte
	}
	for _, s := range []seed{
		// honeySensScan: a recon scan with two SYN/ACK packets and a payload.
		{service: "recon", summary: "Scan", source: []byte{192, 0, 2, 10}, ms: ms, packets: 2, pkProto: 1, pkPort: 445, flags: 18, payload: []byte("\x00SMB")},
		// ownSSH: the appliance's own form with a session and facts.
		{service: "ssh", summary: "Login attempt root/123456", session: "abc", revision: 1, ongoing: true,
			source: netip.MustParseAddr("2001:db8::7").AsSlice(), target: []byte{192, 0, 2, 1}, sport: 40022, tport: 22,
			ms: ms, proto: 1, class: 3, data: "login root/123456", detailType: 1, detailTS: true,
			user: "root", password: "123456", command: "uname -a", path: "/admin"},
		// The clipping, control character and UTF-8 repair cases.
		{service: " SSH\t", summary: strings.Repeat("é", model.MaxSummaryLen), data: strings.Repeat("x", model.MaxDetailLen-1) + "€€",
			source: []byte{10, 0, 0, 1}, ms: ms},
		{service: "ssh", summary: "line1\r\nline2\tx\x00y\x7f bad \xff\xfe end \u2028", data: "a\xc3(b", session: "s\xff", revision: 2,
			user: strings.Repeat("u", model.MaxFactLen+1), password: "\x00", command: "rm -rf /\n", path: "/\u0085",
			source: []byte{198, 51, 100, 1}, ms: ms},
		// Refused: a service name over the limit, a session id over the limit.
		{service: strings.Repeat("s", model.MaxServiceLen+1), source: []byte{192, 0, 2, 3}, ms: ms},
		{service: "telnet", session: strings.Repeat("z", model.MaxSessionLen+1), revision: 1, source: []byte{192, 0, 2, 3}, ms: ms},
	} {
		f.Add(s.service, s.summary, s.session, s.data, s.user, s.password, s.command, s.path, s.source, s.target,
			s.sport, s.tport, s.ms, s.proto, s.class, s.detailType, s.packets, s.pkProto, s.flags, s.revision,
			s.ongoing, s.detailTS, s.pkPort, s.payload)
	}
	span := prototest.Now.Add(24*time.Hour).UnixMilli() - earliest.UnixMilli()
	f.Fuzz(func(t *testing.T, service, summary, session, data, user, password, command, path string, source, target []byte,
		sport, tport uint16, ms int64, proto, class, detailType, packets, pkProto, flags uint8, revision uint16,
		ongoing, detailTS bool, pkPort uint16, payload []byte) {
		// Valid values within the protocol's ranges; text as it comes.
		ts := time.UnixMilli(earliest.UnixMilli() + (ms%span+span)%span).UTC()
		e := &model.Event{Timestamp: ts, Service: service, Source: fuzzAddr(source, netip.MustParseAddr("192.0.2.1")),
			SourcePort: int(sport), Target: fuzzAddr(target, netip.Addr{}), TargetPort: int(tport),
			Protocol: model.Protocol(proto % 4), Classification: model.Classification(class % 5), Summary: summary,
			Session: session, Revision: int(revision), Ongoing: ongoing,
			Logins: []model.Login{{User: user, Password: password, Accepted: ongoing}}, Commands: []string{command}, Paths: []string{path}}
		d := model.Detail{Type: int(detailType % 2), Data: data}
		if detailTS {
			at := ts.Add(time.Second)
			d.Timestamp = &at
		}
		e.Details = []model.Detail{d}
		if len(payload) > model.MaxPayload {
			payload = payload[:model.MaxPayload]
		}
		for i := range int(packets % 3) {
			e.Packets = append(e.Packets, model.Packet{Timestamp: ts.Add(time.Duration(i) * time.Millisecond),
				Protocol: model.Protocol(pkProto % 4), Port: int(pkPort), Flags: int(flags & 0x3f), Payload: payload})
		}

		// What the server must read back.
		want := *e
		want.Service = strings.ToLower(strings.TrimSpace(model.OneLine(viaJSON(service))))
		want.Summary = model.OneLine(model.Clip(viaJSON(summary), model.MaxSummaryLen))
		want.Session, want.Revision, want.Ongoing = "", 0, false
		if session != "" && revision > 0 {
			want.Session, want.Revision, want.Ongoing = viaJSON(session), int(revision), ongoing
		}
		want.Logins, want.Commands, want.Paths = nil, nil, nil
		want.AddLogin(viaJSON(user), viaJSON(password), ongoing)
		want.AddCommand(viaJSON(command))
		want.AddPath(viaJSON(path))
		want.Details = []model.Detail{{Timestamp: d.Timestamp, Type: d.Type, Data: model.Clip(viaJSON(data), model.MaxDetailLen)}}
		want.Packets = nil
		for _, p := range e.Packets {
			if len(p.Payload) == 0 {
				p.Payload = nil
			}
			want.Packets = append(want.Packets, p)
		}
		// Packets that agree give the event its target port and protocol.
		if len(want.Packets) > 0 && want.TargetPort == 0 {
			want.TargetPort = want.Packets[0].Port
		}
		if len(want.Packets) > 0 && want.Protocol == model.ProtoUnknown {
			want.Protocol = want.Packets[0].Protocol
		}

		got, err := roundTrip(t, e)
		refused := want.Service == "" || len(want.Service) > model.MaxServiceLen || len(want.Session) > model.MaxSessionLen
		if refused {
			if model.ErrorCode(err) != model.ErrInvalid {
				t.Fatalf("service %q, session %q: err = %v, want invalid", want.Service, want.Session, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("DecodeEvents(EncodeEvent(%+v)) = %v", e, err)
		}
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("round trip changed the event:\n got %+v\nwant %+v", got, &want)
		}
	})
}
