package shell

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

func cmdNop(*Session, []string, int) int { return 0 }

func cmdExit(s *Session, _ []string, _ int) int {
	s.exit = true
	return 0
}

func cmdClear(s *Session, _ []string, _ int) int {
	s.print("\x1b[H\x1b[2J\x1b[3J")
	return 0
}

func cmdPwd(s *Session, _ []string, _ int) int {
	s.print(s.cwd, "\n")
	return 0
}

func cmdWhoami(s *Session, _ []string, _ int) int {
	s.print(s.opt.User, "\n")
	return 0
}

func (s *Session) idLine() string {
	if s.uid == 0 {
		return "uid=0(root) gid=0(root) groups=0(root)"
	}
	u := s.opt.User
	extra := ""
	if u == "debian" {
		extra = ",4(adm),27(sudo)"
	}
	return fmt.Sprintf("uid=%d(%s) gid=%d(%s) groups=%d(%s)%s,100(users)", s.uid, u, s.uid, u, s.uid, u, extra)
}

func cmdID(s *Session, args []string, _ int) int {
	f, _, _ := flags(args)
	switch {
	case f['u'] && f['n']:
		s.print(s.opt.User, "\n")
	case f['u'], f['g']:
		s.print(strconv.Itoa(s.uid), "\n")
	default:
		s.print(s.idLine(), "\n")
	}
	return 0
}

func cmdUname(s *Session, args []string, _ int) int {
	f, long, _ := flags(args)
	for _, l := range long {
		switch l {
		case "--all":
			f['a'] = true
		case "--kernel-release":
			f['r'] = true
		case "--machine":
			f['m'] = true
		}
	}
	for c := range f {
		if !strings.ContainsRune("asnrvmpio", rune(c)) {
			s.errorf("uname: invalid option -- '%c'\nTry 'uname --help' for more information.\n", c)
			return 1
		}
	}
	if f['a'] {
		s.printf("Linux %s %s %s x86_64 GNU/Linux\n", s.opt.Hostname, kernelRelease, kernelVersion)
		return 0
	}
	var parts []string
	add := func(c byte, v string) {
		if f[c] {
			parts = append(parts, v)
		}
	}
	if len(f) == 0 {
		f['s'] = true
	}
	add('s', "Linux")
	add('n', s.opt.Hostname)
	add('r', kernelRelease)
	add('v', kernelVersion)
	add('m', "x86_64")
	add('p', "unknown")
	add('i', "unknown")
	add('o', "GNU/Linux")
	s.print(strings.Join(parts, " "), "\n")
	return 0
}

func cmdHostname(s *Session, args []string, _ int) int {
	_, _, ops := flags(args)
	if len(ops) > 0 && s.uid != 0 {
		s.print("hostname: you must be root to change the host name\n")
		return 1
	}
	if len(ops) == 0 {
		s.print(s.opt.Hostname, "\n")
	}
	return 0
}

func cmdCd(s *Session, args []string, _ int) int {
	target := s.home
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
	return 0
}

func cmdLs(s *Session, args []string, _ int) int {
	f, long, ops := flags(args)
	for c := range f {
		if !strings.ContainsRune("laAh1dtrSFG", rune(c)) {
			s.errorf("ls: invalid option -- '%c'\nTry 'ls --help' for more information.\n", c)
			return 2
		}
	}
	for _, l := range long {
		if l == "--all" {
			f['a'] = true
		}
	}
	if len(ops) == 0 {
		ops = []string{"."}
	}
	status := 0
	var files []*node
	var fileNames []string
	type dirOp struct {
		name string
		n    *node
	}
	var dirs []dirOp
	for _, op := range ops {
		n, _ := s.resolve(op)
		if n == nil {
			s.errorf("ls: cannot access '%s': No such file or directory\n", op)
			status = 2
			continue
		}
		if n.dir && !f['d'] {
			dirs = append(dirs, dirOp{op, n})
		} else {
			files = append(files, n)
			fileNames = append(fileNames, op)
		}
	}
	if len(files) > 0 {
		s.lsEntries(files, fileNames, f)
	}
	for i, d := range dirs {
		if len(ops) > 1 {
			if i > 0 || len(files) > 0 {
				s.print("\n")
			}
			s.print(d.name, ":\n")
		}
		if !s.canRead(d.n) {
			s.errorf("ls: cannot open directory '%s': Permission denied\n", d.name)
			status = 2
			continue
		}
		var ents []*node
		var names []string
		if f['a'] {
			parent, _ := s.resolve(s.abs(d.name) + "/..")
			if parent == nil {
				parent = d.n
			}
			ents = append(ents, d.n, parent)
			names = append(names, ".", "..")
		}
		for _, name := range d.n.names() {
			if strings.HasPrefix(name, ".") && !f['a'] && !f['A'] {
				continue
			}
			ents = append(ents, d.n.kids[name])
			names = append(names, name)
		}
		if f['l'] {
			total := 0
			for _, e := range ents {
				total += (e.length() + 4095) / 4096 * 4
			}
			s.printf("total %d\n", total)
		}
		s.lsEntries(ents, names, f)
	}
	return status
}

func (s *Session) lsEntries(ents []*node, names []string, f map[byte]bool) {
	if !f['l'] {
		if len(names) == 0 {
			return
		}
		if f['1'] || s.piped {
			s.print(strings.Join(names, "\n"), "\n")
		} else {
			s.print(strings.Join(names, "  "), "\n")
		}
		return
	}
	wLinks, wOwner, wGroup, wSize := 1, 1, 1, 1
	sizes := make([]string, len(ents))
	for i, e := range ents {
		sizes[i] = strconv.Itoa(e.length())
		if f['h'] {
			sizes[i] = human(int64(e.length()))
		}
		wSize = max(wSize, len(sizes[i]))
		wOwner = max(wOwner, len(e.owner))
		wGroup = max(wGroup, len(e.group))
		wLinks = max(wLinks, len(strconv.Itoa(links(e))))
	}
	now := s.opt.Now()
	for i, e := range ents {
		date := e.mtime.UTC().Format("Jan _2 15:04")
		if now.Sub(e.mtime) > 180*24*time.Hour {
			date = e.mtime.UTC().Format("Jan _2  2006")
		}
		name := names[i]
		if e.link != "" {
			name += " -> " + e.link
		}
		s.printf("%s %*d %-*s %-*s %*s %s %s\n", e.mode, wLinks, links(e), wOwner, e.owner, wGroup, e.group, wSize, sizes[i], date, name)
	}
}

func links(n *node) int {
	if !n.dir {
		return 1
	}
	c := 2
	for _, k := range n.kids {
		if k.dir {
			c++
		}
	}
	return c
}

func human(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10)
	}
	units := "KMGT"
	v := float64(n)
	i := -1
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + string(units[i])
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + string(units[i])
}

// readable returns the contents of a file for cat-like commands, or prints their error.
func (s *Session) readable(cmd, p string) (string, bool) {
	n, _ := s.resolve(p)
	switch {
	case n == nil:
		s.errorf("%s: %s: No such file or directory\n", cmd, p)
		return "", false
	case n.dir:
		s.errorf("%s: %s: Is a directory\n", cmd, p)
		return "", false
	case !s.canRead(n):
		s.errorf("%s: %s: Permission denied\n", cmd, p)
		return "", false
	}
	return n.content, true
}

func cmdCat(s *Session, args []string, _ int) int {
	_, _, ops := flags(args)
	status := 0
	for _, p := range ops {
		c, ok := s.readable("cat", p)
		if !ok {
			status = 1
		}
		s.print(c)
	}
	return status
}

func cmdHead(s *Session, args []string, _ int) int {
	_, _, ops := flags(args)
	status := 0
	for i, p := range ops {
		if i > 0 && (ops[i-1] == "-n" || ops[i-1] == "-c") {
			continue
		}
		if _, err := strconv.Atoi(p); err == nil && i > 0 {
			continue
		}
		c, ok := s.readable("head", p)
		if !ok {
			status = 1
		}
		s.print(headTail("head", args, c))
	}
	return status
}

func cmdGrep(s *Session, args []string, _ int) int {
	_, _, ops := flags(args)
	if len(ops) < 2 {
		if len(ops) == 0 {
			s.print("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n")
			return 2
		}
		return 1
	}
	out := ""
	status := 1
	for _, p := range ops[1:] {
		c, ok := s.readable("grep", p)
		if !ok {
			status = 2
			continue
		}
		out += grep(args, c)
	}
	if out != "" {
		status = 0
	}
	s.print(out)
	return status
}

func cmdWc(s *Session, args []string, _ int) int {
	_, _, ops := flags(args)
	for _, p := range ops {
		c, ok := s.readable("wc", p)
		if !ok {
			return 1
		}
		s.print(strings.TrimSuffix(wc(args, c), "\n"), " ", p, "\n")
	}
	return 0
}

// filter runs a later pipeline stage over what the earlier ones printed.
func (s *Session) filter(w []string, in string, depth int) string {
	name := path.Base(w[0])
	args := w[1:]
	switch name {
	case "grep", "egrep", "fgrep":
		return grep(args, in)
	case "head", "tail":
		return headTail(name, args, in)
	case "wc":
		return wc(args, in)
	case "sort":
		lines := strings.SplitAfter(strings.TrimSuffix(in, "\n"), "\n")
		sort.Strings(lines)
		out := strings.Join(lines, "")
		if in != "" && !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		return strings.ReplaceAll(out, "\n\n", "\n")
	case "cat", "more", "less", "tee", "uniq", "xargs":
		return in
	case "base64":
		if f, _, _ := flags(args); f['d'] {
			b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(in), ""))
			if err != nil {
				return string(b) + "base64: invalid input\n"
			}
			return string(b)
		}
		return base64.StdEncoding.EncodeToString([]byte(in)) + "\n"
	case "sh", "bash":
		// "echo ... | sh": the piped text is a script; run it like a typed line
		before := s.out.Len()
		s.runLine(in, depth+1)
		out := s.out.String()[before:]
		rest := s.out.String()[:before]
		s.out.Reset()
		s.out.WriteString(rest)
		return out
	}
	if _, ok := commands[name]; ok {
		before := s.out.Len()
		s.runArgv(w, depth)
		out := s.out.String()[before:]
		rest := s.out.String()[:before]
		s.out.Reset()
		s.out.WriteString(rest)
		return out
	}
	s.errorf("%s%s: command not found\n", s.errPrefix(), w[0])
	s.status = 127
	return ""
}

func grep(args []string, in string) string {
	f, _, ops := flags(args)
	if len(ops) == 0 {
		return ""
	}
	pat := ops[0]
	if f['i'] {
		pat = strings.ToLower(pat)
	}
	var sb strings.Builder
	count := 0
	for _, l := range strings.SplitAfter(in, "\n") {
		if l == "" {
			continue
		}
		cmp := l
		if f['i'] {
			cmp = strings.ToLower(l)
		}
		if strings.Contains(cmp, pat) != f['v'] {
			count++
			sb.WriteString(l)
			if !strings.HasSuffix(l, "\n") {
				sb.WriteByte('\n')
			}
		}
	}
	if f['c'] {
		return strconv.Itoa(count) + "\n"
	}
	return sb.String()
}

func headTail(name string, args []string, in string) string {
	n := 10
	for i, a := range args {
		if a == "-n" && i+1 < len(args) {
			if v, err := strconv.Atoi(strings.TrimPrefix(args[i+1], "+")); err == nil {
				n = v
			}
		} else if len(a) > 1 && a[0] == '-' {
			if v, err := strconv.Atoi(strings.TrimPrefix(a[1:], "n")); err == nil {
				n = v
			}
		}
	}
	if n < 0 {
		n = -n
	}
	lines := strings.SplitAfter(in, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if n > len(lines) {
		n = len(lines)
	}
	if name == "head" {
		return strings.Join(lines[:n], "")
	}
	return strings.Join(lines[len(lines)-n:], "")
}

func wc(args []string, in string) string {
	f, _, _ := flags(args)
	l, w, c := strings.Count(in, "\n"), len(strings.Fields(in)), len(in)
	switch {
	case f['l']:
		return strconv.Itoa(l) + "\n"
	case f['w']:
		return strconv.Itoa(w) + "\n"
	case f['c']:
		return strconv.Itoa(c) + "\n"
	}
	return fmt.Sprintf("%7d %7d %7d\n", l, w, c)
}

func cmdEcho(s *Session, args []string, _ int) int {
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

// unescape applies echo -e escapes; stop reports \c (no further output).
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
		case 'e':
			sb.WriteByte(0x1b)
		case '\\':
			sb.WriteByte('\\')
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
		case '0':
			j := i + 1
			for j < len(in) && j < i+4 && in[j] >= '0' && in[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint("0"+in[i+1:j], 8, 16)
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

func (s *Session) tty() string {
	if s.opt.Exec {
		return "?"
	}
	return "pts/0"
}

func cmdPs(s *Session, args []string, _ int) int {
	full := false
	for _, a := range args {
		if strings.ContainsAny(a, "aexf") {
			full = true
		}
	}
	if !full {
		s.printf("    PID TTY          TIME CMD\n   2187 %-8s 00:00:00 bash\n   2211 %-8s 00:00:00 ps\n", s.tty(), s.tty())
		return 0
	}
	u := s.opt.User
	s.print(`USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
root           1  0.0  0.3 168700 12124 ?        Ss   Oct19   0:41 /sbin/init
root           2  0.0  0.0      0     0 ?        S    Oct19   0:00 [kthreadd]
root           3  0.0  0.0      0     0 ?        I<   Oct19   0:00 [rcu_gp]
root          14  0.0  0.0      0     0 ?        I    Oct19   0:52 [rcu_preempt]
root         281  0.0  0.5  48244 20644 ?        Ss   Oct19   0:12 /lib/systemd/systemd-journald
root         307  0.0  0.1  26208  6584 ?        Ss   Oct19   0:01 /lib/systemd/systemd-udevd
root         498  0.0  0.0   6612  2664 ?        Ss   Oct19   0:03 /usr/sbin/cron -f
message+     499  0.0  0.1   9108  4632 ?        Ss   Oct19   0:02 /usr/bin/dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only
root         512  0.0  0.1  25356  7780 ?        Ss   Oct19   0:01 /lib/systemd/systemd-logind
root         601  0.0  0.0   5872  1004 tty1     Ss+  Oct19   0:00 /sbin/agetty -o -p -- \u --noclear - linux
root        1021  0.0  0.2  15432  9160 ?        Ss   Oct19   0:00 sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups
root        2180  0.0  0.2  17712 10964 ?        Ss   ` + s.start.UTC().Format("15:04") + `   0:00 sshd: ` + u + `@pts/0
`)
	s.printf("%-8s    2187  0.0  0.1   7200  3840 %-8s Ss   %s   0:00 -bash\n", u, s.tty(), s.start.UTC().Format("15:04"))
	s.printf("%-8s    2211  0.0  0.1  11084  4372 %-8s R+   %s   0:00 ps %s\n", u, s.tty(), s.opt.Now().UTC().Format("15:04"), strings.Join(args, " "))
	return 0
}

func (s *Session) uptimeLine() string {
	now := s.opt.Now()
	up := now.Sub(s.boot)
	days := int(up.Hours()) / 24
	h := int(up.Hours()) % 24
	m := int(up.Minutes()) % 60
	return fmt.Sprintf(" %s up %d days, %2d:%02d,  1 user,  load average: 0.08, 0.03, 0.01", now.UTC().Format("15:04:05"), days, h, m)
}

func cmdUptime(s *Session, args []string, _ int) int {
	if f, _, _ := flags(args); f['p'] {
		up := s.opt.Now().Sub(s.boot)
		s.printf("up %d weeks, %d days, %d hours, %d minutes\n", int(up.Hours())/24/7, int(up.Hours())/24%7, int(up.Hours())%24, int(up.Minutes())%60)
		return 0
	}
	s.print(s.uptimeLine(), "\n")
	return 0
}

func (s *Session) from() string {
	if s.opt.Client.IsValid() {
		return s.opt.Client.String()
	}
	return "10.0.0.5"
}

func cmdW(s *Session, _ []string, _ int) int {
	s.print(s.uptimeLine(), "\n")
	s.print("USER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\n")
	s.printf("%-8.8s %-8s %-16.16s %s    0.00s  0.02s  0.00s w\n", s.opt.User, s.tty(), s.from(), s.start.UTC().Format("15:04"))
	return 0
}

func cmdWho(s *Session, _ []string, _ int) int {
	s.printf("%-8.8s %-12s %s (%s)\n", s.opt.User, s.tty(), s.start.UTC().Format("2006-01-02 15:04"), s.from())
	return 0
}

func cmdFree(s *Session, args []string, _ int) int {
	f, _, _ := flags(args)
	vals := [][]int64{{4020456, 512340, 2801232, 1264, 932412, 3508116}, {1046524, 0, 1046524}}
	format := func(kb int64) string {
		switch {
		case f['h']:
			h := human(kb * 1024)
			if kb == 0 {
				return "0B"
			}
			return h + "i"
		case f['m']:
			return strconv.FormatInt(kb/1024, 10)
		case f['g']:
			return strconv.FormatInt(kb/1024/1024, 10)
		}
		return strconv.FormatInt(kb, 10)
	}
	s.print("               total        used        free      shared  buff/cache   available\n")
	s.print("Mem:   ")
	for _, v := range vals[0] {
		s.printf(" %11s", format(v))
	}
	s.print("\nSwap:  ")
	for _, v := range vals[1] {
		s.printf(" %11s", format(v))
	}
	s.print("\n")
	return 0
}

func cmdDf(s *Session, args []string, _ int) int {
	if f, _, _ := flags(args); f['h'] {
		s.print(`Filesystem      Size  Used Avail Use% Mounted on
udev            1.9G     0  1.9G   0% /dev
tmpfs           393M  620K  393M   1% /run
/dev/sda1        29G  2.9G   25G  11% /
tmpfs           1.9G     0  1.9G   0% /dev/shm
tmpfs           5.0M     0  5.0M   0% /run/lock
/dev/sda15      124M   11M  114M   9% /boot/efi
tmpfs           393M     0  393M   0% /run/user/0
`)
		return 0
	}
	s.print(`Filesystem     1K-blocks    Used Available Use% Mounted on
udev             1988544       0   1988544   0% /dev
tmpfs             402048     620    401428   1% /run
/dev/sda1       30297152 2967820  25763300  11% /
tmpfs            2010228       0   2010228   0% /dev/shm
tmpfs               5120       0      5120   0% /run/lock
/dev/sda15        126678   10900    115778   9% /boot/efi
tmpfs             402044       0    402044   0% /run/user/0
`)
	return 0
}

// localIP is the address shown for eth0: the one the client connected to when it is a usable
// IPv4 address, else a private one.
func (s *Session) localIP() netip.Addr {
	if a := s.opt.Local.Unmap(); a.Is4() && !a.IsLoopback() && !a.IsUnspecified() {
		return a
	}
	return netip.MustParseAddr("10.0.0.23")
}

func (s *Session) bcast() (netip.Addr, netip.Prefix) {
	p, _ := s.localIP().Prefix(24)
	b := p.Addr().As4()
	b[3] = 255
	return netip.AddrFrom4(b), p
}

func cmdIfconfig(s *Session, _ []string, _ int) int {
	bc, _ := s.bcast()
	s.printf(`eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet %s  netmask 255.255.255.0  broadcast %s
        inet6 fe80::5054:ff:fe3a:91c4  prefixlen 64  scopeid 0x20<link>
        ether 52:54:00:3a:91:c4  txqueuelen 1000  (Ethernet)
        RX packets 4813527  bytes 1073482113 (1023.7 MiB)
        RX errors 0  dropped 1142  overruns 0  frame 0
        TX packets 2287104  bytes 389120431 (371.0 MiB)
        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0

lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536
        inet 127.0.0.1  netmask 255.0.0.0
        inet6 ::1  prefixlen 128  scopeid 0x10<host>
        loop  txqueuelen 1000  (Local Loopback)
        RX packets 11234  bytes 912874 (891.4 KiB)
        RX errors 0  dropped 0  overruns 0  frame 0
        TX packets 11234  bytes 912874 (891.4 KiB)
        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0

`, s.localIP(), bc)
	return 0
}

func cmdIP(s *Session, args []string, _ int) int {
	_, _, ops := flags(args)
	if len(ops) == 0 {
		s.print("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n       ip [ -force ] -batch filename\nwhere  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp | link |\n                   macsec | maddress | monitor | mptcp | mroute | mrule |\n                   neighbor | neighbour | netconf | netns | nexthop | ntable |\n                   ntbl | route | rule | sr | tap | tcpmetrics |\n                   token | tunnel | tuntap | vrf | xfrm }\n")
		return 255
	}
	bc, _ := s.bcast()
	switch {
	case strings.HasPrefix("address", ops[0]) || ops[0] == "addr":
		s.printf(`1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host noprefixroute 
       valid_lft forever preferred_lft forever
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000
    link/ether 52:54:00:3a:91:c4 brd ff:ff:ff:ff:ff:ff
    altname enp0s3
    inet %s/24 brd %s scope global dynamic eth0
       valid_lft 71254sec preferred_lft 71254sec
    inet6 fe80::5054:ff:fe3a:91c4/64 scope link 
       valid_lft forever preferred_lft forever
`, s.localIP(), bc)
	case strings.HasPrefix("route", ops[0]):
		_, p := s.bcast()
		gw := p.Addr().As4()
		gw[3] = 1
		s.printf("default via %s dev eth0 \n%s dev eth0 proto kernel scope link src %s \n", netip.AddrFrom4(gw), p, s.localIP())
	case strings.HasPrefix("link", ops[0]):
		s.print("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000\n    link/ether 52:54:00:3a:91:c4 brd ff:ff:ff:ff:ff:ff\n    altname enp0s3\n")
	default:
		s.errorf("Object \"%s\" is unknown, try \"ip help\".\n", ops[0])
		return 1
	}
	return 0
}

func cmdHistory(s *Session, args []string, _ int) int {
	if f, _, _ := flags(args); f['c'] {
		s.history = s.history[:0]
		return 0
	}
	for i, h := range s.history {
		s.printf("%5d  %s\n", i+1, h)
	}
	return 0
}

// target splits a URL argument into host and port the way wget and curl would.
func target(raw string) (u *url.URL, host, port string) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return nil, "", ""
	}
	port = u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
		if u.Scheme == "ftp" {
			port = "21"
		}
	}
	return u, u.Hostname(), port
}

// urlArgs picks the URLs from wget/curl arguments, skipping the values of options that take
// one.
func urlArgs(args []string, withValue string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "--") {
			if !strings.Contains(a, "=") && strings.Contains(withValue, "|"+a+"|") {
				i++
			}
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			if strings.Contains(withValue, "|"+a[len(a)-1:]+"|") && len(a) == 2 {
				i++
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

func fakeAddr(host string) string {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.String()
	}
	var h uint32 = 2166136261
	for i := 0; i < len(host); i++ {
		h = (h ^ uint32(host[i])) * 16777619
	}
	return fmt.Sprintf("%d.%d.%d.%d", 45+h%150, (h>>8)%256, (h>>16)%256, 1+(h>>24)%253)
}

func (s *Session) recordURL(u string) {
	if len(s.dl) < 32 {
		s.dl = append(s.dl, u)
	}
}

func cmdWget(s *Session, args []string, _ int) int {
	urls := urlArgs(args, "|O|o|P|U|t|T|e|a|i|--output-document|--user-agent|--directory-prefix|--tries|--timeout|--header|")
	if len(urls) == 0 {
		s.errorf("wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n")
		return 1
	}
	status := 0
	for _, raw := range urls {
		s.recordURL(raw)
		u, host, port := target(raw)
		if u == nil {
			s.errorf("%s: Invalid URL %s: Unsupported scheme\n", raw, raw)
			status = 1
			continue
		}
		now := s.opt.Now().UTC().Format("2006-01-02 15:04:05")
		s.errorf("--%s--  %s\n", now, u.String())
		if _, err := netip.ParseAddr(host); err == nil {
			s.errorf("Connecting to %s:%s... failed: Connection timed out.\nRetrying.\n\n", host, port)
		} else {
			ip := fakeAddr(host)
			s.errorf("Resolving %s (%s)... %s\nConnecting to %s (%s)|%s|:%s... failed: Connection timed out.\nRetrying.\n\n", host, host, ip, host, host, ip, port)
		}
		s.errorf("--%s--  (try: 2)  %s\nConnecting to %s:%s... failed: Connection timed out.\nGiving up.\n\n", now, u.String(), host, port)
		status = 4
	}
	return status
}

func cmdCurl(s *Session, args []string, _ int) int {
	urls := urlArgs(args, "|o|u|H|d|X|A|e|m|x|b|c|T|F|w|--output|--user|--header|--data|--request|--user-agent|--referer|--max-time|--proxy|--cookie|--connect-timeout|--retry|")
	if len(urls) == 0 {
		s.errorf("curl: try 'curl --help' or 'curl --manual' for more information\n")
		return 2
	}
	status := 0
	for _, raw := range urls {
		s.recordURL(raw)
		u, host, port := target(raw)
		if u == nil {
			s.errorf("curl: (3) URL using bad/illegal format or missing URL\n")
			status = 3
			continue
		}
		s.errorf("curl: (28) Failed to connect to %s port %s after 130417 ms: Couldn't connect to server\n", host, port)
		status = 28
	}
	return status
}

func cmdSh(s *Session, args []string, depth int) int {
	for i, a := range args {
		if a == "-c" && i+1 < len(args) {
			s.runLine(args[i+1], depth+1)
			return s.status
		}
	}
	_, _, ops := flags(args)
	if len(ops) > 0 {
		c, ok := s.readable("bash", ops[0])
		if !ok {
			return 127
		}
		s.runLine(c, depth+1)
		return s.status
	}
	return 0
}

func cmdSudo(s *Session, args []string, depth int) int {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:]
	}
	if len(args) == 0 {
		return 0
	}
	s.runArgv(args, depth)
	return s.status
}

func cmdTouchLike(s *Session, args []string, _ int) int {
	_, _, ops := flags(args)
	if len(ops) < 2 {
		s.errorf("chmod: missing operand\nTry 'chmod --help' for more information.\n")
		return 1
	}
	status := 0
	for _, p := range ops[1:] {
		if n, _ := s.resolve(p); n == nil {
			s.errorf("chmod: cannot access '%s': No such file or directory\n", p)
			status = 1
		} else if len(ops[0]) > 0 && strings.Contains(ops[0], "x") && !n.dir && n.mode[0] == '-' {
			n.mode = "-rwxr-xr-x"
		}
	}
	return status
}

func cmdTouch(s *Session, args []string, _ int) int {
	_, _, ops := flags(args)
	status := 0
	for _, p := range ops {
		if n, _ := s.resolve(p); n != nil {
			n.mtime = s.opt.Now()
			continue
		}
		if s.create(p, func(reason string) { s.errorf("touch: cannot touch '%s': %s\n", p, reason) }) == nil {
			status = 1
		}
	}
	return status
}

func cmdMkdir(s *Session, args []string, _ int) int {
	_, _, ops := flags(args)
	status := 0
	for _, p := range ops {
		abs := s.abs(p)
		dirPath, name := path.Split(abs)
		dir, dirAbs := s.lookupPath(dirPath, 0)
		switch {
		case dir == nil || !dir.dir:
			s.errorf("mkdir: cannot create directory '%s': No such file or directory\n", p)
			status = 1
		case dir.kids[name] != nil:
			s.errorf("mkdir: cannot create directory '%s': File exists\n", p)
			status = 1
		case !s.canWrite(dir, dirAbs):
			s.errorf("mkdir: cannot create directory '%s': Permission denied\n", p)
			status = 1
		case s.created >= maxCreated:
			s.errorf("mkdir: cannot create directory '%s': No space left on device\n", p)
			status = 1
		default:
			s.created++
			dir.kids[name] = &node{name: name, dir: true, mode: "drwxr-xr-x", owner: s.opt.User, group: s.opt.User, mtime: s.opt.Now(), kids: map[string]*node{}}
		}
	}
	return status
}

func cmdRm(s *Session, args []string, _ int) int {
	f, _, ops := flags(args)
	status := 0
	for _, p := range ops {
		abs := s.abs(p)
		dirPath, name := path.Split(abs)
		dir, _ := s.lookupPath(dirPath, 0)
		var n *node
		if dir != nil && dir.dir {
			n = dir.kids[name]
		}
		switch {
		case n == nil:
			if !f['f'] {
				s.errorf("rm: cannot remove '%s': No such file or directory\n", p)
				status = 1
			}
		case n.dir && !f['r'] && !f['R']:
			s.errorf("rm: cannot remove '%s': Is a directory\n", p)
			status = 1
		case s.uid != 0 && n.owner != s.opt.User:
			s.errorf("rm: cannot remove '%s': Permission denied\n", p)
			status = 1
		default:
			delete(dir.kids, name)
		}
	}
	return status
}

func cmdWhich(s *Session, args []string, _ int) int {
	status := 0
	for _, a := range args {
		_, ok := commands[a]
		switch {
		case !ok || s.uid != 0 && rootOnly[a]:
			status = 1
		case rootOnly[a]:
			s.print("/usr/sbin/", a, "\n")
		default:
			s.print("/usr/bin/", a, "\n")
		}
	}
	return status
}

func cmdDate(s *Session, _ []string, _ int) int {
	s.print(s.opt.Now().UTC().Format("Mon Jan _2 15:04:05 MST 2006"), "\n")
	return 0
}

func cmdEnv(s *Session, _ []string, _ int) int {
	keys := make([]string, 0, len(s.env))
	for k := range s.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.print(k, "=", s.env[k], "\n")
	}
	s.print("PWD=", s.cwd, "\n")
	return 0
}

func cmdCrontab(s *Session, args []string, _ int) int {
	if f, _, _ := flags(args); f['l'] {
		s.printf("no crontab for %s\n", s.opt.User)
		return 1
	}
	return 0
}

func cmdPasswd(s *Session, _ []string, _ int) int {
	s.printf("Changing password for %s.\npasswd: Authentication token manipulation error\npasswd: password unchanged\n", s.opt.User)
	return 10
}

func cmdLscpu(s *Session, _ []string, _ int) int {
	s.print(`Architecture:            x86_64
  CPU op-mode(s):        32-bit, 64-bit
  Address sizes:         46 bits physical, 48 bits virtual
  Byte Order:            Little Endian
CPU(s):                  2
  On-line CPU(s) list:   0,1
Vendor ID:               GenuineIntel
  Model name:            Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz
    CPU family:          6
    Model:               85
    Thread(s) per core:  1
    Core(s) per socket:  2
    Socket(s):           1
Virtualization features: 
  Hypervisor vendor:     KVM
  Virtualization type:   full
`)
	return 0
}
