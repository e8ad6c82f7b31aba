package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app"
	"honeysens/app/config"
	"honeysens/app/sensorproto"
)

// adminPassword is the first admin's password in every test appliance (as if the operator had
// set HONEYSENS_ADMIN_PASSWORD, so no forced change is pending).
const adminPassword = "admin-secret-1"

// harness is an appliance built by the real composition root on a temp data directory.
type harness struct {
	t   *testing.T
	app *app.App
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	schema, err := os.ReadFile("../../schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", LogLevel: "error",
		SessionIdle: 30 * time.Minute, AdminPassword: adminPassword, Version: "test", Honeypots: false}
	res := app.Resources{Schema: string(schema), Assets: os.DirFS("../../assets"), Version: "test"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(context.Background(), cfg, res, log, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &harness{t: t, app: a}
}

// client is a caller: anonymous, a browser session (cookie + CSRF token) or an API token.
type client struct {
	h      *harness
	cookie string
	csrf   string
	bearer string
}

func (h *harness) anon() *client { return &client{h: h} }

// login logs in through the API and fails the test if that does not work.
func (h *harness) login(user, password string) *client {
	h.t.Helper()
	c := &client{h: h}
	res := c.do("POST", "/api/session", map[string]string{"username": user, "password": password})
	if res.status != 200 {
		h.t.Fatalf("login %s: %d %s", user, res.status, res.body)
	}
	for _, ck := range res.cookies {
		if ck.Name == "hs_session" {
			c.cookie = ck.Value
		}
	}
	c.csrf = res.json()["csrf_token"].(string)
	return c
}

// response is an answer with helpers to read it.
type response struct {
	status  int
	body    string
	header  http.Header
	cookies []*http.Cookie
}

func (r *response) json() map[string]any {
	var m map[string]any
	json.Unmarshal([]byte(r.body), &m)
	return m
}

// field returns fields[name] of a JSON error answer.
func (r *response) field(name string) string {
	f, _ := r.json()["fields"].(map[string]any)
	s, _ := f[name].(string)
	return s
}

func (r *response) code() string { s, _ := r.json()["code"].(string); return s }

// do sends one request through the Fiber app (no network) and reads the whole answer.
func (c *client) do(method, path string, body any) *response {
	c.h.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "hs_session", Value: c.cookie})
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	return c.h.send(req)
}

func (h *harness) send(req *http.Request) *response {
	h.t.Helper()
	res, err := h.app.Web().App().Test(req, -1)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &response{status: res.StatusCode, body: string(b), header: res.Header, cookies: res.Cookies()}
}

// mustStatus fails the test unless the answer has the wanted status.
func (r *response) mustStatus(t *testing.T, want int) *response {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	return r
}

// createUser creates a user through the admin API and returns its id.
func (h *harness) createUser(admin *client, login string, role int, groups []int64) int64 {
	h.t.Helper()
	res := admin.do("POST", "/api/users", map[string]any{"login": login, "full_name": login, "email": login + "@example.org",
		"role": role, "groups": groups, "password": login + "-password"})
	res.mustStatus(h.t, 201)
	return int64(res.json()["id"].(float64))
}

// createGroup creates a group through the admin API and returns its id.
func (h *harness) createGroup(admin *client, name string) int64 {
	h.t.Helper()
	res := admin.do("POST", "/api/groups", map[string]any{"name": name})
	res.mustStatus(h.t, 201)
	return int64(res.json()["id"].(float64))
}

func itoa(f float64) string { return strconv.FormatInt(int64(f), 10) }

func newRequest(method, path string) *http.Request { return httptest.NewRequest(method, path, nil) }

// listen serves the app on a loopback port for tests that need a real connection.
func (h *harness) listen() string {
	h.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	go h.app.Web().App().Listener(ln)
	h.t.Cleanup(func() { h.app.Web().App().Shutdown() })
	return "http://" + ln.Addr().String()
}

// testSensor is a sensor registered through the API, with the secret it was given.
type testSensor struct {
	id     int64
	secret string
}

// createSensor registers a sensor in the group through the admin API.
func (h *harness) createSensor(admin *client, name string, group int64) testSensor {
	h.t.Helper()
	res := admin.do("POST", "/api/sensors", map[string]any{"name": name, "group": group})
	res.mustStatus(h.t, 201)
	m := res.json()
	return testSensor{id: int64(m["id"].(float64)), secret: m["secret"].(string)}
}

// signedRequest builds a request of the HoneySens sensor protocol, signed at time ts.
func signedRequest(sn testSensor, path string, body []byte, ts int64) *http.Request {
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-HS-Sensor", strconv.FormatInt(sn.id, 10))
	req.Header.Set("X-HS-TS", strconv.FormatInt(ts, 10))
	req.Header.Set("X-HS-Type", "sha256")
	req.Header.Set("X-HS-Auth", sensorproto.Sign(sn.secret, ts, "create", body))
	return req
}

// ingestEvents sends events as the sensor, signed now, and returns the answer.
func (h *harness) ingestEvents(sn testSensor, events ...map[string]any) *response {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"sensor": sn.id, "events": events})
	return h.send(signedRequest(sn, "/api/events", body, time.Now().Unix()))
}

// sshEvent is a typical honeypot event as a sensor reports it.
func sshEvent(source string, ts int64) map[string]any {
	return map[string]any{"timestamp": ts, "service": "ssh", "source": source, "source_port": 51008,
		"target_port": 22, "protocol": "tcp", "summary": "SSH login as root",
		"details": []map[string]any{
			{"timestamp": nil, "type": 0, "data": "Client: SSH-2.0-OpenSSH_9.2"},
			{"timestamp": ts, "type": 1, "data": "login root / secret: accepted"},
			{"timestamp": ts + 1, "type": 1, "data": "uname -a"},
		},
		"packets": []map[string]any{{"timestamp": ts, "protocol": 1, "port": 22, "headers": []map[string]int{{"flags": 2}},
			"payload": "U1NILTIuMC1PcGVuU1NIXzkuMg0K"}},
	}
}
