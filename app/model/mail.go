package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Encryption of the connection to the SMTP server.
const (
	EncryptionNone     = "none"     // plain SMTP
	EncryptionSTARTTLS = "starttls" // plain connect, then STARTTLS; refused if the server does not offer it
	EncryptionTLS      = "tls"      // implicit TLS from the first byte (port 465)
)

// SMTPSettings are System → E-mail notifications: the mail server, the storm guard and the
// weekly summary's schedule. The password is write-only: it is stored but never answered.
type SMTPSettings struct {
	Enabled    bool   `json:"enabled"`
	Host       string `json:"host"`
	Port       int    `json:"port"`
	Encryption string `json:"encryption"`
	From       string `json:"from"`
	User       string `json:"user"`
	Password   string `json:"password,omitempty"`
	// StormLimit event mails per StormMinutes are sent to one recipient; further events in that
	// window are folded into one summary mail at its end.
	StormLimit   int `json:"storm_limit"`
	StormMinutes int `json:"storm_minutes"`
	// WeeklyAt (HH:MM) in WeeklyTZ (an IANA zone) is when the Monday summary goes out.
	WeeklyAt string `json:"weekly_at"`
	WeeklyTZ string `json:"weekly_tz"`
	// Language (en, de) of the built-in templates and of the subjects and text blocks the
	// appliance writes into every mail; the operator's own templates are used as written.
	Language string `json:"language"`
}

// DefaultSMTPSettings are the settings of a fresh install: mail is off.
func DefaultSMTPSettings() SMTPSettings {
	return SMTPSettings{Port: 587, Encryption: EncryptionSTARTTLS, StormLimit: 10, StormMinutes: 10,
		WeeklyAt: "09:00", WeeklyTZ: "UTC", Language: "en"}
}

// Validate checks the settings; the server fields are required only while mail is enabled.
func (s *SMTPSettings) Validate() error {
	f := s.validateServer()
	if s.StormLimit < 1 || s.StormLimit > 1000 {
		f.Add("storm_limit", "Use 1 to 1000 mails.")
	}
	if s.StormMinutes < 1 || s.StormMinutes > 1440 {
		f.Add("storm_minutes", "Use 1 to 1440 minutes.")
	}
	if _, _, err := s.WeeklyClock(); err != nil {
		f.Add("weekly_at", "Use a time of day such as 09:00.")
	}
	if _, err := s.Location(); err != nil {
		f.Add("weekly_tz", "Use a time zone name such as Europe/Berlin or UTC.")
	}
	if !slices.Contains(Languages, s.Language) {
		f.Add("language", "Choose English or German.")
	}
	return f.Err()
}

// ValidateServer checks only the fields needed to talk to the server (the test mail).
func (s *SMTPSettings) ValidateServer() error { return s.validateServer().Err() }

func (s *SMTPSettings) validateServer() FieldErrors {
	f := FieldErrors{}
	s.Host = strings.TrimSpace(s.Host)
	s.From = strings.TrimSpace(s.From)
	s.User = strings.TrimSpace(s.User)
	if s.Host == "" {
		if s.Enabled {
			f.Add("host", "Enter the mail server's host name or IP address.")
		}
	} else if len(s.Host) > 253 || strings.ContainsAny(s.Host, " /\\@\r\n\t\x00") {
		f.Add("host", "Enter a host name or IP address only.")
	}
	if s.Port < 1 || s.Port > 65535 {
		f.Add("port", "Use a port from 1 to 65535.")
	}
	switch s.Encryption {
	case EncryptionNone, EncryptionSTARTTLS, EncryptionTLS:
	default:
		f.Add("encryption", "Choose none, STARTTLS or TLS.")
	}
	if s.From == "" {
		if s.Enabled {
			f.Add("from", "Enter the sender address.")
		}
	} else if msg := ValidateEmail(s.From); msg != "" {
		f.Add("from", msg)
	}
	if len(s.User) > 256 || strings.ContainsAny(s.User, "\r\n\x00") {
		f.Add("user", "Use at most 256 characters on one line.")
	}
	if s.User != "" && s.Encryption == EncryptionNone && !isLoopback(s.Host) {
		f.Add("encryption", "Choose STARTTLS or TLS: without them the password crosses the network unencrypted.")
	}
	if len(s.Password) > 512 || strings.ContainsAny(s.Password, "\r\n\x00") {
		f.Add("password", "Use at most 512 characters on one line.")
	}
	return f
}

// isLoopback reports whether host names this machine, where a connection never leaves it.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}

// WeeklyClock returns WeeklyAt as hour and minute.
func (s *SMTPSettings) WeeklyClock() (hour, minute int, err error) {
	return timeOfDay("weekly_at", s.WeeklyAt)
}

// Location returns the weekly summary's time zone.
func (s *SMTPSettings) Location() (*time.Location, error) {
	if s.WeeklyTZ == "" || s.WeeklyTZ == "Local" {
		return nil, fmt.Errorf("weekly_tz %q: not a zone name", s.WeeklyTZ)
	}
	return time.LoadLocation(s.WeeklyTZ)
}

// StormWindow is the storm guard's window.
func (s *SMTPSettings) StormWindow() time.Duration {
	return time.Duration(s.StormMinutes) * time.Minute
}

// Contact is one notification recipient of a group: a registered user (mails go to the address
// the user has when the mail is written) or any address, with the kinds of mail it gets.
type Contact struct {
	ID             int64  `json:"id"`
	UserID         *int64 `json:"user"`
	Email          string `json:"email"`
	AllEvents      bool   `json:"all_events"`
	CriticalEvents bool   `json:"critical_events"`
	WeeklySummary  bool   `json:"weekly_summary"`
	SensorTimeout  bool   `json:"sensor_timeout"`
}

// validate checks one contact; i is its position in the group's list (for field names).
func (c *Contact) validate(f FieldErrors, i int) {
	key := fmt.Sprintf("contacts.%d", i)
	c.Email = strings.TrimSpace(c.Email)
	switch {
	case c.UserID != nil && c.Email != "":
		f.Add(key+".email", "Choose a user or enter an address, not both.")
	case c.UserID == nil && c.Email == "":
		f.Add(key+".email", "Choose a user or enter an address.")
	case c.UserID == nil:
		if msg := ValidateEmail(c.Email); msg != "" {
			f.Add(key+".email", msg)
		}
	}
	if !c.AllEvents && !c.CriticalEvents && !c.WeeklySummary && !c.SensorTimeout {
		f.Add(key+".kinds", "Tick at least one kind of notification.")
	}
}

// MaxContacts bounds a group's contact list.
const MaxContacts = 100

// Mail kinds: which notification a mail in the outbox is.
const (
	MailEvent   = "event"
	MailTimeout = "sensor_timeout"
	MailOnline  = "sensor_online"
	MailWeekly  = "weekly_summary"
	MailStorm   = "storm_summary"
	MailTest    = "test"
)

// Outbox states of a mail.
const (
	MailQueued = "queued"
	MailSent   = "sent"
	MailFailed = "failed"
)

// Mail is one message in the outbox. Every mail is stored before it is sent.
type Mail struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Recipient   string     `json:"recipient"`
	Subject     string     `json:"subject"`
	Body        string     `json:"body,omitempty"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error"`
	CreatedAt   time.Time  `json:"created_at"`
	NextAttempt time.Time  `json:"next_attempt_at"`
	GiveUpAt    time.Time  `json:"give_up_at"`
	DoneAt      *time.Time `json:"done_at"`
}

// Storm is a storm guard's open fold: events a recipient got no single mail for because it
// had reached its limit. One summary mail goes out when the window that opened at OpenedAt ends.
type Storm struct {
	Recipient string
	OpenedAt  time.Time
	Events    int
	Critical  int
	FirstAt   time.Time
	LastAt    time.Time
	Lines     []string // the first events, one line each
}
