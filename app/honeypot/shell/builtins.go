package shell

import (
	"sort"
	"strconv"
	"strings"
)

// builtin is a command bash runs itself; args exclude the name.
type builtin func(s *Session, args []string) int

var builtins map[string]builtin

func init() {
	builtins = map[string]builtin{
		"cd": cmdCd, "pwd": cmdPwd, "echo": cmdEcho, "printf": cmdPrintf, "test": cmdTest,
		"[":    func(s *Session, a []string) int { return s.bracketTest(a) },
		"true": func(*Session, []string) int { return 0 }, "false": func(*Session, []string) int { return 1 },
		":": func(*Session, []string) int { return 0 }, "export": cmdExport, "unset": cmdUnset, "set": cmdSet,
		"shift": cmdShift, "exit": cmdExit, "logout": cmdLogout, "return": cmdReturn,
		"break":    func(s *Session, a []string) int { return s.loopJump(ctlBreak, "break", a) },
		"continue": func(s *Session, a []string) int { return s.loopJump(ctlContinue, "continue", a) },
		"eval":     cmdEval, "source": cmdSource, ".": cmdSource, "exec": cmdExecBuiltin, "read": cmdRead,
		"let": cmdLet, "local": cmdLocal, "declare": cmdLocal, "typeset": cmdLocal, "readonly": cmdLocal,
		"alias": cmdAlias, "unalias": func(*Session, []string) int { return 0 }, "type": cmdType,
		"command": cmdCommand, "hash": func(*Session, []string) int { return 0 }, "history": cmdHistory,
		"wait": func(*Session, []string) int { return 0 }, "jobs": func(*Session, []string) int { return 0 },
		"kill": cmdKill, "umask": cmdUmask, "ulimit": cmdUlimit, "trap": func(*Session, []string) int { return 0 },
		"builtin": cmdBuiltin, "disown": func(*Session, []string) int { return 0 }, "shopt": func(*Session, []string) int { return 0 },
	}
}

func cmdExit(s *Session, args []string) int {
	s.exit = true
	if len(args) > 0 {
		if n, err := strconv.Atoi(args[0]); err == nil {
			return n & 255
		}
		s.errorf("%sexit: %s: numeric argument required\n", s.errPrefix(), args[0])
		return 2
	}
	return s.status
}

func cmdLogout(s *Session, args []string) int {
	if s.opt.Exec {
		s.errorf("%slogout: not login shell: use `exit'\n", s.errPrefix())
		return 1
	}
	return cmdExit(s, args)
}

func cmdReturn(s *Session, args []string) int {
	status := s.status
	if len(args) > 0 {
		n, err := strconv.Atoi(args[0])
		if err != nil {
			s.errorf("%sreturn: %s: numeric argument required\n", s.errPrefix(), args[0])
			n = 2
		}
		status = n & 255
	}
	if s.depth == 0 {
		s.errorf("%sreturn: can only `return' from a function or sourced script\n", s.errPrefix())
		return 1
	}
	s.ctl = ctlReturn
	return status
}

func (s *Session) loopJump(kind int, name string, args []string) int {
	n := 1
	if len(args) > 0 {
		v, err := strconv.Atoi(args[0])
		if err != nil || v < 1 {
			s.errorf("%s%s: %s: loop count out of range\n", s.errPrefix(), name, args[0])
			return 1
		}
		n = v
	}
	s.ctl, s.ctlN = kind, n
	return 0
}

func cmdPwd(s *Session, _ []string) int {
	s.print(s.cwd, "\n")
	return 0
}

func cmdCd(s *Session, args []string) int {
	target := s.get("HOME")
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) > 1 {
		s.errorf("%scd: too many arguments\n", s.errPrefix())
		return 1
	}
	if len(args) == 1 {
		target = args[0]
		if target == "-" {
			if s.oldpwd == "" {
				s.errorf("%scd: OLDPWD not set\n", s.errPrefix())
				return 1
			}
			target = s.oldpwd
			s.print(target, "\n")
		}
	}
	n, _ := s.resolve(target)
	switch {
	case n == nil:
		s.errorf("%scd: %s: No such file or directory\n", s.errPrefix(), target)
		return 1
	case !n.dir:
		s.errorf("%scd: %s: Not a directory\n", s.errPrefix(), target)
		return 1
	case !s.canRead(n):
		s.errorf("%scd: %s: Permission denied\n", s.errPrefix(), target)
		return 1
	}
	s.oldpwd = s.cwd
	s.cwd = s.abs(target) // bash keeps the logical path (cd /bin shows /bin)
	s.setVar("OLDPWD", s.oldpwd)
	s.setVar("PWD", s.cwd)
	return 0
}

func cmdExport(s *Session, args []string) int {
	if len(args) == 0 || len(args) == 1 && args[0] == "-p" {
		for _, name := range s.exported {
			s.printf("declare -x %s=\"%s\"\n", name, s.vars[name])
		}
		return 0
	}
	status := 0
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		name, v, hasValue := strings.Cut(a, "=")
		if !validName(name) {
			s.errorf("%sexport: `%s': not a valid identifier\n", s.errPrefix(), a)
			status = 1
			continue
		}
		if hasValue {
			s.setVar(name, v)
		}
		if _, ok := s.vars[name]; ok || hasValue {
			s.export(name)
		}
	}
	return status
}

func cmdUnset(s *Session, args []string) int {
	for _, a := range args {
		if a == "-v" || a == "-f" {
			continue
		}
		s.unsetVar(a)
		delete(s.funcs, a)
	}
	return 0
}

func cmdLocal(s *Session, args []string) int {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		name, v, hasValue := strings.Cut(a, "=")
		if !validName(name) {
			s.errorf("%sdeclare: `%s': not a valid identifier\n", s.errPrefix(), a)
			return 1
		}
		if hasValue {
			s.setVar(name, v)
		} else if _, ok := s.vars[name]; !ok {
			s.setVar(name, "")
		}
	}
	return 0
}

func cmdSet(s *Session, args []string) int {
	if len(args) == 0 {
		names := make([]string, 0, len(s.vars))
		for k := range s.vars {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			s.printf("%s=%s\n", k, shellQuote(s.vars[k]))
		}
		return 0
	}
	for i, a := range args {
		switch {
		case a == "--":
			s.args = append([]string(nil), args[i+1:]...)
			return 0
		case a == "-f" || a == "-o" && i+1 < len(args) && args[i+1] == "noglob":
			s.globOff = true
		case a == "+f":
			s.globOff = false
		case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+"):
		default:
			s.args = append([]string(nil), args[i:]...)
			return 0
		}
	}
	return 0
}

func cmdShift(s *Session, args []string) int {
	n := 1
	if len(args) > 0 {
		v, err := strconv.Atoi(args[0])
		if err != nil || v < 0 {
			s.errorf("%sshift: %s: numeric argument required\n", s.errPrefix(), args[0])
			return 1
		}
		n = v
	}
	if n > len(s.args) {
		return 1
	}
	s.args = s.args[n:]
	return 0
}

func cmdEval(s *Session, args []string) int {
	s.runScript(strings.Join(args, " "))
	return s.status
}

func cmdSource(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("%ssource: filename argument required\nsource: usage: source filename [arguments]\n", s.errPrefix())
		return 2
	}
	n, _ := s.resolve(args[0])
	if n == nil || n.dir {
		s.errorf("%s%s: No such file or directory\n", s.errPrefix(), args[0])
		return 1
	}
	saved := s.args
	if len(args) > 1 {
		s.args = args[1:]
	}
	s.runScript(n.content)
	s.args = saved
	if s.ctl == ctlReturn {
		s.ctl = ctlNone
	}
	return s.status
}

// cmdExecBuiltin runs the command in place of the shell: the session ends after it.
func cmdExecBuiltin(s *Session, args []string) int {
	if len(args) == 0 {
		return 0
	}
	s.exec(args)
	s.exit = true
	return s.status
}

// cmdRead reads a line of standard input into variables.
func cmdRead(s *Session, args []string) int {
	raw := false
	var names []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-r":
			raw = true
		case a == "-p" || a == "-t" || a == "-n" || a == "-d" || a == "-u" || a == "-a":
			if a == "-p" && i+1 < len(args) {
				s.errorf("%s", args[i+1])
			}
			i++
		case strings.HasPrefix(a, "-"):
		default:
			names = append(names, a)
		}
	}
	if len(names) == 0 {
		names = []string{"REPLY"}
	}
	line, ok := s.io.in.line()
	if !ok {
		for _, n := range names {
			s.setVar(n, "")
		}
		return 1
	}
	if !raw {
		line = strings.ReplaceAll(line, "\\", "")
	}
	if len(names) == 1 {
		s.setVar(names[0], strings.Trim(line, " \t"))
		return 0
	}
	fields := strings.Fields(line)
	for i, n := range names {
		switch {
		case i == len(names)-1 && i < len(fields):
			// the last name takes the rest of the line
			idx := 0
			for k := 0; k < i; k++ {
				idx = strings.Index(line[idx:], fields[k]) + idx + len(fields[k])
			}
			s.setVar(n, strings.TrimSpace(line[idx:]))
		case i < len(fields):
			s.setVar(n, fields[i])
		default:
			s.setVar(n, "")
		}
	}
	return 0
}

func cmdLet(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("%slet: expression expected\n", s.errPrefix())
		return 1
	}
	var v int64
	for _, a := range args {
		r, ok := s.arithExpand(a)
		if !ok {
			return 1
		}
		v = r
	}
	return int(boolInt(v == 0))
}

func cmdAlias(s *Session, args []string) int {
	if len(args) == 0 && s.uid != 0 {
		s.print("alias ls='ls --color=auto'\n")
	}
	return 0
}

// kind says what a name is to bash: "keyword", "function", "builtin", "file" or "".
func (s *Session) kind(name string) (string, string) {
	switch name {
	case "if", "then", "else", "elif", "fi", "case", "esac", "for", "while", "until", "do", "done", "in", "function", "time", "{", "}", "!", "[[", "]]", "select", "coproc":
		return "keyword", ""
	}
	if _, ok := s.funcs[name]; ok {
		return "function", ""
	}
	if _, ok := builtins[name]; ok {
		return "builtin", ""
	}
	if p := s.which(name); p != "" {
		return "file", p
	}
	return "", ""
}

func cmdType(s *Session, args []string) int {
	status := 0
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		switch k, p := s.kind(a); k {
		case "keyword":
			s.printf("%s is a shell keyword\n", a)
		case "function":
			s.printf("%s is a function\n", a)
		case "builtin":
			s.printf("%s is a shell builtin\n", a)
		case "file":
			s.printf("%s is %s\n", a, p)
		default:
			s.errorf("%stype: %s: not found\n", s.errPrefix(), a)
			status = 1
		}
	}
	return status
}

func cmdCommand(s *Session, args []string) int {
	if len(args) > 0 && (args[0] == "-v" || args[0] == "-V") {
		status := 0
		for _, a := range args[1:] {
			switch k, p := s.kind(a); k {
			case "file":
				s.print(p, "\n")
			case "":
				status = 1
			default:
				s.print(a, "\n")
			}
		}
		return status
	}
	if len(args) == 0 {
		return 0
	}
	if b, ok := builtins[args[0]]; ok {
		return b(s, args[1:])
	}
	s.exec(args)
	return s.status
}

func cmdBuiltin(s *Session, args []string) int {
	if len(args) == 0 {
		return 0
	}
	b, ok := builtins[args[0]]
	if !ok {
		s.errorf("%sbuiltin: %s: not a shell builtin\n", s.errPrefix(), args[0])
		return 1
	}
	return b(s, args[1:])
}

func cmdKill(s *Session, args []string) int {
	status := 0
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		pid, err := strconv.Atoi(a)
		if err != nil {
			s.errorf("%skill: %s: arguments must be process or job IDs\n", s.errPrefix(), a)
			status = 1
			continue
		}
		if pid != s.host.shellPID && s.uid != 0 {
			s.errorf("%skill: (%d) - Operation not permitted\n", s.errPrefix(), pid)
			status = 1
		} else if pid > s.host.nextPid || pid <= 0 {
			s.errorf("%skill: (%d) - No such process\n", s.errPrefix(), pid)
			status = 1
		}
	}
	return status
}

func cmdUmask(s *Session, args []string) int {
	if len(args) == 0 {
		s.print("0022\n")
	}
	return 0
}

func cmdUlimit(s *Session, args []string) int {
	if len(args) == 0 || args[0] == "-f" {
		s.print("unlimited\n")
	} else if args[0] == "-n" {
		s.print("1024\n")
	} else if args[0] == "-a" {
		s.print("real-time non-blocking time  (microseconds, -R) unlimited\ncore file size              (blocks, -c) 0\ndata seg size               (kbytes, -d) unlimited\nscheduling priority                 (-e) 0\nfile size                   (blocks, -f) unlimited\npending signals                     (-i) 15388\nmax locked memory           (kbytes, -l) 500568\nmax memory size             (kbytes, -m) unlimited\nopen files                          (-n) 1024\npipe size                (512 bytes, -p) 8\nPOSIX message queues         (bytes, -q) 819200\nreal-time priority                  (-r) 0\nstack size                  (kbytes, -s) 8192\ncpu time                   (seconds, -t) unlimited\nmax user processes                  (-u) 15388\nvirtual memory              (kbytes, -v) unlimited\nfile locks                          (-x) unlimited\n")
	}
	return 0
}

func cmdHistory(s *Session, args []string) int {
	if len(args) > 0 && args[0] == "-c" {
		s.history = s.history[:0]
		return 0
	}
	if s.opt.Exec {
		return 0 // bash -c keeps no history
	}
	for i, h := range s.history {
		s.printf("%5d  %s\n", i+1, h)
	}
	return 0
}
