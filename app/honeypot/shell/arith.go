package shell

import (
	"strconv"
	"strings"
)

// Shell arithmetic ($(( )), (( )), let, for (( ))): 64-bit integers with C operators,
// variables by name, assignments, ++/--, ?:, ** and the comma.

type arithError struct {
	msg   string
	token string
}

type arith struct {
	s     *Session
	src   string
	pos   int
	depth int
	err   *arithError
}

// arithExpand evaluates the text of an arithmetic expansion after expanding $ forms in it.
// On error it prints bash's message and marks the command as failed.
func (s *Session) arithExpand(expr string) (int64, bool) {
	text := s.expandString(word(expr))
	v, err := s.evalArith(text, 0)
	if err != nil {
		s.errorf("%s%s: %s (error token is \"%s\")\n", s.errPrefix(), strings.TrimSpace(text), err.msg, err.token)
		s.failed = true
		return 0, false
	}
	return v, true
}

func (s *Session) evalArith(text string, depth int) (int64, *arithError) {
	a := &arith{s: s, src: text, depth: depth}
	a.skip()
	if a.pos >= len(a.src) {
		return 0, nil
	}
	v := a.comma()
	if a.err == nil && a.pos < len(a.src) {
		a.fail("syntax error in expression", a.src[a.pos:])
	}
	if a.err != nil {
		return 0, a.err
	}
	return v, nil
}

func (a *arith) fail(msg, tok string) {
	if a.err == nil {
		a.err = &arithError{msg: msg, token: strings.TrimSpace(tok)}
	}
}

func (a *arith) skip() {
	for a.pos < len(a.src) && isSpace(a.src[a.pos]) {
		a.pos++
	}
}

// eat consumes op when it comes next (and is not the start of a longer operator in notIf).
func (a *arith) eat(op string, notIf ...string) bool {
	if !strings.HasPrefix(a.src[a.pos:], op) {
		return false
	}
	for _, n := range notIf {
		if strings.HasPrefix(a.src[a.pos:], n) {
			return false
		}
	}
	a.pos += len(op)
	a.skip()
	return true
}

func (a *arith) comma() int64 {
	v := a.assign()
	for a.err == nil && a.eat(",") {
		v = a.assign()
	}
	return v
}

var assignOps = []string{"<<=", ">>=", "+=", "-=", "*=", "/=", "%=", "&=", "^=", "|=", "="}

func (a *arith) assign() int64 {
	start := a.pos
	if name := a.name(); name != "" {
		a.skip()
		for _, op := range assignOps {
			if op == "=" && strings.HasPrefix(a.src[a.pos:], "==") {
				break
			}
			if a.eat(op) {
				rhs := a.assign()
				cur := a.variable(name)
				v := rhs
				if op != "=" {
					v = a.binary(op[:len(op)-1], cur, rhs)
				}
				if a.err == nil {
					a.s.setVar(name, strconv.FormatInt(v, 10))
				}
				return v
			}
		}
		a.pos = start
	}
	return a.ternary()
}

func (a *arith) ternary() int64 {
	c := a.binaryLevel(0)
	if a.eat("?") {
		x := a.assign()
		if !a.eat(":") {
			a.fail("`:' expected for conditional expression", a.src[a.pos:])
			return 0
		}
		y := a.assign()
		if c != 0 {
			return x
		}
		return y
	}
	return c
}

// levels of binary operators, loosest first; each entry lists an operator and the longer
// operators it must not be mistaken for.
var levels = [][][]string{
	{{"||"}},
	{{"&&"}},
	{{"|", "||", "|="}},
	{{"^", "^="}},
	{{"&", "&&", "&="}},
	{{"==", "==="}, {"!=", ""}},
	{{"<=", ""}, {">=", ""}, {"<", "<<", "<="}, {">", ">>", ">="}},
	{{"<<", "<<="}, {">>", ">>="}},
	{{"+", "++", "+="}, {"-", "--", "-="}},
	{{"*", "**", "*="}, {"/", "/="}, {"%", "%="}},
}

func (a *arith) binaryLevel(l int) int64 {
	if l == len(levels) {
		return a.power()
	}
	v := a.binaryLevel(l + 1)
	for a.err == nil {
		matched := ""
		for _, op := range levels[l] {
			notIf := op[1:]
			if len(notIf) == 1 && notIf[0] == "" {
				notIf = nil
			}
			if a.eat(op[0], notIf...) {
				matched = op[0]
				break
			}
		}
		if matched == "" {
			return v
		}
		rhs := a.binaryLevel(l + 1)
		v = a.binary(matched, v, rhs)
	}
	return v
}

func (a *arith) binary(op string, x, y int64) int64 {
	b := func(c bool) int64 {
		if c {
			return 1
		}
		return 0
	}
	switch op {
	case "||":
		return b(x != 0 || y != 0)
	case "&&":
		return b(x != 0 && y != 0)
	case "|":
		return x | y
	case "^":
		return x ^ y
	case "&":
		return x & y
	case "==":
		return b(x == y)
	case "!=":
		return b(x != y)
	case "<=":
		return b(x <= y)
	case ">=":
		return b(x >= y)
	case "<":
		return b(x < y)
	case ">":
		return b(x > y)
	case "<<":
		return x << (uint64(y) & 63)
	case ">>":
		return x >> (uint64(y) & 63)
	case "+":
		return x + y
	case "-":
		return x - y
	case "*":
		return x * y
	case "/", "%":
		if y == 0 {
			a.fail("division by 0", strconv.FormatInt(y, 10))
			return 0
		}
		if y == -1 {
			if op == "/" {
				return -x
			}
			return 0
		}
		if op == "/" {
			return x / y
		}
		return x % y
	case "**":
		if y < 0 {
			a.fail("exponent less than 0", strconv.FormatInt(y, 10))
			return 0
		}
		r := int64(1)
		for ; y > 0 && r != 0; y-- {
			r *= x
			if y > 64 && (x == 0 || x == 1 || x == -1) {
				continue
			}
			if y > 64 {
				y = 64
			}
		}
		return r
	}
	return 0
}

func (a *arith) power() int64 {
	x := a.unary()
	if a.eat("**") {
		y := a.power()
		return a.binary("**", x, y)
	}
	return x
}

func (a *arith) unary() int64 {
	if a.depth++; a.depth > maxNest {
		a.fail("expression recursion level exceeded", a.src[a.pos:])
		return 0
	}
	defer func() { a.depth-- }()
	switch {
	case strings.HasPrefix(a.src[a.pos:], "++") || strings.HasPrefix(a.src[a.pos:], "--"):
		op := a.src[a.pos : a.pos+2]
		a.pos += 2
		a.skip()
		name := a.name()
		if name == "" {
			a.fail("syntax error: operand expected", a.src[a.pos:])
			return 0
		}
		a.skip()
		v := a.variable(name) + 1
		if op == "--" {
			v -= 2
		}
		a.s.setVar(name, strconv.FormatInt(v, 10))
		return v
	case a.eat("!", "!="):
		return boolInt(a.unary() == 0)
	case a.eat("~"):
		return ^a.unary()
	case a.eat("-", "-="):
		return -a.unary()
	case a.eat("+", "+="):
		return a.unary()
	}
	return a.postfix()
}

func boolInt(c bool) int64 {
	if c {
		return 1
	}
	return 0
}

func (a *arith) postfix() int64 {
	if a.eat("(") {
		v := a.comma()
		if !a.eat(")") {
			a.fail("missing `)'", a.src[a.pos:])
		}
		return v
	}
	if a.pos < len(a.src) && a.src[a.pos] >= '0' && a.src[a.pos] <= '9' {
		return a.number()
	}
	name := a.name()
	if name == "" {
		tok := a.src[a.pos:]
		if tok == "" {
			tok = strings.TrimSpace(a.src)
			if i := strings.LastIndexAny(tok, " "); i >= 0 {
				tok = tok[i+1:]
			}
		}
		a.fail("syntax error: operand expected", tok)
		return 0
	}
	a.skip()
	v := a.variable(name)
	switch {
	case a.eat("++"):
		a.s.setVar(name, strconv.FormatInt(v+1, 10))
	case a.eat("--"):
		a.s.setVar(name, strconv.FormatInt(v-1, 10))
	}
	return v
}

func (a *arith) name() string {
	j := a.pos
	for j < len(a.src) && (a.src[j] == '_' || a.src[j] >= 'a' && a.src[j] <= 'z' || a.src[j] >= 'A' && a.src[j] <= 'Z' || j > a.pos && a.src[j] >= '0' && a.src[j] <= '9') {
		j++
	}
	n := a.src[a.pos:j]
	a.pos = j
	return n
}

// variable is the value of a variable in arithmetic: its text evaluated as an expression.
func (a *arith) variable(name string) int64 {
	text := strings.TrimSpace(a.s.get(name))
	if text == "" {
		return 0
	}
	if v, err := strconv.ParseInt(text, 10, 64); err == nil {
		return v
	}
	if a.depth > 16 {
		a.fail("expression recursion level exceeded", text)
		return 0
	}
	v, err := a.s.evalArith(text, a.depth+4)
	if err != nil && a.err == nil {
		a.err = err
	}
	return v
}

func (a *arith) number() int64 {
	j := a.pos
	for j < len(a.src) && (a.src[j] == '_' || a.src[j] == '#' || a.src[j] >= '0' && a.src[j] <= '9' || a.src[j] >= 'a' && a.src[j] <= 'z' || a.src[j] >= 'A' && a.src[j] <= 'Z') {
		j++
	}
	text := a.src[a.pos:j]
	a.pos = j
	a.skip()
	base := 10
	digits := text
	switch {
	case strings.Contains(text, "#"):
		b, rest, _ := strings.Cut(text, "#")
		n, err := strconv.Atoi(b)
		if err != nil || n < 2 || n > 36 {
			a.fail("invalid arithmetic base", text)
			return 0
		}
		base, digits = n, rest
	case strings.HasPrefix(text, "0x") || strings.HasPrefix(text, "0X"):
		base, digits = 16, text[2:]
	case len(text) > 1 && text[0] == '0':
		base, digits = 8, text[1:]
	}
	v, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return int64(v)
		}
		msg := "value too great for base"
		if base == 10 {
			msg = "syntax error in expression"
			if len(digits) > 0 {
				msg = "value too great for base"
			}
		}
		a.fail(msg, text)
		return 0
	}
	return int64(v)
}
