package shell

import (
	"context"
	"strings"
	"testing"
	"time"
)

// noWait makes waits instant and adds them up, so tests see how long a command would
// have taken.
func noWait(s *Session) *time.Duration {
	var total time.Duration
	s.wait = func(_ context.Context, d time.Duration) { total += d }
	return &total
}

func TestInterpreter(t *testing.T) {
	cases := []struct{ line, want string }{
		{`for i in 1 2 3; do echo $i; done`, "1\n2\n3\n"},
		{`n=0; while [ $n -lt 3 ]; do n=$((n+1)); done; echo $n`, "3\n"},
		{`n=3; until [ $n -eq 0 ]; do n=$((n-1)); done; echo $n`, "0\n"},
		{`for ((i=0; i<3; i++)); do printf '%d,' $i; done; echo`, "0,1,2,\n"},
		{`for i in {1..4}; do [ $i = 3 ] && break; echo $i; done`, "1\n2\n"},
		{`for i in 1 2 3; do [ $i = 2 ] && continue; echo $i; done`, "1\n3\n"},
		{`if false; then echo a; elif true; then echo b; else echo c; fi`, "b\n"},
		{`case foo.sh in *.txt) echo t;; *.sh|*.py) echo s;; esac`, "s\n"},
		{`echo $(echo a $(echo b)) ` + "`echo c \\`echo d\\``", "a b c d\n"},
		{`echo $((2**10)) $((7%3)) $((1<<4)) $((-7/2)) $((3>2?10:20)) $((16#ff)) $((0x10)) $((010))`, "1024 1 16 -3 10 255 16 8\n"},
		{`x=5; ((x++)); let x+=2; echo $x`, "8\n"},
		{`x=hello; echo ${#x} ${x:1:3} ${x^^} ${y:-def} ${x/l/L} ${x//l/L} ${x#h} ${x%lo}`, "5 ell HELLO def heLlo heLLo ello hel\n"},
		{`v="a b  c"; for w in $v; do echo "[$w]"; done; for w in "$v"; do echo "[$w]"; done`, "[a]\n[b]\n[c]\n[a b  c]\n"},
		{`printf '%5s|%-5s|%d|%x|%05.1f|%o|%c|%%|%q\n' ab cd 42 255 3.14159 8 xyz "a b"`, "   ab|cd   |42|ff|003.1|10|x|%|a\\ b\n"},
		{`printf '%s-%s\n' a b c`, "a-b\nc-\n"},
		{`echo -e 'a\tb\x41'; echo -n x; echo`, "a\tbA\nx\n"},
		{`f() { echo "f:$1:$#"; return 3; }; f a b; echo $?`, "f:a:2\n3\n"},
		{`echo $BASH_VERSION`, "5.2.15(1)-release\n"},
		{`[[ abc == a* ]] && echo m; [[ -n "" ]] || echo e`, "m\ne\n"},
		{`read a b <<< "1 2 3"; echo "$a|$b"`, "1|2 3\n"},
		{"cat <<EOF\nx=$((1+1))\nEOF", "x=2\n"},
		{`echo one > /tmp/f; echo two >> /tmp/f; cat < /tmp/f; wc -l /tmp/f`, "one\ntwo\n2 /tmp/f\n"},
		{`nosuch 2>/dev/null; echo $?`, "127\n"},
		{`nosuch 2>&1 | tr a-z A-Z`, "-BASH: NOSUCH: COMMAND NOT FOUND\n"},
		{`echo a | (read x; echo "got $x")`, "got a\n"},
		{`x=1; (x=2); echo $x; echo $(x=3; echo $x) $x`, "1\n3 1\n"},
		{`export FOO=bar; env | grep FOO`, "FOO=bar\n"},
		{`unset HOME; echo "[$HOME]"`, "[]\n"},
		{`echo $? ; false; echo $?; ! true; echo $?`, "0\n1\n1\n"},
		{`seq 3 | while read n; do echo "n$n"; done`, "n1\nn2\nn3\n"},
		{`echo ssh-rsa AAAA >> ~/.ssh/authorized_keys; cat ~/.ssh/authorized_keys`, "ssh-rsa AAAA\n"},
		{`cd /tmp; echo x > a.sh; chmod +x a.sh; ls -l a.sh | cut -c1-10`, "-rwxr-xr-x\n"},
		{`which perl python3`, "/usr/bin/perl\n/usr/bin/python3\n"},
		{`type cd ls if`, "cd is a shell builtin\nls is /usr/bin/ls\nif is a shell keyword\n"},
	}
	for _, c := range cases {
		s := newTest("root")
		noWait(s)
		if got := s.Run(c.line).Output; got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.line, got, c.want)
		}
	}
}

// A construct typed over several lines waits for its end behind the "> " prompt.
func TestContinuationLines(t *testing.T) {
	s := newTest("root")
	for _, l := range []string{"for i in 1 2", "do", "echo $i"} {
		if r := s.Run(l); r.Output != "" || s.Prompt() != "> " {
			t.Fatalf("%q: output %q prompt %q", l, r.Output, s.Prompt())
		}
	}
	if r := s.Run("done"); r.Output != "1\n2\n" || s.Prompt() != "root@web01:~# " {
		t.Fatalf("done: output %q prompt %q", r.Output, s.Prompt())
	}
	if h := s.History(); h[len(h)-1] != "for i in 1 2; do echo $i; done" {
		t.Fatalf("history %q", h)
	}
	exec := NewSession(Options{Exec: true, Now: fixedNow})
	if r := exec.Run("for i in 1"); r.Status != 2 || !strings.Contains(r.Output, "syntax error: unexpected end of file") {
		t.Fatalf("exec: %q %d", r.Output, r.Status)
	}
}

func TestBracketedPaste(t *testing.T) {
	s := NewSession(Options{Terminal: true, Now: fixedNow})
	if p := s.Prompt(); p != "\x1b[?2004hroot@debian:~# " {
		t.Fatalf("prompt %q", p)
	}
	if out := s.Run("echo hi").Output; out != "\x1b[?2004l\rhi\n" {
		t.Fatalf("output %q", out)
	}
}

func TestSleepTakesItsTime(t *testing.T) {
	s := newTest("root")
	waited := noWait(s)
	s.Run("sleep 2; sleep 0.5")
	if *waited < 2500*time.Millisecond || *waited > 2600*time.Millisecond {
		t.Fatalf("waited %v", *waited)
	}
	s.Run("sleep 100000; for i in 1 2 3 4 5; do sleep 30; done")
	if *waited != maxWaitSession {
		t.Fatalf("waited %v, want the session's cap %v", *waited, maxWaitSession)
	}
	before := *waited
	s.Run("sleep 5")
	if *waited != before {
		t.Fatalf("waited past the session's budget")
	}
	// a closed connection ends a sleep at once
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := NewSession(Options{Context: ctx, Now: fixedNow})
	start := time.Now()
	c.Run("sleep 20; echo after")
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("sleep went on for %v after the context ended", d)
	}
}

func TestBounds(t *testing.T) {
	cases := []struct{ name, line string }{
		{"infinite loop", "while true; do :; done"},
		{"infinite loop with output", "while :; do echo spam; done"},
		{"recursion", "f() { f; }; f"},
		{"fork bomb", ":(){ :|:& };:"},
		{"huge output", "yes | head -c 100000000; seq 1 100000000"},
		{"huge printf width", "printf '%999999999s' x"},
		{"variable growth", `x=aaaaaaaaaaaaaaaa; for i in $(seq 30); do x="$x$x"; done; echo ${#x}`},
		{"deep nesting", strings.Repeat("$(", 500) + "echo" + strings.Repeat(")", 500)},
		{"deep parens", strings.Repeat("(", 5000) + "echo" + strings.Repeat(")", 5000)},
		{"deep arithmetic", "echo $((" + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000) + "))"},
		{"brace bomb", "echo {1..99999}{1..99999}"},
		{"long pattern", `x=$(seq 1 3000); echo ${x//*1*/y} ${x##*9}`},
	}
	for _, c := range cases {
		s := newTest("root")
		noWait(s)
		start := time.Now()
		r := s.Run(c.line)
		d := time.Since(start)
		if len(r.Output) > maxOutput+len(bracketedPasteOff) {
			t.Errorf("%s: %d bytes of output", c.name, len(r.Output))
		}
		if s.varBytes > maxVarBytes {
			t.Errorf("%s: %d bytes of variables", c.name, s.varBytes)
		}
		if s.steps > maxSteps+maxSteps/4 {
			t.Errorf("%s: %d steps", c.name, s.steps)
		}
		t.Logf("%s: %v, %d bytes, %d steps, starts %.60q", c.name, d, len(r.Output), s.steps, r.Output)
		// the session still works afterwards
		if out := s.Run("echo ok").Output; out != "ok\n" {
			t.Errorf("%s: afterwards echo gives %q", c.name, out)
		}
	}
}
