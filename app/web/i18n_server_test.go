package web_test

import (
	"fmt"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"honeysens/app/mail/mailtest"
)

// Error messages reach each caller in the language they read: the user's stored choice, else
// the browser's Accept-Language, else English; the code stays the same.

func TestServerMessagesFollowTheUsersLanguage(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	admin.do("PUT", "/api/session/preferences", map[string]string{"language": "de"}).mustStatus(t, 200)

	res := admin.do("PUT", "/api/session/preferences", map[string]string{"language": "fr"}).mustStatus(t, 400)
	if res.code() != "invalid" || res.json()["message"] != "Einige Felder sind ungültig." ||
		res.field("language") != "Bitte Englisch oder Deutsch wählen." {
		t.Errorf("validation error for a German user: %s", res.body)
	}
	res = admin.do("GET", "/api/users/9999", nil).mustStatus(t, 404)
	if res.code() != "not_found" || res.json()["message"] != "Diesen Benutzer gibt es nicht." {
		t.Errorf("not found for a German user: %s", res.body)
	}
	// A message formatted from a value keeps the value inside the German text.
	res = admin.do("POST", "/api/users", map[string]any{"login": "bob", "role": 1, "groups": []int64{9999}, "password": "bob-password"}).mustStatus(t, 400)
	if got := res.field("groups"); got != "Gruppe 9999 gibt es nicht." {
		t.Errorf("formatted field message for a German user: %q in %s", got, res.body)
	}

	admin.do("PUT", "/api/session/preferences", map[string]string{"language": "en"}).mustStatus(t, 200)
	res = admin.do("GET", "/api/users/9999", nil).mustStatus(t, 404)
	if res.json()["message"] != "No such user." {
		t.Errorf("not found for an English user: %s", res.body)
	}
	res = admin.do("PUT", "/api/session/preferences", map[string]string{"language": "fr"}).mustStatus(t, 400)
	if res.json()["message"] != "Some fields are not valid." || res.field("language") != "Choose English or German." {
		t.Errorf("validation error for an English user: %s", res.body)
	}
}

func TestServerMessagesFollowTheBrowserWithoutAUser(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ acceptLanguage, message, field string }{
		{"de-DE,de;q=0.9,en;q=0.8", "Diesen API-Endpunkt gibt es nicht.", "Unbekanntes Feld."},
		{"fr-FR,de;q=0.5", "Diesen API-Endpunkt gibt es nicht.", "Unbekanntes Feld."},
		{"en-US,de;q=0.5", "No such API endpoint.", "Unknown field."},
		{"", "No such API endpoint.", "Unknown field."},
	} {
		req := httptest.NewRequest("GET", "/api/no-such-endpoint", nil)
		req.Header.Set("Accept-Language", tc.acceptLanguage)
		res := h.send(req).mustStatus(t, 404)
		if res.code() != "not_found" || res.json()["message"] != tc.message {
			t.Errorf("%q: not found answered %s", tc.acceptLanguage, res.body)
		}

		req = httptest.NewRequest("POST", "/api/session", strings.NewReader(`{"nonsense":1}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", tc.acceptLanguage)
		res = h.send(req).mustStatus(t, 400)
		if res.code() != "invalid" || res.field("nonsense") != tc.field {
			t.Errorf("%q: validation error answered %s", tc.acceptLanguage, res.body)
		}
	}
}

// Fiber's own refusal of a wrong method answers in the app's JSON shape with a sentence of the
// catalogs, not Fiber's status text.
func TestFiberErrorsAreTranslated(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	admin.do("PUT", "/api/session/preferences", map[string]string{"language": "de"}).mustStatus(t, 200)
	res := admin.do("PUT", "/api/users", map[string]any{}).mustStatus(t, 405)
	if res.code() != "method_not_allowed" || res.json()["message"] != "Dieser API-Endpunkt nimmt diese Methode nicht an." {
		t.Errorf("wrong method for a German user: %s", res.body)
	}

}

// A mail server's diagnosis of a failed test mail reads in the user's language, in the answer
// and in the audit log.
func TestTestMailDiagnosisIsTranslated(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	admin.do("PUT", "/api/session/preferences", map[string]string{"language": "de"}).mustStatus(t, 200)
	sink := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain})
	sink.Stop()
	test := map[string]any{"to": "soc@example.org", "host": sink.Host, "port": sink.Port, "encryption": "none", "from": "honeysens@example.org"}
	res := admin.do("POST", "/api/settings/smtp/test", test).mustStatus(t, 502)
	want := fmt.Sprintf("Die Verbindung zu %s wurde abgelehnt.", net.JoinHostPort(sink.Host, strconv.Itoa(sink.Port)))
	if res.code() != "mail_failed" || res.json()["message"] != want {
		t.Errorf("test mail to a closed port: %s, want %q", res.body, want)
	}
	entry := admin.do("GET", "/api/audit?action=test_mail_failed", nil).mustStatus(t, 200).json()["items"].([]any)[0].(map[string]any)
	if args := entry["detail_args"].(map[string]any); args["error"] != want || !strings.Contains(entry["detail"].(string), "refused") {
		t.Errorf("audit entry of the failed test: %v", entry)
	}
}
