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

// fail is an attempt that found a wrong password; it must have been allowed.
func fail(t *testing.T, l *LoginLimiter, ip, login string) {
	t.Helper()
	if ok, wait := l.Attempt(ip, login); !ok {
		t.Fatalf("Attempt(%s, %s) refused (wait %v), want a check", ip, login, wait)
	}
}

// wantAllowed checks that an attempt may run and counts it as a success.
func wantAllowed(t *testing.T, l *LoginLimiter, ip, login string) {
	t.Helper()
	ok, wait := l.Attempt(ip, login)
	if !ok || wait != 0 {
		t.Errorf("Attempt(%s, %s) = %v, %v; want true, 0", ip, login, ok, wait)
	}
	if ok {
		l.Succeeded(ip, login)
	}
}

func wantBlocked(t *testing.T, l *LoginLimiter, ip, login string, maxWait time.Duration) time.Duration {
	t.Helper()
	ok, wait := l.Attempt(ip, login)
	if ok {
		t.Errorf("Attempt(%s, %s) = true, want refused", ip, login)
	}
	if wait <= 0 || wait > maxWait {
		t.Errorf("Attempt(%s, %s) wait = %v, want in (0, %v]", ip, login, wait, maxWait)
	}
	return wait
}

func TestLoginLimiterPerSourceAndLogin(t *testing.T) {
	l, advance := testLimiter()
	const attacker = "203.0.113.66"
	for range 5 {
		fail(t, l, attacker, "admin")
	}
	// The attacker is refused for admin; the real admin on another address is not.
	wantBlocked(t, l, attacker, "admin", time.Minute)
	wantAllowed(t, l, "192.0.2.1", "admin")
	// The attacker's other logins are still checked (its source bucket is not empty).
	wantAllowed(t, l, attacker, "bob")

	// One attempt comes back per minute.
	advance(59 * time.Second)
	if wait := wantBlocked(t, l, attacker, "admin", time.Minute); wait > 2*time.Second {
		t.Errorf("after 59 s the wait is %v, want about 1 s", wait)
	}
	advance(time.Second)
	fail(t, l, attacker, "admin")
	wantBlocked(t, l, attacker, "admin", time.Minute)
}

func TestLoginLimiterFiftyFailuresDoNotLockOut(t *testing.T) {
	l, _ := testLimiter()
	refused := 0
	for range 50 {
		if ok, _ := l.Attempt("203.0.113.66", "admin"); !ok {
			refused++
		}
	}
	if refused != 45 {
		t.Errorf("%d of 50 attempts refused, want 45 (5 checked)", refused)
	}
	wantAllowed(t, l, "192.0.2.1", "admin")
}

func TestLoginLimiterPerSource(t *testing.T) {
	l, advance := testLimiter()
	const attacker = "203.0.113.66"
	for i := range 10 {
		fail(t, l, attacker, fmt.Sprintf("user%d", i)) // one failure per login: no pair empties
	}
	// The host is refused for every login, also ones it never tried ...
	wantBlocked(t, l, attacker, "someone", 30*time.Second)
	wantBlocked(t, l, attacker, "user0", 30*time.Second)
	// ... while the same logins from another host still work.
	wantAllowed(t, l, "192.0.2.1", "someone")
	wantAllowed(t, l, "192.0.2.1", "user0")

	advance(29 * time.Second)
	wantBlocked(t, l, attacker, "someone", 30*time.Second)
	advance(time.Second)
	wantAllowed(t, l, attacker, "someone")
}

func TestLoginLimiterSuccessForgetsFailures(t *testing.T) {
	l, _ := testLimiter()
	for range 4 {
		fail(t, l, "192.0.2.1", "alice")
	}
	wantAllowed(t, l, "192.0.2.1", "alice") // the right password at last
	for range 5 {
		fail(t, l, "192.0.2.1", "alice") // a fresh allowance, not the one left over
	}
	wantBlocked(t, l, "192.0.2.1", "alice", time.Minute)
}

func TestLoginLimiterSuccessesDoNotAddUp(t *testing.T) {
	l, _ := testLimiter()
	for range 100 {
		wantAllowed(t, l, "192.0.2.1", "alice") // say, a script logging in every run
	}
	// The successes took nothing away: the full allowance of failures is left.
	for range 5 {
		fail(t, l, "192.0.2.1", "alice")
	}
}

func TestLoginLimiterParallelAttemptsCount(t *testing.T) {
	l, _ := testLimiter()
	// Five checks in flight, none finished: the sixth must wait, not slip through.
	for range 5 {
		fail(t, l, "192.0.2.1", "alice")
	}
	wantBlocked(t, l, "192.0.2.1", "alice", time.Minute)
}

// TestLoginLimiterDistributedGuessing: many addresses guessing one login slow each other
// down, but a new address (the real user) is always checked at once.
func TestLoginLimiterDistributedGuessing(t *testing.T) {
	l, advance := testLimiter()
	bot := func(i int) string { return fmt.Sprintf("198.51.100.%d", i) }
	for i := range 10 {
		fail(t, l, bot(i), "admin")
	}
	// Each bot has used one of its five attempts, but admin is under attack now: one
	// attempt per address every 5 minutes.
	wantBlocked(t, l, bot(0), "admin", 5*time.Minute)
	wantAllowed(t, l, "192.0.2.1", "admin")
	fail(t, l, bot(10), "admin") // a new bot gets its one try ...
	wantBlocked(t, l, bot(10), "admin", 5*time.Minute)
	// ... and other logins are not slowed down.
	fail(t, l, bot(0), "bob")
	fail(t, l, bot(0), "bob")

	// The slow mode is bounded: while other bots keep the attack going, bot 0 may try
	// again 5 minutes after its last try.
	for i := range 5 {
		advance(time.Minute)
		fail(t, l, bot(20+i), "admin")
	}
	fail(t, l, bot(0), "admin")
	wantBlocked(t, l, bot(0), "admin", 5*time.Minute)

	// Once the attack stops, the login's bucket refills and the normal limits apply.
	advance(20 * time.Minute)
	fail(t, l, bot(1), "admin")
	fail(t, l, bot(1), "admin")
}

// TestLoginLimiterGlobalSpike: failures spread over many logins and addresses put every
// login into the slow mode, but never refuse an address that has not tried.
func TestLoginLimiterGlobalSpike(t *testing.T) {
	l, _ := testLimiter()
	for i := range 50 {
		fail(t, l, fmt.Sprintf("10.0.0.%d", i), fmt.Sprintf("user%d", i))
	}
	wantBlocked(t, l, "10.0.0.1", "user1", 5*time.Minute) // one failure, then the slow mode
	wantAllowed(t, l, "192.0.2.1", "user1")
	wantAllowed(t, l, "192.0.2.1", "anyone")
}

func TestLoginLimiterIPv6CountsPer64(t *testing.T) {
	l, _ := testLimiter()
	for i := range 5 {
		fail(t, l, fmt.Sprintf("2001:db8:1:2::%x", i+1), "alice") // five addresses of one /64
	}
	wantBlocked(t, l, "2001:db8:1:2:ffff::1", "alice", time.Minute)
	wantAllowed(t, l, "2001:db8:1:3::1", "alice")
	// IPv4 in IPv6 form is the IPv4 address.
	for range 5 {
		fail(t, l, "192.0.2.7", "carol")
	}
	wantBlocked(t, l, "::ffff:192.0.2.7", "carol", time.Minute)
}

func TestLoginLimiterForgetsRefilledEntries(t *testing.T) {
	l, advance := testLimiter()
	for i := range 300 {
		fail(t, l, fmt.Sprintf("10.0.%d.%d", i/256, i%256), fmt.Sprintf("user%d", i))
	}
	if len(l.pairs) != 300 || len(l.sources) != 300 || len(l.logins) != 300 {
		t.Fatalf("limiter holds %d pairs, %d sources, %d logins; want 300 each", len(l.pairs), len(l.sources), len(l.logins))
	}
	advance(sweepEvery)
	fail(t, l, "192.0.2.1", "alice")
	if len(l.pairs) != 1 || len(l.sources) != 1 || len(l.logins) != 1 {
		t.Errorf("after the sweep: %d pairs, %d sources, %d logins; want only the fresh 1 each",
			len(l.pairs), len(l.sources), len(l.logins))
	}
}

func TestLoginLimiterMemoryIsCapped(t *testing.T) {
	l, advance := testLimiter()
	l.maxKeys = 1000
	for i := range 5000 {
		l.Attempt(fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255), fmt.Sprintf("user%d", i))
		advance(time.Millisecond) // a flood: nothing refills in between
	}
	if len(l.pairs) > 1000 || len(l.sources) > 1000 || len(l.logins) > 1000 {
		t.Errorf("limiter holds %d pairs, %d sources, %d logins; want at most 1000 each",
			len(l.pairs), len(l.sources), len(l.logins))
	}
	// The newest sources are still remembered.
	wantBlocked(t, l, "10.0.19.135", "user4999", 5*time.Minute)
}

func TestLoginLimiterConcurrent(t *testing.T) {
	l, _ := testLimiter()
	var wg sync.WaitGroup
	var failed [8]int // allowed attempts of the odd goroutines, which never succeed
	for g := range 8 {
		wg.Go(func() {
			for range 50 {
				ok, _ := l.Attempt("192.0.2.1", fmt.Sprintf("u%d", g))
				switch {
				case ok && g%2 == 0:
					l.Succeeded("192.0.2.1", fmt.Sprintf("u%d", g))
				case ok:
					failed[g]++
				}
			}
		})
	}
	wg.Wait()
	// However the goroutines interleave, no login gets more than its 5 failures and the
	// source no more than its 10; the successes gave back every token they took, so the
	// source bucket holds exactly what the failures left (the clock stands still).
	total := 0
	for g, n := range failed {
		if n > 5 {
			t.Errorf("login u%d failed %d times, want at most 5", g, n)
		}
		total += n
	}
	if total > 10 {
		t.Errorf("the source failed %d times, want at most 10", total)
	}
	if got, want := l.sources["192.0.2.1"].level(l.source, l.now()), float64(10-total); got != want {
		t.Errorf("source bucket holds %v tokens after %d failures, want %v", got, total, want)
	}
	if total == 10 {
		wantBlocked(t, l, "192.0.2.1", "anyone", 30*time.Second)
	}
}
