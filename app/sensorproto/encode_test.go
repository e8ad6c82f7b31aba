package sensorproto

import (
	"net/netip"
	"testing"
	"time"

	"honeysens/app/model"
)

// TestEncodeEventGolden pins the bytes a remote sensor sends for an event, so that sensors
// and servers of different builds keep reading each other.
func TestEncodeEventGolden(t *testing.T) {
	at := time.Date(2025, 3, 14, 11, 0, 0, 123e6, time.UTC)
	later := at.Add(time.Second)
	e := &model.Event{Timestamp: at, Service: "ssh", Source: netip.MustParseAddr("2001:db8::7"), SourcePort: 40022,
		Target: netip.MustParseAddr("192.0.2.1"), TargetPort: 22, Protocol: model.ProtoTCP, Summary: "Login <root>",
		Classification: model.ClassHoneypot, Session: "abc", Revision: 2, Ongoing: true,
		Details: []model.Detail{{Type: model.DetailGeneric, Data: "client"}, {Timestamp: &later, Type: model.DetailInteraction, Data: "uname -a"}},
		Packets: []model.Packet{{Timestamp: at, Protocol: model.ProtoTCP, Port: 22, Flags: 2, Payload: []byte("\x00hi")}},
		Logins:  []model.Login{{User: "root", Password: "x", Accepted: true}}, Commands: []string{"uname -a"}, Paths: []string{"/"}}
	const want = `{"timestamp":1741950000123,"service":"ssh","source":"2001:db8::7","source_port":40022,` +
		`"target":"192.0.2.1","target_port":22,"protocol":1,"summary":"Login \u003croot\u003e","classification":3,` +
		`"details":[{"type":0,"data":"client","timestamp":null},{"type":1,"data":"uname -a","timestamp":1741950001123}],` +
		`"packets":[{"timestamp":1741950000123,"protocol":1,"port":22,"headers":[{"flags":2}],"payload":"AGhp"}],` +
		`"session":"abc","revision":2,"ongoing":true,"logins":[{"user":"root","password":"x","accepted":true}],` +
		`"commands":["uname -a"],"paths":["/"]}`
	got, err := EncodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("EncodeEvent =\n%s\nwant\n%s", got, want)
	}
	// A one-time event leaves out what it does not have.
	e = &model.Event{Timestamp: at, Service: "recon", Source: netip.MustParseAddr("192.0.2.10"), Summary: "Scan"}
	const bare = `{"timestamp":1741950000123,"service":"recon","source":"192.0.2.10","source_port":0,"target_port":0,"protocol":0,"summary":"Scan"}`
	if got, _ := EncodeEvent(e); string(got) != bare {
		t.Errorf("EncodeEvent =\n%s\nwant\n%s", got, bare)
	}
	if _, err := EncodeEvent(&model.Event{Service: "ssh"}); err == nil {
		t.Error("an event without a source address was encoded")
	}
}
