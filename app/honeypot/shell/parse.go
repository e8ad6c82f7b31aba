package shell

import "strings"

// A command line is split into simple commands joined by operators, respecting quotes:
//
//	a ; b && c || d | e & f
//
// Each part keeps its raw text; words are expanded only when the part runs, so that an
// assignment earlier on the line is seen by a later command.

// part is one pipeline of a command line: the operator that joins it to the previous part
// ("" for the first, ";", "&&", "||" or "&") and the raw text of its stages.
type part struct {
	op     string
	stages []string
}

// maxParts bounds how many commands one line may run.
const maxParts = 64

// splitLine splits a command line into pipelines. It never fails: unterminated quotes end
// at the end of the line, as if the user had closed them.
func splitLine(line string) []part {
	var parts []part
	cur := part{}
	var sb strings.Builder
	endStage := func() {
		cur.stages = append(cur.stages, sb.String())
		sb.Reset()
	}
	endPart := func(nextOp string) {
		endStage()
		if len(parts) < maxParts {
			parts = append(parts, cur)
		}
		cur = part{op: nextOp}
	}
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		if quote != 0 {
			sb.WriteByte(c)
			if c == '\\' && quote == '"' && i+1 < len(line) {
				i++
				sb.WriteByte(line[i])
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '\\':
			sb.WriteByte(c)
			if i+1 < len(line) {
				i++
				sb.WriteByte(line[i])
			}
		case '\'', '"', '`':
			quote = c
			sb.WriteByte(c)
		case '#':
			// a comment starts a word only
			if sb.Len() == 0 || isSpace(line[i-1]) {
				i = len(line)
				continue
			}
			sb.WriteByte(c)
		case ';', '\n':
			endPart(";")
		case '&':
			if i+1 < len(line) && line[i+1] == '&' {
				i++
				endPart("&&")
			} else if i > 0 && (line[i-1] == '>' || line[i-1] == '<') || i+1 < len(line) && line[i+1] == '>' {
				sb.WriteByte(c) // 2>&1, &>file
			} else {
				endPart("&")
			}
		case '|':
			if i+1 < len(line) && line[i+1] == '|' {
				i++
				endPart("||")
			} else {
				endStage()
			}
		default:
			sb.WriteByte(c)
		}
	}
	endPart("")
	return parts
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// maxWords bounds the words of one command.
const maxWords = 1024

// redirect is an output redirection of a command.
type redirect struct {
	path   string
	append bool
}

// words expands one simple command into its words: quotes removed, $VAR and ${VAR}
// replaced by lookup, backslash escapes applied. Output redirections (>, >>, 2>, &>, 2>&1,
// <) are taken out; the last stdout one is returned.
func words(text string, lookup func(string) string) (out []string, redir *redirect) {
	var sb strings.Builder
	inWord := false
	pendingRedir := "" // ">" or ">>" or "<" or "2>" waiting for its target word
	emit := func() {
		if !inWord {
			return
		}
		w := sb.String()
		sb.Reset()
		inWord = false
		switch pendingRedir {
		case ">", ">>":
			redir = &redirect{path: w, append: pendingRedir == ">>"}
			pendingRedir = ""
			return
		case "":
		default:
			pendingRedir = ""
			return
		}
		if len(out) < maxWords {
			out = append(out, w)
		}
	}
	expand := func(i int) int { // text[i] == '$'; returns index of the last byte consumed
		if i+1 >= len(text) {
			sb.WriteByte('$')
			return i
		}
		j := i + 1
		if text[j] == '{' {
			end := strings.IndexByte(text[j:], '}')
			if end < 0 {
				sb.WriteString(text[i:])
				return len(text) - 1
			}
			sb.WriteString(lookup(text[j+1 : j+end]))
			return j + end
		}
		if text[j] == '?' || text[j] == '$' || text[j] == '#' || (text[j] >= '0' && text[j] <= '9') {
			sb.WriteString(lookup(text[j : j+1]))
			return j
		}
		for j < len(text) && (text[j] == '_' || text[j] >= 'a' && text[j] <= 'z' || text[j] >= 'A' && text[j] <= 'Z' || text[j] >= '0' && text[j] <= '9') {
			j++
		}
		if j == i+1 {
			sb.WriteByte('$')
			return i
		}
		sb.WriteString(lookup(text[i+1 : j]))
		return j - 1
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case isSpace(c):
			emit()
		case c == '\\':
			inWord = true
			if i+1 < len(text) {
				i++
				sb.WriteByte(text[i])
			}
		case c == '\'':
			inWord = true
			end := strings.IndexByte(text[i+1:], '\'')
			if end < 0 {
				sb.WriteString(text[i+1:])
				i = len(text)
			} else {
				sb.WriteString(text[i+1 : i+1+end])
				i += 1 + end
			}
		case c == '"':
			inWord = true
			i++
			for ; i < len(text) && text[i] != '"'; i++ {
				switch {
				case text[i] == '\\' && i+1 < len(text) && strings.IndexByte("\"\\$`", text[i+1]) >= 0:
					i++
					sb.WriteByte(text[i])
				case text[i] == '$':
					i = expand(i)
				default:
					sb.WriteByte(text[i])
				}
			}
		case c == '$':
			inWord = true
			i = expand(i)
		case c == '>' || c == '<' || (c == '2' || c == '1' || c == '&') && !inWord && i+1 < len(text) && text[i+1] == '>':
			emit()
			op := string(c)
			if c != '>' && c != '<' {
				i++
				op = string(c) + ">"
			}
			if i+1 < len(text) && text[i+1] == '>' && c != '<' {
				i++
				op += ">"
			}
			if i+1 < len(text) && text[i+1] == '&' { // 2>&1, >&2
				i++
				for i+1 < len(text) && !isSpace(text[i+1]) {
					i++
				}
				continue
			}
			switch op {
			case "1>":
				op = ">"
			case "1>>":
				op = ">>"
			case "&>":
				op = ">"
			case "&>>":
				op = ">>"
			}
			pendingRedir = op
		default:
			inWord = true
			sb.WriteByte(c)
		}
	}
	emit()
	return out, redir
}
