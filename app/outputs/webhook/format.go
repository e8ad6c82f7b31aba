package webhook

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"honeysens/app/model"
)

// eventJSON is the event as the API's GET /api/events/{id} shows it, with details, packets
// and what the attacker tried. A packet's payload is base64 (payload) rather than the API's
// display text, so a receiver gets the bytes.
type eventJSON struct {
	model.EventJSON
	Archived bool           `json:"archived"`
	Ongoing  bool           `json:"ongoing"`
	Details  []model.Detail `json:"details"`
	Packets  []packetJSON   `json:"packets"`
	Logins   []model.Login  `json:"logins"`
	Commands []string       `json:"commands"`
	Paths    []string       `json:"paths"`
}

type packetJSON struct {
	Timestamp   time.Time `json:"timestamp"`
	Protocol    string    `json:"protocol"`
	Port        int       `json:"port"`
	Flags       string    `json:"flags"`
	Payload     string    `json:"payload"` // base64
	PayloadSize int       `json:"payload_size"`
}

// generic is the body of the json format.
type generic struct {
	Event eventJSON `json:"event"`
}

func newEventJSON(e *model.Event) generic {
	v := eventJSON{EventJSON: model.NewEventJSON(e), Archived: e.Archived, Ongoing: e.Ongoing,
		Details: model.NonNil(e.Details), Logins: model.NonNil(e.Logins), Commands: model.NonNil(e.Commands),
		Paths: model.NonNil(e.Paths), Packets: []packetJSON{}}
	if e.Archived && e.OriginalID != 0 {
		v.ID = e.OriginalID // the id the event was forwarded under
	}
	for _, p := range e.Packets {
		v.Packets = append(v.Packets, packetJSON{Timestamp: p.Timestamp, Protocol: p.Protocol.String(), Port: p.Port,
			Flags: model.FlagLetters(p.Flags), Payload: base64.StdEncoding.EncodeToString(p.Payload), PayloadSize: len(p.Payload)})
	}
	return generic{Event: v}
}

// chatText makes attacker text inert in a chat message: one line; Slack's &, < and > as
// entities (no <!channel>, no links); Markdown's special characters escaped for Mattermost and
// Teams; and @ followed by a zero-width space, so @channel or @all mentions nobody.
func chatText(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(model.OneLine(s), "\uFFFD") {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '@':
			b.WriteString("@\u200b")
		case '\\', '`', '*', '_', '~', '[', ']', '(', ')', '#', '|', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainText is attacker text for a plain_text object, which Slack shows as it is: one line,
// and @ followed by a zero-width space in case a client still reads mentions in it.
func plainText(s string) string {
	return strings.ReplaceAll(model.OneLine(strings.ToValidUTF8(s, "\uFFFD")), "@", "@\u200b")
}

// headline is the one-line description of an event in a chat message; esc makes the
// attacker's part inert for where it goes.
func headline(e *model.Event, esc func(string) string) string {
	return fmt.Sprintf("HoneySens: %s on %s from %s", e.Classification, esc(e.SensorName), e.Source)
}

// facts are the event's values for a chat message, the attacker's made inert by esc.
func facts(e *model.Event, esc func(string) string) [][2]string {
	f := [][2]string{{"Sensor", esc(e.SensorName)}, {"Group", esc(e.GroupName)},
		{"Service", esc(e.Service)}, {"Source", e.Source.String() + portSuffix(e.SourcePort)}}
	if e.Target.IsValid() {
		f = append(f, [2]string{"Target", e.Target.String() + portSuffix(e.TargetPort)})
	}
	return append(f, [2]string{"Time", e.Timestamp.UTC().Format(time.RFC3339)}, [2]string{"Event", strconv.FormatInt(e.ID, 10)})
}

func portSuffix(p int) string {
	if p == 0 {
		return ""
	}
	return ":" + strconv.Itoa(p)
}

// slackText is a Slack block's text object; plain_text shows the text as it is.
type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type   string      `json:"type"`
	Text   *slackText  `json:"text,omitempty"`
	Fields []slackText `json:"fields,omitempty"`
}

// slackMessage is a Slack (and Mattermost) incoming-webhook message: text for notifications
// and Mattermost, blocks for Slack, whose texts are plain (no formatting, mentions or links).
func slackMessage(e *model.Event) map[string]any {
	fields := []slackText{}
	for _, f := range facts(e, plainText) {
		fields = append(fields, slackText{Type: "plain_text", Text: f[0] + ": " + f[1]})
	}
	return map[string]any{
		"text": headline(e, chatText) + ": " + chatText(e.Summary),
		"blocks": []slackBlock{
			{Type: "header", Text: &slackText{Type: "plain_text", Text: model.Clip(headline(e, plainText), 150)}},
			{Type: "section", Text: &slackText{Type: "plain_text", Text: plainText(e.Summary)}},
			{Type: "section", Fields: fields},
		},
	}
}

// teamsMessage is a Microsoft Teams message with an Adaptive Card, as Teams workflows'
// incoming webhooks take it.
func teamsMessage(e *model.Event) map[string]any {
	var list []map[string]string
	for _, f := range facts(e, chatText) {
		list = append(list, map[string]string{"title": f[0], "value": f[1]})
	}
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard", "version": "1.4",
		"body": []map[string]any{
			{"type": "TextBlock", "size": "Medium", "weight": "Bolder", "wrap": true, "text": headline(e, chatText)},
			{"type": "TextBlock", "wrap": true, "text": chatText(e.Summary)},
			{"type": "FactSet", "facts": list},
		},
	}
	return map[string]any{"type": "message", "attachments": []map[string]any{
		{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}}}
}
