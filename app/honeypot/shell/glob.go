package shell

import (
	"sort"
	"strings"
)

// escapeGlob escapes the pattern characters of quoted text, so that it matches only itself.
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
