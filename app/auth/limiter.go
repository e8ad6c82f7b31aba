package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LoginLimiter slows down password guessing. Every failed login takes a token from the bucket
// of the client's IP and from the bucket of the login name; an empty bucket answers 429
// before the password is even checked. Per-IP limits stop one host trying many users, per-user
// limits stop a botnet trying one user from many hosts.
type LoginLimiter struct {
	mu    sync.Mutex
	byIP  map[string]*limiterEntry
	byKey map[string]*limiterEntry
	ip    limit
	user  limit
	now   func() time.Time
}

type limit struct {
	burst int
	every time.Duration
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLoginLimiter allows 10 failures per IP (one more every 30 s) and 5 per login name (one
// more every minute).
func NewLoginLimiter() *LoginLimiter {
	return &LoginLimiter{
		byIP:  map[string]*limiterEntry{},
		byKey: map[string]*limiterEntry{},
		ip:    limit{burst: 10, every: 30 * time.Second},
		user:  limit{burst: 5, every: time.Minute},
		now:   time.Now,
	}
}

// Allow reports whether a login attempt from ip for user may be checked at all, and if not,
// how long the client should wait.
func (l *LoginLimiter) Allow(ip, user string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	wait := max(l.delay(l.byIP, ip, l.ip, now), l.delay(l.byKey, user, l.user, now))
	return wait == 0, wait
}

// Fail records a failed attempt.
func (l *LoginLimiter) Fail(ip, user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.entry(l.byIP, ip, l.ip, now).lim.AllowN(now, 1)
	l.entry(l.byKey, user, l.user, now).lim.AllowN(now, 1)
	l.sweep(now)
}

func (l *LoginLimiter) delay(m map[string]*limiterEntry, key string, lm limit, now time.Time) time.Duration {
	e, ok := m[key]
	if !ok || e.lim.TokensAt(now) >= 1 {
		return 0
	}
	return time.Duration((1 - e.lim.TokensAt(now)) * float64(lm.every))
}

func (l *LoginLimiter) entry(m map[string]*limiterEntry, key string, lm limit, now time.Time) *limiterEntry {
	e, ok := m[key]
	if !ok {
		e = &limiterEntry{lim: rate.NewLimiter(rate.Every(lm.every), lm.burst)}
		m[key] = e
	}
	e.seen = now
	return e
}

// sweep forgets entries idle long enough to have refilled, so an attacker cycling through
// addresses or names cannot grow the maps without bound.
func (l *LoginLimiter) sweep(now time.Time) {
	if len(l.byIP)+len(l.byKey) < 10000 {
		return
	}
	for _, m := range []map[string]*limiterEntry{l.byIP, l.byKey} {
		for k, e := range m {
			if now.Sub(e.seen) > 10*time.Minute {
				delete(m, k)
			}
		}
	}
}
