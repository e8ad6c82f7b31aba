package shell

import (
	"fmt"
	"math"
	"regexp"
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

func cmdEcho(s *Session, args []string) int {
	newline, escapes := true, false
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && strings.Trim(args[0][1:], "neE") == "" {
		for _, c := range args[0][1:] {
			switch c {
			case 'n':
				newline = false
			case 'e':
				escapes = true
			case 'E':
				escapes = false
			}
		}
		args = args[1:]
	}
	out := strings.Join(args, " ")
	if escapes {
		var stop bool
		out, stop = unescape(out)
		if stop {
			newline = false
		}
	}
	s.print(out)
	if newline {
		s.print("\n")
	}
	return 0
}

// unescape applies echo -e and $'...' escapes; stop reports \c (no further output).
func unescape(in string) (out string, stop bool) {
	var sb strings.Builder
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' || i+1 >= len(in) {
			sb.WriteByte(c)
			continue
		}
		i++
		switch in[i] {
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case 'r':
			sb.WriteByte('\r')
		case 'a':
			sb.WriteByte('\a')
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'v':
			sb.WriteByte('\v')
		case 'e', 'E':
			sb.WriteByte(0x1b)
		case '\\':
			sb.WriteByte('\\')
		case '\'', '"':
			sb.WriteByte(in[i])
		case 'c':
			return sb.String(), true
		case 'x':
			j := i + 1
			for j < len(in) && j < i+3 && isHex(in[j]) {
				j++
			}
			if j == i+1 {
				sb.WriteString("\\x")
				continue
			}
			v, _ := strconv.ParseUint(in[i+1:j], 16, 8)
			sb.WriteByte(byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			if in[i] == '0' {
				j++
			}
			start := j
			for j < len(in) && j < start+3 && in[j] >= '0' && in[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint("0"+in[start:j], 8, 16)
			sb.WriteByte(byte(v))
			i = j - 1
		default:
			sb.WriteByte('\\')
			sb.WriteByte(in[i])
		}
	}
	return sb.String(), false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// cmdPrintf is bash's printf: the format is reused until the arguments are used up.
func cmdPrintf(s *Session, args []string) int {
	target := ""
	if len(args) > 1 && args[0] == "-v" {
		target, args = args[1], args[2:]
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		s.errorf("%sprintf: usage: printf [-v var] format [arguments]\n", s.errPrefix())
		return 2
	}
	format, rest := args[0], args[1:]
	var sb strings.Builder
	status := 0
	for {
		used, stop := s.printfOnce(&sb, format, &rest, &status)
		if stop || len(rest) == 0 || used == 0 || sb.Len() > maxOutput {
			break
		}
	}
	if target != "" {
		s.setVar(target, sb.String())
	} else {
		s.print(sb.String())
	}
	return status
}

// printfOnce formats once; used counts the arguments the format consumed.
func (s *Session) printfOnce(sb *strings.Builder, format string, rest *[]string, status *int) (used int, stop bool) {
	next := func() (string, bool) {
		if len(*rest) == 0 {
			return "", false
		}
		a := (*rest)[0]
		*rest = (*rest)[1:]
		used++
		return a, true
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == '\\' {
			j := i + 1
			for j < len(format) && j < i+4 && (format[j] >= '0' && format[j] <= '7') {
				j++
			}
			if j == i+1 && j < len(format) {
				j++
				if format[i+1] == 'x' {
					for j < len(format) && j < i+4 && isHex(format[j]) {
						j++
					}
				}
			}
			out, st := unescape(format[i:j])
			sb.WriteString(out)
			if st {
				return used, true
			}
			i = j - 1
			continue
		}
		if c != '%' {
			sb.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			sb.WriteByte('%')
			i++
			continue
		}
		// %[flags][width][.precision]verb
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
			j++
		}
		spec := format[i+1 : j]
		width, prec := "", ""
		readNum := func() string {
			if j < len(format) && format[j] == '*' {
				j++
				a, _ := next()
				n, _ := strconv.Atoi(a)
				return strconv.Itoa(n)
			}
			k := j
			for j < len(format) && format[j] >= '0' && format[j] <= '9' {
				j++
			}
			return format[k:j]
		}
		width = readNum()
		hasPrec := false
		if j < len(format) && format[j] == '.' {
			j++
			hasPrec = true
			prec = readNum()
		}
		for j < len(format) && strings.IndexByte("hlLqjzt", format[j]) >= 0 && format[j] != 'q' {
			j++
		}
		if j >= len(format) {
			s.errorf("%sprintf: `%s': missing format character\n", s.errPrefix(), format[i:])
			*status = 1
			return used, true
		}
		if w, _ := strconv.Atoi(width); w > maxOutput {
			width = strconv.Itoa(maxOutput)
		}
		if p, _ := strconv.Atoi(prec); p > maxOutput {
			prec = strconv.Itoa(maxOutput)
		}
		verb := format[j]
		i = j
		goSpec := "%" + spec + width
		if hasPrec {
			goSpec += "." + prec
		}
		arg, _ := next()
		switch verb {
		case 's':
			sb.WriteString(fmt.Sprintf(goSpec+"s", arg))
		case 'b':
			out, st := unescape(arg)
			sb.WriteString(fmt.Sprintf(goSpec+"s", out))
			if st {
				return used, true
			}
		case 'q':
			sb.WriteString(fmt.Sprintf("%"+spec+width+"s", shellQuote(arg)))
		case 'c':
			if arg != "" {
				arg = arg[:1]
			}
			sb.WriteString(fmt.Sprintf("%"+spec+width+"s", arg))
		case 'd', 'i', 'o', 'u', 'x', 'X':
			n := s.printfInt(arg, status)
			gv := map[byte]string{'d': "d", 'i': "d", 'u': "d", 'o': "o", 'x': "x", 'X': "X"}[verb]
			if verb == 'u' && n < 0 {
				sb.WriteString(fmt.Sprintf(goSpec+gv, uint64(n)))
			} else if (verb == 'x' || verb == 'X' || verb == 'o') && n < 0 {
				sb.WriteString(fmt.Sprintf(goSpec+gv, uint64(n)))
			} else {
				sb.WriteString(fmt.Sprintf(goSpec+gv, n))
			}
		case 'f', 'F', 'e', 'E', 'g', 'G', 'a', 'A':
			f := 0.0
			if arg != "" {
				v, err := strconv.ParseFloat(strings.TrimSpace(arg), 64)
				if err != nil {
					s.errorf("%sprintf: %s: invalid number\n", s.errPrefix(), arg)
					*status = 1
				}
				f = v
			}
			gv := string(verb)
			if verb == 'F' {
				gv = "f"
			}
			if math.IsInf(f, 0) || math.IsNaN(f) {
				gv = "f"
			}
			sb.WriteString(fmt.Sprintf(goSpec+gv, f))
		default:
			s.errorf("%sprintf: `%c': invalid format character\n", s.errPrefix(), verb)
			*status = 1
			return used, true
		}
		if sb.Len() > maxOutput {
			return used, true
		}
	}
	return used, false
}

// printfInt converts a printf argument: numbers in C syntax, 'c for a character code.
func (s *Session) printfInt(arg string, status *int) int64 {
	a := strings.TrimSpace(arg)
	if a == "" {
		return 0
	}
	if a[0] == '\'' || a[0] == '"' {
		if len(a) > 1 {
			return int64(a[1])
		}
		return 0
	}
	neg := false
	body := a
	if body[0] == '-' || body[0] == '+' {
		neg = body[0] == '-'
		body = body[1:]
	}
	base := 10
	switch {
	case strings.HasPrefix(body, "0x") || strings.HasPrefix(body, "0X"):
		base, body = 16, body[2:]
	case len(body) > 1 && body[0] == '0':
		base, body = 8, body[1:]
	}
	v, err := strconv.ParseInt(body, base, 64)
	if err != nil {
		// bash prints what it could convert and complains
		s.errorf("%sprintf: %s: invalid number\n", s.errPrefix(), arg)
		*status = 1
		k := 0
		for k < len(body) && body[k] >= '0' && body[k] <= '9' {
			k++
		}
		v, _ = strconv.ParseInt(body[:k], 10, 64)
	}
	if neg {
		v = -v
	}
	return v
}

// shellQuote quotes a string the way printf %q does.
func shellQuote(a string) string {
	if a == "" {
		return "''"
	}
	var sb strings.Builder
	for i := 0; i < len(a); i++ {
		c := a[i]
		if strings.IndexByte(" \t\n!\"#$&'()*,;<=>?[\\]^`{|}~", c) >= 0 {
			sb.WriteByte('\\')
		}
		sb.WriteByte(c)
	}
	return sb.String()
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

// Tests: test, [ and [[.

func cmdTest(s *Session, args []string) int { return s.evalTest(args, nil) }

func (s *Session) bracketTest(args []string) int {
	if len(args) == 0 || args[len(args)-1] != "]" {
		s.errorf("%s[: missing `]'\n", s.errPrefix())
		return 2
	}
	return s.evalTest(args[:len(args)-1], nil)
}

// condTest evaluates [[ ]]: like test, with && || ( ) and patterns.
func (s *Session) condTest(args []string, quoted []bool) int {
	// split on || then && (loosest first)
	for _, op := range []string{"||", "&&"} {
		depth := 0
		for i, a := range args {
			switch a {
			case "(":
				depth++
			case ")":
				depth--
			}
			if a == op && depth == 0 && !quoted[i] {
				l := s.condTest(args[:i], quoted[:i])
				if op == "||" && l == 0 || op == "&&" && l != 0 {
					return l
				}
				return s.condTest(args[i+1:], quoted[i+1:])
			}
		}
	}
	if len(args) > 0 && args[0] == "!" {
		return int(boolInt(s.condTest(args[1:], quoted[1:]) == 0))
	}
	if len(args) >= 2 && args[0] == "(" && args[len(args)-1] == ")" {
		return s.condTest(args[1:len(args)-1], quoted[1:len(args)-1])
	}
	if len(args) == 3 {
		switch args[1] {
		case "==", "=":
			return int(boolInt(!matchGlob(args[2], args[0])))
		case "!=":
			return int(boolInt(matchGlob(args[2], args[0])))
		case "=~":
			re, err := regexp.Compile(args[2])
			if err != nil {
				return 2
			}
			return int(boolInt(!re.MatchString(args[0])))
		case "<":
			return int(boolInt(!(args[0] < args[2])))
		case ">":
			return int(boolInt(!(args[0] > args[2])))
		}
	}
	return s.evalTest(args, quoted)
}

// evalTest is test(1): unary file and string tests, binary comparisons, ! -a -o.
func (s *Session) evalTest(args []string, _ []bool) int {
	res := func(b bool) int { return int(boolInt(!b)) }
	if len(args) == 0 {
		return 1
	}
	for i, a := range args {
		if a == "-o" && i > 0 && i < len(args)-1 {
			if s.evalTest(args[:i], nil) == 0 {
				return 0
			}
			return s.evalTest(args[i+1:], nil)
		}
	}
	for i, a := range args {
		if a == "-a" && i > 0 && i < len(args)-1 {
			if l := s.evalTest(args[:i], nil); l != 0 {
				return l
			}
			return s.evalTest(args[i+1:], nil)
		}
	}
	if args[0] == "!" && len(args) > 1 {
		r := s.evalTest(args[1:], nil)
		if r == 2 {
			return 2
		}
		return res(r != 0)
	}
	switch len(args) {
	case 1:
		return res(args[0] != "")
	case 2:
		op, v := args[0], args[1]
		switch op {
		case "-z":
			return res(v == "")
		case "-n":
			return res(v != "")
		case "-e", "-a", "-f", "-d", "-s", "-r", "-w", "-x", "-L", "-h", "-c", "-b", "-p", "-S":
			return res(s.fileTest(op, v))
		case "-t":
			return res(s.io.tty)
		}
		s.errorf("%stest: %s: unary operator expected\n", s.errPrefix(), op)
		return 2
	case 3:
		a, op, b := args[0], args[1], args[2]
		switch op {
		case "=", "==":
			return res(a == b)
		case "!=":
			return res(a != b)
		case "<":
			return res(a < b)
		case ">":
			return res(a > b)
		case "-eq", "-ne", "-lt", "-le", "-gt", "-ge":
			x, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
			y, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
			if err1 != nil || err2 != nil {
				bad := a
				if err1 == nil {
					bad = b
				}
				s.errorf("%stest: %s: integer expression expected\n", s.errPrefix(), bad)
				return 2
			}
			return res(map[string]bool{"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y, "-ge": x >= y}[op])
		case "-nt", "-ot", "-ef":
			return 1
		}
		s.errorf("%stest: %s: binary operator expected\n", s.errPrefix(), op)
		return 2
	}
	s.errorf("%stest: too many arguments\n", s.errPrefix())
	return 2
}

func (s *Session) fileTest(op, p string) bool {
	var n *node
	if op == "-L" || op == "-h" {
		abs := s.abs(p)
		dir, _ := s.lookupPath(abs[:strings.LastIndexByte(abs, '/')+1], 0)
		if dir == nil || !dir.dir {
			return false
		}
		l := dir.kids[abs[strings.LastIndexByte(abs, '/')+1:]]
		return l != nil && l.link != ""
	}
	n, _ = s.resolve(p)
	if n == nil {
		return false
	}
	switch op {
	case "-f":
		return !n.dir && n.mode[0] == '-'
	case "-d":
		return n.dir
	case "-s":
		return n.length() > 0
	case "-r":
		return s.canRead(n)
	case "-w":
		return s.uid == 0 || n.owner == s.opt.User
	case "-x":
		return n.executable() && s.canRead(n)
	case "-c":
		return n.mode[0] == 'c'
	case "-b":
		return n.mode[0] == 'b'
	case "-p", "-S":
		return false
	}
	return true
}
