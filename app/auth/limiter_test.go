package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// testLimiter returns a limiter on a fake clock and a function that moves the clock on.
func testLimiter() (*LoginLimiter, func(time.Duration)) {
	l := NewLoginLimiter()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	l.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(d)
	}
	return l, advance
}

func wantAllowed(t *testing.T, l *LoginLimiter, ip, user string) {
	t.Helper()
	if ok, wait := l.Allow(ip, user); !ok || wait != 0 {
		t.Errorf("Allow(%s, %s) = %v, %v; want true, 0", ip, user, ok, wait)
	}
}

func wantBlocked(t *testing.T, l *LoginLimiter, ip, user string, maxWait time.Duration) time.Duration {
	t.Helper()
	ok, wait := l.Allow(ip, user)
	if ok {
		t.Errorf("Allow(%s, %s) = true, want blocked", ip, user)
	}
	if wait <= 0 || wait > maxWait {
		t.Errorf("Allow(%s, %s) wait = %v, want in (0, %v]", ip, user, wait, maxWait)
	}
	return wait
}

func TestLoginLimiterPerUser(t *testing.T) {
	l, advance := testLimiter()
	wantAllowed(t, l, "192.0.2.1", "alice")

	for i := range 4 {
		l.Fail(fmt.Sprintf("192.0.2.%d", i+1), "alice")
	}
	wantAllowed(t, l, "192.0.2.1", "alice")
	l.Fail("192.0.2.5", "alice") // the 5th failure, each from a different host

	// alice is blocked from anywhere, even from a host that never failed.
	wantBlocked(t, l, "203.0.113.9", "alice", time.Minute)
	// Others are not affected, not even on the hosts that tried alice.
	wantAllowed(t, l, "192.0.2.1", "bob")
	wantAllowed(t, l, "203.0.113.9", "bob")

	// One token comes back per minute.
	advance(59 * time.Second)
	if wait := wantBlocked(t, l, "203.0.113.9", "alice", time.Minute); wait > 2*time.Second {
		t.Errorf("after 59 s the wait is %v, want about 1 s", wait)
	}
	advance(time.Second)
	wantAllowed(t, l, "203.0.113.9", "alice")
	l.Fail("203.0.113.9", "alice") // only one token came back
	wantBlocked(t, l, "203.0.113.9", "alice", time.Minute)

	// After five quiet minutes the bucket is full again: five more failures are allowed.
	advance(5 * time.Minute)
	for range 4 {
		l.Fail("198.51.100.1", "alice")
	}
	wantAllowed(t, l, "198.51.100.1", "alice")
}

func TestLoginLimiterPerIP(t *testing.T) {
	l, advance := testLimiter()
	const attacker = "203.0.113.66"

	for i := range 9 {
		l.Fail(attacker, fmt.Sprintf("user%d", i)) // one failure per name: no user bucket empties
	}
	wantAllowed(t, l, attacker, "someone")
	l.Fail(attacker, "user9")

	// The host is blocked for every name, also ones it never tried ...
	wantBlocked(t, l, attacker, "someone", 30*time.Second)
	wantBlocked(t, l, attacker, "user0", 30*time.Second)
	// ... while the same names from another host still work.
	wantAllowed(t, l, "192.0.2.1", "someone")
	wantAllowed(t, l, "192.0.2.1", "user0")

	advance(29 * time.Second)
	wantBlocked(t, l, attacker, "someone", 30*time.Second)
	advance(time.Second)
	wantAllowed(t, l, attacker, "someone")
}

func TestLoginLimiterAllowDoesNotConsume(t *testing.T) {
	l, _ := testLimiter()
	for range 100 {
		l.Allow("192.0.2.1", "alice")
	}
	for range 4 {
		l.Fail("192.0.2.1", "alice")
	}
	wantAllowed(t, l, "192.0.2.1", "alice")
}

func TestLoginLimiterSweep(t *testing.T) {
	l, advance := testLimiter()
	for i := range 6000 {
		l.Fail(fmt.Sprintf("10.0.%d.%d", i/256, i%256), fmt.Sprintf("user%d", i))
	}
	if n := len(l.byIP) + len(l.byKey); n != 12000 {
		t.Fatalf("limiter holds %d entries, want 12000", n)
	}
	advance(11 * time.Minute)
	l.Fail("192.0.2.1", "alice")
	if len(l.byIP) != 1 || len(l.byKey) != 1 {
		t.Errorf("after the sweep: %d IPs, %d names; want only the fresh 1 and 1", len(l.byIP), len(l.byKey))
	}
}

func TestLoginLimiterConcurrent(t *testing.T) {
	l, _ := testLimiter()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 50 {
				l.Fail("192.0.2.1", fmt.Sprintf("u%d", g))
				l.Allow("192.0.2.1", "alice")
			}
		})
	}
	wg.Wait()
	wantBlocked(t, l, "192.0.2.1", "anyone", 30*time.Second)
}
