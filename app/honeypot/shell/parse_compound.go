package shell

import "strings"

// Compound commands: if, for, while/until, case and [[ ]].

func (p *parser) ifCmd() (cmd, error) {
	p.lx.skip()
	ic := &ifCmd{}
	for {
		cond, err := p.body("then")
		if err != nil {
			return nil, err
		}
		p.lx.skip()
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
			p.lx.skip()
			return ic, nil
		}
	}
}

func (p *parser) forCmd() (cmd, error) {
	p.lx.skip()
	t, err := p.lx.peek()
	if err != nil {
		return nil, err
	}
	if t.kind == tOp && t.text == "((" {
		p.lx.skip()
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
		p.lx.skip()
		fc.hasIn = true
		for {
			t, err := p.lx.peek()
			if err != nil {
				return nil, err
			}
			if t.kind != tWord {
				break
			}
			p.lx.skip()
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
		p.lx.skip()
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
	p.lx.skip()
	return nil
}

func (p *parser) caseCmd() (cmd, error) {
	p.lx.skip()
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
			p.lx.skip()
			return cc, nil
		}
		if t.kind == tOp && t.text == "(" {
			p.lx.skip()
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
			return nil, p.endedEarly()
		case t.text == "esac":
			return cc, nil
		case t.text != ";;":
			return nil, &syntaxError{near: t.text}
		}
	}
}

func (p *parser) condCmd() (cmd, error) {
	p.lx.skip()
	cc := &condCmd{}
	for {
		t, err := p.lx.next()
		if err != nil {
			return nil, err
		}
		switch {
		case t.kind == tEOF:
			return nil, p.endedEarly()
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
