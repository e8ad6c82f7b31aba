package web

import (
	"encoding/csv"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
)

// TestCSVRowsParseBack writes hostile and ordinary events and reads them back with
// encoding/csv: every field arrives whole, formulas neutralised, in csvHeader's columns.
func TestCSVRowsParseBack(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 15, 42, 0, time.UTC)
	texts := []string{"", "plain", "a,b", `say "hi"`, "line\nbreak", "cr\rhere", " leading blank", "\ttab",
		"=cmd|' /C calc'!A0", "  +1", "-2", "@SUM(A1)", "ünïcödé ✓", `"`, ",", "\"\n,"}
	var out []byte
	var want [][]string
	for i, s := range texts {
		e := &model.Event{ID: int64(i + 1), Timestamp: at, GroupName: s, SensorName: "sensor", Service: s,
			Classification: model.ClassHoneypot, Source: netip.MustParseAddr("2001:db8::7"), SourcePort: 51234,
			Summary: s, Status: model.StatusNew, Comment: s, DetailsCount: 2}
		if i%2 == 0 {
			e.Target, e.TargetPort, e.Protocol = netip.MustParseAddr("192.0.2.1"), 22, model.ProtoTCP
			e.ModifiedAt = &at
			e.Archived, e.OriginalID = true, 99
		}
		out = appendCSVRow(out, e)
		text := s
		if formulaStart(s) {
			text = "'" + s
		}
		id, target, port, proto, modified, archived := strconv.Itoa(i+1), "", "", "", "", "No"
		if i%2 == 0 {
			id, target, port, proto, modified, archived = "99", "192.0.2.1", "22", "tcp", "2026-11-30T08:15:42Z", "Yes"
		}
		want = append(want, []string{id, "2026-11-30T08:15:42Z", text, "sensor", text, "Honeypot", "2001:db8::7", "51234",
			target, port, proto, text, "New", text, modified, "2", "0", archived})
	}
	rd := csv.NewReader(strings.NewReader(string(out)))
	rd.FieldsPerRecord = len(csvHeader)
	got, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("reading the CSV back: %v\n%s", err, out)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d (%q):\n got %q\nwant %q", i, texts[i], got[i], want[i])
		}
	}
}
