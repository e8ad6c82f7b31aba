package shell

import (
	"fmt"
	"strings"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// Transcript builds the one event of a login session (ssh, telnet): every login attempt,
// command and request as a timestamped interaction, and a one-line summary. The event lives in
// a honeypot.Session, which reports it early and while it grows; everything the summary is
// made of is changed under the session's lock, so the transcript is safe for concurrent use
// (an ssh connection runs its channels in parallel).
type Transcript struct {
	label string // "SSH", "Telnet"
	start time.Time
	now   func() time.Time
	sess  *honeypot.Session

	// Under the session's lock.
	acted       bool // the client sent something
	loggedIn    bool
	loginUser   string
	loginSecret string
	failed      int
	failedUsers []string
	pubkeys     int
	pubkeyUsers []string
	commands    int
	downloads   int
	note        string // what the summary says when nothing else happened
}

// NewTranscript starts the transcript of a session whose event is ev (from
// honeypot.NewEvent), reported by ss (nil: not reported). label names the service in the
// summary.
func NewTranscript(label string, ss *honeypot.Sessions, ev *model.Event, start time.Time) *Transcript {
	t := &Transcript{label: label, start: start, now: time.Now}
	t.sess = ss.Open(ev, t.complete)
	return t
}

// Input records the client's first bytes (see honeypot.WatchInput): the packet, and the start
// of the early reports.
func (t *Transcript) Input(at time.Time, payload []byte) {
	t.sess.Update(func(e *model.Event) {
		t.acted = true
		honeypot.AddPacket(e, honeypot.FirstPacket(at, e.TargetPort, payload))
	})
	t.sess.Activate()
}

// Info adds an "Additional information" line.
func (t *Transcript) Info(text string) {
	t.sess.Update(func(e *model.Event) { honeypot.Info(e, text) })
}

// Note adds a timestamped interaction line.
func (t *Transcript) Note(text string) {
	t.sess.Update(func(e *model.Event) { honeypot.Interaction(e, t.now(), text) })
}

// SetNote sets what the summary says if the client never tried to log in, e.g.
// "connection closed before the SSH handshake".
func (t *Transcript) SetNote(text string) {
	t.sess.Update(func(*model.Event) { t.note = text })
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
// "" for telnet).
func (t *Transcript) Login(method, user, password string, ok bool) {
	t.sess.Update(func(e *model.Event) {
		result := "refused"
		if ok {
			result = "accepted"
			if !t.loggedIn {
				t.loggedIn, t.loginUser, t.loginSecret = true, user, password
			}
		} else {
			t.failed++
			t.failedUsers = addName(t.failedUsers, user)
		}
		m := ""
		if method != "" {
			m = " (" + method + ")"
		}
		honeypot.Interaction(e, t.now(), fmt.Sprintf("login %s / %s%s: %s", user, password, m, result))
		e.AddLogin(user, password, ok)
	})
}

// PublicKey records a public key login attempt (always refused). It is no login of the
// event's structured list, which holds what was tried as user name and password.
func (t *Transcript) PublicKey(user, keyType, fingerprint string) {
	t.sess.Update(func(e *model.Event) {
		t.pubkeys++
		t.pubkeyUsers = addName(t.pubkeyUsers, user)
		honeypot.Interaction(e, t.now(), fmt.Sprintf("login %s with public key %s %s: refused", user, keyType, fingerprint))
	})
}

// Command records a command line (kind "command" or "exec") and what it asked to download.
func (t *Transcript) Command(kind, line string, r Result) {
	t.sess.Update(func(e *model.Event) {
		at := t.now()
		t.commands++
		honeypot.Interaction(e, at, kind+": "+line)
		e.AddCommand(line)
		for _, u := range r.Downloads {
			t.downloads++
			honeypot.Interaction(e, at, "download attempt (not fetched): "+u)
		}
	})
}

// LoggedIn reports whether a login was accepted.
func (t *Transcript) LoggedIn() (in bool) {
	t.sess.Inspect(func(*model.Event) { in = t.loggedIn })
	return in
}

// Failed returns how many login attempts were refused.
func (t *Transcript) Failed() (n int) {
	t.sess.Inspect(func(*model.Event) { n = t.failed })
	return n
}

// names lists user names for a summary; an empty name (a telnet login that just pressed
// Enter) shows as "".
func names(list []string, total int) string {
	shown := make([]string, len(list))
	for i, n := range list {
		shown[i] = n
		if n == "" {
			shown[i] = `""`
		}
	}
	s := strings.Join(shown, ", ")
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

// Close ends the session: it adds the close line (with the session's duration and why it
// ended) and the final report goes out. Later calls do nothing.
func (t *Transcript) Close(reason string) {
	t.sess.End(func(e *model.Event) {
		now := t.now()
		text := fmt.Sprintf("connection closed after %s", now.Sub(t.start).Round(100*time.Millisecond))
		if reason != "" {
			text += " (" + reason + ")"
		}
		// the close line is always kept, even when the detail list is full
		if len(e.Details) >= model.MaxDetails {
			e.Details = e.Details[:model.MaxDetails-1]
		}
		honeypot.Interaction(e, now, text)
	})
}

// Snapshot returns a copy of the event as its next report would carry it.
func (t *Transcript) Snapshot() *model.Event { return t.sess.Snapshot() }

// complete gives a copy of the event its summary, for every report; a client that never sent
// a byte made a connection attempt, not a honeypot interaction.
func (t *Transcript) complete(e *model.Event, _ bool) {
	if !t.acted {
		e.Classification = model.ClassConnAttempt
	}
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
	e.Summary = model.Clip(model.OneLine(sum), model.MaxSummaryLen)
}
