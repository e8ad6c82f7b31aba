package http

import (
	"honeysens/app/honeypot/hptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCurl(t *testing.T) {
	curl := hptest.RequireTool(t, "curl")
	svc, rec := start(t, DefaultConfig())
	base := "http://" + svc.Addr().String()

	out, code := hptest.Run(t, 20*time.Second, curl, "-sS", "-i", "--max-time", "10", base+"/")
	if code != 0 || !strings.Contains(out, "HTTP/1.1 200 OK") || !strings.Contains(out, "Server: lighttpd/1.4.69") || !strings.Contains(out, "Sign in") {
		t.Fatalf("curl /: exit %d\n%s", code, out)
	}
	if e := rec.Wait(t, 1, eventWait); e.Summary != "HTTP: GET /" || !strings.Contains(hptest.Details(e), "User-Agent: curl/") {
		t.Errorf("event %q\n%s", e.Summary, hptest.Details(e))
	}

	out, code = hptest.Run(t, 20*time.Second, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
		"-d", "username=admin&password=admin", base+"/")
	if code != 0 || out != "200" {
		t.Fatalf("curl POST: exit %d %q", code, out)
	}
	if e := rec.Wait(t, 2, eventWait); e.Summary != "HTTP: POST / with credentials admin/admin" {
		t.Errorf("event %q\n%s", e.Summary, hptest.Details(e))
	}

	out, code = hptest.Run(t, 20*time.Second, curl, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
		"-u", "root:t0psecret", base+"/admin/")
	if code != 0 || out != "401" {
		t.Fatalf("curl basic: exit %d %q", code, out)
	}
	if e := rec.Wait(t, 3, eventWait); e.Summary != "HTTP: GET /admin/ with credentials root/t0psecret" {
		t.Errorf("event %q\n%s", e.Summary, hptest.Details(e))
	}

	// Several requests on one connection: curl reuses it for URLs given together.
	out, code = hptest.Run(t, 20*time.Second, curl, "-sS", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "--max-time", "10",
		base+"/.env", base+"/wp-login.php", base+"/phpmyadmin/")
	if code != 0 {
		t.Fatalf("curl scan: exit %d %q", code, out)
	}
	if e := rec.Wait(t, 4, eventWait); e.Summary != "HTTP: 3 requests, first GET /.env" {
		t.Errorf("event %q\n%s", e.Summary, hptest.Details(e))
	}
}

func TestNmap(t *testing.T) {
	nmap := hptest.RequireTool(t, "nmap")
	// nmap first waits ~6 s for a banner; the short test timeout would close the connection
	// before and make it "tcpwrapped". Use the production value.
	old := readHeaderTimeout
	readHeaderTimeout = 10 * time.Second
	defer func() { readHeaderTimeout = old }()
	svc, rec := start(t, DefaultConfig())
	port := strings.TrimPrefix(svc.Addr().String(), "127.0.0.1:")
	out, code := hptest.Run(t, 3*time.Minute, nmap, "-sV", "-Pn", "-p", port, "127.0.0.1")
	if code != 0 {
		t.Fatalf("nmap exit %d\n%s", code, out)
	}
	line := regexp.MustCompile(`(?m)^` + port + `/tcp\s+.*$`).FindString(out)
	t.Logf("nmap: %s", line)
	if !strings.Contains(line, " open ") {
		t.Fatalf("nmap did not see the port open:\n%s", out)
	}
	if !strings.Contains(line, "lighttpd") {
		t.Logf("nmap did not name lighttpd (not a failure):\n%s", out)
	}
	rec.Wait(t, 1, eventWait)
}
