package web

import (
	"strconv"
	"strings"
	"time"

	"honeysens/app/model"
)

// eventView is the API's event: SPEC §4's field list, plus details and packets when one event
// is fetched.
type eventView struct {
	model.EventJSON
	ModifiedAt   *time.Time `json:"modified_at"`
	DetailsCount int        `json:"details_count"`
	PacketsCount int        `json:"packets_count"`
	Archived     bool       `json:"archived"`
	OriginalID   int64      `json:"original_id,omitempty"`
	ArchivedAt   *time.Time `json:"archived_at,omitempty"`
	// Ongoing: the attacker's session is still open and the event still grows.
	Ongoing bool `json:"ongoing"`
}

// eventDetailView is one event with its details and packets (always arrays, maybe empty).
type eventDetailView struct {
	eventView
	Details []model.Detail `json:"details"`
	Packets []packetView   `json:"packets"`
	// What the attacker tried, as structured values (always arrays, maybe empty).
	Logins   []model.Login `json:"logins"`
	Commands []string      `json:"commands"`
	Paths    []string      `json:"paths"`
}

type packetView struct {
	Timestamp   time.Time `json:"timestamp"`
	Protocol    string    `json:"protocol"`
	Port        int       `json:"port"`
	Flags       string    `json:"flags"`
	PayloadText string    `json:"payload_text"`
	PayloadSize int       `json:"payload_size"`
}

func newEventView(e *model.Event) eventView {
	return eventView{EventJSON: model.NewEventJSON(e), ModifiedAt: e.ModifiedAt, DetailsCount: e.DetailsCount,
		PacketsCount: e.PacketsCount, Archived: e.Archived, OriginalID: e.OriginalID, ArchivedAt: e.ArchivedAt, Ongoing: e.Ongoing}
}

// newEventDetailView adds details and packets, payloads escaped for display.
func newEventDetailView(e *model.Event) eventDetailView {
	v := eventDetailView{eventView: newEventView(e)}
	v.Details = model.NonNil(e.Details)
	v.Packets = make([]packetView, 0, len(e.Packets))
	for _, p := range e.Packets {
		v.Packets = append(v.Packets, packetView{Timestamp: p.Timestamp, Protocol: p.Protocol.String(), Port: p.Port,
			Flags: model.FlagLetters(p.Flags), PayloadText: EscapePayload(p.Payload), PayloadSize: len(p.Payload)})
	}
	v.Logins, v.Commands, v.Paths = model.NonNil(e.Logins), model.NonNil(e.Commands), model.NonNil(e.Paths)
	return v
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
