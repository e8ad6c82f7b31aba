package shell

import "strings"

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
			p.lx.skip()
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
			p.lx.skip()
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
		p.lx.skip()
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

// endedEarly is the error for input that ends inside a construct: a syntax error when no more
// lines can follow, else a request for the next line.
func (p *parser) endedEarly() error {
	if p.lx.complete {
		return &syntaxError{near: "end of file"}
	}
	return errIncomplete
}

func (p *parser) skipNewlines() error {
	for {
		t, err := p.lx.peek()
		if err != nil {
			return err
		}
		if t.kind == tEOF {
			return p.endedEarly()
		}
		if t.kind != tNewline {
			return nil
		}
		p.lx.skip()
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
			p.lx.skip()
			continue
		case p.isReserved(t, "time") && !pl.timed:
			pl.timed = true
			p.lx.skip()
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
		p.lx.skip()
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
		return p.endedEarly()
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
		return nil, p.endedEarly()
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
		return nil, p.endedEarly()
	}
	var body cmd
	switch {
	case t.kind == tNewline:
		return nil, &syntaxError{near: "newline"}
	case t.kind == tOp && t.text == "((":
		p.lx.skip()
		expr, err := p.lx.readArith()
		if err != nil {
			return nil, err
		}
		body = &arithCmd{expr: expr}
	case t.kind == tOp && t.text == "(":
		p.lx.skip()
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
		p.lx.skip()
		lc := &loopCmd{until: t.text == "until"}
		if lc.cond, err = p.body("do"); err == nil {
			p.lx.skip()
			if lc.body, err = p.body("done"); err == nil {
				p.lx.skip()
			}
		}
		body = lc
	case p.isReserved(t, "for"):
		body, err = p.forCmd()
	case p.isReserved(t, "case"):
		body, err = p.caseCmd()
	case p.isReserved(t, "{"):
		p.lx.skip()
		var l list
		if l, err = p.body("}"); err == nil {
			p.lx.skip()
		}
		body = &groupCmd{body: l}
	case p.isReserved(t, "[["):
		body, err = p.condCmd()
	case p.isReserved(t, "function"):
		p.lx.skip()
		name, err := p.lx.next()
		if err != nil {
			return nil, err
		}
		if name.kind != tWord {
			return nil, &syntaxError{near: name.text}
		}
		if nt, _ := p.lx.peek(); nt.kind == tOp && nt.text == "(" {
			p.lx.skip()
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
			p.lx.skip()
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
					p.lx.skip()
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
