package shell

import (
	"context"
	"fmt"
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
