package store

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"honeysens/app/model"
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

func TestTrigramQuery(t *testing.T) {
	for _, c := range []struct{ term, want string }{
		{"abc", `"abc"`},
		{"abcd", `"abc" AND "bcd"`},
		{"aaaa", `"aaa"`},              // each trigram once
		{`a"b"`, `"a""b" AND """b"""`}, // quotes are doubled, never syntax
		{"ä€x ", `"ä€x" AND "€x "`},    // characters, not bytes
		{"a OR b*", `"a O" AND " OR" AND "OR " AND "R b" AND " b*"`}, // operators are text
		// 24 trigrams: twelve of them, spread from the first to the last.
		{"abcdefghijklmnopqrstuvwxyz", `"abc" AND "cde" AND "efg" AND "ghi" AND "ijk" AND "klm" AND ` +
			`"mno" AND "opq" AND "qrs" AND "stu" AND "uvw" AND "xyz"`},
	} {
		if got := trigramQuery(c.term); got != c.want {
			t.Errorf("trigramQuery(%q) = %s, want %s", c.term, got, c.want)
		}
	}
}

// TestSearchTermsWithQuerySyntax searches text that is full-text query syntax or LIKE
// wildcards through the trigram index and by reading every row: both must agree.
func TestSearchTermsWithQuerySyntax(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	g := addGroup(t, s, "Syntax")
	sn := addSensor(t, s, "syntax", g.ID)
	summaries := []string{`say "hello" now`, `100% done`, `a_b and axb`, `back\slash`, `NEAR(a b)`, `col:umn * OR`}
	var events []*model.Event
	for i, sum := range summaries {
		events = append(events, &model.Event{Timestamp: eventBase.Add(time.Duration(i) * time.Minute), SensorID: sn.ID,
			GroupID: g.ID, Service: "ssh", Source: netip.MustParseAddr("192.0.2.1"), Protocol: model.ProtoTCP, Summary: sum})
	}
	if err := s.InsertEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    string
		want int64
	}{
		{`"hello"`, 1}, {`o" n`, 1}, {`0% `, 1}, {`a_b`, 1}, {`x_b`, 0}, {`k\s`, 1}, {`NEAR(a`, 1},
		{`col:umn`, 1}, {`* OR`, 1}, {`"""`, 0},
	} {
		indexed, err := s.CountEvents(ctx, &EventFilter{Query: c.q})
		if err != nil {
			t.Errorf("search %q through the index: %v", c.q, err)
			continue
		}
		scanned, err := countScanned(ctx, s, &EventFilter{Query: c.q})
		if err != nil || indexed != c.want || scanned != c.want {
			t.Errorf("search %q: %d through the index, %d reading every row (%v); want %d", c.q, indexed, scanned, err, c.want)
		}
	}
}
