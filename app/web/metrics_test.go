package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"honeysens/app/metrics"
	"honeysens/app/model"
)

// scrape is GET /metrics over a real connection (from 127.0.0.1) with an optional
// Authorization header.
func scrape(t *testing.T, base, authorization string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body)
}

// Switched off (the default), /metrics answers exactly as a page that does not exist.
func TestMetricsOffAnswersLikeNoPage(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	none := h.anon().do("GET", "/no-such-page", nil).mustStatus(t, 404)
	off := h.anon().do("GET", "/metrics", nil).mustStatus(t, 404)
	if off.body != none.body {
		t.Errorf("off: %s; an unknown page: %s", off.body, none.body)
	}
	// A token generated but not switched on: still nothing there.
	tok := admin.do("PATCH", "/api/settings/metrics", map[string]any{"new_token": true}).mustStatus(t, 200).json()["token"].(string)
	if status, _, _ := scrape(t, h.listen(), "Bearer "+tok); status != 404 {
		t.Errorf("off with its token: status %d, want 404", status)
	}
}

func TestMetricsToken(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	base := h.listen()
	res := admin.do("PATCH", "/api/settings/metrics", map[string]any{"enabled": true, "new_token": true}).mustStatus(t, 200)
	tok, _ := res.json()["token"].(string)
	if !strings.HasPrefix(tok, "hsm_") || res.json()["token_set"] != true {
		t.Fatalf("answer: %s", res.body)
	}
	// The token is shown once: neither the settings nor the stored section hold it.
	if got := admin.do("GET", "/api/settings/metrics", nil).mustStatus(t, 200); strings.Contains(got.body, tok) ||
		got.json()["token_set"] != true || got.json()["token"] != nil {
		t.Errorf("settings after generating: %s", got.body)
	}
	var stored metrics.Settings
	if err := h.app.Store().Settings(t.Context(), metrics.SettingsSection, &stored); err != nil || stored.Token == "" ||
		strings.Contains(stored.Token, tok) {
		t.Errorf("stored token %q (%v)", stored.Token, err)
	}

	sn := h.createSensor(admin, "edge-7", 1)
	h.ingestEvents(sn, sshEvent("192.0.2.1", time.Now().Unix())).mustStatus(t, 200)

	apiToken := admin.do("POST", "/api/tokens", map[string]string{"name": "ci"}).mustStatus(t, 201).json()["token"].(string)
	for _, bad := range []string{"", "Bearer wrong", "Bearer " + apiToken, tok, "Basic " + tok} {
		status, header, _ := scrape(t, base, bad)
		if status != 401 || !strings.HasPrefix(header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("Authorization %q: status %d, WWW-Authenticate %q; want 401 with a Bearer challenge",
				bad, status, header.Get("WWW-Authenticate"))
		}
	}
	status, header, body := scrape(t, base, "Bearer "+tok)
	if status != 200 || header.Get("Content-Type") != metrics.ContentType {
		t.Fatalf("with the token: %d %s\n%s", status, header.Get("Content-Type"), body)
	}
	if !strings.Contains(body, `honeysens_events_stored_total{classification="honeypot",service="ssh",sensor="edge-7"} 1`+"\n") {
		t.Errorf("the ingested event is not counted:\n%s", body)
	}

	// A new token replaces the old one at once.
	fresh := admin.do("PATCH", "/api/settings/metrics", map[string]any{"new_token": true}).mustStatus(t, 200).json()["token"].(string)
	if status, _, _ := scrape(t, base, "Bearer "+tok); status != 401 {
		t.Errorf("old token after rotation: %d, want 401", status)
	}
	if status, _, _ := scrape(t, base, "Bearer "+fresh); status != 200 {
		t.Errorf("new token: %d, want 200", status)
	}
}

func TestMetricsAllowList(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	base := h.listen()
	admin.do("PATCH", "/api/settings/metrics", map[string]any{"enabled": true, "allow": []string{"192.0.2.0/24", " 2001:db8::/32 "}}).
		mustStatus(t, 200)
	if status, _, _ := scrape(t, base, ""); status != 403 {
		t.Errorf("from 127.0.0.1, not listed: %d, want 403", status)
	}
	// Entries are stored in canonical form.
	set := admin.do("PATCH", "/api/settings/metrics", map[string]any{"allow": []string{"127.1.2.3/8", "::ffff:192.0.2.9"}}).mustStatus(t, 200)
	if got, _ := json.Marshal(set.json()["allow"]); string(got) != `["127.0.0.0/8","192.0.2.9"]` {
		t.Errorf("allow stored as %s", got)
	}
	if status, _, body := scrape(t, base, ""); status != 200 || !strings.Contains(body, "honeysens_database_bytes ") {
		t.Errorf("from a listed network: %d\n%s", status, body)
	}
	// With a token as well, a scrape must pass both.
	tok := admin.do("PATCH", "/api/settings/metrics", map[string]any{"new_token": true}).mustStatus(t, 200).json()["token"].(string)
	if status, _, _ := scrape(t, base, ""); status != 401 {
		t.Errorf("listed but no token: %d, want 401", status)
	}
	if status, _, _ := scrape(t, base, "Bearer "+tok); status != 200 {
		t.Errorf("listed with the token: %d, want 200", status)
	}
	admin.do("PATCH", "/api/settings/metrics", map[string]any{"allow": []string{"192.0.2.0/24"}}).mustStatus(t, 200)
	if status, _, _ := scrape(t, base, "Bearer "+tok); status != 403 {
		t.Errorf("token from an address not listed: %d, want 403", status)
	}
}

func TestMetricsSettingsValidation(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"enabled": true}, "enabled"}, // never open to everyone
		{map[string]any{"allow": []string{"10.0.0.0/8", "not an address"}}, "allow"},
		{map[string]any{"allow": []string{"10.0.0.0/33"}}, "allow"},
		{map[string]any{"new_token": true, "remove_token": true}, "new_token"},
		{map[string]any{"allow": make([]string, 101)}, "allow"},
	} {
		res := admin.do("PATCH", "/api/settings/metrics", c.body)
		if res.status != 400 || res.field(c.field) == "" {
			t.Errorf("%v: %d %s, want 400 with a message for %s", c.body, res.status, res.body, c.field)
		}
	}
	// Removing the token of an enabled endpoint that has no allow-list would open it.
	admin.do("PATCH", "/api/settings/metrics", map[string]any{"enabled": true, "new_token": true}).mustStatus(t, 200)
	if res := admin.do("PATCH", "/api/settings/metrics", map[string]any{"remove_token": true}); res.status != 400 || res.field("enabled") == "" {
		t.Errorf("remove the only protection: %d %s", res.status, res.body)
	}
	got := admin.do("GET", "/api/settings/metrics", nil).mustStatus(t, 200).json()
	if got["enabled"] != true || got["token_set"] != true {
		t.Errorf("a refused change was stored: %v", got)
	}
}

func TestMetricsSettingsAudited(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	tok := admin.do("PATCH", "/api/settings/metrics", map[string]any{"enabled": true, "new_token": true, "allow": []string{"192.0.2.0/24"}}).
		mustStatus(t, 200).json()["token"].(string)
	raw := admin.do("GET", "/api/audit?"+url.Values{"action": {model.AuditSettingsUpdated}}.Encode(), nil).mustStatus(t, 200)
	var page struct{ Items []model.AuditEntry }
	if err := json.Unmarshal([]byte(raw.body), &page); err != nil || len(page.Items) == 0 {
		t.Fatalf("audit: %v %s", err, raw.body)
	}
	e := page.Items[0]
	got, _ := json.Marshal(e.Changes)
	if e.ObjectName != "metrics" || e.User != "admin" ||
		string(got) != `{"allow":[null,["192.0.2.0/24"]],"enabled":[false,true],"token":["","`+model.SecretMask+`"]}` {
		t.Errorf("audit entry %+v, changes %s", e, got)
	}
	var stored metrics.Settings
	if err := h.app.Store().Settings(t.Context(), metrics.SettingsSection, &stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw.body, tok) || strings.Contains(raw.body, stored.Token) {
		t.Error("the audit log holds the token or its hash")
	}
}
