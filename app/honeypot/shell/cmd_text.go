package shell

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

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
