package web_test

import "testing"

func TestUserPreferencesAreStoredAndValidated(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	res := admin.do("PUT", "/api/session/preferences", map[string]string{"language": "de", "time_zone": "Europe/Berlin"}).mustStatus(t, 200)
	u := res.json()["user"].(map[string]any)
	if u["language"] != "de" || u["time_zone"] != "Europe/Berlin" {
		t.Errorf("answer: %s", res.body)
	}
	u = admin.do("GET", "/api/session", nil).mustStatus(t, 200).json()["user"].(map[string]any)
	if u["language"] != "de" || u["time_zone"] != "Europe/Berlin" {
		t.Errorf("stored: %v", u)
	}

	for _, bad := range []map[string]string{
		{"language": "fr"},
		{"time_zone": "Mars/Olympus"},
		{"time_zone": "Local"},
	} {
		res := admin.do("PUT", "/api/session/preferences", bad).mustStatus(t, 400)
		if res.code() != "invalid" {
			t.Errorf("%v: code %q", bad, res.code())
		}
	}

	// Empty values go back to following the browser.
	u = admin.do("PUT", "/api/session/preferences", map[string]string{}).mustStatus(t, 200).json()["user"].(map[string]any)
	if u["language"] != "" || u["time_zone"] != "" {
		t.Errorf("reset: %v", u)
	}
}
