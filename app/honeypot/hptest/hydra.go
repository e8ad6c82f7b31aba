package hptest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"honeysens/app/model"
)

// Pair is a user name and password a brute-forcer tries.
type Pair struct{ User, Password string }

func (p Pair) String() string { return fmt.Sprintf("%q / %q", p.User, p.Password) }

// HydraPairs returns n distinct pairs that no honeypot accepts. Each user name comes with
// perUser passwords in a row, so that a tool which keeps a connection for one user (hydra's
// ssh module does) tries several passwords on it.
func HydraPairs(n, perUser int) []Pair {
	perUser = max(perUser, 1)
	out := make([]Pair, n)
	for i := range out {
		out[i] = Pair{User: fmt.Sprintf("hyu%03d", i/perUser), Password: fmt.Sprintf("hyp%03d-%d", i, i%7)}
	}
	return out
}

// RequireHydra returns the path of hydra (Debian package "hydra"). Without it the test is
// skipped, or fails when HONEYSENS_E2E=1, as in CI where .ci/run installs it.
func RequireHydra(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("hydra")
	if err != nil {
		if os.Getenv("HONEYSENS_E2E") == "1" {
			t.Fatalf("hydra is required with HONEYSENS_E2E=1: %v", err)
		}
		t.Skip("hydra not installed (apt-get install hydra); set HONEYSENS_E2E=1 to make this a failure")
	}
	return p
}

var hydraValid = regexp.MustCompile(`(\d+) valid passwords? found`)

// hydraEndRace is what hydra 9.4 prints when it has counted one of its tasks as ended twice:
// its SIGCHLD handler can end a quitting task a second time while the main loop ends it
// (its debug output then shows "head_no N, kill 1" twice), the count of running tasks drops
// by two, and hydra stops before its last task has reported back, exiting 255. It happens in
// about one run of twenty, with any module; such a run proves nothing and is made again.
const hydraEndRace = "final worker threads did not complete until end"

// Hydra is a brute-force run of hydra against a honeypot service.
type Hydra struct {
	Service string        // hydra's module: telnet, ssh, ftp
	Tasks   int           // -t
	Pairs   []Pair        // tried with -C; none may be accepted
	Args    []string      // more options, e.g. "-w", "5"
	Timeout time.Duration // of one run of hydra
}

// Run starts a service with start (its address, a Stop that waits for the final reports,
// and the recorder), runs hydra against it, stops the service and returns hydra's output
// and the final events. It fails t unless hydra exits 0 without an error and finds no valid
// password. A run spoiled by hydra's own end-of-run race (hydraEndRace) is made again
// against a new service, at most three runs in all.
func (h Hydra) Run(t testing.TB, start func() (addr string, stop func(), rec *Recorder)) (string, []*model.Event) {
	t.Helper()
	hydra := RequireHydra(t)
	dir := t.TempDir() // hydra may leave hydra.restore in its working directory
	var sb strings.Builder
	for _, p := range h.Pairs {
		if strings.ContainsAny(p.User, ":\n") || strings.Contains(p.Password, "\n") {
			t.Fatalf("pair %v cannot be written to a colon file", p)
		}
		sb.WriteString(p.User + ":" + p.Password + "\n")
	}
	file := filepath.Join(dir, "pairs.txt")
	if err := os.WriteFile(file, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for run := 1; ; run++ {
		addr, stop, rec := start()
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		args := append([]string{"-I", "-t", fmt.Sprint(h.Tasks), "-C", file, "-s", port}, h.Args...)
		text, code := h.run(t, hydra, dir, append(args, host, h.Service))
		stopWithin(t, time.Minute, stop)
		if code != 0 && strings.Contains(text, hydraEndRace) && run < 3 {
			t.Logf("hydra %s run %d ended by hydra's own end-of-run race, running again:\n%s", h.Service, run, text)
			continue
		}
		if code != 0 {
			t.Fatalf("hydra %s exited %d:\n%s", h.Service, code, text)
		}
		if strings.Contains(text, "[ERROR]") {
			t.Errorf("hydra %s reported errors:\n%s", h.Service, text)
		}
		if m := hydraValid.FindStringSubmatch(text); m == nil || m[1] != "0" {
			t.Errorf("hydra %s did not report 0 valid passwords:\n%s", h.Service, text)
		}
		return text, rec.Events()
	}
}

// run runs hydra once and returns its output and exit code.
func (h Hydra) run(t testing.TB, hydra, dir string, args []string) (string, int) {
	t.Helper()
	cmd := exec.Command(hydra, args...)
	cmd.Dir = dir
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	began := time.Now()
	var err error
	select {
	case err = <-done:
	case <-time.After(h.Timeout):
		// hydra ends its tasks on SIGTERM; a kill would leave them
		_ = cmd.Process.Signal(syscall.SIGTERM) // fails only when hydra has just exited
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			err = <-done
		}
		t.Fatalf("hydra %s did not finish within %v (%v):\n%s", h.Service, h.Timeout, err, out.String())
	}
	t.Logf("hydra %s: %d pairs, %d tasks, %.1fs", h.Service, len(h.Pairs), h.Tasks, time.Since(began).Seconds())
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	}
	t.Fatalf("hydra %s: %v\n%s", h.Service, err, out.String())
	return "", -1
}

// CheckLogins checks that the login facts of the events are exactly want, each pair once
// (the order does not matter), and that each has its interaction line ("login <user> /
// <password>"). It returns how many logins the events list.
func CheckLogins(t testing.TB, events []*model.Event, want []Pair) int {
	t.Helper()
	got := map[Pair]int{}
	total := 0
	lines := map[string]int{}
	for _, e := range events {
		for _, l := range e.Logins {
			got[Pair{l.User, l.Password}]++
			total++
			if l.Accepted {
				t.Errorf("login %q / %q accepted", l.User, l.Password)
			}
		}
		for _, d := range e.Details {
			if d.Type == model.DetailInteraction && strings.HasPrefix(d.Data, "login ") {
				lines[d.Data]++
			}
		}
	}
	var missing, twice, extra []string
	wanted := map[Pair]bool{}
	for _, p := range want {
		wanted[p] = true
		switch n := got[p]; {
		case n == 0:
			missing = append(missing, p.String())
		case n > 1:
			twice = append(twice, fmt.Sprintf("%v ×%d", p, n))
		}
		prefix := "login " + p.User + " / " + p.Password
		found := false
		for l := range lines {
			if l == prefix+": refused" || l == prefix+": rejected" || strings.HasPrefix(l, prefix+" (") {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no interaction line for %v", p)
		}
	}
	for p, n := range got {
		if !wanted[p] {
			extra = append(extra, fmt.Sprintf("%v ×%d", p, n))
		}
	}
	sort.Strings(extra)
	if len(missing)+len(twice)+len(extra) > 0 {
		t.Errorf("%d pairs sent, %d logins recorded in %d events; missing %d: %s; recorded more than once %d: %s; not sent %d: %s",
			len(want), total, len(events), len(missing), short(missing), len(twice), short(twice), len(extra), short(extra))
	}
	return total
}

func short(list []string) string {
	if len(list) > 10 {
		return strings.Join(list[:10], ", ") + fmt.Sprintf(" and %d more", len(list)-10)
	}
	return strings.Join(list, ", ")
}

// stopWithin calls stop (a service's Stop, which waits for its sessions' final reports) and
// fails t if that takes longer than timeout.
func stopWithin(t testing.TB, timeout time.Duration, stop func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		stop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		t.Fatalf("service did not stop within %v", timeout)
	}
}
