package model

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Filter rule condition attributes.
const (
	AttrClassification = "classification"
	AttrSource         = "source"
	AttrTargetPort     = "target_port"
	AttrProtocol       = "protocol"
	AttrService        = "service"
)

// FilterCondition is one test of a filter rule: an attribute and the value it must match.
// Values: classification 0-4; source an IP address, a CIDR network or a range "a-b"; target
// port a number or a range "a-b"; protocol tcp, udp or icmp; service a service name.
type FilterCondition struct {
	Attribute string `json:"attribute"`
	Value     string `json:"value"`
}

// FilterRule drops the incoming events of its group's sensors that match ALL its conditions.
type FilterRule struct {
	ID          int64             `json:"id"`
	GroupID     int64             `json:"group"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Enabled     bool              `json:"enabled"`
	Hits        int64             `json:"hits"`
	Conditions  []FilterCondition `json:"conditions"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Validate checks the rule's own fields; the values of the conditions are checked by
// compiling them (package filter), which reports them as conditions[i].value.
func (r *FilterRule) Validate() error {
	f := FieldErrors{}
	n := utf8.RuneCountInString(r.Name)
	if n == 0 || n > 64 || strings.TrimSpace(r.Name) != r.Name || strings.ContainsAny(r.Name, "\r\n\t\x00") {
		f.Add("name", "Use 1-64 characters without leading or trailing spaces.")
	}
	if utf8.RuneCountInString(r.Description) > 1000 {
		f.Add("description", "Use at most 1000 characters.")
	}
	if r.GroupID <= 0 {
		f.Add("group", "Choose a group.")
	}
	if len(r.Conditions) == 0 {
		f.Add("conditions", "Add at least one condition.")
	}
	if len(r.Conditions) > 20 {
		f.Add("conditions", "Use at most 20 conditions.")
	}
	return f.Err()
}
