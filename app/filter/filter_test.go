package filter

import (
	"net/netip"
	"testing"

	"honeysens/app/model"
)

func ev(src string, port int, proto model.Protocol, class model.Classification, service string) *model.Event {
	return &model.Event{Source: netip.MustParseAddr(src), TargetPort: port, Protocol: proto, Classification: class, Service: service}
}

func cond(attr, value string) model.FilterCondition {
	return model.FilterCondition{Attribute: attr, Value: value}
}

func TestConditions(t *testing.T) {
	cases := []struct {
		cond  model.FilterCondition
		event *model.Event
		want  bool
	}{
		{cond("source", "192.168.3.5"), ev("192.168.3.5", 0, 0, 0, ""), true},
		{cond("source", "192.168.3.5"), ev("192.168.3.50", 0, 0, 0, ""), false},
		{cond("source", "::ffff:192.168.3.5"), ev("192.168.3.5", 0, 0, 0, ""), true},
		{cond("source", "10.0.0.0/8"), ev("10.200.1.1", 0, 0, 0, ""), true},
		{cond("source", "10.0.0.0/8"), ev("11.0.0.1", 0, 0, 0, ""), false},
		{cond("source", "10.1.2.3/16"), ev("10.1.99.1", 0, 0, 0, ""), true}, // host bits ignored
		{cond("source", "2001:db8::/32"), ev("2001:db8:1::5", 0, 0, 0, ""), true},
		{cond("source", "2001:db8::/32"), ev("2001:db9::5", 0, 0, 0, ""), false},
		{cond("source", "2001:db8::/32"), ev("10.0.0.1", 0, 0, 0, ""), false},
		// Ranges compare addresses, not strings: 10.0.0.9 < 10.0.0.10 < 10.0.0.100.
		{cond("source", "10.0.0.9-10.0.0.10"), ev("10.0.0.10", 0, 0, 0, ""), true},
		{cond("source", "10.0.0.9-10.0.0.10"), ev("10.0.0.9", 0, 0, 0, ""), true},
		{cond("source", "10.0.0.9-10.0.0.10"), ev("10.0.0.100", 0, 0, 0, ""), false},
		{cond("source", "10.0.0.2-10.0.0.20"), ev("10.0.0.3", 0, 0, 0, ""), true},
		{cond("source", "10.0.0.2 - 10.0.0.20"), ev("10.0.0.21", 0, 0, 0, ""), false},
		{cond("source", "2001:db8::1-2001:db8::ff"), ev("2001:db8::a", 0, 0, 0, ""), true},
		{cond("source", "2001:db8::1-2001:db8::ff"), ev("2001:db8::100", 0, 0, 0, ""), false},
		{cond("source", "0.0.0.0-255.255.255.255"), ev("2001:db8::1", 0, 0, 0, ""), false},
		{cond("target_port", "22"), ev("192.0.2.1", 22, 0, 0, ""), true},
		{cond("target_port", "22"), ev("192.0.2.1", 2222, 0, 0, ""), false},
		{cond("target_port", "1000-2000"), ev("192.0.2.1", 1500, 0, 0, ""), true},
		{cond("target_port", "1000-2000"), ev("192.0.2.1", 999, 0, 0, ""), false},
		{cond("target_port", "1-65535"), ev("192.0.2.1", 0, 0, 0, ""), false}, // unknown port never matches
		{cond("protocol", "tcp"), ev("192.0.2.1", 0, model.ProtoTCP, 0, ""), true},
		{cond("protocol", "UDP"), ev("192.0.2.1", 0, model.ProtoTCP, 0, ""), false},
		{cond("classification", "4"), ev("192.0.2.1", 0, 0, model.ClassScan, ""), true},
		{cond("classification", "4"), ev("192.0.2.1", 0, 0, model.ClassHoneypot, ""), false},
		{cond("service", "ssh"), ev("192.0.2.1", 0, 0, 0, "ssh"), true},
		{cond("service", "SSH"), ev("192.0.2.1", 0, 0, 0, "ssh"), true},
		{cond("service", "ssh"), ev("192.0.2.1", 0, 0, 0, "telnet"), false},
	}
	for _, tc := range cases {
		m, err := CompileConditions([]model.FilterCondition{tc.cond})
		if err != nil {
			t.Fatalf("%v: %v", tc.cond, err)
		}
		if got := m[0](tc.event); got != tc.want {
			t.Errorf("%s %q on %v port %d: %v, want %v", tc.cond.Attribute, tc.cond.Value, tc.event.Source, tc.event.TargetPort, got, tc.want)
		}
	}
}

func TestInvalidConditions(t *testing.T) {
	for _, c := range []model.FilterCondition{
		cond("source", "192.168.3"), cond("source", "10.0.0.0/33"), cond("source", "10.0.0.9-10.0.0.1"),
		cond("source", "10.0.0.1-2001:db8::1"), cond("source", ""), cond("target_port", "0"), cond("target_port", "70000"),
		cond("target_port", "20-10"), cond("target_port", "ssh"), cond("protocol", "sctp"), cond("protocol", ""),
		cond("classification", "5"), cond("classification", "Scan"), cond("service", ""),
	} {
		_, err := CompileConditions([]model.FilterCondition{cond("service", "ok"), c})
		if model.ErrorCode(err) != model.ErrInvalid {
			t.Errorf("%v accepted", c)
			continue
		}
		if f := err.(*model.Error).Fields["conditions[1].value"]; f == "" {
			t.Errorf("%v: error does not name conditions[1].value: %v", c, err)
		}
	}
	_, err := CompileConditions([]model.FilterCondition{cond("colour", "red")})
	if f := err.(*model.Error).Fields["conditions[0].attribute"]; f == "" {
		t.Errorf("unknown attribute: %v", err)
	}
}

func TestRuleSet(t *testing.T) {
	rules := []*model.FilterRule{
		// The manual's example: port scans from 192.168.3.5, in group 1.
		{ID: 1, GroupID: 1, Enabled: true, Conditions: []model.FilterCondition{cond("classification", "4"), cond("source", "192.168.3.5")}},
		{ID: 2, GroupID: 1, Enabled: false, Conditions: []model.FilterCondition{cond("service", "ssh")}},
		{ID: 3, GroupID: 2, Enabled: true, Conditions: []model.FilterCondition{cond("service", "ssh")}},
		{ID: 4, GroupID: 1, Enabled: true, Conditions: []model.FilterCondition{cond("source", "192.168.3.0/24")}},
		{ID: 5, GroupID: 1, Enabled: true, Conditions: nil},
	}
	set, err := Compile(rules)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		group int64
		e     *model.Event
		rule  int64
		drop  bool
	}{
		{"all conditions of rule 1", 1, ev("192.168.3.5", 0, 0, model.ClassScan, "recon"), 1, true},
		{"only one condition of rule 1, but rule 4 (first match wins, by id)", 1, ev("192.168.3.5", 0, 0, model.ClassHoneypot, "ssh"), 4, true},
		{"no condition", 1, ev("192.0.2.1", 0, 0, model.ClassScan, "recon"), 0, false},
		{"disabled rule 2 never drops", 1, ev("192.0.2.1", 22, 0, model.ClassHoneypot, "ssh"), 0, false},
		{"rule 3 is another group's", 1, ev("198.51.100.1", 22, 0, model.ClassHoneypot, "ssh"), 0, false},
		{"rule 3 in its group", 2, ev("198.51.100.1", 22, 0, model.ClassHoneypot, "ssh"), 3, true},
		{"group without rules", 9, ev("192.168.3.5", 0, 0, model.ClassScan, "recon"), 0, false},
	}
	for _, tc := range cases {
		id, drop := set.Match(tc.group, tc.e)
		if id != tc.rule || drop != tc.drop {
			t.Errorf("%s: rule %d drop %v, want %d %v", tc.name, id, drop, tc.rule, tc.drop)
		}
	}
	var none *Set
	if _, drop := none.Match(1, ev("192.0.2.1", 0, 0, 0, "")); drop {
		t.Error("a nil set dropped an event")
	}
}
