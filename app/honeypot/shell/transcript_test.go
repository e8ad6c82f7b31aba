package shell

import (
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
)

func TestTranscriptSummaries(t *testing.T) {
	start := time.Now()
	cases := []struct {
		do   func(tr *Transcript)
		want string
	}{
		{func(tr *Transcript) {}, "SSH: connection without login"},
		{func(tr *Transcript) { tr.SetNote("not an SSH client") }, "SSH: not an SSH client"},
		{func(tr *Transcript) {
			for i := 0; i < 5; i++ {
				tr.Login("password", "admin", "x", false)
			}
		}, "SSH: 5 failed logins as admin"},
		{func(tr *Transcript) {
			tr.Login("password", "admin", "x", false)
			tr.Login("password", "root", "y", false)
			tr.PublicKey("root", "ssh-ed25519", "SHA256:abc")
		}, "SSH: 2 failed logins as admin, root, 1 public key refused"},
		{func(tr *Transcript) { tr.PublicKey("git", "ssh-rsa", "SHA256:abc") }, "SSH: 1 public key login refused for git"},
		{func(tr *Transcript) {
			tr.Login("password", "root", "123456", true)
			tr.Command("command", "ls", Result{})
			tr.Command("command", "wget x", Result{Downloads: []string{"x"}})
			tr.Command("command", "pwd", Result{})
		}, "SSH: login as root with password 123456, 3 commands, 1 download attempt"},
		{func(tr *Transcript) { tr.Login("password", "root\n\x1b[31m", strings.Repeat("p", 400), true) },
			"SSH: login as root  [31m with password " + strings.Repeat("p", 255-len("SSH: login as root  [31m with password "))},
	}
	for _, c := range cases {
		tr := NewTranscript("SSH", &model.Event{}, start)
		c.do(tr)
		ev := tr.Close("client disconnected")
		if ev.Summary != c.want {
			t.Errorf("summary %q, want %q", ev.Summary, c.want)
		}
		last := ev.Details[len(ev.Details)-1].Data
		if !strings.HasPrefix(last, "connection closed after ") || !strings.HasSuffix(last, "(client disconnected)") {
			t.Errorf("close line %q", last)
		}
		if again := tr.Close("other"); again != ev || len(again.Details) != len(ev.Details) {
			t.Error("second Close changed the event")
		}
	}
	// the detail list is capped and the close line is still there
	tr := NewTranscript("Telnet", &model.Event{}, start)
	for i := 0; i < 3*model.MaxDetails; i++ {
		tr.Command("command", "ls", Result{})
	}
	ev := tr.Close("logout")
	if len(ev.Details) != model.MaxDetails || !strings.Contains(ev.Details[len(ev.Details)-1].Data, "(logout)") {
		t.Fatalf("%d details, last %q", len(ev.Details), ev.Details[len(ev.Details)-1].Data)
	}
}
