package web

import (
	"strconv"
	"strings"
	"time"

	"honeysens/app/model"
)

type ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// eventView is the API's event: SPEC §4's field list, plus details and packets when one event
// is fetched.
type eventView struct {
	ID             int64      `json:"id"`
	Timestamp      time.Time  `json:"timestamp"`
	Sensor         ref        `json:"sensor"`
	Group          ref        `json:"group"`
	Service        string     `json:"service"`
	Classification int        `json:"classification"`
	Source         string     `json:"source"`
	SourcePort     *int       `json:"source_port"`
	Target         string     `json:"target"`
	TargetPort     *int       `json:"target_port"`
	Protocol       string     `json:"protocol"`
	Summary        string     `json:"summary"`
	Status         int        `json:"status"`
	Comment        string     `json:"comment"`
	ModifiedAt     *time.Time `json:"modified_at"`
	DetailsCount   int        `json:"details_count"`
	PacketsCount   int        `json:"packets_count"`
	Archived       bool       `json:"archived"`
	OriginalID     int64      `json:"original_id,omitempty"`
	ArchivedAt     *time.Time `json:"archived_at,omitempty"`
	// Ongoing: the attacker's session is still open and the event still grows.
	Ongoing bool `json:"ongoing"`
}

// eventDetailView is one event with its details and packets (always arrays, maybe empty).
type eventDetailView struct {
	eventView
	Details []detailView `json:"details"`
	Packets []packetView `json:"packets"`
	// What the attacker tried, as structured values (always arrays, maybe empty).
	Logins   []model.Login `json:"logins"`
	Commands []string      `json:"commands"`
	Paths    []string      `json:"paths"`
}

type detailView struct {
	Timestamp *time.Time `json:"timestamp"`
	Type      int        `json:"type"`
	Data      string     `json:"data"`
}

type packetView struct {
	Timestamp   time.Time `json:"timestamp"`
	Protocol    string    `json:"protocol"`
	Port        int       `json:"port"`
	Flags       string    `json:"flags"`
	PayloadText string    `json:"payload_text"`
	PayloadSize int       `json:"payload_size"`
}

func optPort(p int) *int {
	if p == 0 {
		return nil
	}
	return &p
}

func newEventView(e *model.Event) eventView {
	v := eventView{ID: e.ID, Timestamp: e.Timestamp, Sensor: ref{e.SensorID, e.SensorName}, Group: ref{e.GroupID, e.GroupName},
		Service: e.Service, Classification: int(e.Classification), Source: e.Source.String(), SourcePort: optPort(e.SourcePort),
		TargetPort: optPort(e.TargetPort), Protocol: e.Protocol.String(), Summary: e.Summary, Status: int(e.Status),
		Comment: e.Comment, ModifiedAt: e.ModifiedAt, DetailsCount: e.DetailsCount, PacketsCount: e.PacketsCount,
		Archived: e.Archived, OriginalID: e.OriginalID, ArchivedAt: e.ArchivedAt, Ongoing: e.Ongoing}
	if e.Target.IsValid() {
		v.Target = e.Target.String()
	}
	return v
}

// newEventDetailView adds details and packets, payloads escaped for display.
func newEventDetailView(e *model.Event) eventDetailView {
	v := eventDetailView{eventView: newEventView(e)}
	v.Details = make([]detailView, 0, len(e.Details))
	for _, d := range e.Details {
		v.Details = append(v.Details, detailView{Timestamp: d.Timestamp, Type: d.Type, Data: d.Data})
	}
	v.Packets = make([]packetView, 0, len(e.Packets))
	for _, p := range e.Packets {
		v.Packets = append(v.Packets, packetView{Timestamp: p.Timestamp, Protocol: p.Protocol.String(), Port: p.Port,
			Flags: model.FlagLetters(p.Flags), PayloadText: EscapePayload(p.Payload), PayloadSize: len(p.Payload)})
	}
	v.Logins, v.Commands, v.Paths = nonNil(e.Logins), nonNil(e.Commands), nonNil(e.Paths)
	return v
}

// nonNil makes an absent list an empty JSON array.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// EscapePayload renders captured bytes as readable text: printable ASCII stays, \n \r \t and
// the backslash are escaped, every other byte is \xNN. The result is plain ASCII, so a payload
// can never carry markup or terminal control sequences to the operator.
func EscapePayload(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == '\\':
			sb.WriteString(`\\`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		default:
			sb.WriteString(`\x`)
			h := strconv.FormatInt(int64(c), 16)
			if len(h) == 1 {
				sb.WriteByte('0')
			}
			sb.WriteString(h)
		}
	}
	return sb.String()
}
