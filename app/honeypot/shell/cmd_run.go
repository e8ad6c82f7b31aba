package shell

import "strings"

// Commands that run other commands.

// cmdXargs runs its command (echo by default) with the words read from standard input.
func cmdXargs(s *Session, args []string) int {
	_, _, ops := flags(args)
	if len(ops) == 0 {
		ops = []string{"echo"}
	}
	words := strings.Fields(s.io.in.rest())
	if len(words) == 0 {
		return 0
	}
	s.exec(append(append([]string(nil), ops...), words...))
	return s.status
}

func cmdSh(s *Session, args []string) int {
	for i, a := range args {
		if a == "-c" && i+1 < len(args) {
			s.subshell(func() {
				s.args = args[i+2:]
				s.runScript(args[i+1])
			})
			return s.status
		}
	}
	_, _, ops := flags(args)
	script := ""
	if len(ops) > 0 {
		c, ok := s.readable("bash", ops[0])
		if !ok {
			return 127
		}
		script = c
	} else {
		// "curl ... | sh": the piped text is the script
		script = s.io.in.rest()
	}
	s.subshell(func() {
		if len(ops) > 1 {
			s.args = ops[1:]
		}
		s.runScript(script)
	})
	return s.status
}

func cmdSudo(s *Session, args []string) int {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:]
	}
	if s.uid != 0 {
		if s.opt.Exec {
			s.errorf("sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\nsudo: a password is required\n")
		} else {
			s.errorf("[sudo] password for %s: \nsudo: no password was provided\nsudo: a password is required\n", s.opt.User)
		}
		return 1
	}
	if len(args) == 0 {
		s.errorf("usage: sudo -h | -K | -k | -V\n")
		return 1
	}
	s.exec(args)
	return s.status
}

func cmdSu(s *Session, _ []string) int {
	if s.uid != 0 {
		s.errorf("Password: \nsu: Authentication failure\n")
		return 1
	}
	return 0
}

func cmdNohup(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("nohup: missing operand\nTry 'nohup --help' for more information.\n")
		return 125
	}
	if s.io.tty {
		s.errorf("nohup: ignoring input and appending output to 'nohup.out'\n")
		out := s.openWrite("nohup.out", true)
		if out == nil {
			return 125
		}
		saved := s.io.out
		s.io.out, s.io.tty = out, false
		s.exec(args)
		if out.file != nil {
			s.store(out)
		}
		s.io.out, s.io.tty = saved, true
		return s.status
	}
	s.exec(args)
	return s.status
}

func cmdTimeout(s *Session, args []string) int {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:]
	}
	if len(args) < 2 {
		s.errorf("timeout: missing operand\nTry 'timeout --help' for more information.\n")
		return 125
	}
	s.exec(args[1:])
	return s.status
}
