package auth

import (
	"net/netip"
	"sync"
	"time"
)

// LoginLimiter slows down password guessing without letting anyone lock a user out.
//
// Every password check takes a token from four buckets: the pair (source, login), the
// source, the login (over all sources) and the appliance (everything). A successful check
// gives its tokens back and forgets the pair, so only failures add up.
//
//   - An empty pair bucket refuses that source for that login: one host guessing one
//     password. Other sources, the real user's among them, are not affected.
//   - An empty source bucket refuses that source for every login: one host trying many
//     logins.
//   - An empty login or appliance bucket refuses nobody, because the failures come from
//     many sources and refusing all of them would lock the real user out. Instead each
//     source that already tried the login gets one attempt per slowEvery: a source that
//     has not tried yet (the real user on another machine) is always checked at once, and
//     a botnet gets one guess per address every few minutes instead of a burst.
//
// A source is an IPv4 address or an IPv6 /64, the block one subscriber usually holds.
// Memory is bounded: entries that have refilled are dropped, and each map is capped.
type LoginLimiter struct {
	mu        sync.Mutex
	pairs     map[string]*bucket
	sources   map[string]*bucket
	logins    map[string]*bucket
	global    bucket
	pair      limit
	source    limit
	login     limit
	all       limit
	slowEvery time.Duration // a source's attempts on a login under attack
	maxKeys   int           // per map
	swept     time.Time
	now       func() time.Time
}

// limit is a token bucket's size and refill rate.
type limit struct {
	burst int
	every time.Duration // one token comes back per every
}

// bucket is the state of one token bucket: tokens at time at, and the time of the last
// attempt (for the slow mode of pairs).
type bucket struct {
	tokens float64
	at     time.Time
	last   time.Time
}

// sweepEvery is how often refilled entries are dropped even when no map is full.
const sweepEvery = 10 * time.Minute

// NewLoginLimiter allows per source and login 5 failures (one more a minute), per source 10
// (one more every 30 s); the slow mode starts after 10 failures on one login (one more a
// minute) or 50 on the appliance (one more every 6 s) and allows one attempt per source and
// login every 5 minutes.
func NewLoginLimiter() *LoginLimiter {
	return &LoginLimiter{
		pairs:     map[string]*bucket{},
		sources:   map[string]*bucket{},
		logins:    map[string]*bucket{},
		pair:      limit{burst: 5, every: time.Minute},
		source:    limit{burst: 10, every: 30 * time.Second},
		login:     limit{burst: 10, every: time.Minute},
		all:       limit{burst: 50, every: 6 * time.Second},
		slowEvery: 5 * time.Minute,
		maxKeys:   10000,
		now:       time.Now,
	}
}

// Attempt reports whether a password check for login from the address ip may run now, and if
// not, how long the client should wait. An allowed attempt counts as failed until Succeeded is
// called, so parallel requests cannot all slip through before the first one failed.
func (l *LoginLimiter) Attempt(ip, login string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	src := sourceKey(ip)
	pk := src + "\x00" + login
	pair, source := l.pairs[pk], l.sources[src]
	wait := max(pair.wait(l.pair, now), source.wait(l.source, now))
	if l.underAttack(login, now) && pair != nil {
		wait = max(wait, pair.last.Add(l.slowEvery).Sub(now))
	}
	if wait > 0 {
		return false, wait
	}
	l.sweep(now)
	l.entry(l.pairs, pk, l.pair, now).take(l.pair, now)
	l.entry(l.sources, src, l.source, now).take(l.source, now)
	l.entry(l.logins, login, l.login, now).take(l.login, now)
	l.global.take(l.all, now)
	return true, 0
}

// Succeeded records that the attempt found the right password: it gives back what the
// attempt took and forgets the pair's failures.
func (l *LoginLimiter) Succeeded(ip, login string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	src := sourceKey(ip)
	delete(l.pairs, src+"\x00"+login)
	if b := l.sources[src]; b != nil {
		b.give(l.source, now)
	}
	if b := l.logins[login]; b != nil {
		b.give(l.login, now)
	}
	l.global.give(l.all, now)
}

// underAttack reports whether failures on the login or on the whole appliance have emptied
// their bucket.
func (l *LoginLimiter) underAttack(login string, now time.Time) bool {
	return l.logins[login].level(l.login, now) < 1 || l.global.level(l.all, now) < 1
}

// entry returns the bucket of key, creating a full one.
func (l *LoginLimiter) entry(m map[string]*bucket, key string, lm limit, now time.Time) *bucket {
	b, ok := m[key]
	if !ok {
		if len(m) >= l.maxKeys {
			l.evict(m, lm, now)
		}
		b = &bucket{tokens: float64(lm.burst), at: now}
		m[key] = b
	}
	return b
}

// sweep drops, every sweepEvery, the entries that hold nothing an absent entry would not.
func (l *LoginLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < sweepEvery {
		return
	}
	l.swept = now
	l.dropIdle(l.pairs, l.pair, now)
	l.dropIdle(l.sources, l.source, now)
	l.dropIdle(l.logins, l.login, now)
}

// evict makes room in a full map: first the idle entries go; if that frees less than a tenth,
// arbitrary ones too. Forgetting a busy entry gives one source a few more attempts, which is
// the price of bounded memory under a flood of addresses.
func (l *LoginLimiter) evict(m map[string]*bucket, lm limit, now time.Time) {
	l.dropIdle(m, lm, now)
	for k := range m {
		if len(m) < l.maxKeys*9/10 {
			return
		}
		delete(m, k)
	}
}

// dropIdle deletes the entries whose bucket is full again and whose last attempt is older than
// the slow mode looks back: they are as good as absent.
func (l *LoginLimiter) dropIdle(m map[string]*bucket, lm limit, now time.Time) {
	for k, b := range m {
		if b.level(lm, now) >= float64(lm.burst) && now.Sub(b.last) >= l.slowEvery {
			delete(m, k)
		}
	}
}

// level is the number of tokens at now; a missing bucket is full.
func (b *bucket) level(lm limit, now time.Time) float64 {
	if b == nil {
		return float64(lm.burst)
	}
	return min(float64(lm.burst), b.tokens+float64(now.Sub(b.at))/float64(lm.every))
}

// wait is how long until the bucket holds a token again.
func (b *bucket) wait(lm limit, now time.Time) time.Duration {
	lv := b.level(lm, now)
	if lv >= 1 {
		return 0
	}
	return time.Duration((1 - lv) * float64(lm.every))
}

// take spends a token. The login and appliance buckets are taken even when empty (they slow
// down, never refuse): their debt stops at one burst, so the slow mode ends at most burst+1
// refills after the attack (11 minutes for a login).
func (b *bucket) take(lm limit, now time.Time) {
	b.tokens, b.at, b.last = max(-float64(lm.burst), b.level(lm, now)-1), now, now
}

// give returns a token.
func (b *bucket) give(lm limit, now time.Time) {
	b.tokens, b.at = min(float64(lm.burst), b.level(lm, now)+1), now
}

// sourceKey is the address as a limiter key: an IPv6 address counts as its /64.
func sourceKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}
