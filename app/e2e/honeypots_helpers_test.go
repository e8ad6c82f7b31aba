package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// honeypots are the appliance's own honeypot services of a test server, each moved to a free
// loopback port (the defaults may be taken on a developer's box).
type honeypots struct {
	addr  map[string]string // service → host:port (ssh, telnet, ftp, http)
	recon []string          // recon's ports
}

// startHoneypots starts an appliance with its honeypots on and moves every service to free
// ports; it waits until each runs there.
func startHoneypots(t *testing.T) (*server, *apiClient, honeypots) {
	t.Helper()
	srv := startServerEnv(t, "HONEYSENS_HONEYPOTS=true")
	api := adminAPI(t, srv)
	return srv, api, moveHoneypots(t, api)
}

func moveHoneypots(t *testing.T, api *apiClient) honeypots {
	t.Helper()
	hp := honeypots{addr: map[string]string{}}
	local := localSensor(t, api)
	for _, sv := range local.Services {
		var cfg map[string]any
		if err := json.Unmarshal(sv.Config, &cfg); err != nil {
			t.Fatal(err)
		}
		if sv.Name == "recon" {
			var ports []any
			for range 6 {
				p := freePort(t)
				hp.recon = append(hp.recon, p)
				ports = append(ports, json.Number(p))
			}
			cfg["listen"], cfg["ports"], cfg["udp_ports"] = "127.0.0.1", ports, []any{}
		} else {
			hp.addr[sv.Name] = "127.0.0.1:" + freePort(t)
			cfg["listen"] = hp.addr[sv.Name]
		}
		api.must("PUT", fmt.Sprintf("/api/sensors/%d/services/%s", local.ID, sv.Name),
			map[string]any{"enabled": true, "config": cfg}, nil, http.StatusOK)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		running := 0
		local = localSensor(t, api)
		for _, sv := range local.Services {
			if sv.State == "running" {
				running++
			}
		}
		if running == len(local.Services) {
			return hp
		}
		if time.Now().After(deadline) {
			t.Fatalf("honeypots not running on their new ports: %+v", local.Services)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func localSensor(t *testing.T, api *apiClient) apiSensor {
	t.Helper()
	items, _ := api.sensorList()
	for _, s := range items {
		if s.Local {
			return s
		}
	}
	t.Fatal("no local sensor")
	return apiSensor{}
}

// needTools fails (under HONEYSENS_E2E=1) or skips when a client program is missing.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("HONEYSENS_E2E") == "1" {
				t.Fatalf("%s is missing (HONEYSENS_E2E=1 makes it mandatory)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

// sshArgs are the OpenSSH client's options for a honeypot: no host key checks, one password try.
func sshArgs(addr, user string, extra ...string) []string {
	host, port, _ := strings.Cut(addr, ":")
	args := []string{"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "ConnectTimeout=20", "-o", "NumberOfPasswordPrompts=1", "-p", port, user + "@" + host}
	return append(args, extra...)
}

// apiEvent is an event as the list answers it (the fields these tests read).
type apiEvent struct {
	ID           int64  `json:"id"`
	Service      string `json:"service"`
	Source       string `json:"source"`
	Summary      string `json:"summary"`
	Ongoing      bool   `json:"ongoing"`
	DetailsCount int    `json:"details_count"`
	Class        int    `json:"classification"`
}

// events lists the live events matching the query (every status).
func (c *apiClient) events(query string) []apiEvent {
	c.t.Helper()
	var list struct {
		Items []apiEvent `json:"items"`
	}
	c.must("GET", "/api/events?status=0,1,2,3&"+query, nil, &list, http.StatusOK)
	return list.Items
}

// eventDetail is GET /api/events/{id}'s structured part.
type eventDetail struct {
	apiEvent
	Commands []string `json:"commands"`
	Logins   []struct {
		User, Password string
		Accepted       bool
	} `json:"logins"`
	Paths   []string `json:"paths"`
	Details []struct {
		Type int    `json:"type"`
		Data string `json:"data"`
	} `json:"details"`
	Packets []struct {
		Port        int    `json:"port"`
		PayloadText string `json:"payload_text"`
	} `json:"packets"`
}

func (c *apiClient) event(id int64) eventDetail {
	c.t.Helper()
	var e eventDetail
	c.must("GET", fmt.Sprintf("/api/events/%d", id), nil, &e, http.StatusOK)
	return e
}

// waitFor polls cond every 100 ms until it holds or the timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

// login starts a new session as admin (after a restart of the appliance, say).
func (c *apiClient) login(password string) {
	c.t.Helper()
	jar, _ := cookiejar.New(nil)
	c.http.Jar = jar
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	c.must("POST", "/api/session", map[string]string{"username": "admin", "password": password}, &sess, http.StatusOK)
	c.csrf = sess.CSRF
}
