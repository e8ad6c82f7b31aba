package shell

import (
	"errors"
	"strings"
)

// The shell's grammar is the part of bash that scripts dropped by bots use: lists joined by
// ; & && ||, pipelines (with ! and time), simple commands with assignments and redirections,
// if/elif/else, for (both forms), while, until, case, { } and ( ) groups, (( )), [[ ]] and
// functions. Words keep their raw text (quotes included) and are expanded when they run, so
// an assignment earlier in a script is seen by a later command.

type cmd interface{}

// word is the raw text of one shell word, quotes and expansions as typed.
type word string

type redir struct {
	fd      int    // the descriptor redirected (1 for ">", 0 for "<")
	op      string // ">", ">>", "<", ">&", "<&", "&>", "&>>", "<<", "<<<", "<>"
	target  word
	heredoc *heredoc
}

type heredoc struct {
	body   string
	expand bool // the delimiter was unquoted: the body undergoes $ expansion
	strip  bool // <<-: leading tabs removed
}

type assign struct {
	name   string
	value  word
	append bool // +=
}

type simpleCmd struct {
	assigns []assign
	words   []word
	redirs  []redir
}

type pipeline struct {
	cmds   []cmd
	negate bool
	timed  bool
}

type andOr struct {
	bg    bool // ended by &
	first *pipeline
	ops   []string // "&&" or "||" before each of rest
	rest  []*pipeline
}

type list []*andOr

type ifCmd struct {
	conds  []list
	bodies []list
	orElse list // nil when there is no else
}

type loopCmd struct {
	until bool
	cond  list
	body  list
}

type forCmd struct {
	name  string
	items []word
	hasIn bool
	body  list
}

type forArith struct {
	init, cond, post string
	body             list
}

type caseItem struct {
	patterns []word
	body     list
}

type caseCmd struct {
	subject word
	items   []caseItem
}

type groupCmd struct {
	body     list
	subshell bool
}

type funcDef struct {
	name string
	body cmd
}

type arithCmd struct{ expr string }

type condCmd struct{ args []word } // [[ ... ]]

// compound is a compound command with its redirections.
type compound struct {
	body   cmd
	redirs []redir
}

var errIncomplete = errors.New("incomplete")

// syntaxError is a parse error with the token bash would name.
type syntaxError struct{ near string }

func (e *syntaxError) Error() string { return "syntax error near unexpected token `" + e.near + "'" }

const (
	tWord = iota
	tOp
	tNewline
	tEOF
)

type token struct {
	kind int
	text string
	fd   int // io number before a redirection operator, -1 when none
}

// Limits of the parser: a hostile line can neither nest deep enough to exhaust the stack nor
// make more nodes than its length allows.
const (
	maxNest   = 100
	maxTokens = 20000
)

type lexer struct {
	src      string
	pos      int
	pending  []*heredoc // here-documents whose bodies start after the next newline
	delims   []string
	peeked   *token
	tokens   int
	nest     int
	complete bool // the source is all there is: no continuation line will come
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isOpChar(c byte) bool { return strings.IndexByte(";&|()<>", c) >= 0 }

func (l *lexer) peek() (token, error) {
	if l.peeked == nil {
		t, err := l.scan()
		if err != nil {
			return t, err
		}
		l.peeked = &t
	}
	return *l.peeked, nil
}

func (l *lexer) next() (token, error) {
	t, err := l.peek()
	l.peeked = nil
	return t, err
}

func (l *lexer) scan() (token, error) {
	if l.tokens++; l.tokens > maxTokens {
		return token{}, &syntaxError{near: "newline"}
	}
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case isBlank(c) || c == '\r':
			l.pos++
		case c == '\\' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '\n':
			l.pos += 2
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		default:
			goto tok
		}
	}
	return token{kind: tEOF, fd: -1}, nil
tok:
	c := l.src[l.pos]
	if c == '\n' {
		l.pos++
		if err := l.readHeredocs(); err != nil {
			return token{}, err
		}
		return token{kind: tNewline, text: "newline", fd: -1}, nil
	}
	// an io number: digits directly before < or >
	fd := -1
	j := l.pos
	for j < len(l.src) && l.src[j] >= '0' && l.src[j] <= '9' {
		j++
	}
	if j > l.pos && j-l.pos < 3 && j < len(l.src) && (l.src[j] == '<' || l.src[j] == '>') {
		fd = int(l.src[l.pos] - '0')
		if j-l.pos == 2 {
			fd = fd*10 + int(l.src[l.pos+1]-'0')
		}
		l.pos = j
		c = l.src[l.pos]
	}
	if isOpChar(c) {
		for _, op := range []string{"&>>", "<<<", "<<-", ";;", "&&", "||", "|&", "((", ">>", "<<", ">&", "<&", "&>", "<>", ">|", ";", "&", "|", "(", ")", "<", ">"} {
			if strings.HasPrefix(l.src[l.pos:], op) {
				l.pos += len(op)
				return token{kind: tOp, text: op, fd: fd}, nil
			}
		}
	}
	start := l.pos
	if err := l.scanWord(); err != nil {
		return token{}, err
	}
	return token{kind: tWord, text: l.src[start:l.pos], fd: -1}, nil
}

// scanWord moves past one word: up to an unquoted blank, newline or operator.
func (l *lexer) scanWord() error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if isBlank(c) || c == '\n' || c == '\r' || isOpChar(c) {
			return nil
		}
		if err := l.scanUnit(); err != nil {
			return err
		}
	}
	return nil
}

// scanUnit moves past one character of a word or one quoted or substituted piece.
func (l *lexer) scanUnit() error {
	c := l.src[l.pos]
	switch c {
	case '\\':
		l.pos += 2
		if l.pos > len(l.src) {
			l.pos = len(l.src)
		}
	case '\'':
		end := strings.IndexByte(l.src[l.pos+1:], '\'')
		if end < 0 {
			return errIncomplete
		}
		l.pos += end + 2
	case '"':
		l.pos++
		for {
			if l.pos >= len(l.src) {
				return errIncomplete
			}
			switch l.src[l.pos] {
			case '"':
				l.pos++
				return nil
			case '\\':
				l.pos += 2
			case '$', '`':
				if err := l.scanUnit(); err != nil {
					return err
				}
			default:
				l.pos++
			}
		}
	case '`':
		l.pos++
		for {
			if l.pos >= len(l.src) {
				return errIncomplete
			}
			switch l.src[l.pos] {
			case '`':
				l.pos++
				return nil
			case '\\':
				l.pos += 2
			default:
				l.pos++
			}
		}
	case '$':
		l.pos++
		if l.pos >= len(l.src) {
			return nil
		}
		switch l.src[l.pos] {
		case '(':
			return l.scanParens()
		case '{':
			return l.scanBraces()
		case '\'':
			return l.scanUnit()
		}
	default:
		l.pos++
	}
	return nil
}

// scanParens moves past a balanced ( ... ), minding quotes inside.
func (l *lexer) scanParens() error {
	if l.nest++; l.nest > maxNest {
		return &syntaxError{near: "("}
	}
	defer func() { l.nest-- }()
	depth := 0
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case '(':
			depth++
			l.pos++
		case ')':
			depth--
			l.pos++
			if depth == 0 {
				return nil
			}
		case '\\', '\'', '"', '`', '$':
			if err := l.scanUnit(); err != nil {
				return err
			}
		case '#':
			// a comment inside $( ) runs to the end of its line
			if l.pos > 0 && (isBlank(l.src[l.pos-1]) || l.src[l.pos-1] == '\n') {
				for l.pos < len(l.src) && l.src[l.pos] != '\n' {
					l.pos++
				}
				continue
			}
			l.pos++
		default:
			l.pos++
		}
	}
	return errIncomplete
}

func (l *lexer) scanBraces() error {
	if l.nest++; l.nest > maxNest {
		return &syntaxError{near: "{"}
	}
	defer func() { l.nest-- }()
	l.pos++
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case '}':
			l.pos++
			return nil
		case '\\', '\'', '"', '`', '$':
			if err := l.scanUnit(); err != nil {
				return err
			}
		default:
			l.pos++
		}
	}
	return errIncomplete
}

// readArith reads the text of (( ... )) after its opening "((".
func (l *lexer) readArith() (string, error) {
	start := l.pos
	depth := 0
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				if l.pos+1 < len(l.src) && l.src[l.pos+1] == ')' {
					text := l.src[start:l.pos]
					l.pos += 2
					return text, nil
				}
				return "", &syntaxError{near: ")"}
			}
			depth--
		case '\'', '"', '`', '$', '\\':
			if err := l.scanUnit(); err != nil {
				return "", err
			}
			continue
		}
		l.pos++
	}
	return "", errIncomplete
}

// readHeredocs reads the bodies of the here-documents opened on the line just ended.
func (l *lexer) readHeredocs() error {
	for i, h := range l.pending {
		delim := l.delims[i]
		var body strings.Builder
		for {
			if l.pos >= len(l.src) {
				return errIncomplete
			}
			end := strings.IndexByte(l.src[l.pos:], '\n')
			line := l.src[l.pos:]
			if end >= 0 {
				line = l.src[l.pos : l.pos+end]
				l.pos += end + 1
			} else {
				l.pos = len(l.src)
				if !l.complete {
					return errIncomplete
				}
			}
			if h.strip {
				line = strings.TrimLeft(line, "\t")
			}
			if line == delim {
				break
			}
			body.WriteString(line)
			body.WriteByte('\n')
			if end < 0 {
				break
			}
		}
		h.body = body.String()
	}
	l.pending, l.delims = nil, nil
	return nil
}

type parser struct {
	lx *lexer
}

// parseScript parses a whole script. complete says no more lines can follow (sh -c, a file):
// an unfinished construct is then a syntax error instead of a request for more input.
func parseScript(src string, complete bool) (list, error) {
	p := &parser{lx: &lexer{src: src, complete: complete}}
	l, err := p.list(nil)
	if err != nil {
		return nil, err
	}
	t, err := p.lx.peek()
	if err != nil {
		return nil, err
	}
	if t.kind != tEOF {
		return nil, &syntaxError{near: t.text}
	}
	return l, nil
}

func (p *parser) isReserved(t token, words ...string) bool {
	if t.kind != tWord {
		return false
	}
	for _, w := range words {
		if t.text == w {
			return true
		}
	}
	return false
}

// list parses and-or lists separated by ; & or newlines until EOF or a token that ends the
// enclosing construct (one of stop, as a reserved word or operator).
func (p *parser) list(stop []string) (list, error) {
	if p.lx.nest++; p.lx.nest > maxNest {
		return nil, &syntaxError{near: "("}
	}
	defer func() { p.lx.nest-- }()
	var out list
	for {
		t, err := p.lx.peek()
		if err != nil {
			return nil, err
		}
		if t.kind == tNewline {
			p.lx.next()
			continue
		}
		if t.kind == tEOF || p.isStop(t, stop) {
			return out, nil
		}
		ao, err := p.andOr(stop)
		if err != nil {
			return nil, err
		}
		out = append(out, ao)
		t, err = p.lx.peek()
		if err != nil {
			return nil, err
		}
		switch {
		case t.kind == tOp && (t.text == ";" || t.text == "&"):
			ao.bg = t.text == "&"
			p.lx.next()
		case t.kind == tNewline, t.kind == tEOF, p.isStop(t, stop):
		default:
			return nil, &syntaxError{near: t.text}
		}
	}
}

func (p *parser) isStop(t token, stop []string) bool {
	for _, s := range stop {
		if t.text == s && (t.kind == tWord || t.kind == tOp) {
			return true
		}
	}
	return false
}

func (p *parser) andOr(stop []string) (*andOr, error) {
	first, err := p.pipeline(stop)
	if err != nil {
		return nil, err
	}
	ao := &andOr{first: first}
	for {
		t, err := p.lx.peek()
		if err != nil {
			return nil, err
		}
		if t.kind != tOp || t.text != "&&" && t.text != "||" {
			return ao, nil
		}
		p.lx.next()
		if err := p.skipNewlines(); err != nil {
			return nil, err
		}
		next, err := p.pipeline(stop)
		if err != nil {
			return nil, err
		}
		ao.ops = append(ao.ops, t.text)
		ao.rest = append(ao.rest, next)
	}
}

func (p *parser) skipNewlines() error {
	for {
		t, err := p.lx.peek()
		if err != nil {
			return err
		}
		if t.kind == tEOF {
			if p.lx.complete {
				return &syntaxError{near: "end of file"}
			}
			return errIncomplete
		}
		if t.kind != tNewline {
			return nil
		}
		p.lx.next()
	}
}

func (p *parser) pipeline(stop []string) (*pipeline, error) {
	pl := &pipeline{}
	for {
		t, err := p.lx.peek()
		if err != nil {
			return nil, err
		}
		switch {
		case p.isReserved(t, "!"):
			pl.negate = !pl.negate
			p.lx.next()
			continue
		case p.isReserved(t, "time") && !pl.timed:
			pl.timed = true
			p.lx.next()
			continue
		}
		break
	}
	for {
		c, err := p.command(stop)
		if err != nil {
			return nil, err
		}
		pl.cmds = append(pl.cmds, c)
		t, err := p.lx.peek()
		if err != nil {
			return nil, err
		}
		if t.kind != tOp || t.text != "|" && t.text != "|&" {
			return pl, nil
		}
		p.lx.next()
		if err := p.skipNewlines(); err != nil {
			return nil, err
		}
	}
}

// expect reads the reserved word or operator w.
func (p *parser) expect(w string) error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	if t.kind == tEOF {
		if p.lx.complete {
			return &syntaxError{near: "end of file"}
		}
		return errIncomplete
	}
	if t.text != w {
		return &syntaxError{near: t.text}
	}
	return nil
}

// body parses a list that must not be empty, up to one of stop.
func (p *parser) body(stop ...string) (list, error) {
	l, err := p.list(stop)
	if err != nil {
		return nil, err
	}
	t, err := p.lx.peek()
	if err != nil {
		return nil, err
	}
	if t.kind == tEOF {
		if p.lx.complete {
			return nil, &syntaxError{near: "end of file"}
		}
		return nil, errIncomplete
	}
	if len(l) == 0 {
		return nil, &syntaxError{near: t.text}
	}
	return l, nil
}

func (p *parser) command(stop []string) (cmd, error) {
	t, err := p.lx.peek()
	if err != nil {
		return nil, err
	}
	if t.kind == tEOF {
		if p.lx.complete {
			return nil, &syntaxError{near: "end of file"}
		}
		return nil, errIncomplete
	}
	var body cmd
	switch {
	case t.kind == tNewline:
		return nil, &syntaxError{near: "newline"}
	case t.kind == tOp && t.text == "((":
		p.lx.next()
		p.lx.peeked = nil
		expr, err := p.lx.readArith()
		if err != nil {
			return nil, err
		}
		body = &arithCmd{expr: expr}
	case t.kind == tOp && t.text == "(":
		p.lx.next()
		l, err := p.body(")")
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		body = &groupCmd{body: l, subshell: true}
	case t.kind == tOp && fdOrRedirect(t):
		return p.simple()
	case t.kind == tOp:
		return nil, &syntaxError{near: t.text}
	case p.isReserved(t, "if"):
		body, err = p.ifCmd()
	case p.isReserved(t, "while", "until"):
		p.lx.next()
		lc := &loopCmd{until: t.text == "until"}
		if lc.cond, err = p.body("do"); err == nil {
			p.lx.next()
			if lc.body, err = p.body("done"); err == nil {
				p.lx.next()
			}
		}
		body = lc
	case p.isReserved(t, "for"):
		body, err = p.forCmd()
	case p.isReserved(t, "case"):
		body, err = p.caseCmd()
	case p.isReserved(t, "{"):
		p.lx.next()
		var l list
		if l, err = p.body("}"); err == nil {
			p.lx.next()
		}
		body = &groupCmd{body: l}
	case p.isReserved(t, "[["):
		body, err = p.condCmd()
	case p.isReserved(t, "function"):
		p.lx.next()
		name, err := p.lx.next()
		if err != nil {
			return nil, err
		}
		if name.kind != tWord {
			return nil, &syntaxError{near: name.text}
		}
		if nt, _ := p.lx.peek(); nt.kind == tOp && nt.text == "(" {
			p.lx.next()
			if err := p.expect(")"); err != nil {
				return nil, err
			}
		}
		return p.funcBody(name.text)
	case p.isReserved(t, "then", "else", "elif", "fi", "do", "done", "esac", "}", "in"):
		return nil, &syntaxError{near: t.text}
	default:
		return p.simple()
	}
	if err != nil {
		return nil, err
	}
	redirs, err := p.redirs()
	if err != nil {
		return nil, err
	}
	return &compound{body: body, redirs: redirs}, nil
}

func fdOrRedirect(t token) bool {
	switch t.text {
	case ">", ">>", "<", ">&", "<&", "&>", "&>>", "<<", "<<-", "<<<", "<>", ">|":
		return true
	}
	return false
}

func (p *parser) funcBody(name string) (cmd, error) {
	if err := p.skipNewlines(); err != nil {
		return nil, err
	}
	body, err := p.command(nil)
	if err != nil {
		return nil, err
	}
	if _, ok := body.(*compound); !ok {
		t, _ := p.lx.peek()
		return nil, &syntaxError{near: t.text}
	}
	return &funcDef{name: name, body: body}, nil
}

func (p *parser) redirs() ([]redir, error) {
	var out []redir
	for {
		t, err := p.lx.peek()
		if err != nil {
			return nil, err
		}
		if t.kind != tOp || !fdOrRedirect(t) {
			return out, nil
		}
		r, err := p.redirect()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
}

func (p *parser) redirect() (redir, error) {
	t, _ := p.lx.next()
	r := redir{fd: t.fd, op: t.text}
	if r.fd < 0 {
		r.fd = 1
		if strings.HasPrefix(t.text, "<") {
			r.fd = 0
		}
	}
	target, err := p.lx.next()
	if err != nil {
		return r, err
	}
	if target.kind != tWord {
		if target.kind == tEOF && !p.lx.complete {
			return r, errIncomplete
		}
		return r, &syntaxError{near: target.text}
	}
	r.target = word(target.text)
	if r.op == "<<" || r.op == "<<-" {
		delim := target.text
		h := &heredoc{strip: r.op == "<<-", expand: !strings.ContainsAny(delim, `'"\`)}
		delim = strings.NewReplacer("'", "", `"`, "", `\`, "").Replace(delim)
		r.op, r.heredoc = "<<", h
		p.lx.pending = append(p.lx.pending, h)
		p.lx.delims = append(p.lx.delims, delim)
	}
	return r, nil
}

func (p *parser) simple() (cmd, error) {
	sc := &simpleCmd{}
	for {
		t, err := p.lx.peek()
		if err != nil {
			return nil, err
		}
		switch {
		case t.kind == tWord:
			p.lx.next()
			if len(sc.words) == 0 {
				if a, ok := parseAssign(t.text); ok {
					sc.assigns = append(sc.assigns, a)
					continue
				}
			}
			if len(sc.words) < maxWords {
				sc.words = append(sc.words, word(t.text))
			}
			if len(sc.words) == 1 && len(sc.assigns) == 0 && len(sc.redirs) == 0 {
				if nt, _ := p.lx.peek(); nt.kind == tOp && nt.text == "(" {
					p.lx.next()
					if err := p.expect(")"); err != nil {
						return nil, err
					}
					return p.funcBody(string(sc.words[0]))
				}
			}
		case t.kind == tOp && fdOrRedirect(t):
			r, err := p.redirect()
			if err != nil {
				return nil, err
			}
			sc.redirs = append(sc.redirs, r)
		default:
			if len(sc.words) == 0 && len(sc.assigns) == 0 && len(sc.redirs) == 0 {
				return nil, &syntaxError{near: t.text}
			}
			return sc, nil
		}
	}
}

// parseAssign recognises NAME=value and NAME+=value.
func parseAssign(w string) (assign, bool) {
	eq := strings.IndexByte(w, '=')
	if eq <= 0 {
		return assign{}, false
	}
	name := w[:eq]
	app := strings.HasSuffix(name, "+")
	if app {
		name = name[:len(name)-1]
	}
	if !validName(name) {
		return assign{}, false
	}
	return assign{name: name, value: word(w[eq+1:]), append: app}, true
}

func validName(n string) bool {
	if n == "" || n[0] >= '0' && n[0] <= '9' {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (p *parser) ifCmd() (cmd, error) {
	p.lx.next()
	ic := &ifCmd{}
	for {
		cond, err := p.body("then")
		if err != nil {
			return nil, err
		}
		p.lx.next()
		b, err := p.body("elif", "else", "fi")
		if err != nil {
			return nil, err
		}
		ic.conds = append(ic.conds, cond)
		ic.bodies = append(ic.bodies, b)
		t, _ := p.lx.next()
		switch t.text {
		case "fi":
			return ic, nil
		case "else":
			if ic.orElse, err = p.body("fi"); err != nil {
				return nil, err
			}
			p.lx.next()
			return ic, nil
		}
	}
}

func (p *parser) forCmd() (cmd, error) {
	p.lx.next()
	t, err := p.lx.peek()
	if err != nil {
		return nil, err
	}
	if t.kind == tOp && t.text == "((" {
		p.lx.next()
		p.lx.peeked = nil
		text, err := p.lx.readArith()
		if err != nil {
			return nil, err
		}
		parts := strings.Split(text, ";")
		if len(parts) != 3 {
			return nil, &syntaxError{near: "(("}
		}
		fa := &forArith{init: parts[0], cond: parts[1], post: parts[2]}
		if err := p.loopBody(&fa.body); err != nil {
			return nil, err
		}
		return fa, nil
	}
	name, err := p.lx.next()
	if err != nil {
		return nil, err
	}
	if name.kind == tEOF && !p.lx.complete {
		return nil, errIncomplete
	}
	if name.kind != tWord || !validName(name.text) {
		return nil, &syntaxError{near: name.text}
	}
	fc := &forCmd{name: name.text}
	if err := p.skipNewlines(); err != nil {
		return nil, err
	}
	t, _ = p.lx.peek()
	if p.isReserved(t, "in") {
		p.lx.next()
		fc.hasIn = true
		for {
			t, err := p.lx.peek()
			if err != nil {
				return nil, err
			}
			if t.kind != tWord {
				break
			}
			p.lx.next()
			if len(fc.items) < maxWords {
				fc.items = append(fc.items, word(t.text))
			}
		}
	}
	if err := p.loopBody(&fc.body); err != nil {
		return nil, err
	}
	return fc, nil
}

// loopBody parses "; do LIST done" (or with newlines) of for.
func (p *parser) loopBody(body *list) error {
	t, err := p.lx.peek()
	if err != nil {
		return err
	}
	if t.kind == tOp && t.text == ";" {
		p.lx.next()
	}
	if err := p.skipNewlines(); err != nil {
		return err
	}
	if err := p.expect("do"); err != nil {
		return err
	}
	if *body, err = p.body("done"); err != nil {
		return err
	}
	p.lx.next()
	return nil
}

func (p *parser) caseCmd() (cmd, error) {
	p.lx.next()
	subj, err := p.lx.next()
	if err != nil {
		return nil, err
	}
	if subj.kind != tWord {
		if subj.kind == tEOF && !p.lx.complete {
			return nil, errIncomplete
		}
		return nil, &syntaxError{near: subj.text}
	}
	cc := &caseCmd{subject: word(subj.text)}
	if err := p.skipNewlines(); err != nil {
		return nil, err
	}
	if err := p.expect("in"); err != nil {
		return nil, err
	}
	for {
		if err := p.skipNewlines(); err != nil {
			return nil, err
		}
		t, _ := p.lx.peek()
		if p.isReserved(t, "esac") {
			p.lx.next()
			return cc, nil
		}
		if t.kind == tOp && t.text == "(" {
			p.lx.next()
		}
		var item caseItem
		for {
			t, err := p.lx.next()
			if err != nil {
				return nil, err
			}
			if t.kind != tWord {
				return nil, &syntaxError{near: t.text}
			}
			item.patterns = append(item.patterns, word(t.text))
			sep, err := p.lx.next()
			if err != nil {
				return nil, err
			}
			if sep.kind == tOp && sep.text == ")" {
				break
			}
			if sep.kind != tOp || sep.text != "|" {
				return nil, &syntaxError{near: sep.text}
			}
		}
		if item.body, err = p.list([]string{";;", "esac"}); err != nil {
			return nil, err
		}
		cc.items = append(cc.items, item)
		t, err = p.lx.next()
		if err != nil {
			return nil, err
		}
		switch {
		case t.kind == tEOF:
			if p.lx.complete {
				return nil, &syntaxError{near: "end of file"}
			}
			return nil, errIncomplete
		case t.text == "esac":
			return cc, nil
		case t.text != ";;":
			return nil, &syntaxError{near: t.text}
		}
	}
}

func (p *parser) condCmd() (cmd, error) {
	p.lx.next()
	cc := &condCmd{}
	for {
		t, err := p.lx.next()
		if err != nil {
			return nil, err
		}
		switch {
		case t.kind == tEOF:
			if p.lx.complete {
				return nil, &syntaxError{near: "end of file"}
			}
			return nil, errIncomplete
		case t.kind == tNewline:
			return nil, &syntaxError{near: "newline"}
		case t.kind == tWord && t.text == "]]":
			return cc, nil
		}
		if len(cc.args) < maxWords {
			cc.args = append(cc.args, word(t.text))
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// maxWords bounds the words of one command (and what one word expands to).
const maxWords = 1024
