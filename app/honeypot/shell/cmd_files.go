package shell

import (
	"encoding/base64"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
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

func cmdLs(s *Session, args []string) int {
	f, long, ops := flags(args)
	for c := range f {
		if !strings.ContainsRune("laAh1dtrSFGin", rune(c)) {
			s.errorf("ls: invalid option -- '%c'\nTry 'ls --help' for more information.\n", c)
			return 2
		}
	}
	for _, l := range long {
		if l == "--all" {
			f['a'] = true
		}
	}
	if f['n'] {
		f['l'] = true
	}
	if len(ops) == 0 {
		ops = []string{"."}
	}
	status := 0
	var files []*node
	var fileNames []string
	type dirOp struct {
		name string
		n    *node
	}
	var dirs []dirOp
	for _, op := range ops {
		n, _ := s.resolve(op)
		if n == nil {
			s.errorf("ls: cannot access '%s': No such file or directory\n", op)
			status = 2
			continue
		}
		if n.dir && !f['d'] {
			dirs = append(dirs, dirOp{op, n})
		} else {
			files = append(files, n)
			fileNames = append(fileNames, op)
		}
	}
	if len(files) > 0 {
		s.lsEntries(files, fileNames, f)
	}
	for i, d := range dirs {
		if len(ops) > 1 {
			if i > 0 || len(files) > 0 {
				s.print("\n")
			}
			s.print(d.name, ":\n")
		}
		if !s.canRead(d.n) {
			s.errorf("ls: cannot open directory '%s': Permission denied\n", d.name)
			status = 2
			continue
		}
		var ents []*node
		var names []string
		if f['a'] {
			parent, _ := s.resolve(s.abs(d.name) + "/..")
			if parent == nil {
				parent = d.n
			}
			ents = append(ents, d.n, parent)
			names = append(names, ".", "..")
		}
		for _, name := range d.n.names() {
			if strings.HasPrefix(name, ".") && !f['a'] && !f['A'] {
				continue
			}
			ents = append(ents, d.n.kids[name])
			names = append(names, name)
		}
		if f['l'] {
			total := 0
			for _, e := range ents {
				total += e.blocks()
			}
			s.printf("total %d\n", total)
		}
		s.lsEntries(ents, names, f)
	}
	return status
}

func (s *Session) lsEntries(ents []*node, names []string, f map[byte]bool) {
	if !f['l'] {
		if len(names) == 0 {
			return
		}
		if f['1'] || !s.io.tty {
			s.print(strings.Join(names, "\n"), "\n")
		} else {
			s.print(columns(names, 80))
		}
		return
	}
	wLinks, wOwner, wGroup, wSize := 1, 1, 1, 1
	sizes := make([]string, len(ents))
	owners := make([]string, len(ents))
	groups := make([]string, len(ents))
	for i, e := range ents {
		sizes[i] = strconv.Itoa(e.length())
		if f['h'] {
			sizes[i] = human(int64(e.length()))
		}
		owners[i], groups[i] = e.owner, e.group
		if f['n'] {
			owners[i], groups[i] = strconv.Itoa(s.idOf(e.owner)), strconv.Itoa(s.idOf(e.group))
		}
		wSize = max(wSize, len(sizes[i]))
		wOwner = max(wOwner, len(owners[i]))
		wGroup = max(wGroup, len(groups[i]))
		wLinks = max(wLinks, len(strconv.Itoa(e.links())))
	}
	now := s.opt.Now()
	for i, e := range ents {
		date := e.mtime.UTC().Format("Jan _2 15:04")
		if now.Sub(e.mtime) > 180*24*time.Hour || e.mtime.After(now) {
			date = e.mtime.UTC().Format("Jan _2  2006")
		}
		name := names[i]
		if e.link != "" {
			name += " -> " + e.link
		}
		s.printf("%s %*d %-*s %-*s %*s %s %s\n", e.mode, wLinks, e.links(), wOwner, owners[i], wGroup, groups[i], wSize, sizes[i], date, name)
	}
}

// columns lays names out in columns down then across, as ls does on a terminal.
func columns(names []string, width int) string {
	for cols := len(names); cols > 1; cols-- {
		rows := (len(names) + cols - 1) / cols
		widths := make([]int, cols)
		total := 0
		for c := 0; c < cols; c++ {
			for r := 0; r < rows; r++ {
				if i := c*rows + r; i < len(names) {
					widths[c] = max(widths[c], len(names[i]))
				}
			}
			total += widths[c]
			if c < cols-1 {
				total += 2
			}
		}
		if total >= width || (len(names)+rows-1)/rows < cols {
			continue
		}
		var sb strings.Builder
		for r := 0; r < rows; r++ {
			for c := 0; c < cols; c++ {
				i := c*rows + r
				if i >= len(names) {
					continue
				}
				sb.WriteString(names[i])
				if next := (c+1)*rows + r; next < len(names) {
					sb.WriteString(strings.Repeat(" ", widths[c]-len(names[i])+2))
				}
			}
			sb.WriteByte('\n')
		}
		return sb.String()
	}
	return strings.Join(names, "\n") + "\n"
}

// idOf is the numeric id of a user or group name.
func (s *Session) idOf(name string) int {
	if id := uidOf(s.passwd, name); id >= 0 {
		return id
	}
	for _, l := range strings.Split(s.group, "\n") {
		f := strings.Split(l, ":")
		if len(f) > 2 && f[0] == name {
			n, _ := strconv.Atoi(f[2])
			return n
		}
	}
	return 0
}

func human(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10)
	}
	units := "KMGT"
	v := float64(n)
	i := -1
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + string(units[i])
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + string(units[i])
}

// readable returns the contents of a file for cat-like commands, or prints their error.
func (s *Session) readable(cmd, p string) (string, bool) {
	if p == "-" {
		return s.io.in.rest(), true
	}
	n, _ := s.resolve(p)
	switch {
	case n == nil:
		s.errorf("%s: %s: No such file or directory\n", cmd, p)
		return "", false
	case n.dir:
		s.errorf("%s: %s: Is a directory\n", cmd, p)
		return "", false
	case !s.canRead(n):
		s.errorf("%s: %s: Permission denied\n", cmd, p)
		return "", false
	}
	if n.gen != nil {
		return n.gen(s), true
	}
	return n.content, true
}

// inputs returns what a filter reads: its file operands, or standard input without any.
func (s *Session) inputs(cmd string, ops []string) (string, bool) {
	if len(ops) == 0 {
		return s.io.in.rest(), true
	}
	var sb strings.Builder
	ok := true
	for _, p := range ops {
		c, good := s.readable(cmd, p)
		ok = ok && good
		sb.WriteString(c)
	}
	return sb.String(), ok
}

func status(ok bool) int {
	if ok {
		return 0
	}
	return 1
}

func cmdCat(s *Session, args []string) int {
	_, _, ops := flags(args)
	c, ok := s.inputs("cat", ops)
	s.print(c)
	return status(ok)
}

// countArg removes -n N / -N / -nN from head and tail arguments and returns N.
func countArg(args []string) (n int, fromStart bool, rest []string) {
	n = 10
	for i := 0; i < len(args); i++ {
		a := args[i]
		v := ""
		switch {
		case (a == "-n" || a == "-c") && i+1 < len(args):
			v = args[i+1]
			i++
		case strings.HasPrefix(a, "-n"):
			v = a[2:]
		case len(a) > 1 && a[0] == '-' && a[1] >= '0' && a[1] <= '9':
			v = a[1:]
		case a == "-f" || a == "-q" || a == "-v":
		default:
			rest = append(rest, a)
			continue
		}
		fromStart = strings.HasPrefix(v, "+")
		if x, err := strconv.Atoi(strings.TrimPrefix(v, "+")); err == nil {
			n = x
		}
	}
	return n, fromStart, rest
}

func cmdHead(s *Session, args []string) int { return headTail(s, "head", args) }
func cmdTail(s *Session, args []string) int { return headTail(s, "tail", args) }

func headTail(s *Session, name string, args []string) int {
	n, fromStart, ops := countArg(args)
	in, ok := s.inputs(name, ops)
	lines := strings.SplitAfter(in, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	switch {
	case name == "head" && n < 0:
		lines = lines[:max(len(lines)+n, 0)]
	case name == "head":
		lines = lines[:min(n, len(lines))]
	case fromStart:
		lines = lines[min(max(n-1, 0), len(lines)):]
	default:
		if n < 0 {
			n = -n
		}
		lines = lines[len(lines)-min(n, len(lines)):]
	}
	s.print(strings.Join(lines, ""))
	return status(ok)
}

func cmdGrep(s *Session, args []string) int {
	f, _, ops := flags(args)
	if len(ops) == 0 {
		s.errorf("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n")
		return 2
	}
	pat := ops[0]
	in, ok := s.inputs("grep", ops[1:])
	if f['i'] {
		pat = strings.ToLower(pat)
	}
	var sb strings.Builder
	count := 0
	for _, l := range strings.SplitAfter(in, "\n") {
		if l == "" {
			continue
		}
		cmp := l
		if f['i'] {
			cmp = strings.ToLower(l)
		}
		if strings.Contains(cmp, pat) != f['v'] {
			count++
			sb.WriteString(l)
			if !strings.HasSuffix(l, "\n") {
				sb.WriteByte('\n')
			}
		}
	}
	switch {
	case f['q']:
	case f['c']:
		s.printf("%d\n", count)
	default:
		s.print(sb.String())
	}
	if !ok {
		return 2
	}
	return status(count > 0)
}

func cmdWc(s *Session, args []string) int {
	f, _, ops := flags(args)
	count := func(in string) string {
		l, w, c := strings.Count(in, "\n"), len(strings.Fields(in)), len(in)
		switch {
		case f['l']:
			return strconv.Itoa(l)
		case f['w']:
			return strconv.Itoa(w)
		case f['c'] || f['m']:
			return strconv.Itoa(c)
		}
		if len(ops) == 0 {
			return fmt.Sprintf("%7d %7d %7d", l, w, c)
		}
		width := len(strconv.Itoa(c))
		return fmt.Sprintf("%*d %*d %*d", width, l, width, w, width, c)
	}
	if len(ops) == 0 {
		s.print(count(s.io.in.rest()), "\n")
		return 0
	}
	st := 0
	for _, p := range ops {
		c, ok := s.readable("wc", p)
		if !ok {
			st = 1
			continue
		}
		s.print(count(c), " ", p, "\n")
	}
	return st
}

func cmdSort(s *Session, args []string) int {
	f, _, ops := flags(args)
	in, ok := s.inputs("sort", ops)
	lines := strings.Split(strings.TrimSuffix(in, "\n"), "\n")
	if in == "" {
		return status(ok)
	}
	if f['n'] {
		sort.SliceStable(lines, func(i, j int) bool {
			a, _ := strconv.ParseFloat(strings.Fields(lines[i] + " 0")[0], 64)
			b, _ := strconv.ParseFloat(strings.Fields(lines[j] + " 0")[0], 64)
			return a < b
		})
	} else {
		sort.Strings(lines)
	}
	if f['r'] {
		for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
			lines[i], lines[j] = lines[j], lines[i]
		}
	}
	if f['u'] {
		lines = uniq(lines)
	}
	s.print(strings.Join(lines, "\n"), "\n")
	return status(ok)
}

func uniq(lines []string) []string {
	var out []string
	for i, l := range lines {
		if i == 0 || l != lines[i-1] {
			out = append(out, l)
		}
	}
	return out
}

func cmdUniq(s *Session, args []string) int {
	_, _, ops := flags(args)
	in, ok := s.inputs("uniq", ops)
	if in != "" {
		s.print(strings.Join(uniq(strings.Split(strings.TrimSuffix(in, "\n"), "\n")), "\n"), "\n")
	}
	return status(ok)
}

func cmdTee(s *Session, args []string) int {
	f, _, ops := flags(args)
	in := s.io.in.rest()
	s.print(in)
	st := 0
	for _, p := range ops {
		if !s.writeTo("tee", p, in, f['a']) {
			st = 1
		}
	}
	return st
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

func cmdBase64(s *Session, args []string) int {
	f, _, ops := flags(args)
	in, ok := s.inputs("base64", ops)
	if !ok {
		return 1
	}
	if f['d'] {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(in), ""))
		s.print(string(b))
		if err != nil {
			s.errorf("base64: invalid input\n")
			return 1
		}
		return 0
	}
	enc := base64.StdEncoding.EncodeToString([]byte(in))
	for len(enc) > 76 {
		s.print(enc[:76], "\n")
		enc = enc[76:]
	}
	s.print(enc, "\n")
	return 0
}

func cmdTr(s *Session, args []string) int {
	f, _, ops := flags(args)
	in := s.io.in.rest()
	if len(ops) == 0 {
		s.errorf("tr: missing operand\nTry 'tr --help' for more information.\n")
		return 1
	}
	set1 := trSet(ops[0])
	if f['d'] {
		s.print(strings.Map(func(r rune) rune {
			if strings.ContainsRune(set1, r) {
				return -1
			}
			return r
		}, in))
		return 0
	}
	if len(ops) < 2 {
		s.errorf("tr: missing operand after '%s'\nTry 'tr --help' for more information.\n", ops[0])
		return 1
	}
	set2 := trSet(ops[1])
	s.print(strings.Map(func(r rune) rune {
		if i := strings.IndexRune(set1, r); i >= 0 && len(set2) > 0 {
			return rune(set2[min(i, len(set2)-1)])
		}
		return r
	}, in))
	return 0
}

// trSet expands a tr set: ranges a-z and the classes [:upper:] and [:lower:].
func trSet(spec string) string {
	spec = strings.NewReplacer("[:upper:]", "A-Z", "[:lower:]", "a-z", "[:digit:]", "0-9", `\n`, "\n", `\t`, "\t").Replace(spec)
	var sb strings.Builder
	for i := 0; i < len(spec); i++ {
		if i+2 < len(spec) && spec[i+1] == '-' && spec[i] <= spec[i+2] {
			for c := spec[i]; c <= spec[i+2] && c >= spec[i]; c++ {
				sb.WriteByte(c)
				if c == 255 {
					break
				}
			}
			i += 2
			continue
		}
		sb.WriteByte(spec[i])
	}
	return sb.String()
}

func cmdCut(s *Session, args []string) int {
	delim, fieldSpec, chars := "\t", "", ""
	var ops []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-d" && i+1 < len(args):
			delim = args[i+1]
			i++
		case strings.HasPrefix(a, "-d"):
			delim = a[2:]
		case a == "-f" && i+1 < len(args):
			fieldSpec = args[i+1]
			i++
		case strings.HasPrefix(a, "-f"):
			fieldSpec = a[2:]
		case (a == "-c" || a == "-b") && i+1 < len(args):
			chars = args[i+1]
			i++
		case strings.HasPrefix(a, "-c") || strings.HasPrefix(a, "-b"):
			chars = a[2:]
		default:
			ops = append(ops, a)
		}
	}
	if chars != "" {
		in, ok := s.inputs("cut", ops)
		for _, l := range strings.SplitAfter(in, "\n") {
			if l == "" {
				continue
			}
			l = strings.TrimSuffix(l, "\n")
			lo, hi, isRange := strings.Cut(chars, "-")
			a, _ := strconv.Atoi(lo)
			b := a
			if isRange {
				b = len(l)
				if hi != "" {
					b, _ = strconv.Atoi(hi)
				}
			}
			a = max(a, 1)
			if a <= len(l) {
				s.print(l[a-1 : min(b, len(l))])
			}
			s.print("\n")
		}
		return status(ok)
	}
	if fieldSpec == "" {
		s.errorf("cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n")
		return 1
	}
	in, ok := s.inputs("cut", ops)
	for _, l := range strings.Split(strings.TrimSuffix(in, "\n"), "\n") {
		if in == "" {
			break
		}
		parts := strings.Split(l, delim[:min(1, len(delim))])
		var picked []string
		for _, fs := range strings.Split(fieldSpec, ",") {
			lo, hi, isRange := strings.Cut(fs, "-")
			a, _ := strconv.Atoi(lo)
			b := a
			if isRange {
				b, _ = strconv.Atoi(hi)
				if hi == "" {
					b = len(parts)
				}
				if lo == "" {
					a = 1
				}
			}
			for k := a; k <= b && k <= len(parts); k++ {
				if k >= 1 {
					picked = append(picked, parts[k-1])
				}
			}
		}
		if len(parts) == 1 {
			picked = parts
		}
		s.print(strings.Join(picked, delim[:min(1, len(delim))]), "\n")
	}
	return status(ok)
}

func cmdXargs(s *Session, args []string) int {
	_, _, ops := flags(args)
	if len(ops) == 0 {
		ops = []string{"echo"}
	}
	words := strings.Fields(s.io.in.rest())
	if len(words) == 0 {
		return 0
	}
	s.exec(append(append([]string(nil), ops...), words...))
	return s.status
}

func cmdSh(s *Session, args []string) int {
	for i, a := range args {
		if a == "-c" && i+1 < len(args) {
			s.subshell(func() {
				s.args = args[i+2:]
				s.runScript(args[i+1])
			})
			return s.status
		}
	}
	_, _, ops := flags(args)
	script := ""
	if len(ops) > 0 {
		c, ok := s.readable("bash", ops[0])
		if !ok {
			return 127
		}
		script = c
	} else {
		// "curl ... | sh": the piped text is the script
		script = s.io.in.rest()
	}
	s.subshell(func() {
		if len(ops) > 1 {
			s.args = ops[1:]
		}
		s.runScript(script)
	})
	return s.status
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
	_, _, ops := flags(args)
	if len(ops) < 2 {
		s.errorf("chmod: missing operand\nTry 'chmod --help' for more information.\n")
		return 1
	}
	st := 0
	for _, p := range ops[1:] {
		n, _ := s.resolve(p)
		switch {
		case n == nil:
			s.errorf("chmod: cannot access '%s': No such file or directory\n", p)
			st = 1
		case s.uid != 0 && n.owner != s.opt.User:
			s.errorf("chmod: changing permissions of '%s': Operation not permitted\n", p)
			st = 1
		case n.immutable:
			s.errorf("chmod: changing permissions of '%s': Operation not permitted\n", p)
			st = 1
		default:
			n.mode = chmodMode(n.mode, ops[0])
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

func cmdChown(s *Session, args []string) int {
	_, _, ops := flags(args)
	if len(ops) < 2 {
		s.errorf("chown: missing operand\nTry 'chown --help' for more information.\n")
		return 1
	}
	st := 0
	for _, p := range ops[1:] {
		n, _ := s.resolve(p)
		switch {
		case n == nil:
			s.errorf("chown: cannot access '%s': No such file or directory\n", p)
			st = 1
		case s.uid != 0:
			s.errorf("chown: changing ownership of '%s': Operation not permitted\n", p)
			st = 1
		}
	}
	return st
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
