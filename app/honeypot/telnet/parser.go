package telnet

import (
	"fmt"
	"strings"
)

// Telnet commands (RFC 854) and the options we deal with.
const (
	SE   = 240
	NOP  = 241
	DM   = 242
	BRK  = 243
	IP   = 244
	AO   = 245
	AYT  = 246
	EC   = 247
	EL   = 248
	GA   = 249
	SB   = 250
	WILL = 251
	WONT = 252
	DO   = 253
	DONT = 254
	IAC  = 255

	OptBinary     = 0
	OptEcho       = 1
	OptSGA        = 3
	OptStatus     = 5
	OptTimingMark = 6
	OptTTYPE      = 24
	OptNAWS       = 31
	OptTSPEED     = 32
	OptLFlow      = 33
	OptLinemode   = 34
	OptXDISPLOC   = 35
	OptEnviron    = 36
	OptAuth       = 37
	OptEncrypt    = 38
	OptNewEnv     = 39
)

// maxSB caps the bytes of one subnegotiation we keep; the rest is dropped.
const maxSB = 512

// Kind says what a byte fed to the Parser produced.
type Kind int

// Parser results.
const (
	Nothing Kind = iota // the byte is part of a command still in progress
	Data                // a data byte (IAC IAC gives one 0xFF)
	Cmd                 // a complete command
)

// Command is a telnet command: a negotiation (Verb WILL/WONT/DO/DONT with Opt), a
// subnegotiation (Verb SB with Opt and Data) or a one-byte command (IP, AYT, BRK, ...).
type Command struct {
	Verb byte
	Opt  byte
	Data []byte // SB only; valid until the next Next call
}

func (c Command) String() string {
	switch c.Verb {
	case WILL, WONT, DO, DONT, SB:
		return verbName(c.Verb) + " " + OptName(c.Opt)
	}
	return verbName(c.Verb)
}

func verbName(v byte) string {
	names := map[byte]string{SE: "SE", NOP: "NOP", DM: "DM", BRK: "BRK", IP: "IP", AO: "AO", AYT: "AYT", EC: "EC", EL: "EL", GA: "GA", SB: "SB", WILL: "WILL", WONT: "WONT", DO: "DO", DONT: "DONT", IAC: "IAC"}
	if n, ok := names[v]; ok {
		return n
	}
	return fmt.Sprintf("CMD%d", v)
}

// OptName names a telnet option.
func OptName(o byte) string {
	switch o {
	case 0:
		return "BINARY"
	case OptEcho:
		return "ECHO"
	case OptSGA:
		return "SGA"
	case 5:
		return "STATUS"
	case 6:
		return "TIMING-MARK"
	case OptTTYPE:
		return "TTYPE"
	case OptNAWS:
		return "NAWS"
	case OptTSPEED:
		return "TSPEED"
	case 33:
		return "LFLOW"
	case OptLinemode:
		return "LINEMODE"
	case OptXDISPLOC:
		return "XDISPLOC"
	case 36:
		return "ENVIRON"
	case 37:
		return "AUTHENTICATION"
	case 38:
		return "ENCRYPT"
	case OptNewEnv:
		return "NEW-ENVIRON"
	}
	return fmt.Sprintf("OPT%d", o)
}

type pstate int

const (
	sData pstate = iota
	sIAC
	sVerb
	sSBOpt
	sSBData
	sSBIAC
)

// Parser splits a telnet byte stream into data and commands, one byte at a time. The zero
// value is ready. It never fails: malformed sequences end as well as they can.
type Parser struct {
	st   pstate
	verb byte
	opt  byte
	sb   []byte
}

// Next takes one byte from the client.
func (p *Parser) Next(b byte) (Kind, byte, Command) {
	switch p.st {
	case sData:
		if b == IAC {
			p.st = sIAC
			return Nothing, 0, Command{}
		}
		return Data, b, Command{}
	case sIAC:
		p.st = sData
		switch b {
		case IAC:
			return Data, IAC, Command{}
		case WILL, WONT, DO, DONT:
			p.verb, p.st = b, sVerb
			return Nothing, 0, Command{}
		case SB:
			p.st = sSBOpt
			return Nothing, 0, Command{}
		case SE, NOP, GA, DM:
			return Nothing, 0, Command{}
		}
		return Cmd, 0, Command{Verb: b}
	case sVerb:
		p.st = sData
		return Cmd, 0, Command{Verb: p.verb, Opt: b}
	case sSBOpt:
		p.opt, p.sb, p.st = b, p.sb[:0], sSBData
		return Nothing, 0, Command{}
	case sSBData:
		if b == IAC {
			p.st = sSBIAC
		} else if len(p.sb) < maxSB {
			p.sb = append(p.sb, b)
		}
		return Nothing, 0, Command{}
	case sSBIAC:
		switch b {
		case IAC:
			if len(p.sb) < maxSB {
				p.sb = append(p.sb, IAC)
			}
			p.st = sSBData
			return Nothing, 0, Command{}
		case SE:
			p.st = sData
			return Cmd, 0, Command{Verb: SB, Opt: p.opt, Data: p.sb}
		}
		// IAC <cmd> inside a subnegotiation: the client never closed it. End it here and
		// take the byte as the command it is.
		p.st = sIAC
		return p.Next(b)
	}
	p.st = sData
	return Nothing, 0, Command{}
}

// Escape doubles IAC bytes for sending data.
func Escape(b []byte) []byte {
	if !strings.Contains(string(b), "\xff") {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	for _, c := range b {
		out = append(out, c)
		if c == IAC {
			out = append(out, IAC)
		}
	}
	return out
}

// parseTTYPE reads "IS <name>" of a TERMINAL-TYPE subnegotiation.
func parseTTYPE(d []byte) (string, bool) {
	if len(d) < 1 || d[0] != 0 {
		return "", false
	}
	return string(d[1:]), true
}

// parseNAWS reads the window size.
func parseNAWS(d []byte) (w, h int, ok bool) {
	if len(d) != 4 {
		return 0, 0, false
	}
	return int(d[0])<<8 | int(d[1]), int(d[2])<<8 | int(d[3]), true
}

// parseEnv reads "IS|INFO [VAR|USERVAR name [VALUE value]]..." of a NEW-ENVIRON (or old
// ENVIRON) subnegotiation into name=value strings, ESC (2) quoting applied.
func parseEnv(d []byte) []string {
	const (
		is, info       = 0, 2
		varT, value    = 0, 1
		esc, userVarT  = 2, 3
		maxVars        = 32
		noPart, inName = 0, 1
	)
	if len(d) < 1 || d[0] != is && d[0] != info {
		return nil
	}
	var out []string
	var name, val []byte
	part := noPart
	flush := func() {
		if part != noPart && len(out) < maxVars {
			if val != nil {
				out = append(out, string(name)+"="+string(val))
			} else {
				out = append(out, string(name))
			}
		}
		name, val, part = nil, nil, noPart
	}
	for i := 1; i < len(d); i++ {
		c := d[i]
		switch c {
		case varT, userVarT:
			flush()
			part = inName
			name = []byte{}
		case value:
			if part == noPart {
				part = inName
			}
			val = []byte{}
			part = 2
		default:
			if c == esc && i+1 < len(d) {
				i++
				c = d[i]
			}
			if part == 2 {
				val = append(val, c)
			} else if part == inName {
				name = append(name, c)
			}
		}
	}
	flush()
	return out
}
