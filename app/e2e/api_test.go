package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"
)

// adminPassword is what the events tests set for the admin (through the API), so that the
// browser can log in without the forced password change the UI tests already cover.
const adminPassword = "e2e admin password 1"

// apiClient talks JSON to the appliance with a session cookie and the CSRF token, the way
// the UI does, to set up data quickly from Go.
type apiClient struct {
	t    *testing.T
	base string // server URL without the trailing slash
	http *http.Client
	csrf string
}

// adminAPI logs in as admin with the generated password and replaces it with adminPassword.
func adminAPI(t *testing.T, srv *server) *apiClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &apiClient{t: t, base: strings.TrimSuffix(srv.URL, "/"), http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	c.must("POST", "/api/session", map[string]string{"username": "admin", "password": srv.AdminPassword}, &sess, http.StatusOK)
	c.csrf = sess.CSRF
	c.must("PUT", "/api/session/password",
		map[string]string{"current_password": srv.AdminPassword, "new_password": adminPassword}, nil, http.StatusNoContent)
	// The session object may carry a fresh token once the password is changed.
	c.must("GET", "/api/session", nil, &sess, http.StatusOK)
	c.csrf = sess.CSRF
	return c
}

// call sends one request and decodes a JSON answer into out (when not nil); it returns the
// HTTP status and the raw body.
func (c *apiClient) call(method, path string, body, out any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, raw
}

// must is call that fails the test unless the status is want.
func (c *apiClient) must(method, path string, body, out any, want int) {
	c.t.Helper()
	if status, raw := c.call(method, path, body, out); status != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, status, raw, want)
	}
}

// groupID returns the id of the group with that name.
func (c *apiClient) groupID(name string) int64 {
	c.t.Helper()
	var list struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	c.must("GET", "/api/groups", nil, &list, http.StatusOK)
	for _, g := range list.Items {
		if g.Name == name {
			return g.ID
		}
	}
	c.t.Fatalf("no group %q in %+v", name, list.Items)
	return 0
}

// sensor is a registered sensor and its HMAC secret.
type sensor struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Secret string `json:"secret"`
}

// createSensor registers a sensor in a group; the answer is the only place its secret shows.
func (c *apiClient) createSensor(name string, group int64) sensor {
	c.t.Helper()
	var s sensor
	c.must("POST", "/api/sensors", map[string]any{"name": name, "location": "e2e rack", "group": group, "update_interval": 60},
		&s, http.StatusCreated)
	if len(s.Secret) != 64 {
		c.t.Fatalf("sensor secret = %q, want 64 hex characters", s.Secret)
	}
	return s
}

// wireEvent is one event as a sensor reports it.
type wireEvent struct {
	Timestamp  int64        `json:"timestamp"`
	Service    string       `json:"service"`
	Source     string       `json:"source"`
	SourcePort int          `json:"source_port,omitempty"`
	TargetPort int          `json:"target_port,omitempty"`
	Protocol   string       `json:"protocol,omitempty"`
	Summary    string       `json:"summary"`
	Details    []wireDetail `json:"details"`
	Packets    []wirePacket `json:"packets"`
	// What the attacker tried, as this appliance's remote sensors report it.
	Logins   []wireLogin `json:"logins,omitempty"`
	Commands []string    `json:"commands,omitempty"`
	Paths    []string    `json:"paths,omitempty"`
}

type wireLogin struct {
	User     string `json:"user"`
	Password string `json:"password"`
	Accepted bool   `json:"accepted"`
}

type wireDetail struct {
	Timestamp *int64 `json:"timestamp"`
	Type      int    `json:"type"`
	Data      string `json:"data"`
}

type wirePacket struct {
	Timestamp int64            `json:"timestamp"`
	Protocol  int              `json:"protocol"` // 1 tcp, 2 udp
	Port      int              `json:"port"`
	Headers   []map[string]int `json:"headers"`
	Payload   *string          `json:"payload"` // base64
}

// b64 is a payload as sensors send it.
func b64(s string) *string {
	v := base64.StdEncoding.EncodeToString([]byte(s))
	return &v
}

// ingest posts events signed with the sensor's secret (HoneySens sensor protocol) and fails
// unless all of them are accepted.
func ingest(t *testing.T, srv *server, s sensor, events ...wireEvent) {
	t.Helper()
	status, raw := signedPost(t, srv, s, "/api/events", map[string]any{"sensor": s.ID, "events": events})
	var res struct {
		Accepted int `json:"accepted"`
		Dropped  int `json:"dropped"`
	}
	if status != http.StatusOK || json.Unmarshal(raw, &res) != nil || res.Accepted != len(events) {
		t.Fatalf("ingest %d events = %d %s, want 200 with all accepted", len(events), status, raw)
	}
}

// signedPost sends a JSON body to a sensor endpoint, signed with the sensor's secret:
// X-HS-Auth = hex(HMAC-SHA256(secret, "<ts> create <body>")). It returns status and body.
func signedPost(t *testing.T, srv *server, s sensor, path string, payload any) (int, []byte) {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(s.Secret))
	mac.Write([]byte(ts + " create "))
	mac.Write(body)
	req, err := http.NewRequest("POST", strings.TrimSuffix(srv.URL, "/")+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-HS-Sensor", strconv.FormatInt(s.ID, 10))
	req.Header.Set("X-HS-TS", ts)
	req.Header.Set("X-HS-Type", "sha256")
	req.Header.Set("X-HS-Auth", hex.EncodeToString(mac.Sum(nil)))
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// eventIDs lists the ids of live events matching a query (newest first), via the API.
func (c *apiClient) eventIDs(query string) []int64 {
	c.t.Helper()
	var page struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	c.must("GET", "/api/events?limit=500&"+query, nil, &page, http.StatusOK)
	ids := make([]int64, len(page.Items))
	for i, e := range page.Items {
		ids[i] = e.ID
	}
	return ids
}
