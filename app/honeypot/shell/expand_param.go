package shell

import (
	"strconv"
	"strings"
)

// paramExpand evaluates the inside of ${...}.
func (s *Session) paramExpand(in string) string {
	if strings.HasPrefix(in, "#") && len(in) > 1 {
		return strconv.Itoa(len([]rune(s.get(in[1:]))))
	}
	if strings.HasPrefix(in, "!") && validName(in[1:]) {
		return s.get(s.get(in[1:]))
	}
	n := 0
	if len(in) > 0 && strings.IndexByte("?$#!-@*0123456789", in[0]) >= 0 {
		n = 1
	}
	for n < len(in) && (in[n] == '_' || in[n] >= 'a' && in[n] <= 'z' || in[n] >= 'A' && in[n] <= 'Z' || in[n] >= '0' && in[n] <= '9') {
		n++
	}
	name, op := in[:n], in[n:]
	if name == "" {
		s.errorf("%s${%s}: bad substitution\n", s.errPrefix(), in)
		s.failed = true
		return ""
	}
	v, set := s.lookupVar(name)
	if op == "" {
		return v
	}
	switch {
	case strings.HasPrefix(op, ":-"):
		if v == "" {
			return s.expandString(word(op[2:]))
		}
	case strings.HasPrefix(op, ":="):
		if v == "" {
			v = s.expandString(word(op[2:]))
			s.setVar(name, v)
		}
	case strings.HasPrefix(op, ":+"):
		if v != "" {
			return s.expandString(word(op[2:]))
		}
		return ""
	case strings.HasPrefix(op, ":?"):
		if v == "" {
			msg := s.expandString(word(op[2:]))
			if msg == "" {
				msg = "parameter null or not set"
			}
			s.errorf("%s%s: %s\n", s.errPrefix(), name, msg)
			s.failed = true
		}
	case op[0] == '-':
		if !set {
			return s.expandString(word(op[1:]))
		}
	case op[0] == '=':
		if !set {
			v = s.expandString(word(op[1:]))
			s.setVar(name, v)
		}
	case op[0] == '+':
		if set {
			return s.expandString(word(op[1:]))
		}
		return ""
	case op[0] == ':':
		return s.substring(v, op[1:])
	case op[0] == '#' || op[0] == '%':
		return s.trim(v, op)
	case op[0] == '/':
		return s.replace(v, op[1:])
	case op == "^^":
		return strings.ToUpper(v)
	case op == ",,":
		return strings.ToLower(v)
	case op == "^" && v != "":
		return strings.ToUpper(v[:1]) + v[1:]
	default:
		s.errorf("%s${%s}: bad substitution\n", s.errPrefix(), in)
		s.failed = true
		return ""
	}
	return v
}

func (s *Session) substring(v, spec string) string {
	offStr, lenStr, hasLen := strings.Cut(spec, ":")
	off, ok := s.arithExpand(offStr)
	if !ok {
		return ""
	}
	r := []rune(v)
	if off < 0 {
		off += int64(len(r))
		if off < 0 {
			return ""
		}
	}
	if off > int64(len(r)) {
		return ""
	}
	r = r[off:]
	if hasLen {
		n, ok := s.arithExpand(lenStr)
		if !ok {
			return ""
		}
		if n < 0 {
			n += int64(len(r))
			if n < 0 {
				s.errorf("%s%s: substring expression < 0\n", s.errPrefix(), lenStr)
				s.failed = true
				return ""
			}
		}
		if n < int64(len(r)) {
			r = r[:n]
		}
	}
	return string(r)
}

// trim removes a matching prefix (#, ##) or suffix (%, %%).
func (s *Session) trim(v, op string) string {
	longest := len(op) > 1 && op[1] == op[0]
	pat := op[1:]
	if longest {
		pat = op[2:]
	}
	pat = s.expandPattern(word(pat))
	s.charge(len(v) * (len(pat) + 1))
	if op[0] == '#' {
		for k := 0; k <= len(v); k++ {
			i := k
			if longest {
				i = len(v) - k
			}
			if matchGlob(pat, v[:i]) {
				return v[i:]
			}
		}
		return v
	}
	for k := 0; k <= len(v); k++ {
		i := len(v) - k
		if longest {
			i = k
		}
		if matchGlob(pat, v[i:]) {
			return v[:i]
		}
	}
	return v
}

// replace does ${v/pat/rep} and ${v//pat/rep} (longest match at each position).
func (s *Session) replace(v, spec string) string {
	all := strings.HasPrefix(spec, "/")
	if all {
		spec = spec[1:]
	}
	anchor := byte(0)
	if len(spec) > 0 && (spec[0] == '#' || spec[0] == '%') {
		anchor, spec = spec[0], spec[1:]
	}
	patRaw, repRaw, _ := strings.Cut(spec, "/")
	pat := s.expandPattern(word(patRaw))
	rep := s.expandString(word(repRaw))
	if pat == "" {
		return v
	}
	s.charge(len(v) * (len(pat) + 1))
	var sb strings.Builder
	for i := 0; i <= len(v); {
		if anchor == '#' && i > 0 || anchor == '%' && i == len(v) && i > 0 {
			sb.WriteString(v[i:])
			break
		}
		matched := -1
		for j := len(v); j > i; j-- {
			if (anchor != '%' || j == len(v)) && matchGlob(pat, v[i:j]) {
				matched = j
				break
			}
		}
		if matched < 0 {
			if i < len(v) {
				sb.WriteByte(v[i])
			}
			i++
			continue
		}
		sb.WriteString(rep)
		i = matched
		if !all {
			sb.WriteString(v[i:])
			break
		}
	}
	return sb.String()
}

// substitute runs a command substitution in a subshell and returns its output without
// trailing newlines.
func (s *Session) substitute(script string) string {
	out := &outBuf{max: maxOutput}
	s.subshell(func() {
		saved := s.io
		s.io = stream{out: out, err: saved.err, in: &inBuf{}}
		s.runScript(script)
		s.io = saved
	})
	s.substStatus = s.status
	s.hadSubst = true
	return strings.TrimRight(out.String(), "\n")
}
