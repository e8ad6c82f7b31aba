package shell

import "strings"

// The kinds of token the lexer hands the parser.
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

// skip drops the token the last peek returned. The parser only skips a token it
// has just peeked, so scanning already succeeded and there is no error to report.
func (l *lexer) skip() { l.peeked = nil }

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
	case '"', '`':
		return l.scanQuoted(c)
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

// scanQuoted moves past a "..." or `...` piece that opens at l.pos: a backslash escapes the
// next character, and inside double quotes $ and ` begin pieces of their own.
func (l *lexer) scanQuoted(quote byte) error {
	l.pos++
	for {
		if l.pos >= len(l.src) {
			return errIncomplete
		}
		switch c := l.src[l.pos]; {
		case c == quote:
			l.pos++
			return nil
		case c == '\\':
			l.pos += 2
		case quote == '"' && (c == '$' || c == '`'):
			if err := l.scanUnit(); err != nil {
				return err
			}
		default:
			l.pos++
		}
	}
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
