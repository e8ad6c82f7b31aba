package syslog

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"honeysens/app/model"
)

// sdID names the structured-data element. 32473 is the private enterprise number IANA reserves
// for examples (RFC 5612): HoneySens has none of its own.
const sdID = "honeysens@32473"

// maxRecord bounds one record: rsyslog's default message size is 8 KiB, and a longer UDP
// record may be cut by a receiver. Lists of what the attacker tried go first when over it;
// what stays is bounded by the model's limits (a summary of 255 characters, short names).
const maxRecord = 8000

// severity of an event by classification: a honeypot interaction is what the appliance exists
// to catch (warning); scans are a notice, everything else information.
func severity(c model.Classification) int {
	switch c {
	case model.ClassHoneypot:
		return 4
	case model.ClassScan:
		return 5
	}
	return 6
}

// cefSeverity is the 0-10 scale of CEF.
func cefSeverity(c model.Classification) int {
	return map[model.Classification]int{model.ClassHoneypot: 8, model.ClassScan: 5, model.ClassConnAttempt: 3, model.ClassICMP: 2}[c]
}

// header writes the RFC 5424 header up to and including MSGID. Every field is taken from the
// appliance, never from the event, except through headerField's filter.
func header(b *strings.Builder, facility string, e *model.Event, host string) {
	b.WriteString("<" + strconv.Itoa(slices.Index(facilities, facility)*8+severity(e.Classification)) + ">1 ")
	b.WriteString(e.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	b.WriteString(" " + headerField(host, 255) + " honeysens - event ")
}

// headerField is a header token: printable ASCII without spaces (RFC 5424 PRINTUSASCII), "-"
// when empty.
func headerField(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r > 32 && r < 127 {
			return r
		}
		return -1
	}, s)
	if s == "" {
		return "-"
	}
	return s[:min(len(s), n)]
}

// fields are the event's values both formats carry, in order.
func fields(e *model.Event) [][2]string {
	f := [][2]string{{"id", strconv.FormatInt(e.ID, 10)}, {"sensor", e.SensorName}, {"group", e.GroupName},
		{"service", e.Service}, {"classification", e.Classification.String()}, {"source", e.Source.String()}}
	if e.SourcePort != 0 {
		f = append(f, [2]string{"source_port", strconv.Itoa(e.SourcePort)})
	}
	if e.Target.IsValid() {
		f = append(f, [2]string{"target", e.Target.String()})
	}
	if e.TargetPort != 0 {
		f = append(f, [2]string{"target_port", strconv.Itoa(e.TargetPort)})
	}
	return append(f, [2]string{"protocol", e.Protocol.String()}, [2]string{"summary", e.Summary})
}

// sdValue escapes a PARAM-VALUE (RFC 5424 section 6.3.3): '"', '\' and ']' get a backslash;
// control characters (which could end a record for a receiver that splits on newlines) are
// written as JSON escapes, so the value stays on one line.
func sdValue(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '"' || r == '\\' || r == ']':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029:
			q, _ := json.Marshal(string(r))
			b.Write(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// message is the JSON message of an RFC 5424 record.
type message struct {
	ID             int64          `json:"id"`
	Timestamp      time.Time      `json:"timestamp"`
	Sensor         string         `json:"sensor"`
	Group          string         `json:"group"`
	Service        string         `json:"service"`
	Classification string         `json:"classification"`
	Source         string         `json:"source"`
	SourcePort     int            `json:"source_port,omitempty"`
	Target         string         `json:"target,omitempty"`
	TargetPort     int            `json:"target_port,omitempty"`
	Protocol       string         `json:"protocol"`
	Summary        string         `json:"summary"`
	Logins         []model.Login  `json:"logins,omitempty"`
	Commands       []string       `json:"commands,omitempty"`
	Paths          []string       `json:"paths,omitempty"`
	Details        []model.Detail `json:"details,omitempty"`
	Truncated      bool           `json:"truncated,omitempty"`
}

// rfc5424 renders one record: header, one SD element with the event's fields, and the event
// as JSON (which escapes every control character) after a BOM, as RFC 5424 asks for UTF-8.
func rfc5424(facility, host string, e *model.Event) []byte {
	var b strings.Builder
	header(&b, facility, e, host)
	b.WriteString("[" + sdID)
	for _, f := range fields(e) {
		b.WriteString(" " + f[0] + `="` + sdValue(f[1]) + `"`)
	}
	b.WriteString("] \uFEFF")
	m := message{ID: e.ID, Timestamp: e.Timestamp.UTC(), Sensor: e.SensorName, Group: e.GroupName, Service: e.Service,
		Classification: e.Classification.String(), Source: e.Source.String(), SourcePort: e.SourcePort,
		TargetPort: e.TargetPort, Protocol: e.Protocol.String(), Summary: e.Summary,
		Logins: e.Logins, Commands: e.Commands, Paths: e.Paths, Details: e.Details}
	if e.Target.IsValid() {
		m.Target = e.Target.String()
	}
	body, _ := json.Marshal(m)
	if b.Len()+len(body) > maxRecord {
		m.Logins, m.Commands, m.Paths, m.Details, m.Truncated = nil, nil, nil, nil, true
		body, _ = json.Marshal(m)
	}
	b.Write(body)
	return []byte(b.String())
}

// cefHeader escapes a CEF header field: '\' and '|' get a backslash; line breaks, which a
// header may not hold, become spaces.
func cefHeader(s string) string { return cefEscape(s, `\|`, false) }

// cefExt escapes a CEF extension value: '\' and '=' get a backslash, line breaks are \n and \r.
func cefExt(s string) string { return cefEscape(s, `\=`, true) }

// cefEscape puts a backslash before each of special; control characters become spaces, except
// that with lineBreaks a newline or carriage return is written as \n or \r.
func cefEscape(s, special string, lineBreaks bool) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case strings.ContainsRune(special, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case lineBreaks && r == '\n':
			b.WriteString(`\n`)
		case lineBreaks && r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cef renders one record: the RFC 5424 header without structured data, then the CEF line
// (the mapping is in the README).
func cef(facility, host, version string, e *model.Event) []byte {
	var b strings.Builder
	header(&b, facility, e, host)
	b.WriteString("- CEF:0|HoneySens|HoneySens appliance|" + cefHeader(version) + "|" + cefHeader(e.Service) + "|" +
		cefHeader(e.Summary) + "|" + strconv.Itoa(cefSeverity(e.Classification)) + "|")
	ext := [][2]string{{"rt", strconv.FormatInt(e.Timestamp.UnixMilli(), 10)}, {"externalId", strconv.FormatInt(e.ID, 10)},
		{"cat", e.Classification.String()}, {"app", e.Service}, {"proto", strings.ToUpper(e.Protocol.String())},
		{"src", e.Source.String()}}
	if e.SourcePort != 0 {
		ext = append(ext, [2]string{"spt", strconv.Itoa(e.SourcePort)})
	}
	if e.Target.IsValid() {
		ext = append(ext, [2]string{"dst", e.Target.String()})
	}
	if e.TargetPort != 0 {
		ext = append(ext, [2]string{"dpt", strconv.Itoa(e.TargetPort)})
	}
	ext = append(ext, [2]string{"dvchost", headerField(host, 255)}, [2]string{"cs1Label", "sensor"}, [2]string{"cs1", e.SensorName},
		[2]string{"cs2Label", "group"}, [2]string{"cs2", e.GroupName}, [2]string{"msg", e.Summary})
	for i, kv := range ext {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(kv[0] + "=" + cefExt(kv[1]))
	}
	return []byte(b.String())
}
