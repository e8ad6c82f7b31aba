package telnet

import (
	"fmt"
	"slices"
	"strings"

	"honeysens/app/honeypot/shell"
)

// stage is how far the option negotiation has come; inetutils telnetd goes through it in
// this order and starts login(1), which prints the prompt, only at the end.
type stage int

const (
	stageOffers     stage = iota // first offers sent, their answers awaited
	stageSubneg                  // SEND subnegotiations sent for the options the client took
	stageTerminal                // terminal options offered
	stageLoginShown              // the host line and login prompt are out
)

// The options telnetd asks the client for first, and then for the terminal.
var (
	firstOffers    = []byte{IAC, WILL, OptAuth, IAC, WILL, OptEncrypt, IAC, DO, OptTTYPE, IAC, DO, OptTSPEED, IAC, DO, OptXDISPLOC, IAC, DO, OptNewEnv, IAC, DO, OptEnviron}
	firstAsked     = []string{"will37", "will38", "do24", "do32", "do35", "do39", "do36"}
	terminalOffers = []byte{IAC, WILL, OptSGA, IAC, DO, OptEcho, IAC, DO, OptLinemode, IAC, DO, OptNAWS, IAC, WILL, OptStatus, IAC, DO, OptLFlow}
	terminalAsked  = []string{"will3", "do1", "do34", "do31", "will5", "do33"}
	// subnegOrder is the order of telnetd's SEND requests for the options the client took.
	subnegOrder = []byte{OptTSPEED, OptXDISPLOC, OptNewEnv, OptEnviron, OptTTYPE}
)

// advance sends the next step of the negotiation once the client has answered the last.
func (c *conn) advance() {
	for {
		switch c.stage {
		case stageOffers:
			if c.waiting(firstAsked) {
				return
			}
			for _, o := range subnegOrder {
				if c.them[o] {
					c.out = append(c.out, IAC, SB, o, 1, IAC, SE)
					c.sbWait[o] = true
				}
			}
			c.stage = stageSubneg
		case stageSubneg:
			if len(c.sbWait) > 0 {
				return
			}
			for i := 0; i < len(terminalOffers); i += 3 {
				if o := terminalOffers[i+2]; o == OptLinemode && c.them[o] {
					continue // the client has offered it already
				}
				c.out = append(c.out, terminalOffers[i:i+3]...)
				c.asked[terminalAsked[i/3]] = true
			}
			c.stage = stageTerminal
		case stageTerminal:
			if c.waiting(terminalAsked) {
				return
			}
			if c.them[OptLinemode] {
				// telnetd sets the client's line mode (EDIT|TRAPSIG), then takes LINEMODE back.
				if !c.modeSent {
					c.out = append(c.out, IAC, SB, OptLinemode, 1, 3, IAC, SE, 0)
				}
				c.out = append(c.out, IAC, WILL, OptEcho, IAC, DO, OptBinary, IAC, DONT, OptLinemode)
				c.them[OptLinemode] = false
				c.asked["will1"], c.asked["do0"] = true, true
			} else {
				c.out = append(c.out, IAC, WILL, OptEcho, IAC, DO, OptTimingMark, IAC, DO, OptBinary)
				c.asked["will1"], c.asked["do6"], c.asked["do0"] = true, true, true
			}
			c.showLogin()
			return
		default:
			return
		}
	}
}

// showLogin ends the negotiation: the host line and the login prompt go out, and login reads
// what was typed ahead.
func (c *conn) showLogin() {
	c.stage = stageLoginShown
	issue := c.s.cfg.Issue
	if issue == "" {
		issue = fmt.Sprintf("\nLinux %s (%s) (pts/0)\n", shell.KernelRelease, c.s.cfg.Hostname)
	}
	c.writeText(issue + "\n" + c.s.cfg.Hostname + " login: ")
	early := c.early
	c.early = nil
	for _, b := range early {
		if c.phase != phaseDone {
			c.input(b)
		}
	}
}

// waiting says whether an answer to one of the offers keys is still due.
func (c *conn) waiting(keys []string) bool {
	for _, k := range keys {
		if c.asked[k] {
			return true
		}
	}
	return false
}

func (c *conn) note(step string) {
	for _, s := range c.seen {
		if s == step {
			return
		}
	}
	if len(c.seen) < maxOptions {
		c.seen = append(c.seen, step)
	}
}

// Options the honeypot takes when the client offers them unasked, as telnetd does.
var (
	takesFromClient = map[byte]bool{OptBinary: true, OptTTYPE: true, OptNAWS: true, OptTSPEED: true, OptLFlow: true,
		OptLinemode: true, OptXDISPLOC: true, OptEnviron: true, OptNewEnv: true}
	offersItself = map[byte]bool{OptBinary: true, OptEcho: true, OptSGA: true, OptStatus: true}
)

// command answers one telnet command from the client. An answer to an offer of ours is taken
// silently; an unasked offer is taken or refused.
func (c *conn) command(cmd Command) {
	c.note(cmd.String())
	key := func(v string) string { return fmt.Sprintf("%s%d", v, cmd.Opt) }
	switch cmd.Verb {
	case WILL:
		switch {
		case c.asked[key("do")]:
			delete(c.asked, key("do"))
			c.them[cmd.Opt] = true
			if c.stage == stageLoginShown && slices.Contains(subnegOrder, cmd.Opt) {
				// a late answer (after the prompt hold): its SEND follows at once
				c.out = append(c.out, IAC, SB, cmd.Opt, 1, IAC, SE)
			}
		case c.them[cmd.Opt]:
		case takesFromClient[cmd.Opt]:
			c.them[cmd.Opt] = true
			c.out = append(c.out, IAC, DO, cmd.Opt)
			if cmd.Opt == OptLinemode {
				// telnetd acknowledges the client's line mode (MODE_ACK) at once.
				c.out = append(c.out, IAC, SB, OptLinemode, 1, 0x10, IAC, SE, 0)
				c.modeSent = true
			}
			if c.stage != stageOffers && slices.Contains(subnegOrder, cmd.Opt) {
				c.out = append(c.out, IAC, SB, cmd.Opt, 1, IAC, SE)
			}
		default:
			c.out = append(c.out, IAC, DONT, cmd.Opt)
		}
	case WONT:
		if c.asked[key("do")] {
			delete(c.asked, key("do"))
		} else if c.them[cmd.Opt] {
			c.out = append(c.out, IAC, DONT, cmd.Opt)
		}
		c.them[cmd.Opt] = false
	case DO:
		switch {
		case c.asked[key("will")]:
			delete(c.asked, key("will"))
			c.us[cmd.Opt] = true
		case c.us[cmd.Opt]:
		case offersItself[cmd.Opt]:
			c.us[cmd.Opt] = true
			c.out = append(c.out, IAC, WILL, cmd.Opt)
		default:
			c.out = append(c.out, IAC, WONT, cmd.Opt)
		}
		if cmd.Opt == OptEcho && c.us[OptEcho] {
			c.echo = true
			c.ed.Echo = c.phase != phasePass
		}
	case DONT:
		if c.asked[key("will")] {
			delete(c.asked, key("will"))
			if cmd.Opt == OptEcho && c.stage == stageLoginShown && !c.reoffered {
				// telnetd offers a refused ECHO once more, with SGA.
				c.reoffered = true
				c.out = append(c.out, IAC, WILL, OptSGA, IAC, WILL, OptEcho)
				c.asked["will3"], c.asked["will1"] = true, true
			}
		} else if c.us[cmd.Opt] {
			c.out = append(c.out, IAC, WONT, cmd.Opt)
		}
		c.us[cmd.Opt] = false
		if cmd.Opt == OptEcho {
			c.echo = false
			c.ed.Echo = false
		}
	case SB:
		if len(cmd.Data) > 0 && cmd.Data[0] == 0 { // IS: the answer to our SEND
			delete(c.sbWait, cmd.Opt)
		}
		switch cmd.Opt {
		case OptTTYPE:
			if t, ok := parseTTYPE(cmd.Data); ok && !c.ttype {
				c.ttype = true
				c.tr.Note("terminal type " + t)
			}
		case OptNAWS:
			if w, h, ok := parseNAWS(cmd.Data); ok && !c.naws {
				c.naws = true
				c.tr.Note(fmt.Sprintf("window size %dx%d", w, h))
			}
		case OptNewEnv, OptEnviron:
			if vars := parseEnv(cmd.Data); len(vars) > 0 {
				c.tr.Note("environment " + strings.Join(vars, " "))
			}
		}
	case IP, BRK:
		c.input(0x03)
	case EC:
		c.input(0x7f)
	case EL:
		c.input(0x15)
	case AYT:
		c.writeText("\n[Yes]\n")
	}
}
