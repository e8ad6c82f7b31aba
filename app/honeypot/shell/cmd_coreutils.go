package shell

import (
	"crypto/md5"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cmdDate prints the date, with +FORMAT in strftime syntax.
func cmdDate(s *Session, args []string) int {
	now := s.opt.Now().UTC()
	for _, a := range args {
		if strings.HasPrefix(a, "+") {
			s.print(strftime(a[1:], now), "\n")
			return 0
		}
	}
	s.print(now.Format("Mon Jan _2 03:04:05 PM MST 2006"), "\n")
	return 0
}

func strftime(f string, t time.Time) string {
	var sb strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			sb.WriteByte(f[i])
			continue
		}
		i++
		layout := map[byte]string{'Y': "2006", 'm': "01", 'd': "02", 'H': "15", 'M': "04", 'S': "05", 'y': "06",
			'b': "Jan", 'h': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'e': "_2", 'Z': "MST", 'z': "-0700",
			'F': "2006-01-02", 'T': "15:04:05", 'D': "01/02/06", 'R': "15:04", 'I': "03", 'p': "PM", 'c': "Mon Jan _2 15:04:05 2006"}[f[i]]
		switch {
		case layout != "":
			sb.WriteString(t.Format(layout))
		case f[i] == 's':
			sb.WriteString(strconv.FormatInt(t.Unix(), 10))
		case f[i] == 'N':
			sb.WriteString(fmt.Sprintf("%09d", t.Nanosecond()))
		case f[i] == 'j':
			sb.WriteString(fmt.Sprintf("%03d", t.YearDay()))
		case f[i] == 'u':
			sb.WriteString(strconv.Itoa((int(t.Weekday())+6)%7 + 1))
		case f[i] == 'n':
			sb.WriteByte('\n')
		case f[i] == '%':
			sb.WriteByte('%')
		default:
			sb.WriteByte('%')
			sb.WriteByte(f[i])
		}
	}
	return sb.String()
}

func cmdEnv(s *Session, args []string) int {
	if len(args) > 0 && !strings.Contains(args[0], "=") && !strings.HasPrefix(args[0], "-") {
		s.exec(args)
		return s.status
	}
	for _, k := range s.exported {
		s.print(k, "=", s.vars[k], "\n")
	}
	s.print("_=/usr/bin/env\n")
	return 0
}

func cmdPrintenv(s *Session, args []string) int {
	if len(args) == 0 {
		return cmdEnv(s, nil)
	}
	st := 0
	for _, a := range args {
		if s.isExported(a) {
			s.print(s.vars[a], "\n")
		} else {
			st = 1
		}
	}
	return st
}

func cmdTty(s *Session, _ []string) int {
	if s.opt.Exec {
		s.print("not a tty\n")
		return 1
	}
	s.print("/dev/pts/0\n")
	return 0
}

func cmdClear(s *Session, _ []string) int {
	if s.opt.Exec {
		s.errorf("TERM environment variable not set.\n")
		return 1
	}
	s.print("\x1b[H\x1b[2J\x1b[3J")
	return 0
}

// cmdSleep waits, within the session's bounds on waiting.
func cmdSleep(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("sleep: missing operand\nTry 'sleep --help' for more information.\n")
		return 1
	}
	var total time.Duration
	for _, a := range args {
		unit := time.Second
		num := a
		if n := len(a); n > 0 {
			switch a[n-1] {
			case 's':
				num = a[:n-1]
			case 'm':
				unit, num = time.Minute, a[:n-1]
			case 'h':
				unit, num = time.Hour, a[:n-1]
			case 'd':
				unit, num = 24*time.Hour, a[:n-1]
			}
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || v < 0 {
			s.errorf("sleep: invalid time interval ‘%s’\nTry 'sleep --help' for more information.\n", a)
			return 1
		}
		total += time.Duration(min(v*float64(unit), float64(24*time.Hour)))
	}
	s.pause(total)
	return 0
}

func cmdSeq(s *Session, args []string) int {
	nums := make([]int64, 0, 3)
	for _, a := range args {
		v, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			s.errorf("seq: invalid floating point argument: ‘%s’\nTry 'seq --help' for more information.\n", a)
			return 1
		}
		nums = append(nums, v)
	}
	first, step, last := int64(1), int64(1), int64(0)
	switch len(nums) {
	case 1:
		last = nums[0]
	case 2:
		first, last = nums[0], nums[1]
	case 3:
		first, step, last = nums[0], nums[1], nums[2]
	default:
		s.errorf("seq: missing operand\nTry 'seq --help' for more information.\n")
		return 1
	}
	if step == 0 {
		s.errorf("seq: invalid Zero increment value: ‘0’\nTry 'seq --help' for more information.\n")
		return 1
	}
	var sb strings.Builder
	for v := first; (step > 0 && v <= last || step < 0 && v >= last) && sb.Len() < maxOutput; v += step {
		sb.WriteString(strconv.FormatInt(v, 10))
		sb.WriteByte('\n')
	}
	s.print(sb.String())
	return 0
}

// cmdYes prints until its output is full (a real yes would until killed).
func cmdYes(s *Session, args []string) int {
	text := "y"
	if len(args) > 0 {
		text = strings.Join(args, " ")
	}
	line := text + "\n"
	s.print(strings.Repeat(line, maxOutput/len(line)+1))
	return 0
}

func cmdBasename(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("basename: missing operand\nTry 'basename --help' for more information.\n")
		return 1
	}
	b := strings.TrimRight(args[0], "/")
	if i := strings.LastIndexByte(b, '/'); i >= 0 {
		b = b[i+1:]
	}
	if len(args) > 1 {
		b = strings.TrimSuffix(b, args[1])
	}
	s.print(b, "\n")
	return 0
}

func cmdDirname(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("dirname: missing operand\nTry 'dirname --help' for more information.\n")
		return 1
	}
	d := strings.TrimRight(args[0], "/")
	i := strings.LastIndexByte(d, '/')
	switch {
	case i < 0:
		d = "."
	case i == 0:
		d = "/"
	default:
		d = d[:i]
	}
	s.print(d, "\n")
	return 0
}

func cmdFind(s *Session, args []string) int {
	root := "."
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		root, args = args[0], args[1:]
	}
	namePat, kind := "", ""
	for i := 0; i+1 < len(args); i++ {
		switch args[i] {
		case "-name", "-iname":
			namePat = args[i+1]
		case "-type":
			kind = args[i+1]
		}
	}
	n, _ := s.resolve(root)
	if n == nil {
		s.errorf("find: ‘%s’: No such file or directory\n", root)
		return 1
	}
	st := 0
	var walk func(p string, n *node, depth int)
	walk = func(p string, n *node, depth int) {
		if !s.step() || depth > 16 {
			return
		}
		if (namePat == "" || matchGlob(namePat, n.name) || depth == 0 && matchGlob(namePat, p)) &&
			(kind == "" || kind == "d" && n.dir || kind == "f" && !n.dir && n.link == "" || kind == "l" && n.link != "") {
			s.print(p, "\n")
		}
		if !n.dir || n.link != "" {
			return
		}
		if !s.canRead(n) {
			s.errorf("find: ‘%s’: Permission denied\n", p)
			st = 1
			return
		}
		for _, k := range n.names() {
			walk(strings.TrimSuffix(p, "/")+"/"+k, n.kids[k], depth+1)
		}
	}
	walk(root, n, 0)
	return st
}

func cmdMd5sum(s *Session, args []string) int {
	return checksum(s, "md5sum", args, func(b []byte) string { return fmt.Sprintf("%x", md5.Sum(b)) })
}

func cmdSha256sum(s *Session, args []string) int {
	return checksum(s, "sha256sum", args, func(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) })
}

func checksum(s *Session, prog string, args []string, sum func([]byte) string) int {
	_, _, ops := flags(args)
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	st := 0
	for _, p := range ops {
		c, ok := s.readable(prog, p)
		if !ok {
			st = 1
			continue
		}
		s.charge(len(c))
		s.printf("%s  %s\n", sum([]byte(c)), p)
	}
	return st
}
