package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// remote is a caller over a real TCP connection from a loopback address of its own
// (127.0.0.0/8 is all loopback on Linux), so the appliance sees different client addresses.
type remote struct {
	t      *testing.T
	base   string
	http   *http.Client
	ua     string
	cookie string
	csrf   string
	bearer string
}

func (h *harness) remoteFrom(base, ip, userAgent string) *remote {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &remote{t: h.t, base: base, ua: userAgent,
		http: &http.Client{Transport: &http.Transport{DialContext: d.DialContext}, Timeout: 10 * time.Second}}
}

func (r *remote) do(method, path string, body any) *response {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, r.base+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", r.ua)
	if r.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "hs_session", Value: r.cookie})
		req.Header.Set("X-CSRF-Token", r.csrf)
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	res, err := r.http.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &response{status: res.StatusCode, body: string(b), header: res.Header, cookies: res.Cookies()}
}

// login logs in and keeps the session; the answer's status is returned for checks.
func (r *remote) login(user, password string) *response {
	r.t.Helper()
	res := r.do("POST", "/api/session", map[string]string{"username": user, "password": password})
	for _, ck := range res.cookies {
		if ck.Name == "hs_session" {
			r.cookie = ck.Value
			r.csrf, _ = res.json()["csrf_token"].(string)
		}
	}
	return res
}

// items returns the "items" list of a JSON answer.
func items(t *testing.T, r *response) []map[string]any {
	t.Helper()
	var v struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v.Items
}

// TestWrongPasswordsFromOneAddressDoNotLockOutAnother: 50 wrong passwords for admin from one
// address; that address is refused, the right password from another address works at once.
func TestWrongPasswordsFromOneAddressDoNotLockOutAnother(t *testing.T) {
	h := newHarness(t)
	base := h.listen()
	attacker := h.remoteFrom(base, "127.0.0.2", "hydra")
	statuses := map[int]int{}
	for range 50 {
		res := attacker.login("ADMIN", "wrong-password")
		statuses[res.status]++
		if res.status == 429 && res.header.Get("Retry-After") == "" {
			t.Fatalf("429 without Retry-After: %s", res.body)
		}
	}
	if statuses[401] != 5 || statuses[429] != 45 {
		t.Errorf("answers to 50 wrong passwords: %v, want 5×401 then 45×429", statuses)
	}
	// The attacker's address stays refused, even with the right password.
	attacker.login("admin", adminPassword).mustStatus(t, 429)

	admin := h.remoteFrom(base, "127.0.0.3", "Firefox")
	admin.login("admin", adminPassword).mustStatus(t, 200)
	admin.do("GET", "/api/session", nil).mustStatus(t, 200)
}

func TestPasswordChangeRevokesTokensUnlessKept(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	carolID := itoa(float64(h.createUser(admin, "carol", 1, []int64{1})))
	carol := h.login("carol", "carol-password")
	newToken := func() *client {
		secret := carol.do("POST", "/api/tokens", map[string]string{"name": "script"}).mustStatus(t, 201).json()["token"].(string)
		return &client{h: h, bearer: secret}
	}

	// By default a password change revokes the tokens.
	bot := newToken()
	bot.do("GET", "/api/session", nil).mustStatus(t, 200)
	carol.do("PUT", "/api/session/password", map[string]any{"current_password": "carol-password",
		"new_password": "carol-password-2"}).mustStatus(t, 204)
	bot.do("GET", "/api/session", nil).mustStatus(t, 401)
	if list := items(t, carol.do("GET", "/api/tokens", nil).mustStatus(t, 200)); len(list) != 0 {
		t.Errorf("tokens after the change: %v", list)
	}

	// Asked to keep them, it does.
	bot = newToken()
	carol.do("PUT", "/api/session/password", map[string]any{"current_password": "carol-password-2",
		"new_password": "carol-password-3", "revoke_tokens": false}).mustStatus(t, 204)
	bot.do("GET", "/api/session", nil).mustStatus(t, 200)

	// An administrator's reset (after a compromise) revokes them always.
	admin.do("PATCH", "/api/users/"+carolID, map[string]any{"password": "reset-password-1"}).mustStatus(t, 200)
	bot.do("GET", "/api/session", nil).mustStatus(t, 401)

	entries, err := h.app.Store().Audit(context.Background(), 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range entries {
		if e.Action == "password_changed" {
			details = append(details, e.Detail)
		}
	}
	if strings.Join(details, "; ") != "API tokens kept; 1 API token revoked" {
		t.Errorf("audit of the password changes, newest first: %q", details)
	}
}

func TestTokenListShowsLastUse(t *testing.T) {
	h := newHarness(t)
	base := h.listen()
	admin := h.login("admin", adminPassword)
	secret := admin.do("POST", "/api/tokens", map[string]string{"name": "backup"}).mustStatus(t, 201).json()["token"].(string)
	list := items(t, admin.do("GET", "/api/tokens", nil).mustStatus(t, 200))
	if len(list) != 1 || list[0]["last_used_at"] != nil || list[0]["last_used_ip"] != "" {
		t.Fatalf("unused token: %v", list)
	}
	script := h.remoteFrom(base, "127.0.0.4", "curl")
	script.bearer = secret
	script.do("GET", "/api/events", nil).mustStatus(t, 200)
	list = items(t, admin.do("GET", "/api/tokens", nil).mustStatus(t, 200))
	if len(list) != 1 || list[0]["last_used_at"] == nil || list[0]["last_used_ip"] != "127.0.0.4" {
		t.Errorf("used token: %v, want last use from 127.0.0.4", list)
	}
	// A use from another address shows at once, not a minute later.
	other := h.remoteFrom(base, "127.0.0.5", "curl")
	other.bearer = secret
	other.do("GET", "/api/events", nil).mustStatus(t, 200)
	if list = items(t, admin.do("GET", "/api/tokens", nil)); list[0]["last_used_ip"] != "127.0.0.5" {
		t.Errorf("after a use from 127.0.0.5: %v", list)
	}
}

func TestAdminSeesAndEndsSessions(t *testing.T) {
	h := newHarness(t)
	base := h.listen()
	admin := h.login("admin", adminPassword)
	carolID := itoa(float64(h.createUser(admin, "carol", 1, []int64{1})))
	laptop := h.remoteFrom(base, "127.0.0.6", "Firefox on the laptop")
	laptop.login("carol", "carol-password").mustStatus(t, 200)
	phone := h.remoteFrom(base, "127.0.0.7", "Safari on the phone")
	phone.login("carol", "carol-password").mustStatus(t, 200)

	list := items(t, admin.do("GET", "/api/users/"+carolID+"/sessions", nil).mustStatus(t, 200))
	if len(list) != 2 {
		t.Fatalf("carol's sessions: %v", list)
	}
	byAgent := map[string]map[string]any{}
	for _, s := range list {
		byAgent[s["user_agent"].(string)] = s
		if s["id"] == "" || s["created_at"] == nil || s["last_seen"] == nil || s["current"] != false {
			t.Errorf("session %v", s)
		}
	}
	ph := byAgent["Safari on the phone"]
	if ph == nil || ph["ip"] != "127.0.0.7" || byAgent["Firefox on the laptop"]["ip"] != "127.0.0.6" {
		t.Fatalf("sessions by user agent: %v", byAgent)
	}
	if strings.Contains(admin.do("GET", "/api/users/"+carolID+"/sessions", nil).body, laptop.cookie) {
		t.Error("the session list shows the cookie")
	}

	admin.do("DELETE", "/api/users/"+carolID+"/sessions/"+ph["id"].(string), nil).mustStatus(t, 204)
	phone.do("GET", "/api/session", nil).mustStatus(t, 401)
	laptop.do("GET", "/api/session", nil).mustStatus(t, 200)
	admin.do("DELETE", "/api/users/"+carolID+"/sessions/"+ph["id"].(string), nil).mustStatus(t, 404)
	if list := items(t, admin.do("GET", "/api/users/"+carolID+"/sessions", nil)); len(list) != 1 {
		t.Errorf("after ending one: %v", list)
	}
	// An id of another user's session does not end it.
	adminSessions := items(t, admin.do("GET", "/api/sessions", nil).mustStatus(t, 200))
	admin.do("DELETE", "/api/users/"+carolID+"/sessions/"+adminSessions[0]["id"].(string), nil).mustStatus(t, 404)
	admin.do("GET", "/api/session", nil).mustStatus(t, 200)
}

func TestUserEndsOwnOtherSession(t *testing.T) {
	h := newHarness(t)
	base := h.listen()
	admin := h.login("admin", adminPassword)
	h.createUser(admin, "carol", 1, []int64{1})
	here := h.remoteFrom(base, "127.0.0.8", "here")
	here.login("carol", "carol-password").mustStatus(t, 200)
	there := h.remoteFrom(base, "127.0.0.9", "there")
	there.login("carol", "carol-password").mustStatus(t, 200)

	list := items(t, here.do("GET", "/api/sessions", nil).mustStatus(t, 200))
	var other string
	for _, s := range list {
		if (s["user_agent"] == "here") != (s["current"] == true) {
			t.Errorf("current flag wrong: %v", s)
		}
		if s["user_agent"] == "there" {
			other = s["id"].(string)
		}
	}
	if len(list) != 2 || other == "" {
		t.Fatalf("carol's sessions: %v", list)
	}
	// Carol cannot end the admin's session, nor see it.
	for _, s := range items(t, admin.do("GET", "/api/sessions", nil)) {
		here.do("DELETE", "/api/sessions/"+s["id"].(string), nil).mustStatus(t, 404)
	}
	admin.do("GET", "/api/session", nil).mustStatus(t, 200)

	here.do("DELETE", "/api/sessions/"+other, nil).mustStatus(t, 204)
	there.do("GET", "/api/session", nil).mustStatus(t, 401)
	here.do("GET", "/api/session", nil).mustStatus(t, 200)
}
