package syslog

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
)

// hostile is attacker text that tries to end the record and forge another, in each format's
// syntax: a newline and a whole RFC 5424 record, a closing bracket and quote with a new SD
// element, a CEF pipe and extension key, backslashes before every special character.
const hostile = "root\n<13>1 2026-01-01T00:00:00Z evil honeysens - event [honeysens@32473 id=\"9\"] forged\r\n" +
	`"] [x@1 a="b"] \"\] \\ src=6.6.6.6 |CEF:0|a|b|c|d|e|10| msg\=x = | \` + "\x00\u2028end"

type testEvent struct {
	id      int64
	summary string
	class   model.Classification
}

func (te *testEvent) event() *model.Event {
	return &model.Event{ID: te.id, Timestamp: time.Date(2026, 12, 7, 3, 4, 5, 678e6, time.UTC), SensorName: "pi] \"one\"",
		GroupName: "lab\nnext", Service: "ssh", Classification: te.class, Source: netip.MustParseAddr("192.0.2.7"),
		SourcePort: 40000 + int(te.id), Target: netip.MustParseAddr("198.51.100.1"), TargetPort: 22,
		Protocol: model.ProtoTCP, Summary: te.summary, Logins: []model.Login{{User: "root", Password: hostile}},
		Commands: []string{hostile}}
}

func hostileEvent(i int) *testEvent {
	return &testEvent{id: int64(i + 1), summary: fmt.Sprintf("%d %s", i, hostile), class: model.ClassHoneypot}
}

// parseSD reads RFC 5424 STRUCTURED-DATA as a receiver must: elements, then PARAM-NAME="VALUE"
// with \" \\ \] unescaped. It fails on anything else.
func parseSD(t *testing.T, sd string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for sd != "" {
		if sd[0] != '[' {
			t.Fatalf("structured data does not start an element: %q", sd)
		}
		id, rest, _ := strings.Cut(sd[1:], " ")
		params := map[string]string{}
		out[id] = params
		for {
			if strings.HasPrefix(rest, "]") {
				sd = rest[1:]
				break
			}
			name, after, ok := strings.Cut(rest, `="`)
			if !ok {
				t.Fatalf("no parameter in %q", rest)
			}
			var v strings.Builder
			i := 0
			for ; i < len(after) && after[i] != '"'; i++ {
				if after[i] == '\\' && i+1 < len(after) && strings.ContainsRune(`"\]`, rune(after[i+1])) {
					i++
				}
				v.WriteByte(after[i])
			}
			params[strings.TrimSpace(name)] = v.String()
			rest = after[i+1:]
		}
	}
	return out
}

// splitUnescaped splits s at sep where sep has no backslash before it (CEF's escaping).
func splitUnescaped(s string, sep byte, n int) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s) && len(parts) < n-1; i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// cefExtension parses CEF's key=value extension: a key is the word before an unescaped '='.
func cefExtension(t *testing.T, ext string) map[string]string {
	t.Helper()
	out := map[string]string{}
	key := ""
	var val strings.Builder
	flush := func() {
		if key != "" {
			out[key] = strings.NewReplacer(`\=`, "=", `\\`, `\`, `\n`, "\n", `\r`, "\r").Replace(strings.TrimSpace(val.String()))
		}
	}
	words := strings.Split(ext, " ")
	for _, w := range words {
		if k, v, ok := strings.Cut(w, "="); ok && !strings.Contains(k, `\`) && !strings.HasSuffix(k, `\`) {
			flush()
			key = k
			val.Reset()
			val.WriteString(v)
			continue
		}
		val.WriteString(" " + w)
	}
	flush()
	return out
}

func TestRFC5424ThroughRsyslog(t *testing.T) {
	r := startRsyslog(t)
	const perTransport = 5
	transports := []Config{
		{Host: "127.0.0.1", Port: r.udp, Transport: UDP, Facility: "local3", Format: RFC5424},
		{Host: "127.0.0.1", Port: r.tcp, Transport: TCP, Facility: "local3", Format: RFC5424},
		{Host: "127.0.0.1", Port: r.tls, Transport: TLS, CA: r.cert, Facility: "local3", Format: RFC5424},
	}
	for n, cfg := range transports {
		send(t, cfg, perTransport, func(i int) *testEvent { return hostileEvent(n*perTransport + i) })
	}
	seen := map[string]int{}
	for _, rec := range r.wait(t, perTransport*len(transports)) {
		if rec.App != "honeysens" || rec.Host != "honeysens-test" || rec.MsgID != "event" || rec.Facility != "local3" || rec.Severity != "4" {
			t.Errorf("header as rsyslog parsed it: %+v", rec)
		}
		sd := parseSD(t, rec.SD)
		p := sd[sdID]
		if len(sd) != 1 || p == nil {
			t.Fatalf("structured data %q: want one %s element, got %v", rec.SD, sdID, sd)
		}
		seen[p["id"]]++
		var m message
		if err := json.Unmarshal([]byte(strings.TrimPrefix(rec.Msg, "\uFEFF")), &m); err != nil {
			t.Fatalf("message is not JSON: %q: %v", rec.Msg, err)
		}
		if want := fmt.Sprintf("%d %s", m.ID-1, hostile); m.Summary != want || m.Commands[0] != hostile || m.Logins[0].Password != hostile {
			t.Errorf("JSON message did not keep the attacker's text: %+v", m)
		}
		if fmt.Sprint(m.ID) != p["id"] || p["sensor"] != `pi] "one"` || p["source"] != "192.0.2.7" || p["target_port"] != "22" ||
			!strings.HasPrefix(p["summary"], fmt.Sprintf("%d root\\n<13>1", m.ID-1)) || !strings.HasSuffix(p["summary"], `\u2028end`) {
			t.Errorf("structured data fields: %v", p)
		}
	}
	for i := 1; i <= perTransport*len(transports); i++ {
		if seen[fmt.Sprint(i)] != 1 {
			t.Errorf("event %d arrived %d times", i, seen[fmt.Sprint(i)])
		}
	}
}

func TestCEFThroughRsyslog(t *testing.T) {
	r := startRsyslog(t)
	const events = 4
	send(t, Config{Host: "127.0.0.1", Port: r.tcp, Transport: TCP, Facility: "authpriv", Format: CEF}, events, hostileEvent)
	seen := map[string]int{}
	for _, rec := range r.wait(t, events) {
		if rec.App != "honeysens" || rec.Facility != "authpriv" || rec.SD != "-" {
			t.Errorf("header as rsyslog parsed it: %+v", rec)
		}
		parts := splitUnescaped(rec.Msg, '|', 8)
		if len(parts) != 8 || parts[0] != "CEF:0" || parts[1] != "HoneySens" || parts[3] != `1.0\|x` || parts[4] != "ssh" || parts[6] != "8" {
			t.Fatalf("CEF header: %q", parts)
		}
		if strings.ContainsAny(parts[5], "\r\n") {
			t.Errorf("CEF name keeps a line break: %q", parts[5])
		}
		ext := cefExtension(t, parts[7])
		want := []string{"rt", "externalId", "cat", "app", "proto", "src", "spt", "dst", "dpt", "dvchost", "cs1Label", "cs1", "cs2Label", "cs2", "msg"}
		if len(ext) != len(want) {
			t.Errorf("CEF extension keys %v, want exactly %v", ext, want)
		}
		id := ext["externalId"]
		seen[id]++
		if ext["src"] != "192.0.2.7" || ext["dpt"] != "22" || ext["proto"] != "TCP" || ext["cs1"] != `pi] "one"` ||
			ext["msg"] != strings.NewReplacer("\x00", " ", "\u2028", " ").Replace(decrement(id)+" "+hostile) {
			t.Errorf("CEF extension values: %q", ext)
		}
	}
	for i := 1; i <= events; i++ {
		if seen[fmt.Sprint(i)] != 1 {
			t.Errorf("event %d arrived %d times", i, seen[fmt.Sprint(i)])
		}
	}
}

func decrement(id string) string {
	var n int
	fmt.Sscan(id, &n)
	return fmt.Sprint(n - 1)
}
