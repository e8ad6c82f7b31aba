package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"honeysens/app/mail/mailtest"
)

func TestSMTPSettingsNeverAnswerThePassword(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	res := admin.do("GET", "/api/settings/smtp", nil).mustStatus(t, 200)
	if res.json()["enabled"] != false || res.json()["port"] != float64(587) || res.json()["encryption"] != "starttls" {
		t.Errorf("defaults: %s", res.body)
	}
	// Enabling needs a server and a sender.
	res = admin.do("PATCH", "/api/settings/smtp", map[string]any{"enabled": true}).mustStatus(t, 400)
	if res.field("host") == "" || res.field("from") == "" {
		t.Errorf("enabling without server: %s", res.body)
	}
	res = admin.do("PATCH", "/api/settings/smtp", map[string]any{"enabled": true, "host": "mail.example.org", "port": 465,
		"encryption": "tls", "from": "honeysens@example.org", "user": "mailer", "password": "pa55-word",
		"weekly_tz": "Europe/Berlin", "weekly_at": "08:30"}).mustStatus(t, 200)
	if strings.Contains(res.body, "pa55-word") || res.json()["password_set"] != true {
		t.Fatalf("PATCH answer: %s", res.body)
	}
	// Another change without a password keeps it; the answer never has it.
	res = admin.do("PATCH", "/api/settings/smtp", map[string]any{"storm_limit": 20}).mustStatus(t, 200)
	if strings.Contains(res.body, "pa55-word") {
		t.Fatalf("second PATCH answer: %s", res.body)
	}
	get := admin.do("GET", "/api/settings/smtp", nil).mustStatus(t, 200)
	if strings.Contains(get.body, "pa55-word") || get.json()["password_set"] != true || get.json()["storm_limit"] != float64(20) ||
		get.json()["weekly_tz"] != "Europe/Berlin" || get.json()["host"] != "mail.example.org" {
		t.Errorf("after a second PATCH: %s", get.body)
	}
	// The stored password goes only to the server it was given for: another host, user or a
	// weaker encryption needs it typed again (else one request could send it anywhere).
	for _, change := range []map[string]any{{"host": "evil.example.org"}, {"port": 25}, {"user": "other"},
		{"encryption": "none", "host": "mail.example.org"}} {
		if res := admin.do("PATCH", "/api/settings/smtp", change); res.status != 400 || res.field("password") == "" {
			t.Errorf("PATCH %v without the password: %d %s", change, res.status, res.body)
		}
		test := map[string]any{"to": "soc@example.org"}
		for k, v := range change {
			test[k] = v
		}
		if res := admin.do("POST", "/api/settings/smtp/test", test); res.status != 400 || res.field("password") == "" {
			t.Errorf("test mail %v without the password: %d %s", change, res.status, res.body)
		}
	}
	// A password never crosses the network in clear.
	res = admin.do("PATCH", "/api/settings/smtp", map[string]any{"encryption": "none", "password": "pa55-word"}).mustStatus(t, 400)
	if res.field("encryption") == "" {
		t.Errorf("no encryption with a password: %s", res.body)
	}
	audit := admin.do("GET", "/api/audit", nil).mustStatus(t, 200)
	if strings.Contains(audit.body, "pa55-word") {
		t.Error("the audit log holds the password")
	}
	// Without a user there is no password.
	res = admin.do("PATCH", "/api/settings/smtp", map[string]any{"user": ""}).mustStatus(t, 200)
	if res.json()["password_set"] != false {
		t.Errorf("password kept without a user: %s", res.body)
	}
	for body, field := range map[string]string{
		`{"encryption": "ssl"}`:         "encryption",
		`{"port": 0}`:                   "port",
		`{"weekly_tz": "Mars/Olympus"}`: "weekly_tz",
		`{"weekly_at": "25:00"}`:        "weekly_at",
		`{"storm_limit": 0}`:            "storm_limit",
		`{"from": "not an address"}`:    "from",
	} {
		if res := admin.do("PATCH", "/api/settings/smtp", body); res.status != 400 || res.field(field) == "" {
			t.Errorf("PATCH %s: %d %s, want 400 on %s", body, res.status, res.body, field)
		}
	}
}

func TestTestMailUsesTheUnsavedValues(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	sink := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain, User: "mailer", Password: "right"})
	form := func(extra map[string]any) map[string]any {
		m := map[string]any{"to": "soc@example.org", "host": sink.Host, "port": sink.Port, "encryption": "none",
			"from": "honeysens@example.org", "user": "mailer", "password": "right"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	res := admin.do("POST", "/api/settings/smtp/test", form(nil)).mustStatus(t, 200)
	if res.json()["sent"] != true {
		t.Errorf("answer %s", res.body)
	}
	got := sink.Wait(t, 1, 10*time.Second)
	if got[0].Subject != "HoneySens test notification" || got[0].To[0] != "soc@example.org" || got[0].AuthUser != "mailer" {
		t.Errorf("test mail %+v", got[0])
	}
	// Nothing was saved by the test.
	if res := admin.do("GET", "/api/settings/smtp", nil); res.json()["host"] != "" {
		t.Errorf("the test saved settings: %s", res.body)
	}

	res = admin.do("POST", "/api/settings/smtp/test", form(map[string]any{"password": "wrong"})).mustStatus(t, 502)
	if res.code() != "mail_failed" || strings.Contains(res.body, "wrong") || !strings.Contains(strings.ToLower(res.body), "password") {
		t.Errorf("wrong password: %s", res.body)
	}
	// STARTTLS asked for, the server has none: nothing is sent, not even the password.
	before := len(sink.Commands())
	res = admin.do("POST", "/api/settings/smtp/test", form(map[string]any{"encryption": "starttls"})).mustStatus(t, 502)
	if !strings.Contains(res.body, "STARTTLS") || len(sink.Commands()) != before {
		t.Errorf("STARTTLS missing: %s; commands %v", res.body, sink.Commands()[before:])
	}
	sink.Stop()
	res = admin.do("POST", "/api/settings/smtp/test", form(nil)).mustStatus(t, 502)
	if !strings.Contains(res.body, "refused") {
		t.Errorf("server down: %s", res.body)
	}
	res = admin.do("POST", "/api/settings/smtp/test", form(map[string]any{"to": "x\r\nBcc: y@example.org"})).mustStatus(t, 400)
	if res.field("to") == "" {
		t.Errorf("bad recipient: %s", res.body)
	}
}

func TestTemplatesAPI(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	res := admin.do("GET", "/api/templates", nil).mustStatus(t, 200)
	items := res.json()["items"].([]any)
	types := []string{}
	for _, it := range items {
		m := it.(map[string]any)
		types = append(types, m["type"].(string))
		if m["custom_body"] != nil || m["default_body"] == "" || len(m["variables"].([]any)) == 0 {
			t.Errorf("template %v", m)
		}
	}
	if strings.Join(types, ",") != "event,sensor_timeout,sensor_online,weekly_summary,storm_summary" {
		t.Errorf("types %v", types)
	}
	res = admin.do("PUT", "/api/templates/event", map[string]any{"body": "Event {{ID}} {{BOGUS}}"}).mustStatus(t, 400)
	if !strings.Contains(res.field("body"), "{{BOGUS}}") {
		t.Errorf("unknown variable: %s", res.body)
	}
	res = admin.do("PUT", "/api/templates/event", map[string]any{"body": "Event {{ID}} from {{SOURCE}}"}).mustStatus(t, 200)
	if res.json()["custom_body"] != "Event {{ID}} from {{SOURCE}}" {
		t.Errorf("saved: %s", res.body)
	}
	res = admin.do("POST", "/api/templates/event/preview", map[string]any{"body": "Event {{ID}} <b>{{SOURCE}}</b>"}).mustStatus(t, 200)
	if res.json()["body"] != "Event 4711 <b>203.0.113.7:51234</b>" || !strings.Contains(res.json()["subject"].(string), "4711") {
		t.Errorf("preview: %s", res.body)
	}
	res = admin.do("POST", "/api/templates/event/preview", map[string]any{"body": nil}).mustStatus(t, 200)
	if !strings.Contains(res.json()["body"].(string), "Event 4711") {
		t.Errorf("preview of the default: %s", res.body)
	}
	admin.do("PUT", "/api/templates/event", map[string]any{"body": nil}).mustStatus(t, 200)
	res = admin.do("GET", "/api/templates", nil).mustStatus(t, 200)
	if res.json()["items"].([]any)[0].(map[string]any)["custom_body"] != nil {
		t.Errorf("reset: %s", res.body)
	}
	admin.do("PUT", "/api/templates/nope", map[string]any{"body": "x"}).mustStatus(t, 404)
}

func TestGroupContacts(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	uid := h.createUser(admin, "carol", 1, []int64{1})
	admin.do("PATCH", fmt.Sprint("/api/users/", uid), map[string]any{"email": "carol@example.org"}).mustStatus(t, 200)
	res := admin.do("PATCH", "/api/groups/1", map[string]any{"contacts": []map[string]any{
		{"email": "soc@example.org", "all_events": true},
		{"user": uid, "critical_events": true, "weekly_summary": true},
	}}).mustStatus(t, 200)
	contacts := res.json()["contacts"].([]any)
	if len(contacts) != 2 || contacts[1].(map[string]any)["user"] != float64(uid) || contacts[0].(map[string]any)["email"] != "soc@example.org" {
		t.Fatalf("contacts %s", res.body)
	}
	res = admin.do("GET", "/api/groups/1", nil).mustStatus(t, 200)
	if len(res.json()["contacts"].([]any)) != 2 {
		t.Errorf("GET after save: %s", res.body)
	}
	for _, c := range []struct {
		contact map[string]any
		field   string
	}{
		{map[string]any{"email": "soc@example.org"}, "contacts.0.kinds"},
		{map[string]any{"all_events": true}, "contacts.0.email"},
		{map[string]any{"email": "x\r\nBcc: y@example.org", "all_events": true}, "contacts.0.email"},
		{map[string]any{"email": "soc@example.org", "user": uid, "all_events": true}, "contacts.0.email"},
		{map[string]any{"user": 9999, "all_events": true}, "contacts.0.email"},
	} {
		res := admin.do("PATCH", "/api/groups/1", map[string]any{"contacts": []any{c.contact}})
		if res.status != 400 || res.field(c.field) == "" {
			t.Errorf("contact %v: %d %s, want 400 on %s", c.contact, res.status, res.body, c.field)
		}
	}
	// A deleted user's contacts go with it.
	admin.do("DELETE", fmt.Sprint("/api/users/", uid), nil).mustStatus(t, 204)
	res = admin.do("GET", "/api/groups/1", nil).mustStatus(t, 200)
	if len(res.json()["contacts"].([]any)) != 1 {
		t.Errorf("after the user was deleted: %s", res.body)
	}
}

func TestOutboxAPI(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	res := admin.do("GET", "/api/mails", nil).mustStatus(t, 200)
	counts := res.json()["counts"].(map[string]any)
	if counts["queued"] != float64(0) || counts["sent"] != float64(0) || counts["failed"] != float64(0) || len(res.json()["items"].([]any)) != 0 {
		t.Errorf("empty outbox: %s", res.body)
	}
	if res := admin.do("GET", "/api/mails?status=lost", nil); res.status != 400 || res.field("status") == "" {
		t.Errorf("bad status: %d %s", res.status, res.body)
	}
	res = admin.do("POST", "/api/mails/retry", nil).mustStatus(t, 200)
	if res.json()["retried"] != float64(0) {
		t.Errorf("retry: %s", res.body)
	}
}
