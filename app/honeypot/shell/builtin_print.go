package shell

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Builtins that print: echo and printf.

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
