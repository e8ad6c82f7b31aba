package notify

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"honeysens/app/mail/mailtest"
	"honeysens/app/model"
	"honeysens/app/notify/outbox"
	"honeysens/app/sensor"
	"honeysens/app/store"
)

func ptr[T any](v T) *T { return &v }

func TestEventMailsReachTheRightContacts(t *testing.T) {
	for _, mode := range []mailtest.Mode{mailtest.Plain, mailtest.STARTTLS, mailtest.TLS} {
		t.Run(fmt.Sprint("mode ", mode), func(t *testing.T) {
			e := newEnv(t, mailtest.Options{Mode: mode, User: "mailer", Password: "secret"})
			user := &model.User{Login: "carol", Email: "carol@example.org", Role: model.RoleObserver, PasswordHash: "x"}
			if err := e.st.CreateUser(e.ctx, user); err != nil {
				t.Fatal(err)
			}
			e.contacts(e.group,
				model.Contact{Email: "all@example.org", AllEvents: true},
				model.Contact{UserID: &user.ID, CriticalEvents: true},
				model.Contact{Email: "weekly@example.org", WeeklySummary: true, SensorTimeout: true},
			)
			at := e.clock()
			hp := e.event(model.ClassHoneypot, "SSH login root/123456",
				model.Detail{Type: model.DetailInteraction, Timestamp: &at, Data: "uname -a"})
			scan := e.event(model.ClassScan, "Port scan")
			e.pass()
			e.deliver()

			got := byRecipient(e.sink.Wait(t, 3, 10*time.Second))
			if len(got["all@example.org"]) != 2 || len(got["carol@example.org"]) != 1 || len(got["weekly@example.org"]) != 0 {
				t.Fatalf("recipients: %v", got)
			}
			crit := got["carol@example.org"][0]
			if want := fmt.Sprintf("HoneySens: Critical event #%d (Honeypot)", hp.ID); crit.Subject != want {
				t.Errorf("critical subject %q, want %q", crit.Subject, want)
			}
			for _, want := range []string{"SSH login root/123456", "Sensor interaction", "uname -a", "office-pi", "203.0.113.7:51234"} {
				if !strings.Contains(crit.Body, want) {
					t.Errorf("critical mail body lacks %q:\n%s", want, crit.Body)
				}
			}
			subjects := []string{got["all@example.org"][0].Subject, got["all@example.org"][1].Subject}
			if !strings.Contains(strings.Join(subjects, "|"), fmt.Sprintf("HoneySens: Event #%d (Scan)", scan.ID)) {
				t.Errorf("all-events subjects %q lack the scan #%d", subjects, scan.ID)
			}
			if mode != mailtest.Plain && !crit.TLS {
				t.Error("mail not delivered over TLS")
			}
			for _, m := range e.outbox() {
				if m.Status != model.MailSent || m.Attempts != 1 || m.DoneAt == nil {
					t.Errorf("outbox mail %+v, want sent after one attempt", m)
				}
			}
			// Nothing is sent twice.
			e.pass()
			e.deliver()
			if n := len(e.sink.Messages()); n != 3 {
				t.Errorf("%d mails after another pass, want still 3", n)
			}
		})
	}
}

func TestNoMailIsLostWhileTheServerIsDownOrTheApplianceRestarts(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	e.contacts(e.group, model.Contact{Email: "soc@example.org", AllEvents: true})
	e.sink.Stop()
	for i := range 3 {
		e.event(model.ClassConnAttempt, fmt.Sprint("attempt ", i))
	}
	e.pass()
	e.deliver()
	out := e.outbox()
	if len(out) != 3 {
		t.Fatalf("%d mails queued, want 3", len(out))
	}
	// One attempt failed; the others are not tried before the server's backoff has passed
	// (each would only wait for the same refusal), and the failed one goes last then.
	if out[0].Status != model.MailQueued || out[0].Attempts != 1 || !strings.Contains(out[0].LastError, "refused") {
		t.Errorf("first mail after the failed attempt: %+v", out[0])
	}
	for _, m := range out[1:] {
		if m.Status != model.MailQueued || m.Attempts != 0 || !m.NextAttempt.Before(out[0].NextAttempt) {
			t.Errorf("waiting mail %+v, want queued and before the failed one", m)
		}
	}
	e.advance(10 * time.Second) // within the backoff: nothing is tried
	e.deliver()
	if out := e.outbox(); out[0].Attempts != 1 || out[1].Attempts != 0 {
		t.Errorf("tried again before the backoff passed: %+v", out)
	}
	e.advance(outbox.DefaultBackoff(1))
	e.deliver() // still down: the backoff grows
	if out := e.outbox(); out[1].Attempts != 1 || out[1].NextAttempt.Sub(e.clock()) < outbox.DefaultBackoff(2) {
		t.Errorf("second outage round: %+v", out[1])
	}

	// The appliance restarts with the server still down; later the server is back.
	e.st.Close()
	e.open()
	e.sink.Restart(t)
	e.advance(outbox.DefaultBackoff(2) + time.Second)
	e.deliver()
	got := e.sink.Wait(t, 3, 10*time.Second)
	if len(got) != 3 {
		t.Fatalf("%d mails delivered, want 3", len(got))
	}
	for _, m := range e.outbox() {
		if m.Status != model.MailSent {
			t.Errorf("mail %d is %s, want sent", m.ID, m.Status)
		}
	}
}

func TestMailsFailOnlyAfterTheGiveUpTime(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	e.contacts(e.group, model.Contact{Email: "soc@example.org", AllEvents: true})
	e.sink.Stop()
	e.event(model.ClassHoneypot, "login")
	e.pass()
	start := e.clock()
	for e.clock().Before(start.Add(24 * time.Hour)) {
		e.deliver()
		m := e.outbox()[0]
		if m.Status != model.MailQueued {
			t.Fatalf("after %v the mail is %s, want queued for at least 24h", e.clock().Sub(start), m.Status)
		}
		e.setTime(m.NextAttempt)
	}
	for e.outbox()[0].Status == model.MailQueued && e.clock().Before(start.Add(GiveUpAfter+time.Hour)) {
		e.deliver()
		e.setTime(e.outbox()[0].NextAttempt)
	}
	m := e.outbox()[0]
	if m.Status != model.MailFailed || m.LastError == "" || m.DoneAt == nil {
		t.Fatalf("after the give-up time: %+v, want failed with the error", m)
	}
	// Retry queues it again, and it goes out once the server is back.
	e.sink.Restart(t)
	if n, err := e.svc.Retry(e.ctx, true); err != nil || n != 1 {
		t.Fatalf("Retry = %d, %v", n, err)
	}
	e.deliver()
	e.sink.Wait(t, 1, 10*time.Second)
	if m := e.outbox()[0]; m.Status != model.MailSent {
		t.Errorf("after retry: %+v", m)
	}
}

func TestStormGuardFoldsFloodIntoOneSummary(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	e.settings(func(s *model.SMTPSettings) { s.StormLimit, s.StormMinutes = 3, 10 })
	e.contacts(e.group, model.Contact{Email: "soc@example.org", AllEvents: true},
		model.Contact{Email: "crit@example.org", CriticalEvents: true})
	var ids []int64
	for i := range 20 {
		class := model.ClassScan
		if i%5 == 0 {
			class = model.ClassHoneypot
		}
		ids = append(ids, e.event(class, fmt.Sprint("flood ", i)).ID)
		e.advance(time.Second)
		if i%4 == 0 {
			e.pass() // the flood arrives over several passes
		}
	}
	e.pass()
	count := func(kind, to string) int {
		n := 0
		for _, m := range e.outbox() {
			if m.Kind == kind && m.Recipient == to {
				n++
			}
		}
		return n
	}
	if n := count(model.MailEvent, "soc@example.org"); n != 3 {
		t.Fatalf("soc got %d event mails, want the limit 3", n)
	}
	if n := count(model.MailEvent, "crit@example.org"); n != 3 {
		t.Fatalf("crit got %d event mails for its 4 critical events, want 3", n)
	}
	if n := count(model.MailStorm, "soc@example.org"); n != 0 {
		t.Fatalf("storm summary before the window ended")
	}
	e.advance(10 * time.Minute)
	e.pass()
	e.deliver()
	got := byRecipient(e.sink.Wait(t, 8, 10*time.Second))
	var storm *mailtest.Received
	for i, m := range got["soc@example.org"] {
		if strings.Contains(m.Subject, "storm") {
			storm = &got["soc@example.org"][i]
		}
	}
	if storm == nil {
		t.Fatalf("no storm summary for soc: %v", got["soc@example.org"])
	}
	if storm.Subject != "HoneySens: 17 further events (storm guard)" {
		t.Errorf("storm subject %q", storm.Subject)
	}
	for _, want := range []string{fmt.Sprintf("#%d", ids[3]), fmt.Sprintf("#%d", ids[19]), "17 further events arrived, 3 of them critical"} {
		if !strings.Contains(storm.Body, want) {
			t.Errorf("storm body lacks %q:\n%s", want, storm.Body)
		}
	}
	if len(got["crit@example.org"]) != 4 { // 3 events + the summary of the fourth
		t.Errorf("crit got %d mails, want 4", len(got["crit@example.org"]))
	}
	// After the window the next event gets its own mail again.
	e.advance(time.Minute)
	e.event(model.ClassScan, "later")
	e.pass()
	if n := count(model.MailEvent, "soc@example.org"); n != 4 {
		t.Errorf("soc has %d event mails after the storm, want 4", n)
	}
}

func TestDisabledMailQueuesNothingAndSendsNoBacklog(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	e.contacts(e.group, model.Contact{Email: "soc@example.org", AllEvents: true})
	e.settings(func(s *model.SMTPSettings) { s.Enabled = false })
	e.event(model.ClassHoneypot, "while disabled")
	e.pass()
	if n := len(e.outbox()); n != 0 {
		t.Fatalf("%d mails queued while disabled", n)
	}
	e.settings(func(s *model.SMTPSettings) { s.Enabled = true })
	e.pass()
	if n := len(e.outbox()); n != 0 {
		t.Fatalf("%d mails for events from before mail was enabled", n)
	}
	ev := e.event(model.ClassHoneypot, "after enabling")
	e.pass()
	if out := e.outbox(); len(out) != 1 || !strings.Contains(out[0].Subject, fmt.Sprint("#", ev.ID)) {
		t.Fatalf("outbox %+v, want the new event's mail", out)
	}
}

func TestSensorTimeoutOncePerOutageAndBackOnline(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	e.contacts(e.group, model.Contact{Email: "ops@example.org", SensorTimeout: true},
		model.Contact{Email: "events@example.org", AllEvents: true})
	heartbeat := func(ts int64) {
		t.Helper()
		if err := e.st.RecordHeartbeat(e.ctx, e.sensor.ID, store.Heartbeat{Timestamp: ts, At: e.clock(), IP: "192.0.2.5"}); err != nil {
			t.Fatal(err)
		}
	}
	check := func() {
		t.Helper()
		if _, err := sensor.CheckStatus(e.ctx, e.st, e.clock()); err != nil {
			t.Fatal(err)
		}
		e.pass()
	}
	heartbeat(1)
	check() // first contact: no mail
	if n := len(e.outbox()); n != 0 {
		t.Fatalf("%d mails for the first contact", n)
	}
	e.advance(5 * time.Minute)
	check()
	check() // still offline: no second mail
	e.advance(5 * time.Minute)
	check()
	heartbeat(2)
	check()
	e.deliver()
	got := e.sink.Wait(t, 2, 10*time.Second)
	if len(got) != 2 {
		t.Fatalf("%d mails, want timeout and back online", len(got))
	}
	if got[0].Subject != fmt.Sprintf("HoneySens: Sensor office-pi (ID %d) offline", e.sensor.ID) ||
		got[1].Subject != fmt.Sprintf("HoneySens: Sensor office-pi (ID %d) back online", e.sensor.ID) {
		t.Errorf("subjects %q, %q", got[0].Subject, got[1].Subject)
	}
	for _, m := range got {
		if len(m.To) != 1 || m.To[0] != "ops@example.org" {
			t.Errorf("mail to %v, want only ops@", m.To)
		}
	}
	if !strings.Contains(got[1].Body, "offline from") || !strings.Contains(got[1].Body, "8m0s") {
		t.Errorf("back-online body:\n%s", got[1].Body)
	}
}

func TestWeeklySummaryOneMailPerAddress(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	e.settings(func(s *model.SMTPSettings) { s.WeeklyAt, s.WeeklyTZ = "09:00", "Europe/Berlin" })
	other := &model.Group{Name: "Lab"}
	if err := e.st.CreateGroup(e.ctx, other); err != nil {
		t.Fatal(err)
	}
	quiet := &model.Group{Name: "Quiet"}
	if err := e.st.CreateGroup(e.ctx, quiet); err != nil {
		t.Fatal(err)
	}
	labSensor := &model.Sensor{Name: "lab-pi", GroupID: other.ID, UpdateInterval: 60, Secret: "s"}
	if err := e.st.CreateSensor(e.ctx, labSensor); err != nil {
		t.Fatal(err)
	}
	e.contacts(e.group, model.Contact{Email: "boss@example.org", WeeklySummary: true})
	e.contacts(other, model.Contact{Email: "boss@example.org", WeeklySummary: true},
		model.Contact{Email: "lab@example.org", WeeklySummary: true})
	e.contacts(quiet, model.Contact{Email: "quiet@example.org", WeeklySummary: true})
	berlin, _ := time.LoadLocation("Europe/Berlin")

	// The first run ever only notes the week as done.
	e.setTime(time.Date(2026, 11, 23, 9, 0, 0, 0, berlin))
	if err := e.svc.Weekly(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.setTime(time.Date(2026, 11, 24, 12, 0, 0, 0, berlin))
	for i := range 3 {
		e.event(model.ClassHoneypot, fmt.Sprint("critical ", i))
	}
	e.event(model.ClassScan, "scan")
	lab := &model.Event{Timestamp: e.clock(), SensorID: labSensor.ID, GroupID: other.ID, Service: "recon",
		Classification: model.ClassConnAttempt, Summary: "lab attempt"}
	if err := e.st.InsertEvents(e.ctx, []*model.Event{lab}); err != nil {
		t.Fatal(err)
	}
	e.setTime(time.Date(2026, 11, 30, 8, 59, 0, 0, berlin))
	if err := e.svc.Weekly(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.outbox()); n != 0 {
		t.Fatalf("%d mails before Monday 09:00", n)
	}
	e.setTime(time.Date(2026, 11, 30, 9, 0, 0, 0, berlin))
	if err := e.svc.Weekly(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Weekly(e.ctx); err != nil { // the catch-up job finds the week done
		t.Fatal(err)
	}
	e.deliver()
	got := byRecipient(e.sink.Wait(t, 2, 10*time.Second))
	if len(got) != 2 || len(got["boss@example.org"]) != 1 || len(got["lab@example.org"]) != 1 {
		t.Fatalf("weekly mails %v, want one each for boss and lab, none for quiet", got)
	}
	boss := got["boss@example.org"][0]
	if boss.Subject != "HoneySens: Event summary for 2026-11-23 to 2026-11-30" {
		t.Errorf("subject %q", boss.Subject)
	}
	for _, want := range []string{`### Group "Lab" ###`, `### Group "Office" ###`, "5 events", "4 events, 3 critical",
		"critical 0", "office-pi", "Scan"} {
		if !strings.Contains(boss.Body, want) {
			t.Errorf("boss's summary lacks %q:\n%s", want, boss.Body)
		}
	}
	if strings.Contains(got["lab@example.org"][0].Body, "Office") {
		t.Errorf("lab's summary covers a group it is no contact of:\n%s", got["lab@example.org"][0].Body)
	}
}

func TestWeekEndFollowsTheZoneAcrossDST(t *testing.T) {
	set := model.DefaultSMTPSettings()
	set.WeeklyAt, set.WeeklyTZ = "09:00", "Europe/Berlin"
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, c := range []struct{ now, want time.Time }{
		{time.Date(2026, 3, 30, 9, 0, 0, 0, berlin), time.Date(2026, 3, 30, 9, 0, 0, 0, berlin)},  // Monday after the switch to summer time
		{time.Date(2026, 3, 30, 8, 59, 0, 0, berlin), time.Date(2026, 3, 23, 9, 0, 0, 0, berlin)}, // a minute before: the week before
		{time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 9, 0, 0, 0, berlin)},
	} {
		got, err := WeekEnd(set, c.now)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("WeekEnd(%v) = %v, %v; want %v", c.now, got, err, c.want)
		}
	}
}

func TestAttackerDataStaysInert(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	e.contacts(e.group, model.Contact{Email: "soc@example.org", AllEvents: true})
	at := e.clock()
	ev := e.event(model.ClassHoneypot, "x\r\nBcc: evil@example.org {{ID}}",
		model.Detail{Type: model.DetailInteraction, Timestamp: &at, Data: "echo hi\r\nSubject: forged\u202e\x00"})
	e.pass()
	e.deliver()
	m := e.sink.Wait(t, 1, 10*time.Second)[0]
	if len(m.To) != 1 || m.Header.Get("Bcc") != "" || strings.Contains(string(m.Raw), "\nBcc:") || strings.Contains(string(m.Raw), "\nSubject: forged") {
		t.Fatalf("attacker text reached the headers:\n%s", m.Raw)
	}
	for _, want := range []string{`x\r\nBcc: evil@example.org {{ID}}`, `echo hi\r\nSubject: forged\u202e\u0000`} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks the escaped %q:\n%s", want, m.Body)
		}
	}
	if strings.Contains(m.Body, fmt.Sprintf("evil@example.org %d", ev.ID)) {
		t.Error("a placeholder inside event data was substituted")
	}
}

func TestCustomTemplatesAreCheckedAndUsed(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	err := e.svc.SetTemplate(e.ctx, model.MailEvent, ptr("Event {{ID}} {{NOPE}}"))
	if model.ErrorCode(err) != model.ErrInvalid || !strings.Contains(err.Error(), "{{NOPE}}") {
		t.Fatalf("unknown variable: %v", err)
	}
	if err := e.svc.SetTemplate(e.ctx, model.MailEvent, ptr("Custom: event {{ID}} from {{SOURCE}}")); err != nil {
		t.Fatal(err)
	}
	subject, body, err := e.svc.Preview(e.ctx, model.MailEvent, ptr("Preview of {{ID}}"))
	if err != nil || body != "Preview of 4711" || !strings.Contains(subject, "4711") {
		t.Errorf("Preview = %q, %q, %v", subject, body, err)
	}
	e.contacts(e.group, model.Contact{Email: "soc@example.org", AllEvents: true})
	ev := e.event(model.ClassScan, "scan")
	e.pass()
	if out := e.outbox(); len(out) != 1 || out[0].Body != fmt.Sprintf("Custom: event %d from 203.0.113.7:51234", ev.ID) {
		t.Fatalf("mail with the custom template: %+v", out)
	}
	if err := e.svc.SetTemplate(e.ctx, model.MailEvent, nil); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.Templates(e.ctx)
	if err != nil || list[0].Custom != nil || !strings.Contains(list[0].Default, "{{DETAILS}}") {
		t.Errorf("after reset: %+v, %v", list[0], err)
	}
}

func TestRefusedRecipientFailsAtOnceAndDoesNotBlockOthers(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	e.sink.Refuse("nobody@example.org")
	e.contacts(e.group, model.Contact{Email: "nobody@example.org", AllEvents: true},
		model.Contact{Email: "soc@example.org", AllEvents: true})
	e.event(model.ClassHoneypot, "login")
	e.pass()
	e.deliver()
	e.sink.Wait(t, 1, 10*time.Second)
	for _, m := range e.outbox() {
		switch m.Recipient {
		case "nobody@example.org":
			if m.Status != model.MailFailed || !strings.Contains(m.LastError, "550") {
				t.Errorf("refused mail: %+v", m)
			}
		default:
			if m.Status != model.MailSent {
				t.Errorf("other mail: %+v", m)
			}
		}
	}
}

func TestWeeklySummaryCountsArchivedEventsAndContinuesFromTheLastOne(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	e.contacts(e.group, model.Contact{Email: "boss@example.org", WeeklySummary: true})
	e.setTime(time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC))
	if err := e.svc.Weekly(e.ctx); err != nil { // first run: marks only
		t.Fatal(err)
	}
	e.setTime(time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC))
	archived := e.event(model.ClassHoneypot, "handled and archived")
	e.event(model.ClassScan, "still live")
	if _, err := e.st.ArchiveEvents(e.ctx, &store.EventFilter{IDs: []int64{archived.ID}}); err != nil {
		t.Fatal(err)
	}
	// The appliance is down over the next Monday; two weeks after the last summary the
	// catch-up covers both weeks in one mail.
	e.setTime(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
	if err := e.svc.Weekly(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	m := e.sink.Wait(t, 1, 10*time.Second)[0]
	if m.Subject != "HoneySens: Event summary for 2026-11-16 to 2026-11-30" {
		t.Errorf("subject %q", m.Subject)
	}
	for _, want := range []string{"2 events, 1 critical", "handled and archived"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("summary lacks %q:\n%s", want, m.Body)
		}
	}
}

// While nobody wants event mails, passes write nothing (no mark moves per ingest commit);
// saving contacts resumes them from that moment: the events of the pause are not mailed, the
// next one is.
func TestEventMailsPauseWithoutWritesAndResumeFromNow(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	mark := func(name string) int64 {
		v, _, err := e.st.NotifyMark(e.ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if mark(pausedMark) != 1 {
		t.Fatal("with no event contact, event mails are not paused")
	}
	before := mark("events")
	for i := range 3 {
		e.event(model.ClassHoneypot, fmt.Sprintf("while paused %d", i))
		e.pass()
	}
	if got := mark("events"); got != before {
		t.Errorf("paused passes moved the events mark from %d to %d (a write per commit)", before, got)
	}

	e.contacts(e.group, model.Contact{Email: "all@example.org", AllEvents: true})
	if mark(pausedMark) != 0 {
		t.Fatal("saving an event contact did not resume event mails")
	}
	next := e.event(model.ClassHoneypot, "after the contact was saved")
	e.pass()
	e.deliver()
	got := e.sink.Wait(t, 1, 10*time.Second)
	if len(got) != 1 || !strings.Contains(got[0].Subject, fmt.Sprintf("#%d", next.ID)) {
		t.Errorf("mails after resuming: %v, want the one for event #%d", got, next.ID)
	}
	if n := len(e.outbox()); n != 1 {
		t.Errorf("%d mails queued, want 1: the events of the pause are not mailed", n)
	}
}
