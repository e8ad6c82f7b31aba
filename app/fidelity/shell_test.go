package fidelity

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot/shell"
)

// debianPath is root's PATH on Debian 12, for the real bash as for the fake one.
const debianPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// runBash runs a script with the real bash as "ssh host SCRIPT" would.
func runBash(t *testing.T, script string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/bash", "-c", script)
	cmd.Env = []string{"PATH=" + debianPath, "HOME=/root", "USER=root", "LANG=C.UTF-8"}
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// runFake runs the same script through the honeypot's shell as an exec session.
func runFake(script string) string {
	s := shell.NewSession(shell.Options{User: "root", Hostname: "web01", Exec: true})
	return s.Run(script).Output
}

// attackerComputation is the part of an attacker's script that computes: loops,
// substitutions, arithmetic, printf, variables. Its output does not depend on the host.
const attackerComputation = `for i in 1 2 3; do echo "i=$i"; done
n=0; while [ $n -lt 5 ]; do n=$((n+1)); done; echo "n=$n"
until [ $n -le 0 ]; do n=$((n-2)); done; echo $n
for ((i=0;i<3;i++)); do printf '%d:%x ' $i $((i*255)); done; echo
x=$(echo hello ` + "`echo world`" + `); echo "$x ${#x} ${x:0:5} ${x^^} ${y:-def} ${x/o/0} ${x//o/0}"
echo $(( 2 ** 10 )) $((7%3)) $((1<<4)) $(( -7 / 2 )) $(( 3 > 2 ? 10 : 20 )) $((16#ff)) $((0x10)) $((010))
printf "%5s|%-5s|%d|%x|%05.1f|%o|%c|%%|%q\n" ab cd 42 255 3.14159 8 xyz "a b"
printf "%s-%s\n" a b c
if [ -f /etc/passwd ]; then echo yes; elif true; then echo no; else echo never; fi
case "abc" in a*) echo starts-a;; *) echo other;; esac
f() { echo "f:$1:$#"; return 3; }; f one two; echo "rc=$?"
echo {1..5} {a,b}{x,y} {05..10..2}
v="a b  c"; for w in $v; do echo "[$w]"; done; for w in "$v"; do echo "[$w]"; done
echo -e "a\tb\n"; echo -n nonl; echo
s=0; for i in $(seq 1 10); do s=$((s+i)); done; echo sum=$s
echo "$BASH_VERSION" | cut -d. -f1
[[ abc == a* ]] && echo match; [[ -n "" ]] || echo empty
read a b <<< "1 2 3"; echo "$a|$b"
cat <<EOT
here $x $((6*7))
EOT
echo done | tr a-z A-Z
false; echo $?; true; echo $?; ! true; echo $?
echo "${HOME}" $$ >/dev/null; echo $((RANDOM < 32768))
nosuchcommand 2>/dev/null; echo "status $?"
cd /tmp && echo data > ./fidelity-probe && cat ./fidelity-probe && rm ./fidelity-probe && cd - >/dev/null
`

func TestShellComputationMatchesBash(t *testing.T) {
	sideBySide(t)
	want, got := runBash(t, attackerComputation), runFake(attackerComputation)
	if got != want {
		wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			w, g := "", ""
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Errorf("line %d: bash %q, honeypot %q", i+1, w, g)
			}
		}
	}
	t.Logf("bash and honeypot printed:\n%s", want)
}

// reconShape is what one recon command's output looks like: the lines that must be the
// same as bash's (headers), and a pattern every other line of both outputs must match.
type reconShape struct {
	cmd     string
	headers []int    // line numbers (0-based) that must be equal
	lines   []string // a line matches one of these
	// noReal: the real command cannot show its normal output on this machine (a container
	// without systemd); only the honeypot's output is checked against lines.
	noReal bool
}

var reconCommands = []reconShape{
	{cmd: "uname -a", lines: []string{`^Linux \S+ \S+ #1 SMP PREEMPT_DYNAMIC .* x86_64 GNU/Linux$`}},
	{cmd: "cat /proc/cpuinfo", lines: []string{`^[A-Za-z][a-zA-Z0-9 _]*\t*: ?.*$`, `^$`}},
	{cmd: "free -m", headers: []int{0}, lines: []string{`^Mem:( +\d+){6}$`, `^Swap:( +\d+){3}$`}},
	{cmd: "ls -la /", lines: []string{`^total \d+$`, `^[-dlrwxstT]{10} +\d+ \S+ +\S+ +\d+ [A-Z][a-z]{2} [ \d]\d ( \d{4}|\d\d:\d\d) \S.*$`}},
	{cmd: "w", headers: []int{1}, lines: []string{`^ \d\d:\d\d:\d\d up .*,  \d+ users?,  load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d$`}},
	{cmd: "last", lines: []string{`^\S+ +(pts/\d+|system boot) +\S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d .*$`, `^$`, `^wtmp begins [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$`}},
	{cmd: "ip a", lines: []string{`^\d+: \S+: <[A-Z_,]+> mtu \d+ qdisc \S+ state \S+ group default qlen \d+$`, `^    link/\S+ [0-9a-f:]{17} brd [0-9a-f:]{17}( .*)?$`,
		`^    inet6? \S+/\d+ .*scope \S+.*$`, `^       valid_lft \S+ preferred_lft \S+$`, `^    altname \S+$`}},
	{cmd: "cat /etc/passwd", lines: []string{`^[a-z_][a-z0-9_-]*:x:\d+:\d+:[^:]*:[^:]+:\S+$`}},
	{cmd: "which perl python3", headers: []int{0, 1}},
	{cmd: "dpkg -l | head", headers: []int{0, 1, 2}, lines: []string{`^\|\|/ Name +Version +Architecture Description$`, `^\+\+\+-=+-=+-=+-=+$`, `^ii  \S+ +\S+ +(amd64|all) +\S.*$`}},
	{cmd: "systemctl status", noReal: true, lines: []string{`^● \S+$`, `^ +[A-Z][a-z]+: .+$`, `^ +[│├└─ ]+\S.*$`}},
	{cmd: "df -h", lines: []string{`^Filesystem +Size +Used +Avail +Use% Mounted on$`, `^\S+ +[\d.]+[KMGT]? +[\d.]+[KMGT]? +[\d.]+[KMGT]? +\d+% /\S*$`}},
	{cmd: "mount", lines: []string{`^\S+ on /\S* type \S+ \(\S+\)$`}},
	{cmd: "history"},
}

func TestShellReconShape(t *testing.T) {
	sideBySide(t)
	for _, rc := range reconCommands {
		real, fake := runBash(t, rc.cmd), runFake(rc.cmd)
		if strings.Contains(fake, "command not found") && !strings.Contains(real, "command not found") {
			t.Errorf("%s: honeypot says %q, bash has the command", rc.cmd, fake)
			continue
		}
		if strings.Contains(real, "command not found") {
			t.Logf("%s: not installed here, honeypot output not compared: %q", rc.cmd, real)
			continue
		}
		realLines, fakeLines := lines(real), lines(fake)
		if rc.noReal {
			t.Logf("%s: the real one here says %q; only the honeypot's shape is checked", rc.cmd, strings.TrimSpace(real))
			realLines = nil
		}
		if (len(realLines) == 0) != (len(fakeLines) == 0) && !rc.noReal {
			t.Errorf("%s: bash printed %d lines, honeypot %d", rc.cmd, len(realLines), len(fakeLines))
		}
		for _, h := range rc.headers {
			if h >= len(realLines) || h >= len(fakeLines) || realLines[h] != fakeLines[h] {
				t.Errorf("%s: header line %d differs:\nbash:     %q\nhoneypot: %q", rc.cmd, h, at(realLines, h), at(fakeLines, h))
			}
		}
		var pats []*regexp.Regexp
		for _, p := range rc.lines {
			pats = append(pats, regexp.MustCompile(p))
		}
		check := func(who string, ls []string) {
			for i, l := range ls {
				if contains(rc.headers, i) {
					continue
				}
				if !matchesAny(pats, l) {
					t.Errorf("%s: %s line %d has no known shape: %q", rc.cmd, who, i+1, l)
				}
			}
		}
		if len(pats) > 0 {
			check("bash", realLines)
			check("honeypot", fakeLines)
		}
		t.Logf("%s\n-- bash:\n%s-- honeypot:\n%s", rc.cmd, real, fake)
	}
}

func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func at(ls []string, i int) string {
	if i < len(ls) {
		return ls[i]
	}
	return "<none>"
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func matchesAny(pats []*regexp.Regexp, l string) bool {
	for _, p := range pats {
		if p.MatchString(l) {
			return true
		}
	}
	return false
}
