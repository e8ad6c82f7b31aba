package shell

import (
	"strconv"
	"strings"
	"time"
)

// cmdLs lists files as GNU ls does, in columns or long form (-l), from the fake file system.
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
