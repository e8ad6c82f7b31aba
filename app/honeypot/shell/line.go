package shell

import "unicode/utf8"

// EventKind says what a byte fed to the Editor completed.
type EventKind int

// Editor events.
const (
	None      EventKind = iota // nothing completed yet
	Line                       // Enter: Event.Line holds the line
	Interrupt                  // Ctrl-C: the line was dropped
	EOF                        // Ctrl-D on an empty line
)

// Event is what Editor.Feed reports.
type Event struct {
	Kind EventKind
	Line string
}

// DefaultMaxLine is the longest line the Editor keeps; further bytes are dropped.
const DefaultMaxLine = 4096

// Editor is the line discipline of an interactive terminal: it collects the bytes a client
// types into lines, with backspace, Ctrl-U, Ctrl-W, Ctrl-C and Ctrl-D, swallows escape
// sequences (arrow and function keys) and caps the line length. It does no I/O: Feed returns
// the echo to send back. The zero value works (no echo, DefaultMaxLine).
type Editor struct {
	Echo bool // echo typed characters (a pty with the remote side echoing)
	Max  int  // line cap; 0 means DefaultMaxLine

	buf    []byte
	esc    int // 0 none, 1 after ESC, 2 in CSI, 3 after ESC O
	escLen int
	lastCR bool
}

// Pending returns the bytes typed so far on the current line.
func (e *Editor) Pending() string { return string(e.buf) }

// Reset drops the current line and any escape sequence in progress.
func (e *Editor) Reset() {
	e.buf = e.buf[:0]
	e.esc, e.escLen, e.lastCR = 0, 0, false
}

func (e *Editor) max() int {
	if e.Max <= 0 {
		return DefaultMaxLine
	}
	return e.Max
}

// Feed takes one input byte. Echo bytes are appended to echo and returned; ev is the event
// the byte completed (Kind None when the line goes on).
func (e *Editor) Feed(b byte, echo []byte) ([]byte, Event) {
	cr := e.lastCR
	e.lastCR = false
	switch e.esc {
	case 1:
		switch b {
		case '[':
			e.esc = 2
		case 'O':
			e.esc = 3
		default:
			e.esc = 0 // Alt-<key>: drop both bytes
		}
		return echo, Event{}
	case 2:
		e.escLen++
		if b >= 0x40 && b <= 0x7e || e.escLen > 32 {
			e.esc, e.escLen = 0, 0
		}
		return echo, Event{}
	case 3:
		e.esc = 0
		return echo, Event{}
	}
	switch b {
	case 0x1b:
		e.esc, e.escLen = 1, 0
	case '\r':
		e.lastCR = true
		return e.enter(echo)
	case '\n':
		if cr {
			return echo, Event{}
		}
		return e.enter(echo)
	case 0:
		// NUL after CR is the telnet NVT form of a bare CR; otherwise ignored as well.
	case 0x7f, 0x08:
		if len(e.buf) > 0 {
			_, size := utf8.DecodeLastRune(e.buf)
			e.buf = e.buf[:len(e.buf)-size]
			if e.Echo {
				echo = append(echo, '\b', ' ', '\b')
			}
		}
	case 0x03:
		e.buf = e.buf[:0]
		if e.Echo {
			echo = append(echo, '^', 'C', '\r', '\n')
		}
		return echo, Event{Kind: Interrupt}
	case 0x04:
		if len(e.buf) == 0 {
			return echo, Event{Kind: EOF}
		}
	case 0x15: // Ctrl-U: kill the line
		for len(e.buf) > 0 {
			echo = e.rubout(echo)
		}
	case 0x17: // Ctrl-W: kill the word before the cursor
		for len(e.buf) > 0 && e.buf[len(e.buf)-1] == ' ' {
			echo = e.rubout(echo)
		}
		for len(e.buf) > 0 && e.buf[len(e.buf)-1] != ' ' {
			echo = e.rubout(echo)
		}
	default:
		if b < 0x20 { // Tab, Ctrl-L and the other controls do nothing here
			return echo, Event{}
		}
		if len(e.buf) >= e.max() {
			return echo, Event{}
		}
		if e.buf == nil {
			e.buf = make([]byte, 0, 64)
		}
		e.buf = append(e.buf, b)
		if e.Echo {
			echo = append(echo, b)
		}
	}
	return echo, Event{}
}

func (e *Editor) rubout(echo []byte) []byte {
	_, size := utf8.DecodeLastRune(e.buf)
	e.buf = e.buf[:len(e.buf)-size]
	if e.Echo {
		echo = append(echo, '\b', ' ', '\b')
	}
	return echo
}

func (e *Editor) enter(echo []byte) ([]byte, Event) {
	line := string(e.buf)
	e.buf = e.buf[:0]
	if e.Echo {
		echo = append(echo, '\r', '\n')
	}
	return echo, Event{Kind: Line, Line: line}
}
