package shell

import (
	"strconv"
	"strings"
)

// Word expansion as bash does it, in its order: braces, tilde, parameters, command
// substitution and arithmetic, field splitting on IFS, pathname expansion against the fake
// filesystem, quote removal.

// frag is a piece of an expanded word.
type frag struct {
	text   string
	quoted bool // from quotes: neither split nor globbed
	split  bool // from an unquoted expansion: split on IFS
	brk    bool // a field boundary ("$@")
}

// expandWords expands the words of a command into its arguments.
func (s *Session) expandWords(ws []word) []string {
	var out []string
	for _, w := range ws {
		for _, b := range braceExpand(string(w), 0) {
			out = append(out, s.fields(s.expandRaw(b))...)
			if len(out) >= maxWords {
				return out[:maxWords]
			}
		}
	}
	return out
}

// expandString expands a word that is not split or globbed (assignments, redirection
// targets, case subjects).
func (s *Session) expandString(w word) string {
	var sb strings.Builder
	for _, f := range s.expandRaw(string(w)) {
		sb.WriteString(f.text)
	}
	return sb.String()
}

// expandPattern expands a word used as a pattern: quoted characters match themselves.
func (s *Session) expandPattern(w word) string {
	var sb strings.Builder
	for _, f := range s.expandRaw(string(w)) {
		if f.quoted {
			sb.WriteString(escapeGlob(f.text))
		} else {
			sb.WriteString(f.text)
		}
	}
	return sb.String()
}

// expandRaw expands one word into fragments.
func (s *Session) expandRaw(raw string) []frag {
	var out []frag
	lit := func(t string, quoted bool) {
		if t != "" || quoted {
			out = append(out, frag{text: t, quoted: quoted})
		}
	}
	i := 0
	if strings.HasPrefix(raw, "~") {
		end := strings.IndexByte(raw, '/')
		if end < 0 {
			end = len(raw)
		}
		switch user := raw[1:end]; {
		case user == "":
			out = append(out, frag{text: s.get("HOME"), quoted: true})
			i = end
		case user == s.opt.User || user == "root":
			out = append(out, frag{text: homeOf(user), quoted: true})
			i = end
		}
	}
	for i < len(raw) {
		c := raw[i]
		switch c {
		case '\\':
			if i+1 < len(raw) {
				lit(raw[i+1:i+2], true)
			}
			i += 2
		case '\'':
			end := strings.IndexByte(raw[i+1:], '\'')
			if end < 0 {
				end = len(raw) - i - 1
			}
			lit(raw[i+1:i+1+end], true)
			i += end + 2
		case '"':
			i = s.doubleQuoted(raw, i+1, &out)
		case '$':
			i = s.dollar(raw, i, false, &out)
		case '`':
			end, inner := backquoted(raw, i)
			out = append(out, frag{text: s.substitute(inner), split: true})
			i = end
		default:
			j := i + 1
			for j < len(raw) && strings.IndexByte("\\'\"$`", raw[j]) < 0 {
				j++
			}
			lit(raw[i:j], false)
			i = j
		}
	}
	return out
}

// doubleQuoted expands "..." starting after the opening quote; it returns the index after
// the closing one.
func (s *Session) doubleQuoted(raw string, i int, out *[]frag) int {
	var sb strings.Builder
	flush := func() {
		*out = append(*out, frag{text: sb.String(), quoted: true})
		sb.Reset()
	}
	for i < len(raw) && raw[i] != '"' {
		switch raw[i] {
		case '\\':
			if i+1 < len(raw) && strings.IndexByte("\"\\$`\n", raw[i+1]) >= 0 {
				if raw[i+1] != '\n' {
					sb.WriteByte(raw[i+1])
				}
				i += 2
				continue
			}
			sb.WriteByte('\\')
			i++
		case '$':
			flush()
			i = s.dollar(raw, i, true, out)
		case '`':
			end, inner := backquoted(raw, i)
			sb.WriteString(s.substitute(inner))
			i = end
		default:
			sb.WriteByte(raw[i])
			i++
		}
	}
	flush()
	return i + 1
}

// backquoted returns the end of `...` starting at i and its command text with the
// backslash escapes of backquotes undone.
func backquoted(raw string, i int) (int, string) {
	var sb strings.Builder
	j := i + 1
	for j < len(raw) && raw[j] != '`' {
		if raw[j] == '\\' && j+1 < len(raw) && strings.IndexByte("`\\$", raw[j+1]) >= 0 {
			j++
		}
		sb.WriteByte(raw[j])
		j++
	}
	return j + 1, sb.String()
}

// dollar expands the $ form at raw[i] and returns the index after it.
func (s *Session) dollar(raw string, i int, quoted bool, out *[]frag) int {
	add := func(t string) { *out = append(*out, frag{text: t, quoted: quoted, split: !quoted}) }
	if i+1 >= len(raw) {
		*out = append(*out, frag{text: "$", quoted: quoted})
		return i + 1
	}
	c := raw[i+1]
	switch {
	case strings.HasPrefix(raw[i:], "$(("):
		lx := &lexer{src: raw, pos: i + 3}
		if expr, err := lx.readArith(); err == nil {
			if v, ok := s.arithExpand(expr); ok {
				add(strconv.FormatInt(v, 10))
			}
			return lx.pos
		}
		fallthrough
	case c == '(':
		// the word was balanced when it was lexed; an unbalanced rest (the
		// scan's only error) runs to the end of the word
		lx := &lexer{src: raw, pos: i + 1}
		_ = lx.scanParens()
		inner := raw[i+2 : max(i+2, lx.pos-1)]
		add(s.substitute(inner))
		return lx.pos
	case c == '{':
		lx := &lexer{src: raw, pos: i + 1}
		_ = lx.scanBraces() // as for $( ) above
		inner := raw[i+2 : max(i+2, lx.pos-1)]
		if inner == "@" || inner == "*" {
			s.positional(inner, quoted, out)
		} else {
			add(s.paramExpand(inner))
		}
		return lx.pos
	case c == '\'' && !quoted:
		end := i + 2
		for end < len(raw) && raw[end] != '\'' {
			if raw[end] == '\\' {
				end++
			}
			end++
		}
		text, _ := unescape(raw[i+2 : min(end, len(raw))])
		*out = append(*out, frag{text: text, quoted: true})
		return end + 1
	case c == '@' || c == '*':
		s.positional(string(c), quoted, out)
		return i + 2
	case strings.IndexByte("?$#!-0123456789", c) >= 0:
		add(s.get(string(c)))
		return i + 2
	}
	j := i + 1
	for j < len(raw) && (raw[j] == '_' || raw[j] >= 'a' && raw[j] <= 'z' || raw[j] >= 'A' && raw[j] <= 'Z' || raw[j] >= '0' && raw[j] <= '9') {
		j++
	}
	if j == i+1 {
		*out = append(*out, frag{text: "$", quoted: quoted})
		return i + 1
	}
	add(s.get(raw[i+1 : j]))
	return j
}

// positional expands $@ and $*; "$@" gives one field per argument.
func (s *Session) positional(which string, quoted bool, out *[]frag) {
	if !quoted || which == "*" {
		*out = append(*out, frag{text: strings.Join(s.args, " "), quoted: quoted, split: !quoted})
		return
	}
	for i, a := range s.args {
		if i > 0 {
			*out = append(*out, frag{brk: true})
		}
		*out = append(*out, frag{text: a, quoted: true})
	}
}

// fields splits expanded fragments into fields and expands globs.
func (s *Session) fields(frags []frag) []string {
	ifs, ok := s.lookupVar("IFS")
	if !ok {
		ifs = " \t\n"
	}
	var out []string
	var text, pat strings.Builder
	started, glob := false, false
	end := func() {
		if started {
			if glob {
				if m := s.glob(pat.String()); len(m) > 0 {
					out = append(out, m...)
				} else {
					out = append(out, text.String())
				}
			} else {
				out = append(out, text.String())
			}
		}
		text.Reset()
		pat.Reset()
		started, glob = false, false
	}
	add := func(t string, quoted bool) {
		started = true
		text.WriteString(t)
		if quoted {
			pat.WriteString(escapeGlob(t))
		} else {
			pat.WriteString(t)
			if strings.ContainsAny(t, "*?[") {
				glob = true
			}
		}
	}
	isSep := func(r rune) bool { return strings.ContainsRune(ifs, r) }
	for _, f := range frags {
		switch {
		case f.brk:
			end()
		case f.split && ifs != "":
			parts := strings.FieldsFunc(f.text, isSep)
			if len(f.text) > 0 && isSep(rune(f.text[0])) {
				end()
			}
			for k, p := range parts {
				if k > 0 {
					end()
				}
				add(p, false)
			}
			if len(f.text) > 0 && isSep(rune(f.text[len(f.text)-1])) {
				end()
			}
		default:
			if f.text == "" && !f.quoted {
				continue
			}
			add(f.text, f.quoted)
		}
	}
	end()
	return out
}
