package fidelity

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"honeysens/app/honeypot/hptest"
)

// sideBySide skips the test unless HONEYSENS_E2E=1: the suite starts the real daemons, which
// need root and the Debian packages .ci/run installs.
func sideBySide(t testing.TB) {
	t.Helper()
	if os.Getenv("HONEYSENS_E2E") != "1" {
		t.Skip("side-by-side suite: runs the real Debian daemons next to the honeypots; set HONEYSENS_E2E=1 (as .ci/run does, after installing them)")
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int { return hptest.FreePorts(t, 1)[0] }

// startDaemon runs a real daemon in the foreground until the test ends and waits until it
// accepts connections on 127.0.0.1:port. Its output is logged when the test fails.
func startDaemon(t testing.TB, port int, name string, args ...string) {
	t.Helper()
	path := hptest.RequireTool(t, name)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, path, args...)
	var out hptest.LockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("%s exited before it listened on %s:\n%s", name, addr, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s within 10 s:\n%s", name, addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
