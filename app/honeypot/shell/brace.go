package shell

import (
	"strconv"
	"strings"
)

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
				// the word was balanced when it was lexed; on an error the
				// scan stops at the end of the word, which is where to skip to
				lx := &lexer{src: w, pos: i + 1}
				if w[i+1] == '{' {
					_ = lx.scanBraces()
				} else {
					_ = lx.scanParens()
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
