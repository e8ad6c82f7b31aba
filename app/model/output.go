package model

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Output kinds: where an output forwards events.
const (
	OutputSyslog  = "syslog"
	OutputWebhook = "webhook"
)

// Which events an output gets.
const (
	SelectAll            = "all"
	SelectCritical       = "critical" // Honeypot events, as the mail contacts' "critical"
	SelectClassification = "classification"
	SelectGroup          = "group"
)

// Selection says which events an output forwards.
type Selection struct {
	Events          string           `json:"events"`
	Classifications []Classification `json:"classifications,omitempty"` // with SelectClassification
	Groups          []int64          `json:"groups,omitempty"`          // with SelectGroup
}

// Matches reports whether the output wants the event.
func (s Selection) Matches(e *Event) bool {
	switch s.Events {
	case SelectAll:
		return true
	case SelectCritical:
		return e.Classification == ClassHoneypot
	case SelectClassification:
		return slices.Contains(s.Classifications, e.Classification)
	case SelectGroup:
		return slices.Contains(s.Groups, e.GroupID)
	}
	return false
}

// Output is one integration: a syslog receiver or a webhook that gets every selected event
// through its own queue in the outbox. Config is the kind's settings, checked by its package.
type Output struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"type"`
	Name      string          `json:"name"`
	Enabled   bool            `json:"enabled"`
	Selection                 // inline: "events", "classifications", "groups"
	Config    json.RawMessage `json:"config"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	OutputState
}

// OutputState is what the delivery of an output has come to.
type OutputState struct {
	Queued      int        `json:"queued"`
	Failed      int        `json:"failed"`
	LastError   string     `json:"last_error"`
	LastErrorAt *time.Time `json:"last_error_at"`
	LastSuccess *time.Time `json:"last_success"`
}

// MaxOutputs bounds the outputs: each one is a queue row per event in every ingest commit.
const MaxOutputs = 20

// Validate checks the fields every output has; its config is checked by its kind's package.
func (o *Output) Validate(f FieldErrors) {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" || len(o.Name) > 64 {
		f.Add("name", "Give the output a name of 1 to 64 characters.")
	}
	if o.Kind != OutputSyslog && o.Kind != OutputWebhook {
		f.Add("type", "Use syslog or webhook.")
	}
	switch o.Events {
	case SelectAll, SelectCritical:
		o.Classifications, o.Groups = nil, nil
	case SelectClassification:
		o.Groups = nil
		if len(o.Classifications) == 0 {
			f.Add("classifications", "Choose at least one classification.")
		}
		for _, c := range o.Classifications {
			if c < ClassUnknown || c > ClassScan {
				f.Add("classifications", "Unknown classification.")
			}
		}
	case SelectGroup:
		o.Classifications = nil
		if len(o.Groups) == 0 {
			f.Add("groups", "Choose at least one group.")
		}
	default:
		f.Add("events", "Use all, critical, classification or group.")
	}
}
