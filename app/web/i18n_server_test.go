package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"
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
