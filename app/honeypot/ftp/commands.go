package ftp

import (
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
)

// A command answers one FTP command, given its verb (upper-cased) and argument; false ends the
// session.
type command func(s *session, verb, arg string) bool

// beforeLogin are the commands vsftpd answers before a login too.
var beforeLogin = map[string]command{
	"QUIT": func(s *session, _, _ string) bool {
		s.reply(221, "Goodbye.")
		s.reason = "client quit"
		return false
	},
	"USER": goOn((*session).user),
	"PASS": func(s *session, _, arg string) bool { return s.pass(arg) },
	"FEAT": written(featText),
	"OPTS": goOn((*session).opts),
}

// commands are the commands answered after a login; any other verb is unknown.
var commands = map[string]command{
	"SYST": fixed(215, "UNIX Type: L8"),
	"HELP": written(helpText),
	"NOOP": fixed(200, "NOOP ok."),
	"PWD":  goOn((*session).pwd),
	"XPWD": goOn((*session).pwd),
	"CWD":  goOn((*session).cwdTo),
	"XCWD": goOn((*session).cwdTo),
	"CDUP": goOn((*session).cdup),
	"XCUP": goOn((*session).cdup),
	"TYPE": goOn((*session).setType),
	"MODE": goOn(func(s *session, _, arg string) { s.onlyValue(arg, "S", "Mode set to S.", "Bad MODE command.") }),
	"STRU": goOn(func(s *session, _, arg string) { s.onlyValue(arg, "F", "Structure set to F.", "Bad STRU command.") }),
	"ALLO": fixed(202, "ALLO command ignored."),
	"REST": goOn((*session).rest),
	"ABOR": fixed(225, "No transfer to ABOR."),
	"STAT": goOn(func(s *session, _, arg string) { s.stat(arg) }),
	"SITE": goOn(func(s *session, _, arg string) { s.site(arg) }),
	"ACCT": goOn((*session).notImplemented),
	"SMNT": goOn((*session).notImplemented),
	"REIN": goOn((*session).notImplemented),
	"PASV": goOn(func(s *session, _, arg string) { s.passive(false, arg) }),
	"EPSV": goOn(func(s *session, _, arg string) { s.passive(true, arg) }),
	"PORT": goOn((*session).port),
	"EPRT": goOn((*session).port),
	"LIST": goOn(func(s *session, _, arg string) { s.list(true, arg) }),
	"NLST": goOn(func(s *session, _, arg string) { s.list(false, arg) }),
	"RETR": goOn(func(s *session, _, arg string) { s.retr(arg) }),
	"STOR": goOn((*session).stor),
	"APPE": goOn((*session).stor),
	"STOU": goOn((*session).stor),
	"SIZE": goOn(func(s *session, _, arg string) {
		s.fileFact(arg, "Could not get file size.", func(n *node) string { return strconv.FormatInt(n.fileSize(), 10) })
	}),
	"MDTM": goOn(func(s *session, _, arg string) {
		s.fileFact(arg, "Could not get file modification time.", func(n *node) string { return n.mod.UTC().Format("20060102150405") })
	}),
	"MKD":  goOn((*session).mkd),
	"XMKD": goOn((*session).mkd),
	"RMD":  goOn((*session).rmd),
	"XRMD": goOn((*session).rmd),
	"DELE": goOn((*session).dele),
	"RNFR": goOn((*session).rnfr),
	"RNTO": goOn((*session).rnto),
}

// handle answers one command; false ends the session.
func (s *session) handle(verb, arg string) bool {
	if c, ok := beforeLogin[verb]; ok {
		return c(s, verb, arg)
	}
	if verb == "" && arg == "" { // vsftpd ignores empty lines
		return true
	}
	if !s.isLoggedIn {
		s.reply(530, "Please login with USER and PASS.")
		return true
	}
	c, ok := commands[verb]
	if !ok {
		s.reply(500, "Unknown command.")
		return true
	}
	return c(s, verb, arg)
}

// goOn is a command that never ends the session.
func goOn(answer func(s *session, verb, arg string)) command {
	return func(s *session, verb, arg string) bool {
		answer(s, verb, arg)
		return true
	}
}

// fixed answers with one reply, whatever the argument.
func fixed(code int, text string) command {
	return goOn(func(s *session, _, _ string) { s.reply(code, text) })
}

// written answers with a multi-line reply written as it is.
func written(reply string) command {
	return goOn(func(s *session, _, _ string) { _, _ = io.WriteString(s.conn, reply) })
}

const helpText = "214-The following commands are recognized.\r\n" +
	" ABOR ACCT ALLO APPE CDUP CWD  DELE EPRT EPSV FEAT HELP LIST MDTM MKD\r\n" +
	" MODE NLST NOOP OPTS PASS PASV PORT PWD  QUIT REIN REST RETR RMD  RNFR\r\n" +
	" RNTO SITE SIZE SMNT STAT STOR STOU STRU SYST TYPE USER XCUP XCWD XMKD\r\n" +
	" XPWD XRMD\r\n" +
	"214 Help OK.\r\n"

// featText is vsftpd's FEAT without TLS: it does not list UTF8, though OPTS UTF8 ON is accepted.
const featText = "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n"

func (s *session) user(_, arg string) {
	if s.isLoggedIn {
		if s.guest {
			s.reply(530, "Can't change from guest user.")
		} else {
			s.reply(530, "Can't change to another user.")
		}
		return
	}
	s.pendUser, s.haveUser = arg, true
	s.reply(331, "Please specify the password.")
}

func (s *session) opts(_, arg string) {
	if strings.EqualFold(strings.TrimSpace(arg), "UTF8 ON") {
		s.reply(200, "Always in UTF8 mode.")
	} else {
		s.reply(501, "Option not understood.")
	}
}

func (s *session) setType(_, arg string) {
	switch strings.ToUpper(strings.TrimSpace(arg)) {
	case "A", "A N":
		s.binary = false
		s.reply(200, "Switching to ASCII mode.")
	case "I", "L 8":
		s.binary = true
		s.reply(200, "Switching to Binary mode.")
	default:
		s.reply(500, "Unrecognised TYPE command.")
	}
}

// onlyValue answers MODE and STRU, which take one value only (stream mode, file structure).
func (s *session) onlyValue(arg, value, ok, bad string) {
	if strings.EqualFold(arg, value) {
		s.reply(200, ok)
	} else {
		s.reply(504, bad)
	}
}

func (s *session) rest(_, arg string) {
	n, _ := strconv.ParseInt(strings.TrimSpace(arg), 10, 64)
	s.reply(350, fmt.Sprintf("Restart position accepted (%d).", max(n, 0)))
}

func (s *session) notImplemented(verb, _ string) { s.reply(502, verb+" not implemented.") }

// The commands on the session's file tree.

func (s *session) pwd(_, _ string) { s.reply(257, `"`+s.cwd+`" is the current directory`) }

func (s *session) cwdTo(_, arg string) {
	p := resolve(s.cwd, arg)
	if n, ok := s.fs[p]; ok && n.dir {
		s.cwd = p
		s.reply(250, "Directory successfully changed.")
	} else {
		s.reply(550, "Failed to change directory.")
	}
}

func (s *session) cdup(_, _ string) {
	s.cwd = path.Dir(s.cwd)
	s.reply(250, "Directory successfully changed.")
}

// fileFact answers SIZE and MDTM: fact of a file (not a directory), or failure.
func (s *session) fileFact(arg, failure string, fact func(n *node) string) {
	if n, ok := s.fs[resolve(s.cwd, arg)]; ok && !n.dir {
		s.reply(213, fact(n))
	} else {
		s.reply(550, failure)
	}
}

func (s *session) mkd(_, arg string) {
	p := resolve(s.cwd, arg)
	if parent, ok := s.fs[path.Dir(p)]; ok && parent.dir && s.fs[p] == nil && arg != "" && len(s.fs) < maxNodes {
		s.fs[p] = &node{dir: true, mod: time.Now()}
		s.reply(257, `"`+p+`" created`)
	} else {
		s.reply(550, "Create directory operation failed.")
	}
}

func (s *session) rmd(_, arg string) {
	p := resolve(s.cwd, arg)
	if n, ok := s.fs[p]; ok && n.dir && p != "/" && len(s.fs.children(p)) == 0 {
		delete(s.fs, p)
		s.reply(250, "Remove directory operation successful.")
	} else {
		s.reply(550, "Remove directory operation failed.")
	}
}

func (s *session) dele(_, arg string) {
	p := resolve(s.cwd, arg)
	if n, ok := s.fs[p]; ok && !n.dir {
		delete(s.fs, p)
		s.reply(250, "Delete operation successful.")
	} else {
		s.reply(550, "Delete operation failed.")
	}
}

func (s *session) rnfr(_, arg string) {
	p := resolve(s.cwd, arg)
	if _, ok := s.fs[p]; ok && p != "/" {
		s.renameFrom = p
		s.reply(350, "Ready for RNTO.")
	} else {
		s.reply(550, "RNFR command failed.")
	}
}

func (s *session) rnto(_, arg string) {
	if s.renameFrom == "" {
		s.reply(503, "RNFR required first.")
		return
	}
	from, to := s.renameFrom, resolve(s.cwd, arg)
	s.renameFrom = ""
	if n, ok := s.fs[from]; ok && !n.dir && s.fs[to] == nil && s.fs[path.Dir(to)] != nil {
		delete(s.fs, from)
		s.fs[to] = n
		s.reply(250, "Rename successful.")
	} else {
		s.reply(550, "Rename failed.")
	}
}
