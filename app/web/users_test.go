package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestUserCreateValidatesFields(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"bad login", map[string]any{"login": "no spaces", "role": 1, "password": "long-enough"}, "login"},
		{"empty login", map[string]any{"login": "", "role": 1, "password": "long-enough"}, "login"},
		{"bad email", map[string]any{"login": "ok", "email": "not-an-address", "role": 1, "password": "long-enough"}, "email"},
		{"display-name email", map[string]any{"login": "ok", "email": "Eve <eve@example.org>", "role": 1, "password": "long-enough"}, "email"},
		{"bad role", map[string]any{"login": "ok", "role": 7, "password": "long-enough"}, "role"},
		{"no password", map[string]any{"login": "ok", "role": 1}, "password"},
		{"short password", map[string]any{"login": "ok", "role": 1, "password": "short"}, "password"},
		{"unknown group", map[string]any{"login": "ok", "role": 1, "password": "long-enough", "groups": []int{99}}, "groups"},
		{"multi-line name", map[string]any{"login": "ok", "role": 1, "password": "long-enough", "full_name": "a\nb"}, "full_name"},
		{"wrong type", map[string]any{"login": "ok", "role": "admin", "password": "long-enough"}, "role"},
		{"unknown key", map[string]any{"login": "ok", "role": 1, "password": "long-enough", "is_admin": true}, "is_admin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := admin.do("POST", "/api/users", tc.body).mustStatus(t, 400)
			if res.code() != "invalid" || res.field(tc.field) == "" {
				t.Errorf("want field error on %s: %s", tc.field, res.body)
			}
		})
	}
	h.createUser(admin, "taken", 1, nil)
	res := admin.do("POST", "/api/users", map[string]any{"login": "TAKEN", "role": 1, "password": "long-enough"}).mustStatus(t, 409)
	if res.field("login") == "" {
		t.Errorf("duplicate login: %s", res.body)
	}
}

func TestMalformedBodies(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	for _, body := range []string{`{`, `[]`, `{"login":"a"} {"x":1}`, ``} {
		res := admin.do("POST", "/api/users", body)
		if res.status != 400 || res.code() != "invalid" {
			t.Errorf("body %q: %d %s", body, res.status, res.body)
		}
	}
}

func TestOversizedBodyIsRefused(t *testing.T) {
	h := newHarness(t)
	base := h.listen()
	big := `{"username":"` + strings.Repeat("a", 5<<20) + `"}`
	res, err := http.Post(base+"/api/session", "application/json", strings.NewReader(big))
	if err != nil {
		// The server may close the connection before the client has sent it all; that is a
		// refusal too, as long as the server lives on.
		t.Logf("client error: %v", err)
	} else {
		res.Body.Close()
		if res.StatusCode != 413 {
			t.Errorf("5 MiB body: status %d, want 413", res.StatusCode)
		}
	}
	res, err = http.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("server after oversized body: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("server after oversized body: status %d", res.StatusCode)
	}
}

func TestUserLifecycleAndAudit(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	g := h.createGroup(admin, "Lab")
	id := h.createUser(admin, "carol", 1, []int64{g})
	res := admin.do("PATCH", "/api/users/"+itoa(float64(id)), map[string]any{"role": 2, "email": "carol@lab.example"}).mustStatus(t, 200)
	if m := res.json(); m["role"].(float64) != 2 || m["email"] != "carol@lab.example" || m["login"] != "carol" {
		t.Errorf("after update: %s", res.body)
	}
	// Membership shows on both sides.
	group := admin.do("GET", "/api/groups/"+itoa(float64(g)), nil).mustStatus(t, 200).json()
	if members := group["members"].([]any); len(members) != 1 || members[0].(float64) != float64(id) {
		t.Errorf("group members: %v", members)
	}
	admin.do("DELETE", "/api/users/"+itoa(float64(id)), nil).mustStatus(t, 204)
	admin.do("GET", "/api/users/"+itoa(float64(id)), nil).mustStatus(t, 404)

	audit := admin.do("GET", "/api/audit", nil).mustStatus(t, 200).json()["items"].([]any)
	var actions []string
	for _, it := range audit {
		e := it.(map[string]any)
		actions = append(actions, e["action"].(string))
		if e["action"] == "user_updated" {
			if e["user"] != "admin" || e["object_name"] != "carol" || e["ip"] == "" || fmt.Sprint(e["changes"].(map[string]any)["role"]) != "[Observer Manager]" {
				t.Errorf("audit entry: %v", e)
			}
		}
	}
	want := "user_deleted user_updated user_created group_created login"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("audit actions %q, want %q", got, want)
	}
}

func TestAuditPaging(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	for i := 0; i < 5; i++ {
		h.createGroup(admin, "G"+itoa(float64(i)))
	}
	page := admin.do("GET", "/api/audit?limit=4", nil).mustStatus(t, 200).json()
	cur, _ := page["next_cursor"].(string)
	if len(page["items"].([]any)) != 4 || cur == "" {
		t.Fatalf("first page: %v", page)
	}
	rest := admin.do("GET", "/api/audit?limit=4&cursor="+cur, nil).mustStatus(t, 200).json()
	if len(rest["items"].([]any)) != 2 || rest["next_cursor"] != nil {
		t.Errorf("second page: %v", rest)
	}
	admin.do("GET", "/api/audit?limit=0", nil).mustStatus(t, 400)
	admin.do("GET", "/api/audit?cursor=abc", nil).mustStatus(t, 400)
}

func TestFirstAndLastAdminAreKept(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	// The first admin can be neither demoted nor deleted, not even by another admin.
	second := h.createUser(admin, "second", 3, nil)
	other := h.login("second", "second-password")
	if res := other.do("PATCH", "/api/users/1", map[string]any{"role": 1}); res.status != 409 || !strings.Contains(res.body, "first administrator") {
		t.Errorf("demote first admin: %d %s", res.status, res.body)
	}
	other.do("DELETE", "/api/users/1", nil).mustStatus(t, 409)
	// A second admin can be demoted while the first remains.
	admin.do("PATCH", "/api/users/"+itoa(float64(second)), map[string]any{"role": 2}).mustStatus(t, 200)
	// Nobody deletes their own account.
	admin.do("DELETE", "/api/users/1", nil).mustStatus(t, 409)
}

func TestGroupsAreScopedForNonAdmins(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	other := h.createGroup(admin, "Other")
	h.createUser(admin, "obs", 1, []int64{1})
	obs := h.login("obs", "obs-password")
	list := obs.do("GET", "/api/groups", nil).mustStatus(t, 200).json()["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["name"] != "Default" {
		t.Errorf("observer sees groups %v", list)
	}
	obs.do("GET", "/api/groups/"+itoa(float64(other)), nil).mustStatus(t, 404)
	if n := len(admin.do("GET", "/api/groups", nil).json()["items"].([]any)); n != 2 {
		t.Errorf("admin sees %d groups, want 2", n)
	}
	res := admin.do("POST", "/api/groups", map[string]any{"name": "other"}).mustStatus(t, 409)
	if res.field("name") == "" {
		t.Errorf("duplicate group: %s", res.body)
	}
	admin.do("POST", "/api/groups", map[string]any{"name": " padded"}).mustStatus(t, 400)
	admin.do("POST", "/api/groups", map[string]any{"name": "X", "members": []int{42}}).mustStatus(t, 400)
}

func TestErrorsHaveOneShapeAndHideInternals(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	res := admin.do("GET", "/api/nope", nil).mustStatus(t, 404)
	if res.code() != "not_found" || res.json()["message"] == "" {
		t.Errorf("unknown API path: %s", res.body)
	}
	res = admin.do("PUT", "/api/users", map[string]any{}).mustStatus(t, 405)
	if res.code() == "" {
		t.Errorf("wrong method: %s", res.body)
	}
	for _, hdr := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if res.header.Get(hdr) == "" {
			t.Errorf("error answer lacks %s", hdr)
		}
	}
	// With the database gone every query fails: the client learns nothing but "internal".
	h.app.Store().Close()
	res = admin.do("GET", "/api/users", nil).mustStatus(t, 500)
	if res.body != `{"code":"internal","message":"Internal error."}` {
		t.Errorf("internal error answer: %s", res.body)
	}
}

func TestStaticFilesHaveETagsAndHeaders(t *testing.T) {
	h := newHarness(t)
	res := h.anon().do("GET", "/", nil).mustStatus(t, 200)
	if !strings.Contains(res.body, "<script type=\"module\"") || res.header.Get("ETag") == "" {
		t.Fatalf("index: etag %q body %.200s", res.header.Get("ETag"), res.body)
	}
	csp := res.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if res.header.Get("X-Frame-Options") != "DENY" || res.header.Get("X-Content-Type-Options") != "nosniff" || res.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers: %v", res.header)
	}
	req := newRequest("GET", "/")
	req.Header.Set("If-None-Match", res.header.Get("ETag"))
	if r := h.send(req); r.status != 304 || r.body != "" {
		t.Errorf("revalidation: %d %q", r.status, r.body)
	}
	h.anon().do("GET", "/mail/anything.txt", nil).mustStatus(t, 404)
	h.anon().do("GET", "/no-such-file.js", nil).mustStatus(t, 404)
}
