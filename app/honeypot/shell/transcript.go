package shell

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// Transcript builds the one event of a login session (ssh, telnet): every login attempt,
// command and request as a timestamped interaction, and a one-line summary at the end. It is
// safe for concurrent use (an ssh connection runs its channels in parallel).
type Transcript struct {
	label string // "SSH", "Telnet"
	start time.Time
	now   func() time.Time

	mu          sync.Mutex
	ev          *model.Event
	loggedIn    bool
	loginUser   string
	loginSecret string
	loginMethod string
	failed      int
	failedUsers []string
	pubkeys     int
	pubkeyUsers []string
	commands    int
	downloads   int
	note        string // what the summary says when nothing else happened
	closed      bool
}

// NewTranscript starts the transcript of a session whose event is ev (from
// honeypot.NewEvent). label names the service in the summary.
func NewTranscript(label string, ev *model.Event, start time.Time) *Transcript {
	return &Transcript{label: label, ev: ev, start: start, now: time.Now}
}

// Info adds an "Additional information" line.
func (t *Transcript) Info(text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	honeypot.Info(t.ev, text)
}

// Note adds a timestamped interaction line.
func (t *Transcript) Note(text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	honeypot.Interaction(t.ev, t.now(), text)
}

// SetNote sets what the summary says if the client never tried to log in, e.g.
// "connection closed before the SSH handshake".
func (t *Transcript) SetNote(text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.note = text
}

func addName(list []string, name string) []string {
	for _, n := range list {
		if n == name {
			return list
		}
	}
	if len(list) < 8 {
		list = append(list, name)
	}
	return list
}

// Login records one login attempt with a password (method "password", "keyboard-interactive",
// "telnet").
func (t *Transcript) Login(method, user, password string, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	result := "refused"
	if ok {
		result = "accepted"
		if !t.loggedIn {
			t.loggedIn, t.loginUser, t.loginSecret, t.loginMethod = true, user, password, method
		}
	} else {
		t.failed++
		t.failedUsers = addName(t.failedUsers, user)
	}
	m := ""
	if method != "" {
		m = " (" + method + ")"
	}
	honeypot.Interaction(t.ev, t.now(), fmt.Sprintf("login %s / %s%s: %s", user, password, m, result))
}

// PublicKey records a public key login attempt (always refused).
func (t *Transcript) PublicKey(user, keyType, fingerprint string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pubkeys++
	t.pubkeyUsers = addName(t.pubkeyUsers, user)
	honeypot.Interaction(t.ev, t.now(), fmt.Sprintf("login %s with public key %s %s: refused", user, keyType, fingerprint))
}

// Command records a command line (kind "command" or "exec") and what it asked to download.
func (t *Transcript) Command(kind, line string, r Result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	at := t.now()
	t.commands++
	honeypot.Interaction(t.ev, at, kind+": "+line)
	for _, u := range r.Downloads {
		t.downloads++
		honeypot.Interaction(t.ev, at, "download attempt (not fetched): "+u)
	}
}

// LoggedIn reports whether a login was accepted.
func (t *Transcript) LoggedIn() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.loggedIn
}

// Failed returns how many login attempts were refused.
func (t *Transcript) Failed() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

func names(list []string, total int) string {
	s := strings.Join(list, ", ")
	if total > len(list) {
		s += fmt.Sprintf(" and %d more", total-len(list))
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Close adds the close line (with the session's duration and why it ended) and the summary,
// and returns the finished event. Later calls return the same event unchanged.
func (t *Transcript) Close(reason string) *model.Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return t.ev
	}
	t.closed = true
	now := t.now()
	d := now.Sub(t.start).Round(100 * time.Millisecond)
	text := fmt.Sprintf("connection closed after %s", d)
	if reason != "" {
		text += " (" + reason + ")"
	}
	// the close line is always kept, even when the detail list is full
	if len(t.ev.Details) >= model.MaxDetails {
		t.ev.Details = t.ev.Details[:model.MaxDetails-1]
	}
	honeypot.Interaction(t.ev, now, text)

	var sum string
	switch {
	case t.loggedIn:
		sum = fmt.Sprintf("%s: login as %s with password %s", t.label, t.loginUser, t.loginSecret)
		if t.failed > 0 {
			sum += fmt.Sprintf(" after %s", plural(t.failed, "failed attempt", "failed attempts"))
		}
		sum += ", " + plural(t.commands, "command", "commands")
		if t.downloads > 0 {
			sum += ", " + plural(t.downloads, "download attempt", "download attempts")
		}
	case t.failed > 0:
		sum = fmt.Sprintf("%s: %s as %s", t.label, plural(t.failed, "failed login", "failed logins"), names(t.failedUsers, len(t.failedUsers)))
		if t.pubkeys > 0 {
			sum += ", " + plural(t.pubkeys, "public key refused", "public keys refused")
		}
	case t.pubkeys > 0:
		sum = fmt.Sprintf("%s: %s for %s", t.label, plural(t.pubkeys, "public key login refused", "public key logins refused"), names(t.pubkeyUsers, len(t.pubkeyUsers)))
	case t.note != "":
		sum = t.label + ": " + t.note
	default:
		sum = t.label + ": connection without login"
	}
	t.ev.Summary = model.Clip(model.OneLine(sum), model.MaxSummaryLen)
	return t.ev
}
