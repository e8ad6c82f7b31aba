package app

import (
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"honeysens/app/config"
	"honeysens/app/model"
	"honeysens/app/sensor"
	"honeysens/app/store"
	"honeysens/app/tlscert"
)

const opsAdminPassword = "admin-secret-1"

// newTestApp builds an appliance on dir without honeypots.
func newTestApp(t *testing.T, res Resources, cfg *config.Config, out io.Writer) *App {
	t.Helper()
	cfg.LogLevel, cfg.SessionIdle, cfg.AdminPassword, cfg.Version = "error", 30*time.Minute, opsAdminPassword, res.Version
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if out == nil {
		out = io.Discard
	}
	a, err := New(context.Background(), cfg, res, slog.New(slog.DiscardHandler), out)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func opsEvent(i int) *model.Event {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return &model.Event{Timestamp: now, Service: "ssh", Source: netip.AddrFrom4([4]byte{192, 0, 2, byte(i % 250)}),
		SourcePort: 1024 + i%60000, TargetPort: 22, Protocol: model.ProtoTCP, Summary: fmt.Sprintf("event %d", i),
		Details: []model.Detail{{Type: model.DetailInteraction, Data: fmt.Sprintf("command %d", i), Timestamp: &now}},
		Packets: []model.Packet{{Timestamp: now, Protocol: model.ProtoTCP, Port: 22, Flags: 2, Payload: []byte(fmt.Sprintf("payload %d", i))}}}
}

func countEvents(t *testing.T, st *store.Store) int64 {
	t.Helper()
	n, err := st.CountEvents(context.Background(), &store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackupDuringLiveIngestAndRestore: a backup taken by `honeysens backup` while events are
// being committed holds every event committed before it started (and at most those committed
// by its end), each one whole; restore refuses while the appliance runs, brings the copy into
// a fresh data directory, and the appliance opens it with the same counts.
func TestBackupDuringLiveIngestAndRestore(t *testing.T) {
	res := testResources(t)
	dir := t.TempDir()
	a := newTestApp(t, res, &config.Config{DataDir: dir}, nil)
	closed := false
	defer func() {
		if !closed {
			a.Close()
		}
	}()
	ctx := context.Background()
	groups, err := a.store.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sn := &model.Sensor{Name: "edge", GroupID: groups[0].ID, UpdateInterval: 60, Secret: "s"}
	if err := a.store.CreateSensor(ctx, sn); err != nil {
		t.Fatal(err)
	}
	base := countEvents(t, a.store) // the appliance may hold events of its own already

	const batch = 10
	var committed atomic.Int64
	stop := make(chan struct{})
	ingestErr := make(chan error, 1)
	go func() {
		for i := 0; ; i += batch {
			select {
			case <-stop:
				ingestErr <- nil
				return
			default:
			}
			events := make([]*model.Event, batch)
			for j := range events {
				events[j] = opsEvent(i + j)
			}
			n, err := a.ingest.Submit(ctx, sn, events)
			if err != nil {
				ingestErr <- err
				return
			}
			committed.Add(int64(n))
		}
	}()
	waitFor := func(n int64) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for committed.Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("only %d events committed", committed.Load())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor(500)

	file := filepath.Join(t.TempDir(), "backup.db")
	before := committed.Load()
	code, out, errOut := run(t, res, "backup", "--data", dir, file)
	after := committed.Load()
	if code != 0 || !strings.Contains(out, "written to") {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	waitFor(after + 100) // ingest went on during and after the backup
	close(stop)
	if err := <-ingestErr; err != nil {
		t.Fatal(err)
	}
	total := committed.Load()

	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(file + suffix); err == nil {
			t.Errorf("the backup left %s beside it: it must be one self-contained file", file+suffix)
		}
	}
	if err := store.IntegrityCheck(ctx, file); err != nil {
		t.Fatalf("backup copy: %v", err)
	}

	// The appliance holds its data directory: restore refuses and leaves it alone.
	code, _, errOut = run(t, res, "restore", "--data", dir, file)
	if code != 1 || !strings.Contains(errOut, "running") {
		t.Fatalf("restore while running: %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "honeysens.db")); err != nil {
		t.Fatal(err)
	}

	fresh := t.TempDir()
	code, out, errOut = run(t, res, "restore", file, "--data", fresh)
	if code != 0 || !strings.Contains(out, "Restored") || strings.Contains(out, "kept as") {
		t.Fatalf("restore into a fresh data directory: %d %q %q", code, out, errOut)
	}
	r := newTestApp(t, res, &config.Config{DataDir: fresh}, nil)
	got := countEvents(t, r.store) - base
	t.Logf("committed %d before the backup, %d when it returned, %d in total; the backup holds %d", before, after, total, got)
	if got < before || got > after+batch || got > total {
		t.Errorf("backup holds %d events; want at least the %d committed before it started and at most %d", got, before, after+batch)
	}
	// Every restored event is whole and equal to the original: its row, details and packets.
	list, _, err := r.store.ListEvents(ctx, &store.EventFilter{}, store.EventPage{Sort: "id", Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(list)) != got+base {
		t.Fatalf("listed %d events, counted %d", len(list), got+base)
	}
	for _, e := range list {
		want, err := a.store.Event(ctx, e.ID, false)
		if err != nil {
			t.Fatalf("event %d: %v", e.ID, err)
		}
		have, err := r.store.Event(ctx, e.ID, false)
		if err != nil {
			t.Fatalf("restored event %d: %v", e.ID, err)
		}
		if !reflect.DeepEqual(want, have) {
			t.Fatalf("event %d differs after restore:\n%+v\n%+v", e.ID, have, want)
		}
	}
	r.Close()

	// Restore over the original once it is stopped: the old database is kept beside it.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	closed = true
	code, out, errOut = run(t, res, "restore", "--data", dir, file)
	if code != 0 || !strings.Contains(out, "kept as") {
		t.Fatalf("restore: %d %q %q", code, out, errOut)
	}
	kept, _ := filepath.Glob(filepath.Join(dir, "honeysens.db.before-restore-*"))
	if len(kept) != 1 {
		t.Fatalf("kept files %v", kept)
	}
	a2 := newTestApp(t, res, &config.Config{DataDir: dir}, nil)
	if n := countEvents(t, a2.store) - base; n != got {
		t.Errorf("after restore over the original: %d events, want %d", n, got)
	}
	a2.Close()
	old, err := store.Open(ctx, kept[0], res.Schema)
	if err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, old) - base; n != total {
		t.Errorf("the kept database has %d events, want all %d", n, total)
	}
	old.Close()
}

// TestRestoreRefusesWhatItCannotUse: files that are not a HoneySens database, or one newer
// than this binary, are refused and the current database stays.
func TestRestoreRefusesWhatItCannotUse(t *testing.T) {
	res := testResources(t)
	ctx := context.Background()
	dir := t.TempDir()
	a := newTestApp(t, res, &config.Config{DataDir: dir}, nil)
	a.Close()
	current, _ := os.ReadFile(filepath.Join(dir, "honeysens.db"))

	src := t.TempDir()
	text := filepath.Join(src, "notes.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(src, "other.db")
	if db, err := sql.Open("sqlite", other); err != nil {
		t.Fatal(err)
	} else if _, err := db.Exec("CREATE TABLE x (a); PRAGMA user_version = 1;"); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}
	newer := filepath.Join(src, "newer.db")
	if st, err := store.Open(ctx, newer, res.Schema); err != nil {
		t.Fatal(err)
	} else {
		st.Close()
	}
	if db, err := sql.Open("sqlite", newer); err != nil {
		t.Fatal(err)
	} else if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}
	for file, want := range map[string]string{
		text:                         "not an SQLite database",
		other:                        "not a HoneySens database",
		newer:                        "schema version 99",
		filepath.Join(src, "absent"): "no such file",
	} {
		code, _, errOut := run(t, res, "restore", "--data", dir, file)
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("restore %s: %d %q, want %q", filepath.Base(file), code, errOut, want)
		}
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "honeysens.db")); !bytes.Equal(now, current) {
		t.Error("a refused restore changed the database")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("refused restores left %v", left)
	}
	if code, _, errOut := run(t, res, "backup", "--data", t.TempDir(), filepath.Join(src, "x.db")); code != 1 || !strings.Contains(errOut, "no database") {
		t.Errorf("backup of an empty data directory: %d %q", code, errOut)
	}
}

// TestDataDirLock: a second appliance on the same data directory is refused, and the lock is
// released on Close.
func TestDataDirLock(t *testing.T) {
	res := testResources(t)
	dir := t.TempDir()
	a := newTestApp(t, res, &config.Config{DataDir: dir}, nil)
	cfg := &config.Config{DataDir: dir, Listen: "127.0.0.1:0", LogLevel: "error", SessionIdle: time.Hour}
	if b, err := New(context.Background(), cfg, res, slog.New(slog.DiscardHandler), io.Discard); err == nil {
		b.Close()
		t.Fatal("a second appliance opened the same data directory")
	} else if !strings.Contains(err.Error(), "in use") {
		t.Errorf("error %v", err)
	}
	a.Close()
	newTestApp(t, res, &config.Config{DataDir: dir}, nil).Close()
}

// freePort returns a loopback address that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a bytes.Buffer safe for the banner writer and the test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// serveApp runs the appliance until the test ends.
func serveApp(t *testing.T, a *App) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			a.Close()
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitHealthy runs the health check until it passes (the listener starts in the background).
func waitHealthy(t *testing.T, res Resources, args ...string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, out, errOut := run(t, res, append([]string{"healthcheck"}, args...)...)
		if code == 0 {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthcheck %v: %d %q", args, code, errOut)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHTTPSAppliance: with --tls self-signed the one listener serves TLS 1.2+, the banner shows
// https, the session cookie is Secure, the sensor configuration carries the pin of the served
// certificate and a remote sensor using it gets through; `honeysens healthcheck` passes with
// the serve settings and fails on a foreign certificate, plain HTTP and a stopped appliance.
func TestHTTPSAppliance(t *testing.T) {
	res := testResources(t)
	dir := t.TempDir()
	addr := freePort(t)
	var banner syncBuffer
	a := newTestApp(t, res, &config.Config{DataDir: dir, Listen: addr, TLS: "self-signed"}, &banner)
	stop := serveApp(t, a)

	out := waitHealthy(t, res, "--data", dir, "--listen", addr, "--tls", "self-signed")
	if !strings.Contains(out, "ok (version 1.2.3)") {
		t.Errorf("healthcheck output %q", out)
	}
	if !strings.Contains(banner.String(), "https://"+addr+"/") || !strings.Contains(banner.String(), a.CertPin()) {
		t.Errorf("banner %q", banner.String())
	}
	// The serve settings from the environment, as the systemd unit has them.
	t.Setenv("HONEYSENS_DATA", dir)
	t.Setenv("HONEYSENS_LISTEN", addr)
	t.Setenv("HONEYSENS_TLS", "self-signed")
	if code, _, errOut := run(t, res, "healthcheck"); code != 0 {
		t.Errorf("healthcheck from env: %q", errOut)
	}
	t.Setenv("HONEYSENS_DATA", "")
	t.Setenv("HONEYSENS_LISTEN", "")
	t.Setenv("HONEYSENS_TLS", "")

	pin, err := tlscert.FingerprintFile(filepath.Join(dir, tlscert.SelfSignedCert))
	if err != nil || pin != a.CertPin() {
		t.Fatalf("pin %q %v, served %q", pin, err, a.CertPin())
	}
	// A certificate other than the served one fails the check.
	otherCert, otherKey := filepath.Join(t.TempDir(), "c.pem"), filepath.Join(t.TempDir(), "k.pem")
	if err := tlscert.GenerateSelfSigned(otherCert, otherKey, time.Now()); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, res, "healthcheck", "--listen", addr, "--tls", "files", "--tls-cert", otherCert, "--tls-key", otherKey)
	if code != 1 || !strings.Contains(errOut, "does not match") {
		t.Errorf("healthcheck with a foreign certificate: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, res, "healthcheck", "--listen", addr); code != 1 {
		t.Errorf("plain HTTP healthcheck against HTTPS passed: %q", errOut)
	}

	// Browser view: TLS 1.2 at least, a Secure session cookie, HSTS.
	insecure := &tls.Config{InsecureSkipVerify: true}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}}}
	if resp, err := old.Get("https://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("TLS 1.1 accepted")
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: insecure}, Timeout: 10 * time.Second}
	body, _ := json.Marshal(map[string]string{"username": "admin", "password": opsAdminPassword})
	resp, err := browser.Post("https://"+addr+"/api/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&login); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var secure bool
	for _, c := range resp.Cookies() {
		if c.Name == "hs_session" {
			secure = c.Secure
		}
	}
	if resp.StatusCode != 200 || !secure {
		t.Fatalf("login over https: %d, Secure cookie %v (%v)", resp.StatusCode, secure, resp.Header.Values("Set-Cookie"))
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header over https")
	}

	// A remote sensor configured from the downloaded file gets through the pin.
	body, _ = json.Marshal(map[string]any{"name": "remote-1", "group": 1})
	req, _ := http.NewRequest("POST", "https://"+addr+"/api/sensors", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", login.CSRF)
	resp, err = browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID int64 `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("create sensor: %d", resp.StatusCode)
	}
	resp, err = browser.Get(fmt.Sprintf("https://%s/api/sensors/%d/config", addr, created.ID))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var cfgFile map[string]any
	if err := json.Unmarshal(raw, &cfgFile); err != nil {
		t.Fatal(err)
	}
	if cfgFile["server_cert_sha256"] != a.CertPin() || cfgFile["server"] != "https://"+addr {
		t.Fatalf("sensor config %s, want pin %s", raw, a.CertPin())
	}
	cfgPath := filepath.Join(t.TempDir(), "sensor.json")
	if err := os.WriteFile(cfgPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	rc, err := sensor.LoadRemoteConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	remote, err := sensor.NewRemote(sensor.RemoteOptions{Config: rc, DataDir: t.TempDir(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Heartbeat(context.Background()); err != nil {
		t.Errorf("remote sensor heartbeat over pinned https: %v", err)
	}
	remote.Buffer().Close()

	stop()
	code, _, errOut = run(t, res, "healthcheck", "--data", dir, "--listen", addr, "--tls", "self-signed")
	if code != 1 || errOut == "" {
		t.Errorf("healthcheck of a stopped appliance: %d %q", code, errOut)
	}

	// The next start reuses the certificate: sensors keep their pin.
	b := newTestApp(t, res, &config.Config{DataDir: dir, Listen: addr, TLS: "self-signed"}, nil)
	if b.CertPin() != pin {
		t.Error("restart generated a new certificate")
	}
	b.Close()
}

// TestHealthcheckPlainHTTP: the default appliance (plain HTTP on --listen) passes; a wildcard
// listen address is checked over loopback; an answer other than 200 ok fails.
func TestHealthcheckPlainHTTP(t *testing.T) {
	res := testResources(t)
	dir := t.TempDir()
	addr := freePort(t)
	a := newTestApp(t, res, &config.Config{DataDir: dir, Listen: addr}, nil)
	serveApp(t, a)
	waitHealthy(t, res, "--listen", addr)
	_, port, _ := net.SplitHostPort(addr)
	if u, _ := healthURL("0.0.0.0:"+port, false); u != "http://127.0.0.1:"+port+"/healthz" {
		t.Errorf("wildcard URL %s", u)
	}
	if u, _ := healthURL("[::]:443", true); u != "https://[::1]:443/healthz" {
		t.Errorf("IPv6 wildcard URL %s", u)
	}
	code, _, errOut := run(t, res, "healthcheck", "--url", "http://"+addr+"/api/session")
	if code != 1 || !strings.Contains(errOut, "status 401") {
		t.Errorf("healthcheck of a 401: %d %q", code, errOut)
	}
	// An endpoint that does not answer in time.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept, never answer
		}
	}()
	start := time.Now()
	code, _, errOut = run(t, res, "healthcheck", "--url", "http://"+ln.Addr().String()+"/healthz")
	if code != 1 || time.Since(start) > 8*time.Second || !strings.Contains(errOut, "5s") {
		t.Errorf("healthcheck of a silent server: %d after %s: %q", code, time.Since(start), errOut)
	}
}

func TestHealthcheckWaitsForAStartingAppliance(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/healthz"
	ln.Close() // nothing listens yet: the appliance is still starting
	var out, errOut bytes.Buffer
	if err := healthcheckCommand([]string{"--url", url}, &out, &errOut); err == nil {
		t.Fatal("healthcheck passed with nothing listening")
	}
	srv := &http.Server{Addr: ln.Addr().String(), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ok","version":"test"}`))
	})}
	go func() {
		time.Sleep(time.Second)
		srv.ListenAndServe()
	}()
	defer srv.Close()
	if err := healthcheckCommand([]string{"--url", url, "--wait", "20s"}, &out, &errOut); err != nil {
		t.Errorf("healthcheck --wait: %v", err)
	}
}

// TestRunStoppedBeforeServing: a stop that comes before the web server has taken its listener
// (a signal right after start) ends Run all the same, without an error.
func TestRunStoppedBeforeServing(t *testing.T) {
	res := testResources(t)
	for i := range 5 { // the race between the stop and the listener's start, from both sides
		a := newTestApp(t, res, &config.Config{DataDir: t.TempDir()}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run %d: %v", i, err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("run %d: Run did not return after its context ended", i)
		}
		a.Close()
	}
}
