package ssh

import (
	"context"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

// fast reports sessions soon and often, so the tests need not wait long.
var fast = honeypot.SessionTiming{First: 100 * time.Millisecond, Every: 200 * time.Millisecond, Slow: 200 * time.Millisecond,
	SlowAfter: 100, Keepalive: 600 * time.Millisecond}

// interactiveSSH starts the OpenSSH client with a pty on a shell; the test types into the
// returned writer. Closing it ends the session.
func interactiveSSH(t *testing.T, addr string) (stdin io.WriteCloser, out *hptest.LockedBuffer, wait func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	cmd := exec.CommandContext(ctx, "sshpass", append([]string{"-p", "secret", "ssh"}, sshArgs(addr, "root", "-tt")...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out = &hptest.LockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	var werr error
	wait = func() error {
		once.Do(func() { werr = cmd.Wait(); cancel() })
		return werr
	}
	t.Cleanup(func() { stdin.Close(); cancel(); wait() })
	return stdin, out, wait
}

func hasCommand(cmd string) func(e *model.Event) bool {
	return func(e *model.Event) bool { return e.Ongoing && slices.Contains(e.Commands, cmd) }
}

// TestOpenSSHSessionReportedWhileOpen: a session of the real OpenSSH client is reported within
// 2 s of its first bytes and again as it grows (and when nothing changes, as a keepalive), as
// revisions of one session, and made final when the client logs out.
func TestOpenSSHSessionReportedWhileOpen(t *testing.T) {
	needTool(t, "ssh", "sshpass")
	timing := fast
	timing.First = honeypot.DefaultSessionTiming.First
	_, rec, addr := startTimed(t, Config{}, honeypot.Limits{}, timing)
	began := time.Now()
	stdin, out, wait := interactiveSSH(t, addr)

	first := rec.WaitReport(t, eventWait, "the first report", func(*model.Event) bool { return true })
	// The 2 s is measured, not asserted (a loaded machine must not fail the test):
	// the first report came while the session is open, which the checks below prove.
	t.Logf("first report %s after the client started", time.Since(began))
	if !first.Ongoing || first.Revision != 1 || first.Session == "" || len(first.Packets) != 1 ||
		!strings.HasPrefix(string(first.Packets[0].Payload), "SSH-2.0-OpenSSH_") || first.Packets[0].Port != first.TargetPort {
		t.Fatalf("first report %+v", first)
	}

	io.WriteString(stdin, "uname -a\n")
	one := rec.WaitReport(t, eventWait, "an ongoing report with the first command", hasCommand("uname -a"))
	if one.Summary != "SSH: login as root with password secret, 1 command" ||
		!slices.Equal(one.Logins, []model.Login{{User: "root", Password: "secret", Accepted: true}}) {
		t.Errorf("report %q, logins %+v", one.Summary, one.Logins)
	}
	io.WriteString(stdin, "cat /etc/passwd\n")
	two := rec.WaitReport(t, eventWait, "an ongoing report with the second command", hasCommand("cat /etc/passwd"))
	// nothing happens: the session is reported again all the same
	keep := rec.WaitReport(t, eventWait, "a keepalive report", func(e *model.Event) bool { return e.Revision > two.Revision })
	if rec.Count() != 0 || !keep.Ongoing || len(keep.Commands) != 2 || keep.Summary != two.Summary {
		t.Errorf("%d final events while the session is open; keepalive %+v", rec.Count(), keep)
	}

	io.WriteString(stdin, "exit\n")
	if err := wait(); err != nil {
		t.Fatalf("ssh: %v\n%s", err, out)
	}
	final := rec.Wait(t, 1, eventWait)
	if final.Ongoing || final.Session != first.Session || final.Revision <= keep.Revision ||
		!slices.Equal(final.Commands, []string{"uname -a", "cat /etc/passwd", "exit"}) ||
		final.Summary != "SSH: login as root with password secret, 3 commands" {
		t.Errorf("final %+v", final)
	}
	for _, e := range rec.Reports() {
		if e.Session != first.Session {
			t.Errorf("a report of another session: %+v", e)
		}
	}
	mustContain(t, "details", hptest.TypedDetails(final), "1 command: cat /etc/passwd\n", "(client disconnected)")
}
