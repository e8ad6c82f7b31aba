package notify

import (
	"strings"
	"testing"

	"honeysens/app/mail/mailtest"
	"honeysens/app/model"
)

// With the mail language German, the built-in templates, the subjects and the text blocks the
// appliance writes are German; attacker data stays as sent; a custom template is used as written.
func TestMailLanguageGerman(t *testing.T) {
	e := newEnv(t, mailtest.Options{Mode: mailtest.Plain})
	e.settings(func(s *model.SMTPSettings) { s.Language = "de" })
	e.contacts(e.group, model.Contact{Email: "soc@example.org", AllEvents: true})
	e.event(model.ClassScan, "ports 22 and 23")
	e.pass()
	out := e.outbox()
	if len(out) != 1 {
		t.Fatalf("outbox has %d mails, want 1", len(out))
	}
	m := out[0]
	if !strings.HasPrefix(m.Subject, "HoneySens: Ereignis #") || !strings.Contains(m.Subject, "(Portscan)") {
		t.Errorf("subject = %q, want the German one with the German classification", m.Subject)
	}
	for _, want := range []string{"Diese Benachrichtigung wurde automatisch", "Klassifizierung: Portscan",
		"Zusammenfassung: ports 22 and 23", "Keine weiteren Details."} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}

	list, err := e.svc.Templates(e.ctx)
	if err != nil || !strings.Contains(list[0].Default, "Diese Benachrichtigung") {
		t.Errorf("the template editor's default is not the German one: %v %q", err, list[0].Default)
	}
	subject, _, err := e.svc.Preview(e.ctx, model.MailTimeout, nil)
	if err != nil || subject != "HoneySens: Sensor office-pi (ID 3) offline" {
		t.Errorf("preview subject = %q, %v", subject, err)
	}
	subject, _, _ = e.svc.Preview(e.ctx, model.MailStorm, nil)
	if subject != "HoneySens: 250 weitere Ereignisse (Sturmschutz)" {
		t.Errorf("preview subject = %q", subject)
	}

	set := model.DefaultSMTPSettings()
	set.Language = "fr"
	if err := set.Validate(); model.ErrorCode(err) != model.ErrInvalid {
		t.Errorf("mail language fr: %v, want refused", err)
	}
}
