package shell

import (
	"slices"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
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
			tr.Login("", "", "x", false)
			tr.Login("", "root", "y", false)
		}, `SSH: 2 failed logins as "", root`},
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
		tr := NewTranscript("SSH", nil, &model.Event{}, start)
		c.do(tr)
		// the summary is there while the session goes on, and the same at its end
		if ongoing := tr.Snapshot(); ongoing.Summary != c.want || !ongoing.Ongoing {
			t.Errorf("ongoing summary %q (ongoing %v), want %q", ongoing.Summary, ongoing.Ongoing, c.want)
		}
		tr.Close("client disconnected")
		ev := tr.Snapshot()
		if ev.Summary != c.want || ev.Ongoing {
			t.Errorf("summary %q (ongoing %v), want %q", ev.Summary, ev.Ongoing, c.want)
		}
		last := ev.Details[len(ev.Details)-1].Data
		if !strings.HasPrefix(last, "connection closed after ") || !strings.HasSuffix(last, "(client disconnected)") {
			t.Errorf("close line %q", last)
		}
		tr.Close("other")
		tr.Login("password", "late", "x", true)
		if again := tr.Snapshot(); len(again.Details) != len(ev.Details) || again.Summary != ev.Summary {
			t.Error("the event changed after Close")
		}
	}
	// the detail list is capped and the close line is still there
	tr := NewTranscript("Telnet", nil, &model.Event{}, start)
	for i := 0; i < 3*model.MaxDetails; i++ {
		tr.Command("command", "ls", Result{})
	}
	tr.Close("logout")
	ev := tr.Snapshot()
	if len(ev.Details) != model.MaxDetails || !strings.Contains(ev.Details[len(ev.Details)-1].Data, "(logout)") {
		t.Fatalf("%d details, last %q", len(ev.Details), ev.Details[len(ev.Details)-1].Data)
	}
	if len(ev.Commands) != model.MaxFacts {
		t.Errorf("%d commands listed, want the cap %d", len(ev.Commands), model.MaxFacts)
	}
}

func TestTranscriptFacts(t *testing.T) {
	tr := NewTranscript("SSH", nil, &model.Event{TargetPort: 22}, time.Now())
	if e := tr.Snapshot(); e.Classification != model.ClassConnAttempt {
		t.Errorf("no input yet: classification %v", e.Classification)
	}
	at := time.Now()
	tr.Input(at, []byte("SSH-2.0-OpenSSH_9.6\r\n"))
	tr.Login("password", "root", "123456", false)
	tr.Login("keyboard-interactive", "root", "toor", true)
	tr.PublicKey("git", "ssh-ed25519", "SHA256:abc")
	tr.Command("exec", "uname -a", Result{})
	tr.Command("command", "cat /etc/passwd", Result{})
	e := tr.Snapshot()
	want := []model.Login{{User: "root", Password: "123456"}, {User: "root", Password: "toor", Accepted: true}}
	if !slices.Equal(e.Logins, want) || !slices.Equal(e.Commands, []string{"uname -a", "cat /etc/passwd"}) {
		t.Errorf("logins %+v, commands %q", e.Logins, e.Commands)
	}
	if len(e.Packets) != 1 || string(e.Packets[0].Payload) != "SSH-2.0-OpenSSH_9.6\r\n" || e.Packets[0].Port != 22 ||
		e.Packets[0].Flags != honeypot.FlagPSHACK || e.Packets[0].Protocol != model.ProtoTCP || !e.Packets[0].Timestamp.Equal(at.UTC()) {
		t.Errorf("packets %+v", e.Packets)
	}
	if e.Classification != model.ClassUnknown {
		t.Errorf("classification %v after input (the server decides: Honeypot)", e.Classification)
	}
}
