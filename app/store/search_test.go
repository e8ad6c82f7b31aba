package store

import (
	"net/netip"
	"slices"
	"testing"
)

func TestSourceRanges(t *testing.T) {
	v4 := func(s string) []byte { return sourceKey(netip.MustParseAddr(s)) }
	for q, want := range map[string][]keyRange{
		"10.0.1.2":    {{v4("10.0.1.2"), v4("10.0.1.2")}},
		"2001:db8::a": {{sourceKey(netip.MustParseAddr("2001:db8::a")), sourceKey(netip.MustParseAddr("2001:db8::a"))}},
		"10.0.1.":     {{v4("10.0.1.0"), v4("10.0.1.255")}},
		"10.0.25":     {{v4("10.0.25.0"), v4("10.0.25.255")}, {v4("10.0.250.0"), v4("10.0.255.255")}},
		"1": {{v4("1.0.0.0"), v4("1.255.255.255")}, {v4("10.0.0.0"), v4("19.255.255.255")},
			{v4("100.0.0.0"), v4("199.255.255.255")}},
		"0":         {{v4("0.0.0.0"), v4("0.255.255.255")}},
		"192.168.0": {{v4("192.168.0.0"), v4("192.168.0.255")}},
		"256":       nil,
		"01":        nil,
		"1.2.3.4.5": nil,
		"1..2":      nil,
		"scan":      nil,
		"":          nil,
	} {
		got := sourceRanges(q)
		if !slices.EqualFunc(got, want, func(a, b keyRange) bool {
			return string(a.lo) == string(b.lo) && string(a.hi) == string(b.hi)
		}) {
			t.Errorf("sourceRanges(%q) = %d ranges %v, want %d %v", q, len(got), got, len(want), want)
		}
	}
	for q, ok := range map[string]bool{"ab": false, "10": true, "abc": true, "": true, "%": false, "::1": true} {
		if got := SearchTermError(q) == ""; got != ok {
			t.Errorf("SearchTermError(%q) = %q", q, SearchTermError(q))
		}
	}
}
