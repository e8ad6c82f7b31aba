package shell

import (
	"regexp"
	"strconv"
	"strings"
)

// Tests: test, [ and [[.

func cmdTest(s *Session, args []string) int { return s.evalTest(args, nil) }

func (s *Session) bracketTest(args []string) int {
	if len(args) == 0 || args[len(args)-1] != "]" {
		s.errorf("%s[: missing `]'\n", s.errPrefix())
		return 2
	}
	return s.evalTest(args[:len(args)-1], nil)
}

// condTest evaluates [[ ]]: like test, with && || ( ) and patterns.
func (s *Session) condTest(args []string, quoted []bool) int {
	// split on || then && (loosest first)
	for _, op := range []string{"||", "&&"} {
		depth := 0
		for i, a := range args {
			switch a {
			case "(":
				depth++
			case ")":
				depth--
			}
			if a == op && depth == 0 && !quoted[i] {
				l := s.condTest(args[:i], quoted[:i])
				if op == "||" && l == 0 || op == "&&" && l != 0 {
					return l
				}
				return s.condTest(args[i+1:], quoted[i+1:])
			}
		}
	}
	if len(args) > 0 && args[0] == "!" {
		return int(boolInt(s.condTest(args[1:], quoted[1:]) == 0))
	}
	if len(args) >= 2 && args[0] == "(" && args[len(args)-1] == ")" {
		return s.condTest(args[1:len(args)-1], quoted[1:len(args)-1])
	}
	if len(args) == 3 {
		switch args[1] {
		case "==", "=":
			return int(boolInt(!matchGlob(args[2], args[0])))
		case "!=":
			return int(boolInt(matchGlob(args[2], args[0])))
		case "=~":
			re, err := regexp.Compile(args[2])
			if err != nil {
				return 2
			}
			return int(boolInt(!re.MatchString(args[0])))
		case "<":
			return int(boolInt(!(args[0] < args[2])))
		case ">":
			return int(boolInt(!(args[0] > args[2])))
		}
	}
	return s.evalTest(args, quoted)
}

// evalTest is test(1): unary file and string tests, binary comparisons, ! -a -o.
func (s *Session) evalTest(args []string, _ []bool) int {
	res := func(b bool) int { return int(boolInt(!b)) }
	if len(args) == 0 {
		return 1
	}
	for i, a := range args {
		if a == "-o" && i > 0 && i < len(args)-1 {
			if s.evalTest(args[:i], nil) == 0 {
				return 0
			}
			return s.evalTest(args[i+1:], nil)
		}
	}
	for i, a := range args {
		if a == "-a" && i > 0 && i < len(args)-1 {
			if l := s.evalTest(args[:i], nil); l != 0 {
				return l
			}
			return s.evalTest(args[i+1:], nil)
		}
	}
	if args[0] == "!" && len(args) > 1 {
		r := s.evalTest(args[1:], nil)
		if r == 2 {
			return 2
		}
		return res(r != 0)
	}
	switch len(args) {
	case 1:
		return res(args[0] != "")
	case 2:
		op, v := args[0], args[1]
		switch op {
		case "-z":
			return res(v == "")
		case "-n":
			return res(v != "")
		case "-e", "-a", "-f", "-d", "-s", "-r", "-w", "-x", "-L", "-h", "-c", "-b", "-p", "-S":
			return res(s.fileTest(op, v))
		case "-t":
			return res(s.io.tty)
		}
		s.errorf("%stest: %s: unary operator expected\n", s.errPrefix(), op)
		return 2
	case 3:
		a, op, b := args[0], args[1], args[2]
		switch op {
		case "=", "==":
			return res(a == b)
		case "!=":
			return res(a != b)
		case "<":
			return res(a < b)
		case ">":
			return res(a > b)
		case "-eq", "-ne", "-lt", "-le", "-gt", "-ge":
			x, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
			y, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
			if err1 != nil || err2 != nil {
				bad := a
				if err1 == nil {
					bad = b
				}
				s.errorf("%stest: %s: integer expression expected\n", s.errPrefix(), bad)
				return 2
			}
			return res(map[string]bool{"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y, "-ge": x >= y}[op])
		case "-nt", "-ot", "-ef":
			return 1
		}
		s.errorf("%stest: %s: binary operator expected\n", s.errPrefix(), op)
		return 2
	}
	s.errorf("%stest: too many arguments\n", s.errPrefix())
	return 2
}

func (s *Session) fileTest(op, p string) bool {
	var n *node
	if op == "-L" || op == "-h" {
		abs := s.abs(p)
		dir, _ := s.lookupPath(abs[:strings.LastIndexByte(abs, '/')+1], 0)
		if dir == nil || !dir.dir {
			return false
		}
		l := dir.kids[abs[strings.LastIndexByte(abs, '/')+1:]]
		return l != nil && l.link != ""
	}
	n, _ = s.resolve(p)
	if n == nil {
		return false
	}
	switch op {
	case "-f":
		return !n.dir && n.mode[0] == '-'
	case "-d":
		return n.dir
	case "-s":
		return n.length() > 0
	case "-r":
		return s.canRead(n)
	case "-w":
		return s.uid == 0 || n.owner == s.opt.User
	case "-x":
		return n.executable() && s.canRead(n)
	case "-c":
		return n.mode[0] == 'c'
	case "-b":
		return n.mode[0] == 'b'
	case "-p", "-S":
		return false
	}
	return true
}
