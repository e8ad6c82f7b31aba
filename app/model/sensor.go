package model

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Sensor is a box (or the appliance itself) that runs honeypot services and reports events.
type Sensor struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Location       string     `json:"location"`
	GroupID        int64      `json:"group"`
	UpdateInterval int        `json:"update_interval"` // seconds between heartbeats
	CreatedAt      time.Time  `json:"created_at"`
	LastContact    *time.Time `json:"last_contact"`
	LastIP         string     `json:"last_ip"`
	SWVersion      string     `json:"sw_version"`
	Local          bool       `json:"local"`          // the appliance's own sensor, running in process
	DroppedEvents  int64      `json:"dropped_events"` // events the sensor reports it had to drop
	Original       bool       `json:"original"`       // its heartbeats speak the original HoneySens 2.x protocol
	Secret         string     `json:"-"`              // HMAC key; answered once, at creation
}

// HeartbeatTolerance is added to a sensor's update interval before a silent sensor counts as
// offline: one late heartbeat is weather, two missed ones are an outage.
const HeartbeatTolerance = 60 * time.Second

// Online reports whether the sensor was heard from recently enough.
func (s *Sensor) Online(now time.Time) bool {
	return s.LastContact != nil && !now.After(s.OverdueAt())
}

// OverdueAt is when the sensor counts as offline unless it is heard from again: its last
// contact plus its update interval plus the tolerance. Zero before the first contact.
func (s *Sensor) OverdueAt() time.Time {
	if s.LastContact == nil {
		return time.Time{}
	}
	interval := time.Duration(s.UpdateInterval) * time.Second
	if s.Original {
		interval = time.Duration(s.OriginalMinutes()) * time.Minute
	}
	return s.LastContact.Add(interval + HeartbeatTolerance)
}

// OriginalMinutes is the update interval an original HoneySens sensor is told: it counts in
// whole minutes, so the interval is rounded up (never polled more often than set), at least 1.
func (s *Sensor) OriginalMinutes() int {
	return max(1, (s.UpdateInterval+59)/60)
}

// StatusChange is one entry of a sensor's status history.
type StatusChange struct {
	SensorID int64     `json:"sensor"`
	Time     time.Time `json:"time"`
	Online   bool      `json:"online"`
}

// Service states a sensor reports for each assigned honeypot service.
const (
	ServiceRunning = "running"
	ServiceError   = "error"
	ServiceStopped = "stopped"
)

// SensorService is a honeypot service assigned to a sensor: its settings and live state.
type SensorService struct {
	SensorID  int64           `json:"sensor"`
	Name      string          `json:"name"`
	Enabled   bool            `json:"enabled"`
	Config    json.RawMessage `json:"config"`
	State     string          `json:"state"` // running, error, stopped or "" before the first report
	Error     string          `json:"error"`
	UpdatedAt time.Time       `json:"updated_at"`
}

var sensorNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$`)

// Validate checks the sensor's own fields.
func (s *Sensor) Validate() error {
	f := FieldErrors{}
	if !sensorNamePattern.MatchString(s.Name) || strings.HasSuffix(s.Name, " ") {
		f.Add("name", "Use 1-64 letters, digits, spaces, '.', '_' or '-'.")
	}
	if utf8.RuneCountInString(s.Location) > 255 || strings.ContainsAny(s.Location, "\r\n\x00") {
		f.Add("location", "At most 255 characters on one line.")
	}
	if s.GroupID <= 0 {
		f.Add("group", "Choose a group.")
	}
	if s.UpdateInterval < 10 || s.UpdateInterval > 3600 {
		f.Add("update_interval", "Use 10 to 3600 seconds.")
	}
	return f.Err()
}
