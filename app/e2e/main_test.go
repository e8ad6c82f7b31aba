// Package e2e runs the real honeysens binary and drives its web UI with
// headless Chromium (chromedp). The tests skip when Chromium is missing,
// unless HONEYSENS_E2E=1 (set by CI), where a missing tool is a failure.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// binary is the honeysens executable built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

// buildAndRun builds the binary into a temp dir, runs the tests and cleans up; it is
// separate from TestMain so the deferred cleanup runs before os.Exit.
func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "honeysens-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	binary = filepath.Join(dir, "honeysens")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", binary, "honeysens")
	build.Dir = repoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build failed: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// repoRoot is two levels above this file (app/e2e -> repo root), found from
// the source path so the test works from any working directory.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// server is one running honeysens process with a fresh data directory.
type server struct {
	URL           string // base URL with trailing slash, as printed
	AdminPassword string // generated first admin password, as printed
}

var (
	urlLine   = regexp.MustCompile(`^\s+URL:\s+(http\S+)`)
	loginLine = regexp.MustCompile(`^\s+Login:\s+admin / (\S+)`)
)

// startServer runs the binary on a free loopback port and waits until it has
// printed its URL and admin password and answers HTTP. The process is stopped
// in t.Cleanup; its output is logged only when the test fails.
// The appliance's own honeypots stay off: tests run in parallel and would fight
// over their fixed default ports; a test that needs them calls
// startServerEnv(t, "HONEYSENS_HONEYPOTS=true").
func startServer(t *testing.T) *server {
	t.Helper()
	return startServerEnv(t, "HONEYSENS_HONEYPOTS=false")
}

// startServerEnv is startServer with extra environment variables (NAME=value).
func startServerEnv(t *testing.T, env ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(append(envWithout("HONEYSENS_ADMIN_PASSWORD", "HONEYSENS_HONEYPOTS"),
		"HONEYSENS_DATA="+t.TempDir(),
		"HONEYSENS_LISTEN=127.0.0.1:"+freePort(t)), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", binary, err)
	}
	t.Cleanup(func() {
		stopProcess(cmd)
		if t.Failed() {
			t.Logf("honeysens output:\n%s", logs.String())
		}
	})

	srv := &server{}
	ready := make(chan struct{})
	go func() {
		// Keep draining stdout after the banner so the process never blocks on a full pipe.
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logs, line)
			if m := urlLine.FindStringSubmatch(line); m != nil && srv.URL == "" {
				srv.URL = m[1]
			}
			if m := loginLine.FindStringSubmatch(line); m != nil && srv.AdminPassword == "" {
				srv.AdminPassword = m[1]
			}
			if !signalled && srv.URL != "" && srv.AdminPassword != "" {
				signalled = true
				close(ready)
			}
		}
	}()

	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatal("honeysens did not print its URL and admin login within 20s")
	}
	if !strings.HasSuffix(srv.URL, "/") {
		srv.URL += "/"
	}
	waitHTTP(t, srv.URL)
	return srv
}

// waitHTTP polls url until it answers 200 (the banner may precede Listen).
func waitHTTP(t *testing.T, url string) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: not ready within 10s (last error %v)", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stopProcess asks for a clean shutdown, then kills after a grace period.
func stopProcess(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// freePort asks the kernel for an unused port. Another process could take it
// before honeysens binds it, but on a test box that race is negligible.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// envWithout is os.Environ minus some variables, so a developer's shell cannot
// change what the test expects (e.g. the generated admin password).
func envWithout(names ...string) []string {
	var env []string
next:
	for _, kv := range os.Environ() {
		for _, name := range names {
			if strings.HasPrefix(kv, name+"=") {
				continue next
			}
		}
		env = append(env, kv)
	}
	return env
}

// lockedBuffer collects process output from two goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

var _ io.Writer = (*lockedBuffer)(nil)

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
