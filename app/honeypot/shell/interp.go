package shell

import (
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// outBuf collects output up to max bytes; the rest is dropped.
type outBuf struct {
	b    strings.Builder
	max  int
	full bool
	file *node // a redirection target: the content goes there when the command ends
	app  bool
}

func (o *outBuf) WriteString(x string) {
	room := o.max - o.b.Len()
	if len(x) > room {
		x = x[:max(room, 0)]
		o.full = true
	}
	o.b.WriteString(x)
}

func (o *outBuf) String() string { return o.b.String() }

// inBuf is standard input: what a pipe, a file or a here-document holds, read once.
type inBuf struct {
	data string
	pos  int
}

func (in *inBuf) rest() string {
	r := in.data[in.pos:]
	in.pos = len(in.data)
	return r
}

func (in *inBuf) line() (string, bool) {
	if in.pos >= len(in.data) {
		return "", false
	}
	r := in.data[in.pos:]
	if i := strings.IndexByte(r, '\n'); i >= 0 {
		in.pos += i + 1
		return r[:i], true
	}
	in.pos = len(in.data)
	return r, true
}

// stream is where a command reads and writes.
type stream struct {
	out, err *outBuf
	in       *inBuf
	tty      bool // out is the client's terminal
}

var discard = &outBuf{}

// Control flow on its way out of loops and functions.
const (
	ctlNone = iota
	ctlBreak
	ctlContinue
	ctlReturn
)

// stopped says the running line must not run more: it exited, ran out of steps or the
// connection is gone.
func (s *Session) stopped() bool {
	return s.exit || s.ctl != ctlNone || s.steps > maxSteps || s.term.full || s.opt.Context.Err() != nil
}

// step counts one command or loop round; false when the line's budget is spent.
func (s *Session) step() bool {
	s.steps++
	return s.steps <= maxSteps
}

// charge counts work proportional to n characters against the line's budget.
func (s *Session) charge(n int) { s.steps += n / 4096 }

// runScript parses and runs a complete script (sh -c, eval, source, $(...)).
func (s *Session) runScript(src string) {
	if s.depth >= maxDepth {
		s.errorf("%smaximum nesting level exceeded\n", s.errPrefix())
		s.status = 1
		return
	}
	prog, err := parseScript(src, true)
	if err != nil {
		s.syntaxError(err, src)
		s.status = 2
		return
	}
	s.depth++
	s.runList(prog)
	s.depth--
}

func (s *Session) runList(l list) {
	for _, ao := range l {
		if s.stopped() {
			return
		}
		s.runAndOr(ao)
	}
}

func (s *Session) runAndOr(ao *andOr) {
	if ao.bg && !s.opt.Exec && s.depth == 0 {
		s.jobs++
		s.lastBg = s.host.nextPID()
		s.errorf("[%d] %d\n", s.jobs, s.lastBg)
	}
	s.runPipeline(ao.first)
	for i, p := range ao.rest {
		if s.stopped() {
			return
		}
		if (ao.ops[i] == "&&") != (s.status == 0) {
			continue
		}
		s.runPipeline(p)
	}
}

func (s *Session) runPipeline(p *pipeline) {
	began, ext := time.Now(), s.external
	if len(p.cmds) == 1 {
		s.runCmd(p.cmds[0])
	} else {
		in := s.io.in
		for i, c := range p.cmds {
			if s.stopped() {
				break
			}
			st := s.io
			st.in = in
			var out *outBuf
			if i < len(p.cmds)-1 {
				out = &outBuf{max: maxOutput}
				st.out, st.tty = out, false
			}
			saved := s.io
			s.io = st
			// every stage of a pipeline runs in a subshell
			s.subshell(func() { s.runCmd(c) })
			s.io = saved
			if out != nil {
				in = &inBuf{data: out.String()}
			}
		}
	}
	if p.negate {
		s.status = int(boolInt(s.status == 0))
	}
	if p.timed {
		// A real program costs about a millisecond to start (fork and exec); the fake ones are
		// charged that in time's figures rather than made to wait it, which would slow every
		// session's commands for nothing an attacker could see over the network.
		n := time.Duration(s.external - ext)
		real := time.Since(began) + n*programStart
		s.errorf("\nreal\t%s\nuser\t%s\nsys\t%s\n", bashTime(real), bashTime(n*700*time.Microsecond), bashTime(n*400*time.Microsecond))
	}
}

// programStart is what starting one external program adds to time's "real".
const programStart = 1100 * time.Microsecond

// bashTime formats a duration like bash's time: 0m0.003s.
func bashTime(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%dm%d.%03ds", ms/60000, ms/1000%60, ms%1000)
}

// subshell runs f with the variables, functions, directory and exit state restored after.
func (s *Session) subshell(f func()) {
	vars := make(map[string]string, len(s.vars))
	for k, v := range s.vars {
		vars[k] = v
	}
	funcs := make(map[string]cmd, len(s.funcs))
	for k, v := range s.funcs {
		funcs[k] = v
	}
	exported := append([]string(nil), s.exported...)
	varBytes, cwd, oldpwd, args, exit := s.varBytes, s.cwd, s.oldpwd, s.args, s.exit
	f()
	s.vars, s.funcs, s.exported, s.varBytes = vars, funcs, exported, varBytes
	s.cwd, s.oldpwd, s.args, s.exit = cwd, oldpwd, args, exit
	if s.ctl != ctlNone {
		s.ctl = ctlNone
	}
}

func (s *Session) runCmd(c cmd) {
	switch c := c.(type) {
	case *simpleCmd:
		s.runSimple(c)
	case *compound:
		restore, ok := s.redirect(c.redirs)
		if !ok {
			s.status = 1
			return
		}
		s.runCompound(c.body)
		restore()
	case *funcDef:
		s.funcs[c.name] = c.body
		s.status = 0
	}
}

func (s *Session) runCompound(c cmd) {
	switch c := c.(type) {
	case *groupCmd:
		if c.subshell {
			s.subshell(func() { s.runList(c.body) })
		} else {
			s.runList(c.body)
		}
	case *ifCmd:
		for i, cond := range c.conds {
			s.runList(cond)
			if s.stopped() {
				return
			}
			if s.status == 0 {
				s.runList(c.bodies[i])
				return
			}
		}
		s.status = 0
		if c.orElse != nil {
			s.runList(c.orElse)
		}
	case *loopCmd:
		status := 0
		for s.step() {
			s.runList(c.cond)
			if s.loopCtl() || (s.status == 0) == c.until {
				break
			}
			s.runList(c.body)
			status = s.status
			if s.loopCtl() {
				break
			}
		}
		s.status = status
	case *forCmd:
		items := s.args
		if c.hasIn {
			items = s.expandWords(c.items)
		}
		s.status = 0
		for _, it := range items {
			if !s.step() {
				break
			}
			s.setVar(c.name, it)
			s.runList(c.body)
			if s.loopCtl() {
				break
			}
		}
	case *forArith:
		if _, ok := s.arithExpand(c.init); !ok {
			s.status = 1
			return
		}
		s.status = 0
		for s.step() {
			if strings.TrimSpace(c.cond) != "" {
				v, ok := s.arithExpand(c.cond)
				if !ok {
					s.status = 1
					return
				}
				if v == 0 {
					break
				}
			}
			s.runList(c.body)
			if s.loopCtl() {
				break
			}
			if _, ok := s.arithExpand(c.post); !ok {
				s.status = 1
				return
			}
		}
	case *caseCmd:
		subject := s.expandString(c.subject)
		s.status = 0
		for _, it := range c.items {
			for _, p := range it.patterns {
				if matchGlob(s.expandPattern(p), subject) {
					s.runList(it.body)
					return
				}
			}
		}
	case *arithCmd:
		s.failed = false
		v, ok := s.arithExpand(c.expr)
		s.status = int(boolInt(!ok || v == 0))
	case *condCmd:
		s.failed = false
		args := make([]string, 0, len(c.args))
		quoted := make([]bool, 0, len(c.args))
		for i, a := range c.args {
			// the right side of == and != is a pattern
			if i > 0 && (c.args[i-1] == "==" || c.args[i-1] == "=" || c.args[i-1] == "!=") {
				args = append(args, s.expandPattern(a))
			} else {
				args = append(args, s.expandString(a))
			}
			quoted = append(quoted, strings.ContainsAny(string(a), `'"\`))
		}
		if s.failed {
			s.status = 1
			return
		}
		s.status = s.condTest(args, quoted)
	}
}

// loopCtl handles break and continue at the end of a loop round; true means leave the loop.
func (s *Session) loopCtl() bool {
	switch s.ctl {
	case ctlBreak:
		if s.ctlN--; s.ctlN <= 0 {
			s.ctl = ctlNone
		}
		return true
	case ctlContinue:
		if s.ctlN--; s.ctlN <= 0 {
			s.ctl = ctlNone
			return false
		}
		s.ctl = ctlBreak
		return true
	}
	return s.stopped()
}

func (s *Session) runSimple(c *simpleCmd) {
	if !s.step() {
		return
	}
	s.failed, s.hadSubst = false, false
	args := s.expandWords(c.words)
	values := make([]string, len(c.assigns))
	for i, a := range c.assigns {
		values[i] = s.expandString(a.value)
		if a.append {
			values[i] = s.get(a.name) + values[i]
		}
	}
	if s.failed {
		s.status = 1
		return
	}
	restore, ok := s.redirect(c.redirs)
	if !ok {
		s.status = 1
		return
	}
	defer restore()
	if len(args) == 0 {
		for i, a := range c.assigns {
			s.setVar(a.name, values[i])
		}
		s.status = 0
		if s.hadSubst {
			s.status = s.substStatus
		}
		return
	}
	// assignments before a command hold for that command only
	type saved struct {
		name, value string
		set         bool
	}
	var prev []saved
	for i, a := range c.assigns {
		v, set := s.vars[a.name]
		prev = append(prev, saved{a.name, v, set})
		s.setVar(a.name, values[i])
	}
	s.exec(args)
	for _, p := range prev {
		if p.set {
			s.setVar(p.name, p.value)
		} else {
			s.unsetVar(p.name)
		}
	}
}

// exec runs one command: a function, a builtin or one of the programs the fake host has.
func (s *Session) exec(args []string) {
	name := args[0]
	if f, ok := s.funcs[name]; ok {
		s.callFunc(name, f, args[1:])
		return
	}
	if b, ok := builtins[name]; ok {
		s.status = b(s, args[1:])
		return
	}
	prog := name
	if strings.Contains(name, "/") {
		n, p := s.resolve(name)
		switch {
		case n == nil:
			s.errorf("%s%s: No such file or directory\n", s.errPrefix(), name)
			s.status = 127
			return
		case n.dir:
			s.errorf("%s%s: Is a directory\n", s.errPrefix(), name)
			s.status = 126
			return
		case !n.executable() || !s.canRead(n):
			s.errorf("%s%s: Permission denied\n", s.errPrefix(), name)
			s.status = 126
			return
		case n.content != "" && commands[path.Base(p)] == nil:
			s.runFile(name, n.content, args[1:])
			return
		}
		prog = path.Base(p)
	} else if s.which(name) == "" {
		s.errorf("%s%s: command not found\n", s.errPrefix(), name)
		s.status = 127
		return
	}
	run := commands[prog]
	if run == nil {
		run = cmdNotRunnable
	}
	s.external++
	s.status = run(s, args[1:])
}

// runFile runs a script file the attacker wrote: its lines run in this shell, as bash would
// run them in a child.
func (s *Session) runFile(name, content string, args []string) {
	if strings.HasPrefix(content, "\x7fELF") {
		s.errorf("%s%s: cannot execute binary file: Exec format error\n", s.errPrefix(), name)
		s.status = 126
		return
	}
	s.subshell(func() {
		s.args = args
		s.runScript(content)
	})
}

func (s *Session) callFunc(name string, body cmd, args []string) {
	if s.depth >= maxDepth {
		s.errorf("%s%s: maximum function nesting level exceeded (%d)\n", s.errPrefix(), name, maxDepth)
		s.status = 1
		s.exit = s.opt.Exec
		return
	}
	saved := s.args
	s.args = args
	s.depth++
	s.runCmd(body)
	s.depth--
	s.args = saved
	if s.ctl == ctlReturn {
		s.ctl = ctlNone
	}
}

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

// Variables.

// lookupVar returns a variable's value and whether it is set; special parameters included.
func (s *Session) lookupVar(name string) (string, bool) {
	switch name {
	case "?":
		return strconv.Itoa(s.status), true
	case "$":
		return strconv.Itoa(s.host.shellPID), true
	case "#":
		return strconv.Itoa(len(s.args)), true
	case "0":
		if s.opt.Exec {
			return "bash", true
		}
		return "-bash", true
	case "!":
		if s.lastBg == 0 {
			return "", false
		}
		return strconv.Itoa(s.lastBg), true
	case "-":
		if s.opt.Exec {
			return "hBc", true
		}
		return "himBHs", true
	case "@", "*":
		return strings.Join(s.args, " "), true
	case "RANDOM":
		return strconv.Itoa(s.host.random()), true
	case "SECONDS":
		return strconv.Itoa(int(s.opt.Now().Sub(s.start).Seconds())), true
	case "EPOCHSECONDS":
		return strconv.FormatInt(s.opt.Now().Unix(), 10), true
	case "LINENO":
		return "1", true
	case "BASHPID":
		return strconv.Itoa(s.host.shellPID), true
	}
	if len(name) == 1 && name[0] >= '1' && name[0] <= '9' {
		i := int(name[0] - '1')
		if i < len(s.args) {
			return s.args[i], true
		}
		return "", false
	}
	v, ok := s.vars[name]
	return v, ok
}

func (s *Session) get(name string) string {
	v, _ := s.lookupVar(name)
	return v
}

// setVar sets a shell variable, within the session's bounds on count and size.
func (s *Session) setVar(name, v string) {
	if len(v) > maxVarLen {
		v = v[:maxVarLen]
	}
	old, exists := s.vars[name]
	if !exists && len(s.vars) >= maxVars {
		return
	}
	if s.varBytes-len(old)+len(v) > maxVarBytes {
		return
	}
	s.varBytes += len(v) - len(old)
	s.vars[name] = v
	switch name {
	case "PWD":
		if v != "" && strings.HasPrefix(v, "/") {
			s.cwd = path.Clean(v)
		}
	}
}

func (s *Session) unsetVar(name string) {
	s.varBytes -= len(s.vars[name])
	delete(s.vars, name)
	for i, e := range s.exported {
		if e == name {
			s.exported = append(s.exported[:i:i], s.exported[i+1:]...)
			break
		}
	}
}

func (s *Session) export(name string) {
	for _, e := range s.exported {
		if e == name {
			return
		}
	}
	s.exported = append(s.exported, name)
}

func (s *Session) isExported(name string) bool {
	for _, e := range s.exported {
		if e == name {
			return true
		}
	}
	return false
}

// Waiting.

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// pause takes time like the real command would, within the session's waiting budget.
func (s *Session) pause(d time.Duration) {
	d = min(d, maxWaitCommand, maxWaitSession-s.waited)
	if d <= 0 || s.opt.Context.Err() != nil {
		return
	}
	s.waited += d
	s.wait(s.opt.Context, d)
}
