package model

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is a user's global role. The values are HoneySens' (0 is the not-logged-in guest).
type Role int

// Roles, each including the rights of the ones before it.
const (
	RoleObserver Role = 1 // read events, sensors, filters; export
	RoleManager  Role = 2 // + edit and remove events, manage filters and sensors
	RoleAdmin    Role = 3 // + users, groups, system settings; sees all groups
)

// Valid reports whether r is an assignable role.
func (r Role) Valid() bool { return r >= RoleObserver && r <= RoleAdmin }

// String returns the role's English label.
func (r Role) String() string {
	switch r {
	case RoleObserver:
		return "Observer"
	case RoleManager:
		return "Manager"
	case RoleAdmin:
		return "Admin"
	}
	return "Unknown"
}

// Password length limits. The upper bound caps the hashing work an attacker can ask for.
const (
	PasswordMinLen = 8
	PasswordMaxLen = 256
)

// User is an operator account.
type User struct {
	ID                 int64     `json:"id"`
	Login              string    `json:"login"`
	FullName           string    `json:"full_name"`
	Email              string    `json:"email"`
	Role               Role      `json:"role"`
	Groups             []int64   `json:"groups"`
	MustChangePassword bool      `json:"must_change_password"`
	FirstAdmin         bool      `json:"first_admin"`
	CreatedAt          time.Time `json:"created_at"`
	Language           string    `json:"language"`  // "" follows the browser
	TimeZone           string    `json:"time_zone"` // IANA name; "" follows the browser
	PasswordHash       string    `json:"-"`
}

// Languages are the UI languages with a message catalog.
var Languages = []string{"en", "de"}

// ValidatePreferences checks a user's own language and time zone; empty ones follow the browser.
func ValidatePreferences(language, timeZone string) error {
	f := FieldErrors{}
	if language != "" && !slices.Contains(Languages, language) {
		f.Add("language", "Choose English or German.")
	}
	// Local is the server's own zone, which means nothing in the browser.
	if _, err := time.LoadLocation(timeZone); timeZone != "" && (err != nil || timeZone == "Local") {
		f.Add("time_zone", "Choose a time zone from the list.")
	}
	return f.Err()
}

var loginPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Validate checks the user's own fields (uniqueness is the store's business).
func (u *User) Validate() error {
	f := FieldErrors{}
	if !loginPattern.MatchString(u.Login) {
		f.Add("login", "Use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.")
	}
	if utf8.RuneCountInString(u.FullName) > 255 || strings.ContainsAny(u.FullName, "\r\n\x00") {
		f.Add("full_name", "At most 255 characters on one line.")
	}
	if u.Email != "" {
		if msg := ValidateEmail(u.Email); msg != "" {
			f.Add("email", msg)
		}
	}
	if !u.Role.Valid() {
		f.Add("role", "Choose Observer, Manager or Admin.")
	}
	return f.Err()
}

// ValidateWithPassword checks u's fields and a new password together, so that a form shows
// every field error at once. An empty password keeps the current one; a new account has none
// to keep, so it must set one (required).
func (u *User) ValidateWithPassword(password string, required bool) error {
	f := FieldErrors{}
	if err := u.Validate(); err != nil {
		for k, v := range err.(*Error).Fields {
			f.Add(k, v)
		}
	}
	switch {
	case password != "":
		if msg := ValidatePassword(password); msg != "" {
			f.Add("password", msg)
		}
	case required:
		f.Add("password", "Set a first password.")
	}
	return f.Err()
}

// ValidateEmail accepts a bare address (no display name) of sane length; it returns the
// message for the form, or "" when the address is fine.
func ValidateEmail(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "Enter an e-mail address such as name@example.org."
	}
	return ""
}

// ValidatePassword checks a new password's length; it returns the message for the form, or "".
func ValidatePassword(p string) string {
	n := utf8.RuneCountInString(p)
	switch {
	case n < PasswordMinLen:
		return "Use at least 8 characters."
	case len(p) > PasswordMaxLen:
		return "Use at most 256 bytes."
	}
	return ""
}

// Group is a HoneySens "division": it scopes sensors, filters and contacts; users are members.
type Group struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Members   []int64   `json:"members"`
	Contacts  []Contact `json:"contacts"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the group's own fields.
func (g *Group) Validate() error {
	f := FieldErrors{}
	n := utf8.RuneCountInString(strings.TrimSpace(g.Name))
	if n == 0 || n > 64 || strings.TrimSpace(g.Name) != g.Name || strings.ContainsAny(g.Name, "\r\n\t\x00") {
		f.Add("name", "Use 1-64 characters without leading or trailing spaces.")
	}
	if len(g.Contacts) > MaxContacts {
		f.Add("contacts", fmt.Sprintf("Use at most %d contacts.", MaxContacts))
	}
	for i := range g.Contacts {
		g.Contacts[i].validate(f, i)
	}
	return f.Err()
}

// APIToken is a personal token; the secret itself is only ever shown once, at creation.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"-"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	LastUsedIP string     `json:"last_used_ip"` // "" before the first use
}

// Session is a logged-in browser. TokenHash is the SHA-256 of the cookie value; IP is the
// address it was last seen from.
type Session struct {
	TokenHash string
	UserID    int64
	CSRFToken string
	CreatedAt time.Time
	LastSeen  time.Time
	IP        string
	UserAgent string
}
