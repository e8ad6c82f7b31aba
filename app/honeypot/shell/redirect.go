package shell

import "strings"

// redirect applies redirections to the running command's streams. restore undoes them and
// writes what went to files; ok is false when one failed (the command then does not run).
func (s *Session) redirect(rs []redir) (restore func(), ok bool) {
	if len(rs) == 0 {
		return func() {}, true
	}
	saved := s.io
	var files []*outBuf
	restore = func() {
		for _, f := range files {
			s.store(f)
		}
		s.io = saved
	}
	for _, r := range rs {
		target := ""
		if r.heredoc == nil {
			target = s.expandString(r.target)
		}
		switch r.op {
		case ">", ">|", ">>", "&>", "&>>":
			out := s.openWrite(target, strings.HasSuffix(r.op, ">>"))
			if out == nil {
				restore()
				return nil, false
			}
			if out.file != nil {
				files = append(files, out)
			}
			switch {
			case r.op == "&>" || r.op == "&>>":
				s.io.out, s.io.err = out, out
			case r.fd == 2:
				s.io.err = out
			case r.fd == 1:
				s.io.out = out
			}
			if r.fd == 1 {
				s.io.tty = out == s.term
			}
		case ">&", "<&":
			var src *outBuf
			switch target {
			case "1":
				src = s.io.out
			case "2":
				src = s.io.err
			case "-":
				src = discard
			default:
				if r.op == "<&" {
					continue
				}
				out := s.openWrite(target, false)
				if out == nil {
					restore()
					return nil, false
				}
				if out.file != nil {
					files = append(files, out)
				}
				s.io.out, s.io.err = out, out
				continue
			}
			switch r.fd {
			case 1:
				s.io.out = src
				s.io.tty = src == s.term
			case 2:
				s.io.err = src
			}
		case "<", "<>":
			n, _ := s.resolve(target)
			switch {
			case n == nil:
				s.errorf("%s%s: No such file or directory\n", s.errPrefix(), target)
			case n.dir:
				s.errorf("%s%s: Is a directory\n", s.errPrefix(), target)
			case !s.canRead(n):
				s.errorf("%s%s: Permission denied\n", s.errPrefix(), target)
			default:
				s.io.in = &inBuf{data: n.content}
				continue
			}
			restore()
			return nil, false
		case "<<":
			body := r.heredoc.body
			if r.heredoc.expand {
				body = s.expandHeredoc(body)
			}
			s.io.in = &inBuf{data: body}
		case "<<<":
			s.io.in = &inBuf{data: target + "\n"}
		}
	}
	return restore, true
}

// expandHeredoc expands $ forms and backquotes in a here-document body; quotes stay.
func (s *Session) expandHeredoc(body string) string {
	var sb strings.Builder
	var frags []frag
	for i := 0; i < len(body); {
		switch body[i] {
		case '\\':
			if i+1 < len(body) && strings.IndexByte("$`\\", body[i+1]) >= 0 {
				sb.WriteByte(body[i+1])
				i += 2
				continue
			}
			sb.WriteByte('\\')
			i++
		case '$':
			frags = frags[:0]
			i = s.dollar(body, i, true, &frags)
			for _, f := range frags {
				sb.WriteString(f.text)
			}
		case '`':
			end, inner := backquoted(body, i)
			sb.WriteString(s.substitute(inner))
			i = end
		default:
			sb.WriteByte(body[i])
			i++
		}
	}
	return sb.String()
}

// openWrite opens a redirection target for writing; nil (after bash's message) when that
// is not possible.
func (s *Session) openWrite(p string, appendTo bool) *outBuf {
	switch p {
	case "/dev/null", "/dev/zero", "/dev/full":
		return discard
	case "/dev/stdout":
		return s.io.out
	case "/dev/stderr":
		return s.io.err
	case "/dev/tty":
		return s.term
	case "":
		s.errorf("%s: ambiguous redirect\n", strings.TrimSuffix(s.errPrefix(), " "))
		return nil
	}
	n := s.create(p, func(reason string) { s.errorf("%s%s: %s\n", s.errPrefix(), p, reason) })
	if n == nil {
		return nil
	}
	if !appendTo {
		n.content, n.size = "", 0
		n.mtime = s.opt.Now()
	}
	return &outBuf{max: max(maxWritten-s.written, 0), file: n, app: true}
}

// store writes what a command sent to a file into the fake filesystem.
func (s *Session) store(o *outBuf) {
	c := o.String()
	if room := maxWritten - s.written; len(c) > room {
		c = c[:max(room, 0)]
	}
	s.written += len(c)
	o.file.content += c
	o.file.size = 0
	if c != "" {
		o.file.mtime = s.opt.Now()
	}
}

// writeFile replaces or extends a file's content (tee, crontab, the editors).
func (s *Session) writeFile(p, content string, appendTo bool) bool {
	out := s.openWrite(p, appendTo)
	if out == nil {
		return false
	}
	out.WriteString(content)
	if out.file != nil {
		s.store(out)
	}
	return true
}
