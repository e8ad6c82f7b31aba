package ftp

import (
	"slices"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

// TestSessionReportedWhileOpen: an FTP session is reported soon after the client's first
// command and grows with its logins; Stop makes it final with what was seen.
func TestSessionReportedWhileOpen(t *testing.T) {
	cfg := Config{Listen: "127.0.0.1:0", Accept: []string{"backup:backup"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	svc := New(cfg, testLimits(), nil)
	svc.Timing = honeypot.SessionTiming{First: 100 * time.Millisecond, Every: 200 * time.Millisecond, Slow: 200 * time.Millisecond,
		SlowAfter: 100, Keepalive: time.Minute}
	rec := hptest.NewRecorder()
	if err := svc.Start(rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	cl := dial(t, svc)
	cl.cmd("USER admin", 331, "")
	cl.cmd("PASS admin", 530, "")
	first := rec.WaitReport(t, eventWait, "the first report", func(*model.Event) bool { return true })
	if !first.Ongoing || first.Revision != 1 || first.Session == "" || len(first.Packets) != 1 ||
		string(first.Packets[0].Payload) != "USER admin\r\n" || first.Packets[0].Port != first.TargetPort {
		t.Fatalf("first report %+v", first)
	}
	cl.cmd("USER backup", 331, "")
	cl.cmd("PASS backup", 230, "")
	cl.cmd("PWD", 257, "")
	grown := rec.WaitReport(t, eventWait, "the login and PWD", func(e *model.Event) bool {
		return e.Ongoing && strings.HasSuffix(e.Summary, ", 1 command")
	})
	if grown.Session != first.Session || grown.Summary != "FTP: login as backup after 1 failed attempt, 1 command" ||
		!slices.Equal(grown.Logins, []model.Login{{User: "admin", Password: "admin"}, {User: "backup", Password: "backup", Accepted: true}}) {
		t.Errorf("ongoing report %+v", grown)
	}
	svc.Stop()
	final := rec.Wait(t, 1, eventWait)
	if final.Ongoing || final.Session != first.Session || final.Revision <= grown.Revision ||
		final.Summary != "FTP: login as backup after 1 failed attempt, 1 command" || len(final.Commands) != 0 ||
		!strings.Contains(hptest.Details(final), "server stopped") || final.Classification != model.ClassHoneypot {
		t.Errorf("final %+v\n%s", final, hptest.Details(final))
	}
}
