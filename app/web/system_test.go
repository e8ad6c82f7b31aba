package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"honeysens/app/store"
)

// TestBackupDownload: an admin downloads a consistent copy of the database; the download is
// audit-logged and leaves no temporary file in the data directory.
func TestBackupDownload(t *testing.T) {
	h := newHarness(t)
	admin := h.login("admin", adminPassword)
	sn := h.createSensor(admin, "edge", 1)
	h.ingestEvents(sn, sshEvent("192.0.2.1", time.Now().Unix()), sshEvent("192.0.2.2", time.Now().Unix())).mustStatus(t, 200)

	res := admin.do("GET", "/api/system/backup", nil).mustStatus(t, 200)
	if !strings.HasPrefix(res.body, "SQLite format 3\x00") {
		t.Fatalf("download is not an SQLite database: %q", res.body[:min(len(res.body), 32)])
	}
	copyPath := filepath.Join(t.TempDir(), "download.db")
	if err := os.WriteFile(copyPath, []byte(res.body), 0o600); err != nil {
		t.Fatal(err)
	}
	schema, _ := os.ReadFile("../../schema.sql")
	if _, err := store.CheckBackup(context.Background(), copyPath, string(schema)); err != nil {
		t.Errorf("downloaded backup: %v", err)
	}
	if cd := res.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".db") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if res.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", res.header.Get("Cache-Control"))
	}
	dir := filepath.Dir(h.app.Store().Path())
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") || strings.Contains(e.Name(), "backup") {
			t.Errorf("left behind in the data directory: %s", e.Name())
		}
	}
	audit := admin.do("GET", "/api/audit", nil).mustStatus(t, 200)
	if !strings.Contains(audit.body, "backup_downloaded") {
		t.Errorf("no audit entry: %s", audit.body)
	}

	// Over plain HTTP a sensor configuration carries no certificate pin.
	cfg := admin.do("GET", fmt.Sprintf("/api/sensors/%d/config", sn.id), nil).mustStatus(t, 200)
	if pin, ok := cfg.json()["server_cert_sha256"]; !ok || pin != "" {
		t.Errorf("config over http: %s", cfg.body)
	}
}
