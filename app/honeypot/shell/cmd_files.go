package shell

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Programs that read and write files of the fake filesystem, or standard input.

// flags splits args into short option letters and operands ("--" ends options).
func flags(args []string) (set map[byte]bool, long []string, operands []string) {
	set = map[byte]bool{}
	for i, a := range args {
		switch {
		case a == "--":
			return set, long, append(operands, args[i+1:]...)
		case strings.HasPrefix(a, "--"):
			long = append(long, a)
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				set[a[j]] = true
			}
		default:
			operands = append(operands, a)
		}
	}
	return set, long, operands
}

// writeTo writes a file for a program, with the program's own error message.
func (s *Session) writeTo(prog, p, content string, appendTo bool) bool {
	n := s.create(p, func(reason string) { s.errorf("%s: %s: %s\n", prog, p, reason) })
	if n == nil {
		return false
	}
	if !appendTo {
		n.content, n.size = "", 0
	}
	out := &outBuf{max: max(maxWritten-s.written, 0), file: n}
	out.WriteString(content)
	s.store(out)
	n.mtime = s.opt.Now()
	return true
}

func cmdTouch(s *Session, args []string) int {
	_, _, ops := flags(args)
	st := 0
	for _, p := range ops {
		if n, _ := s.resolve(p); n != nil {
			n.mtime = s.opt.Now()
			continue
		}
		if s.create(p, func(reason string) { s.errorf("touch: cannot touch '%s': %s\n", p, reason) }) == nil {
			st = 1
		}
	}
	return st
}

func cmdMkdir(s *Session, args []string) int {
	f, _, ops := flags(args)
	st := 0
	for _, p := range ops {
		parts := []string{s.abs(p)}
		if f['p'] {
			parts = nil
			for d := s.abs(p); d != "/"; d = path.Dir(d) {
				parts = append([]string{d}, parts...)
			}
		}
		for _, abs := range parts {
			dirPath, name := path.Split(abs)
			dir, dirAbs := s.lookupPath(dirPath, 0)
			switch {
			case dir == nil || !dir.dir:
				s.errorf("mkdir: cannot create directory '%s': No such file or directory\n", p)
				st = 1
			case dir.kids[name] != nil:
				if !f['p'] {
					s.errorf("mkdir: cannot create directory '%s': File exists\n", p)
					st = 1
				}
				continue
			case !s.canWrite(dir, dirAbs):
				s.errorf("mkdir: cannot create directory '%s': Permission denied\n", p)
				st = 1
			case s.created >= maxCreated:
				s.errorf("mkdir: cannot create directory '%s': No space left on device\n", p)
				st = 1
			default:
				s.created++
				dir.kids[name] = &node{name: name, dir: true, mode: "drwxr-xr-x", owner: s.opt.User, group: s.opt.User, mtime: s.opt.Now(), kids: map[string]*node{}}
				continue
			}
			break
		}
	}
	return st
}

func cmdRm(s *Session, args []string) int {
	f, _, ops := flags(args)
	st := 0
	for _, p := range ops {
		abs := s.abs(p)
		dirPath, name := path.Split(abs)
		dir, _ := s.lookupPath(dirPath, 0)
		var n *node
		if dir != nil && dir.dir {
			n = dir.kids[name]
		}
		switch {
		case n == nil:
			if !f['f'] {
				s.errorf("rm: cannot remove '%s': No such file or directory\n", p)
				st = 1
			}
		case n.dir && !f['r'] && !f['R']:
			s.errorf("rm: cannot remove '%s': Is a directory\n", p)
			st = 1
		case s.uid != 0 && n.owner != s.opt.User || n.immutable || abs == "/" || strings.HasPrefix(abs, "/proc/") || strings.HasPrefix(abs, "/sys/"):
			if abs == "/" {
				s.errorf("rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n")
			} else if n.immutable {
				s.errorf("rm: cannot remove '%s': Operation not permitted\n", p)
			} else {
				s.errorf("rm: cannot remove '%s': Permission denied\n", p)
			}
			st = 1
		default:
			delete(dir.kids, name)
		}
	}
	return st
}

// cmdCp copies files (mv moves them) inside the fake filesystem.
func cmdCp(s *Session, args []string) int { return copyMove(s, "cp", args) }

func cmdMv(s *Session, args []string) int { return copyMove(s, "mv", args) }

func copyMove(s *Session, prog string, args []string) int {
	_, _, ops := flags(args)
	if len(ops) < 2 {
		s.errorf("%s: missing destination file operand after '%s'\nTry '%s --help' for more information.\n", prog, strings.Join(ops, " "), prog)
		return 1
	}
	dst := ops[len(ops)-1]
	st := 0
	for _, src := range ops[:len(ops)-1] {
		n, _ := s.resolve(src)
		if n == nil {
			s.errorf("%s: cannot stat '%s': No such file or directory\n", prog, src)
			st = 1
			continue
		}
		if n.dir {
			s.errorf("%s: -r not specified; omitting directory '%s'\n", prog, src)
			st = 1
			continue
		}
		target := dst
		if d, _ := s.resolve(dst); d != nil && d.dir {
			target = path.Join(dst, path.Base(src))
		}
		c, ok := s.readable(prog, src)
		if !ok || !s.writeTo(prog, target, c, false) {
			st = 1
			continue
		}
		if t, _ := s.resolve(target); t != nil {
			t.mode = n.mode
		}
		if prog == "mv" {
			cmdRm(s, []string{"-f", src})
		}
	}
	return st
}

func cmdChmod(s *Session, args []string) int {
	return changeEach(s, "chmod", "permissions", args,
		func(n *node) bool { return s.uid != 0 && n.owner != s.opt.User || n.immutable },
		func(n *node, mode string) { n.mode = chmodMode(n.mode, mode) })
}

// cmdChown lets root through without changing the owner: the fake file system keeps one.
func cmdChown(s *Session, args []string) int {
	return changeEach(s, "chown", "ownership", args, func(*node) bool { return s.uid != 0 }, nil)
}

// changeEach runs change (nil: none) on each file operand of chmod or chown, the first operand
// being the mode or owner, and fails like coreutils on a missing operand, a missing file and
// one that denied says the user may not change.
func changeEach(s *Session, prog, what string, args []string, denied func(n *node) bool, change func(n *node, spec string)) int {
	_, _, ops := flags(args)
	if len(ops) < 2 {
		s.errorf("%s: missing operand\nTry '%s --help' for more information.\n", prog, prog)
		return 1
	}
	st := 0
	for _, p := range ops[1:] {
		n, _ := s.resolve(p)
		switch {
		case n == nil:
			s.errorf("%s: cannot access '%s': No such file or directory\n", prog, p)
			st = 1
		case denied(n):
			s.errorf("%s: changing %s of '%s': Operation not permitted\n", prog, what, p)
			st = 1
		case change != nil:
			change(n, ops[0])
		}
	}
	return st
}

// chmodMode applies an octal or symbolic (+x, u+rwx, go-w) mode to an ls mode string.
func chmodMode(mode, spec string) string {
	m := []byte(mode)
	if v, err := strconv.ParseUint(spec, 8, 32); err == nil {
		for i := 0; i < 9; i++ {
			m[1+i] = '-'
			if v&(1<<(8-i)) != 0 {
				m[1+i] = "rwx"[i%3]
			}
		}
		return string(m)
	}
	for _, clause := range strings.Split(spec, ",") {
		i := strings.IndexAny(clause, "+-=")
		if i < 0 {
			continue
		}
		who, op, perms := clause[:i], clause[i], clause[i+1:]
		if who == "" || strings.Contains(who, "a") {
			who = "ugo"
		}
		for _, w := range who {
			base := map[rune]int{'u': 1, 'g': 4, 'o': 7}[w]
			if base == 0 {
				continue
			}
			for k, p := range "rwx" {
				if op == '=' {
					m[base+k] = '-'
				}
				if strings.ContainsRune(perms, p) {
					if op == '-' {
						m[base+k] = '-'
					} else {
						m[base+k] = byte(p)
					}
				}
			}
		}
	}
	return string(m)
}

// cmdChattr sets or clears the immutable flag (+i/-i), which rm and writes honour.
func cmdChattr(s *Session, args []string) int {
	var attrs string
	var ops []string
	for _, a := range args {
		if (strings.HasPrefix(a, "+") || strings.HasPrefix(a, "-") || strings.HasPrefix(a, "=")) && len(a) > 1 && a != "-R" && a != "-V" && a != "-f" {
			attrs = a
		} else if !strings.HasPrefix(a, "-") {
			ops = append(ops, a)
		}
	}
	if attrs == "" || len(ops) == 0 {
		s.errorf("Usage: chattr [-RVf] [-+=aAcCdDeijPsStTuFx] [-p project] [-v version] files...\n")
		return 1
	}
	st := 0
	for _, p := range ops {
		n, _ := s.resolve(p)
		switch {
		case n == nil:
			s.errorf("chattr: No such file or directory while trying to stat %s\n", p)
			st = 1
		case s.uid != 0:
			s.errorf("chattr: Operation not permitted while setting flags on %s\n", p)
			st = 1
		case strings.Contains(attrs, "i"):
			n.immutable = attrs[0] != '-'
		}
	}
	return st
}

func cmdLsattr(s *Session, args []string) int {
	_, _, ops := flags(args)
	for _, p := range ops {
		n, _ := s.resolve(p)
		if n == nil {
			s.errorf("lsattr: No such file or directory while trying to stat %s\n", p)
			return 1
		}
		attr := "--------------e-------"
		if n.immutable {
			attr = "----i---------e-------"
		}
		s.printf("%s %s\n", attr, p)
	}
	return 0
}

func cmdWhich(s *Session, args []string) int {
	st := 0
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if p := s.which(a); p != "" {
			s.print(p, "\n")
		} else {
			st = 1
		}
	}
	return st
}

// which finds a program on PATH in the fake filesystem ("" when there is none).
func (s *Session) which(name string) string {
	if strings.Contains(name, "/") {
		if n, _ := s.resolve(name); n != nil && n.executable() {
			return name
		}
		return ""
	}
	if s.root == nil {
		// the filesystem is not built yet: it holds the host's programs only
		if dir, ok := programs[name]; ok && strings.Contains(":"+s.get("PATH")+":", ":"+dir+":") {
			return dir + "/" + name
		}
		return ""
	}
	for _, dir := range strings.Split(s.get("PATH"), ":") {
		if dir == "" {
			continue
		}
		if n, _ := s.resolve(dir + "/" + name); n != nil && !n.dir && n.executable() {
			return dir + "/" + name
		}
	}
	return ""
}

func cmdCrontab(s *Session, args []string) int {
	f, _, ops := flags(args)
	spool := "/var/spool/cron/crontabs/" + s.opt.User
	n, _ := s.resolve(spool)
	switch {
	case f['l']:
		if n == nil {
			s.errorf("no crontab for %s\n", s.opt.User)
			return 1
		}
		s.print(n.content)
	case f['r']:
		if n == nil {
			s.errorf("no crontab for %s\n", s.opt.User)
			return 1
		}
		s.asRoot(func() { cmdRm(s, []string{"-f", spool}) })
	case f['e']:
		if s.opt.Exec {
			s.errorf("no crontab for %s - using an empty one\nError opening terminal: unknown.\ncrontab: \"/usr/bin/sensible-editor\" exited with status 1\n", s.opt.User)
			return 1
		}
		if n == nil {
			s.errorf("no crontab for %s - using an empty one\n", s.opt.User)
		}
		s.errorf("crontab: installing new crontab\n")
		return 0
	default:
		// crontab FILE or crontab - (standard input): the new table is kept
		content := ""
		if len(ops) == 0 || ops[0] == "-" {
			content = s.io.in.rest()
		} else {
			c, ok := s.readable("crontab", ops[0])
			if !ok {
				return 1
			}
			content = c
		}
		s.asRoot(func() { s.writeTo("crontab", spool, content, false) })
		if n, _ := s.resolve(spool); n != nil {
			n.mode, n.owner, n.group, n.private = "-rw-------", s.opt.User, "crontab", true
		}
	}
	return 0
}

// asRoot runs f with root's file permissions (a setgid program writing its spool).
func (s *Session) asRoot(f func()) {
	uid := s.uid
	s.uid = 0
	f()
	s.uid = uid
}

func cmdFile(s *Session, args []string) int {
	_, _, ops := flags(args)
	for _, p := range ops {
		n, _ := s.resolve(p)
		kind := "cannot open `" + p + "' (No such file or directory)"
		switch {
		case n == nil:
		case n.dir:
			kind = "directory"
		case strings.HasPrefix(n.content, "\x7fELF") || n.content == "" && n.executable() && n.size > 0:
			kind = "ELF 64-bit LSB pie executable, x86-64, version 1 (SYSV), dynamically linked, interpreter /lib64/ld-linux-x86-64.so.2, BuildID[sha1]=" + fmt.Sprintf("%040x", n.size) + ", for GNU/Linux 3.2.0, stripped"
		case strings.HasPrefix(n.content, "#!"):
			kind = "Bourne-Again shell script, ASCII text executable"
		case n.length() == 0:
			kind = "empty"
		default:
			kind = "ASCII text"
		}
		s.printf("%s: %s\n", p, kind)
	}
	return 0
}
