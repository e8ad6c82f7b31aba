package shell

import (
	"sort"
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

func escapeGlob(t string) string {
	if !strings.ContainsAny(t, `*?[]\`) {
		return t
	}
	var sb strings.Builder
	for i := 0; i < len(t); i++ {
		if strings.IndexByte(`*?[]\`, t[i]) >= 0 {
			sb.WriteByte('\\')
		}
		sb.WriteByte(t[i])
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
		lx := &lexer{src: raw, pos: i + 1}
		lx.scanParens()
		inner := raw[i+2 : max(i+2, lx.pos-1)]
		add(s.substitute(inner))
		return lx.pos
	case c == '{':
		lx := &lexer{src: raw, pos: i + 1}
		lx.scanBraces()
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

// glob matches a pattern against the fake filesystem; it returns the sorted matches.
func (s *Session) glob(pattern string) []string {
	if s.globOff {
		return nil
	}
	prefix, rest := "", pattern
	if strings.HasPrefix(pattern, "/") {
		prefix, rest = "/", strings.TrimLeft(pattern, "/")
	}
	paths := []string{prefix}
	for _, comp := range strings.Split(rest, "/") {
		if comp == "" {
			continue
		}
		var next []string
		for _, p := range paths {
			dirPath := p
			if dirPath == "" {
				dirPath = "."
			}
			n, _ := s.resolve(dirPath)
			if n == nil || !n.dir || !s.canRead(n) {
				continue
			}
			join := func(name string) string {
				if p == "" {
					return name
				}
				if strings.HasSuffix(p, "/") {
					return p + name
				}
				return p + "/" + name
			}
			if !strings.ContainsAny(comp, "*?[") {
				lit := unescapeGlob(comp)
				if _, ok := n.kids[lit]; ok || lit == "." || lit == ".." {
					next = append(next, join(lit))
				}
				continue
			}
			for _, name := range n.names() {
				if strings.HasPrefix(name, ".") && !strings.HasPrefix(comp, ".") {
					continue
				}
				if matchGlob(comp, name) {
					next = append(next, join(name))
				}
			}
		}
		paths = next
		if len(paths) > maxWords {
			paths = paths[:maxWords]
		}
	}
	if len(paths) == 1 && paths[0] == prefix {
		return nil
	}
	sort.Strings(paths)
	return paths
}

func unescapeGlob(p string) string {
	if !strings.Contains(p, `\`) {
		return p
	}
	var sb strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			i++
		}
		sb.WriteByte(p[i])
	}
	return sb.String()
}

// matchGlob reports whether name matches the shell pattern (*, ?, [...], \x).
func matchGlob(pat, name string) bool {
	px, nx := 0, 0
	starP, starN := -1, -1
	for nx < len(name) || px < len(pat) {
		if px < len(pat) {
			switch c := pat[px]; c {
			case '*':
				starP, starN = px, nx
				px++
				continue
			case '?':
				if nx < len(name) {
					px++
					nx++
					continue
				}
			case '[':
				if nx < len(name) {
					if ok, width := matchClass(pat[px:], name[nx]); width > 0 {
						if ok {
							px += width
							nx++
							continue
						}
					} else if name[nx] == '[' {
						px++
						nx++
						continue
					}
				}
			case '\\':
				if px+1 < len(pat) && nx < len(name) && pat[px+1] == name[nx] {
					px += 2
					nx++
					continue
				}
			default:
				if nx < len(name) && name[nx] == c {
					px++
					nx++
					continue
				}
			}
		}
		if starP >= 0 && starN < len(name) {
			starN++
			px, nx = starP+1, starN
			continue
		}
		return false
	}
	return true
}

// matchClass matches c against the bracket expression at the start of pat; width is the
// length of the expression, 0 when it is not one.
func matchClass(pat string, c byte) (ok bool, width int) {
	i := 1
	negate := false
	if i < len(pat) && (pat[i] == '!' || pat[i] == '^') {
		negate = true
		i++
	}
	first := true
	for i < len(pat) {
		if pat[i] == ']' && !first {
			return ok != negate, i + 1
		}
		first = false
		if strings.HasPrefix(pat[i:], "[:") {
			if end := strings.Index(pat[i:], ":]"); end > 0 {
				if classMatch(pat[i+2:i+end], c) {
					ok = true
				}
				i += end + 2
				continue
			}
		}
		lo := pat[i]
		if lo == '\\' && i+1 < len(pat) {
			i++
			lo = pat[i]
		}
		hi := lo
		if i+2 < len(pat) && pat[i+1] == '-' && pat[i+2] != ']' {
			hi = pat[i+2]
			i += 2
		}
		if c >= lo && c <= hi {
			ok = true
		}
		i++
	}
	return false, 0
}

func classMatch(class string, c byte) bool {
	switch class {
	case "digit":
		return c >= '0' && c <= '9'
	case "alpha":
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	case "alnum":
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	case "upper":
		return c >= 'A' && c <= 'Z'
	case "lower":
		return c >= 'a' && c <= 'z'
	case "space":
		return isSpace(c) || c == '\v' || c == '\f'
	case "xdigit":
		return isHex(c)
	}
	return false
}

// braceExpand expands {a,b} and {1..5} outside quotes; the result has at most maxWords
// words.
func braceExpand(w string, depth int) []string {
	if depth > 8 || !strings.Contains(w, "{") {
		return []string{w}
	}
	open, close, commas := -1, -1, []int{}
	level := 0
	for i := 0; i < len(w) && close < 0; i++ {
		switch w[i] {
		case '\\':
			i++
		case '\'':
			if end := strings.IndexByte(w[i+1:], '\''); end >= 0 {
				i += end + 1
			}
		case '"':
			for i++; i < len(w) && w[i] != '"'; i++ {
				if w[i] == '\\' {
					i++
				}
			}
		case '$':
			if i+1 < len(w) && (w[i+1] == '{' || w[i+1] == '(') {
				lx := &lexer{src: w, pos: i + 1}
				if w[i+1] == '{' {
					lx.scanBraces()
				} else {
					lx.scanParens()
				}
				i = lx.pos - 1
			}
		case '{':
			if level == 0 {
				open, commas = i, commas[:0]
			}
			level++
		case ',':
			if level == 1 {
				commas = append(commas, i)
			}
		case '}':
			if level == 1 {
				close = i
			}
			if level > 0 {
				level--
			}
		}
	}
	if open < 0 || close < 0 {
		return []string{w}
	}
	pre, body, post := w[:open], w[open+1:close], w[close+1:]
	var alts []string
	if len(commas) > 0 {
		last := open + 1
		for _, c := range commas {
			alts = append(alts, w[last:c])
			last = c + 1
		}
		alts = append(alts, w[last:close])
	} else if seq := braceSeq(body); seq != nil {
		alts = seq
	} else {
		rest := braceExpand(post, depth+1)
		out := make([]string, 0, len(rest))
		for _, r := range rest {
			out = append(out, w[:close+1]+r)
		}
		return out
	}
	var out []string
	for _, a := range alts {
		for _, r := range braceExpand(pre+a+post, depth+1) {
			if len(out) >= maxWords {
				return out
			}
			out = append(out, r)
		}
	}
	return out
}

// braceSeq expands the body of {1..10}, {10..1..2} and {a..e}.
func braceSeq(body string) []string {
	parts := strings.Split(body, "..")
	if len(parts) < 2 || len(parts) > 3 {
		return nil
	}
	step := int64(1)
	if len(parts) == 3 {
		v, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || v == 0 {
			return nil
		}
		step = v
		if step < 0 {
			step = -step
		}
	}
	a, errA := strconv.ParseInt(parts[0], 10, 64)
	b, errB := strconv.ParseInt(parts[1], 10, 64)
	var out []string
	if errA == nil && errB == nil {
		width := 0
		if len(parts[0]) > 1 && parts[0][0] == '0' || len(parts[1]) > 1 && parts[1][0] == '0' {
			width = max(len(parts[0]), len(parts[1]))
		}
		for v := a; len(out) < maxWords; {
			out = append(out, padInt(v, width))
			if a <= b {
				if v += step; v > b {
					break
				}
			} else if v -= step; v < b {
				break
			}
		}
		return out
	}
	if len(parts[0]) == 1 && len(parts[1]) == 1 {
		x, y := int64(parts[0][0]), int64(parts[1][0])
		for v := x; ; {
			out = append(out, string(rune(v)))
			if x <= y {
				if v += step; v > y {
					break
				}
			} else if v -= step; v < y {
				break
			}
		}
		return out
	}
	return nil
}

func padInt(v int64, width int) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for len(s) < width {
		s = "0" + s
	}
	if neg {
		s = "-" + s
	}
	return s
}
