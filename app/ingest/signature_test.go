package ingest

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"honeysens/app/sensorproto"
)

// sigNow is the server clock of the signature tests.
var sigNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

func TestReplayGuard(t *testing.T) {
	var g replayGuard
	now := sigNow
	mac := strings.Repeat("ab", 32)

	if !g.claim(mac, now) {
		t.Fatal("a fresh MAC was refused")
	}
	for _, d := range []time.Duration{0, time.Second, sensorproto.Window, 2*sensorproto.Window - time.Millisecond} {
		if g.claim(mac, now.Add(d)) {
			t.Errorf("MAC claimed again %s after it was accepted", d)
		}
	}
	if !g.claim(strings.Repeat("cd", 32), now) {
		t.Error("another MAC was refused")
	}
	// After twice the window the timestamp inside the MAC is stale anyway, so the guard forgets.
	if !g.claim(mac, now.Add(2*sensorproto.Window)) {
		t.Error("MAC still refused once its entry expired")
	}
	// A failed request gives its claim back, so the sensor can send it again.
	other := strings.Repeat("ef", 32)
	g.claim(other, now)
	g.release(other)
	if !g.claim(other, now) {
		t.Error("a released MAC stays refused")
	}
	if g.claim("not hex", now) {
		t.Error("a malformed MAC was accepted")
	}
}

func TestReplayGuardEvictsExpired(t *testing.T) {
	var g replayGuard
	now := sigNow
	for i := 0; i < 5000; i++ {
		g.claim(fmt.Sprintf("%064x", i), now)
	}
	if g.claim(fmt.Sprintf("%064x", 4999), now) {
		t.Fatal("MAC not remembered")
	}
	later := now.Add(3 * sensorproto.Window)
	fresh := strings.Repeat("f", 64)
	g.claim(fresh, later)
	if n := len(g.seen); n != 1 {
		t.Errorf("after expiry the guard holds %d entries, want 1 (only the fresh one)", n)
	}
	if g.claim(fresh, later) {
		t.Error("fresh MAC forgotten")
	}
}

func TestConcurrentCopiesOfARequestPassOnce(t *testing.T) {
	var g replayGuard
	mac := strings.Repeat("12", 32)
	var wg sync.WaitGroup
	var passed atomic.Int32
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if g.claim(mac, sigNow) {
				passed.Add(1)
			}
		}()
	}
	wg.Wait()
	if passed.Load() != 1 {
		t.Errorf("%d copies passed, want 1", passed.Load())
	}
}
