package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"honeysens/app/auth"
)

func TestLoginSetsAHardenedCookie(t *testing.T) {
	h := newHarness(t)
	res := h.anon().do("POST", "/api/session", map[string]string{"username": "admin", "password": adminPassword}).mustStatus(t, 200)
	if len(res.cookies) != 1 {
		t.Fatalf("cookies: %v", res.cookies)
	}
	ck := res.cookies[0]
	if ck.Name != "hs_session" || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
		t.Errorf("cookie %+v: want hs_session, HttpOnly, SameSite=Strict, Path=/", ck)
	}
	if ck.Secure {
		t.Errorf("cookie is Secure on plain HTTP, so browsers would drop it")
	}
	m := res.json()
	if m["csrf_token"] == "" || m["user"].(map[string]any)["login"] != "admin" {
		t.Errorf("session answer: %s", res.body)
	}
	if strings.Contains(res.body, "argon2") || strings.Contains(res.body, "password_hash") {
		t.Errorf("session answer leaks the password hash: %s", res.body)
	}
}

func TestLoginFailuresAreRateLimited(t *testing.T) {
	h := newHarness(t)
	c := h.anon()
	for i := 0; i < 5; i++ {
		c.do("POST", "/api/session", map[string]string{"username": "admin", "password": "wrong"}).mustStatus(t, 401)
	}
	// Now even the right password is refused until the bucket refills.
	res := c.do("POST", "/api/session", map[string]string{"username": "admin", "password": adminPassword}).mustStatus(t, 429)
	if res.code() != "rate_limited" || res.header.Get("Retry-After") == "" {
		t.Errorf("429 answer: code %q, Retry-After %q", res.code(), res.header.Get("Retry-After"))
	}
	// Failed attempts reach the audit log.
	admin := h.app.Store()
	entries, err := admin.Audit(context.Background(), 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, e := range entries {
		if e.Action == "login_failed" && e.ObjectName == "admin" {
			failed++
		}
	}
	if failed != 5 {
		t.Errorf("audit has %d failed logins, want 5", failed)
	}
}

func TestUnknownUserAndWrongPasswordLookTheSame(t *testing.T) {
	h := newHarness(t)
	a := h.anon().do("POST", "/api/session", map[string]string{"username": "nobody", "password": "whatever1"}).mustStatus(t, 401)
	b := h.anon().do("POST", "/api/session", map[string]string{"username": "admin", "password": "whatever1"}).mustStatus(t, 401)
	if a.body != b.body {
		t.Errorf("answers differ: %s vs %s", a.body, b.body)
	}
}

func TestCSRFProtectsCookieSessions(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	noToken := &client{h: h, cookie: admin.cookie}
	if res := noToken.do("POST", "/api/tokens", map[string]string{"name": "x"}); res.status != 403 || res.code() != "forbidden" {
		t.Errorf("without CSRF header: %d %s", res.status, res.body)
	}
	wrong := &client{h: h, cookie: admin.cookie, csrf: "forged"}
	wrong.do("POST", "/api/tokens", map[string]string{"name": "x"}).mustStatus(t, 403)
	// Reads need no token.
	noToken.do("GET", "/api/tokens", nil).mustStatus(t, 200)

	// A foreign Origin is refused even with the right token.
	req := httptest.NewRequest("POST", "/api/tokens", strings.NewReader(`{"name":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("X-CSRF-Token", admin.csrf)
	req.AddCookie(&http.Cookie{Name: "hs_session", Value: admin.cookie})
	if res := h.send(req); res.status != 403 {
		t.Errorf("foreign origin: %d %s", res.status, res.body)
	}
	admin.do("POST", "/api/tokens", map[string]string{"name": "x"}).mustStatus(t, 201)
}

func TestForcedPasswordChange(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	res := admin.do("POST", "/api/users", map[string]any{"login": "newbie", "role": 2, "password": "first-password",
		"must_change_password": true}).mustStatus(t, 201)
	_ = res
	nb := h.login("newbie", "first-password")
	if got := nb.do("GET", "/api/session", nil).mustStatus(t, 200).json()["must_change_password"]; got != true {
		t.Fatalf("must_change_password = %v", got)
	}
	if r := nb.do("GET", "/api/groups", nil); r.status != 403 || r.code() != "password_change_required" {
		t.Errorf("before change: %d %s", r.status, r.body)
	}
	r := nb.do("PUT", "/api/session/password", map[string]string{"current_password": "first-password", "new_password": "first-password"})
	if r.mustStatus(t, 400).field("new_password") == "" {
		t.Errorf("reusing the password: %s", r.body)
	}
	r = nb.do("PUT", "/api/session/password", map[string]string{"current_password": "nope-nope", "new_password": "second-password"})
	if r.mustStatus(t, 400).field("current_password") == "" {
		t.Errorf("wrong current password: %s", r.body)
	}
	r = nb.do("PUT", "/api/session/password", map[string]string{"current_password": "first-password", "new_password": "short"})
	if r.mustStatus(t, 400).field("new_password") == "" {
		t.Errorf("short password: %s", r.body)
	}
	nb.do("PUT", "/api/session/password", map[string]string{"current_password": "first-password", "new_password": "second-password"}).mustStatus(t, 204)
	nb.do("GET", "/api/groups", nil).mustStatus(t, 200)
	h.anon().do("POST", "/api/session", map[string]string{"username": "newbie", "password": "first-password"}).mustStatus(t, 401)
	h.login("newbie", "second-password")
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	h := newHarness(t)
	one := h.login("admin", adminPassword)
	two := h.login("admin", adminPassword)
	one.do("PUT", "/api/session/password", map[string]string{"current_password": adminPassword, "new_password": "changed-password"}).mustStatus(t, 204)
	one.do("GET", "/api/session", nil).mustStatus(t, 200)
	two.do("GET", "/api/session", nil).mustStatus(t, 401)
}

func TestIdleSessionExpires(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	admin.do("GET", "/api/session", nil).mustStatus(t, 200)
	// Pretend the browser was last active 31 minutes ago (the idle limit is 30).
	err := h.app.Store().TouchSession(context.Background(), auth.HashSecret(admin.cookie), time.Now().Add(-31*time.Minute), "0.0.0.0")
	if err != nil {
		t.Fatal(err)
	}
	admin.do("GET", "/api/session", nil).mustStatus(t, 401)
	// The expired session is gone for good, not just refused once.
	if _, err := h.app.Store().Session(context.Background(), auth.HashSecret(admin.cookie)); err == nil {
		t.Error("expired session still stored")
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	admin.do("DELETE", "/api/session", nil).mustStatus(t, 204)
	admin.do("GET", "/api/session", nil).mustStatus(t, 401)
}

func TestAPITokens(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	res := admin.do("POST", "/api/tokens", map[string]string{"name": "automation"}).mustStatus(t, 201)
	secret := res.json()["token"].(string)
	id := res.json()["id"].(float64)
	if !strings.HasPrefix(secret, "hs_") {
		t.Errorf("token %q lacks the hs_ prefix", secret)
	}
	bot := &client{h: h, bearer: secret}
	if got := bot.do("GET", "/api/session", nil).mustStatus(t, 200).json()["user"].(map[string]any)["login"]; got != "admin" {
		t.Errorf("token acts as %v", got)
	}
	// No CSRF token needed with a bearer token.
	bot.do("POST", "/api/groups", map[string]string{"name": "ByToken"}).mustStatus(t, 201)
	list := admin.do("GET", "/api/tokens", nil).mustStatus(t, 200)
	if strings.Contains(list.body, secret) || !strings.Contains(list.body, "automation") || !strings.Contains(list.body, `"last_used_at":"`) {
		t.Errorf("token list: %s", list.body)
	}
	// The database keeps only a hash.
	if tok, err := h.app.Store().TokenByHash(context.Background(), auth.HashSecret(secret)); err != nil || tok.Name != "automation" {
		t.Errorf("stored token: %v %v", tok, err)
	}
	admin.do("DELETE", "/api/tokens/"+itoa(id), nil).mustStatus(t, 204)
	bot.do("GET", "/api/session", nil).mustStatus(t, 401)
	(&client{h: h, bearer: "hs_made-up"}).do("GET", "/api/session", nil).mustStatus(t, 401)
}

func TestTokensAreOwnOnly(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	h.createUser(admin, "obs", 1, []int64{1})
	obs := h.login("obs", "obs-password")
	id := admin.do("POST", "/api/tokens", map[string]string{"name": "mine"}).mustStatus(t, 201).json()["id"].(float64)
	if body := obs.do("GET", "/api/tokens", nil).mustStatus(t, 200).body; strings.Contains(body, "mine") {
		t.Errorf("observer sees the admin's token: %s", body)
	}
	obs.do("DELETE", "/api/tokens/"+itoa(id), nil).mustStatus(t, 404)
}

func TestPollingDoesNotKeepASessionAlive(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	hash := auth.HashSecret(admin.cookie)
	idle := time.Now().Add(-10 * time.Minute)
	if err := h.app.Store().TouchSession(context.Background(), hash, idle, "0.0.0.0"); err != nil {
		t.Fatal(err)
	}
	admin.do("GET", "/api/events/updates", nil).mustStatus(t, 200)
	sess, err := h.app.Store().Session(context.Background(), hash)
	if err != nil || !sess.LastSeen.Equal(idle.UTC().Truncate(time.Millisecond)) {
		t.Errorf("polling moved last_seen: %v %v", sess, err)
	}
	admin.do("GET", "/api/events", nil).mustStatus(t, 200)
	sess, _ = h.app.Store().Session(context.Background(), hash)
	if !sess.LastSeen.After(idle.Add(time.Minute)) {
		t.Errorf("a real request did not count as activity: %v", sess.LastSeen)
	}
}

func TestCompressedBodiesAreRefused(t *testing.T) {
	h := newHarness(t)
	req := httptest.NewRequest("POST", "/api/session", strings.NewReader("\x1f\x8b"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	if res := h.send(req); res.status != 415 || res.code() != "unsupported_media_type" {
		t.Errorf("gzip body: %d %s", res.status, res.body)
	}
}

func TestAdminPasswordResetEndsSessions(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	id := h.createUser(admin, "carol", 1, []int64{1})
	carol := h.login("carol", "carol-password")
	admin.do("PATCH", "/api/users/"+itoa(float64(id)), map[string]any{"password": "new-password-1"}).mustStatus(t, 200)
	carol.do("GET", "/api/session", nil).mustStatus(t, 401)
	h.login("carol", "new-password-1")
}
