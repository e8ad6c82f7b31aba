package shell

import (
	"path"
	"strings"
)

// runSimple runs a simple command: its assignments, expansions and redirections, then the
// function, builtin or program its first word names.
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
