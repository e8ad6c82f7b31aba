package model

import (
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Classification says what kind of attack an event is. The values are HoneySens'.
type Classification int

// Classifications.
const (
	ClassUnknown     Classification = 0
	ClassICMP        Classification = 1
	ClassConnAttempt Classification = 2
	ClassHoneypot    Classification = 3 // the manual's "critical" events
	ClassScan        Classification = 4
)

// String returns the English label the UI, CSV and mails use.
func (c Classification) String() string {
	switch c {
	case ClassICMP:
		return "ICMP"
	case ClassConnAttempt:
		return "Connection attempt"
	case ClassHoneypot:
		return "Honeypot"
	case ClassScan:
		return "Scan"
	}
	return "Unknown"
}

// Status is where an operator's triage of an event stands. The values are HoneySens'.
type Status int

// Statuses.
const (
	StatusNew        Status = 0
	StatusInProgress Status = 1
	StatusResolved   Status = 2
	StatusIgnored    Status = 3
)

// String returns the English label.
func (s Status) String() string {
	switch s {
	case StatusNew:
		return "New"
	case StatusInProgress:
		return "In progress"
	case StatusResolved:
		return "Resolved"
	case StatusIgnored:
		return "Ignored"
	}
	return "Unknown"
}

// Protocol is the transport of an event or packet: HoneySens' 0 unknown, 1 TCP, 2 UDP, plus ICMP.
type Protocol int

// Protocols.
const (
	ProtoUnknown Protocol = 0
	ProtoTCP     Protocol = 1
	ProtoUDP     Protocol = 2
	ProtoICMP    Protocol = 3
)

// String returns the protocol's lower-case name, or "" when unknown.
func (p Protocol) String() string {
	switch p {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoICMP:
		return "icmp"
	}
	return ""
}

// ParseProtocol reads "tcp", "udp", "icmp" (any case) or "" .
func ParseProtocol(s string) (Protocol, bool) {
	switch strings.ToLower(s) {
	case "tcp":
		return ProtoTCP, true
	case "udp":
		return ProtoUDP, true
	case "icmp":
		return ProtoICMP, true
	case "":
		return ProtoUnknown, true
	}
	return ProtoUnknown, false
}

// Detail types: "Additional information" and timestamped "Sensor interaction".
const (
	DetailGeneric     = 0
	DetailInteraction = 1
)

// Limits on what one event may carry. They bound the memory and disk an attacker can make a
// sensor spend on one connection; anything longer is cut, not refused.
const (
	MaxSummaryLen = 255
	MaxCommentLen = 1000
	MaxServiceLen = 32
	MaxDetails    = 1000
	MaxDetailLen  = 4096
	MaxPackets    = 100
	MaxPayload    = 4096
	MaxSessionLen = 64  // a session id
	MaxFacts      = 500 // logins, commands or paths one event may list
	MaxFactLen    = 256 // one user name, password, command or path
)

// Event is one reported attack. Times are UTC; ports are 0 when unknown.
type Event struct {
	ID             int64
	Timestamp      time.Time
	SensorID       int64
	SensorName     string
	GroupID        int64
	GroupName      string
	Service        string
	Classification Classification
	Source         netip.Addr
	SourcePort     int
	Target         netip.Addr // zero when unknown
	TargetPort     int
	Protocol       Protocol
	Summary        string
	Status         Status
	Comment        string
	ModifiedAt     *time.Time
	DetailsCount   int
	PacketsCount   int
	Archived       bool
	ArchivedAt     *time.Time
	OriginalID     int64 // for archived events: the id it had while live
	Details        []Detail
	Packets        []Packet

	// Session is the sensor's id for the attacker's session. A honeypot reports a session as
	// soon as the attacker acts and again while it goes on: every report with the same
	// session id (from the same sensor) updates one event. Empty: a one-time event.
	Session string
	// Revision numbers the reports of a session, 1 first; a report not newer than the stored
	// one is ignored (a repeat after a lost answer).
	Revision int
	// Ongoing says the session is still open: later reports will grow the event. The final
	// report clears it.
	Ongoing bool

	// What the attacker tried, as structured values for the overview's top lists, the
	// attackers view and the event list's filters. Each also appears in Details as text.
	Logins   []Login
	Commands []string // command lines run (SSH, Telnet)
	Paths    []string // HTTP paths requested (without the query)
}

// Login is one login attempt of a session.
type Login struct {
	User     string `json:"user"`
	Password string `json:"password"`
	Accepted bool   `json:"accepted"`
}

// AddLogin records a login attempt, up to MaxFacts, each value cut to MaxFactLen.
func (e *Event) AddLogin(user, password string, accepted bool) {
	if len(e.Logins) < MaxFacts {
		e.Logins = append(e.Logins, Login{User: Clip(user, MaxFactLen), Password: Clip(password, MaxFactLen), Accepted: accepted})
	}
}

// AddCommand records a command line, up to MaxFacts, cut to MaxFactLen.
func (e *Event) AddCommand(line string) {
	if len(e.Commands) < MaxFacts {
		e.Commands = append(e.Commands, Clip(line, MaxFactLen))
	}
}

// AddPath records a requested HTTP path, up to MaxFacts, cut to MaxFactLen.
func (e *Event) AddPath(path string) {
	if len(e.Paths) < MaxFacts {
		e.Paths = append(e.Paths, Clip(path, MaxFactLen))
	}
}

// Clone returns a deep copy: a honeypot reports a snapshot of a session's event while its
// connection goes on changing the original.
func (e *Event) Clone() *Event {
	c := *e
	c.Details = append([]Detail(nil), e.Details...)
	c.Packets = append([]Packet(nil), e.Packets...)
	c.Logins = append([]Login(nil), e.Logins...)
	c.Commands = append([]string(nil), e.Commands...)
	c.Paths = append([]string(nil), e.Paths...)
	return &c
}

// Detail is one line of additional information or sensor interaction.
type Detail struct {
	Timestamp *time.Time `json:"timestamp"`
	Type      int        `json:"type"`
	Data      string     `json:"data"`
}

// Packet is one captured packet (or first bytes of a connection).
type Packet struct {
	Timestamp time.Time `json:"timestamp"`
	Protocol  Protocol  `json:"protocol"`
	Port      int       `json:"port"`
	Flags     int       `json:"flags"` // TCP flags bitmask: F=1 S=2 R=4 P=8 A=16 U=32
	Payload   []byte    `json:"payload"`
}

// FlagLetters renders a TCP flags bitmask as HoneySens shows it, e.g. 18 → "SA".
func FlagLetters(flags int) string {
	var sb strings.Builder
	for i, l := range "FSRPAU" {
		if flags&(1<<i) != 0 {
			sb.WriteRune(l)
		}
	}
	return sb.String()
}

// Clip cuts s to at most n bytes at a rune boundary and replaces invalid UTF-8, so that text
// from attackers is always valid UTF-8 of bounded size.
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// OneLine replaces control characters (CR, LF, tabs, NUL, C1 controls such as NEL) and the
// Unicode line and paragraph separators with spaces: for values shown on one line, such as
// summaries, and for anything that may end up in a mail header.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}
