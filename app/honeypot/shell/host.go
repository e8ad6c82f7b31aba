package shell

import (
	"fmt"
	"hash/fnv"
	"time"
)

// host holds the facts of the fake machine that several commands show: when it was
// installed, upgraded and last booted, its process ids. They derive from the host name (the
// seed) and the time, never from the session alone, so that uptime, ps, /proc, last, w and
// file dates agree with each other and stay the same across sessions: the machine reboots
// every few weeks (after its periodic upgrade), and a session sees the latest boot.
type host struct {
	seed            uint64
	installed       time.Time // the Debian installer ran
	kernelInstalled time.Time // the running kernel was installed
	upgraded        time.Time // the last upgrade (the packages of packages.go)
	boot            time.Time
	prevBoot        time.Time // the boot before, one reboot period earlier
	lastLogin       time.Time // the previous login (Banner, last)
	lastFrom        string
	shellPID        int // $$ of this session's bash
	sshdPID         int // the session's sshd
	nextPid         int
	clientPort      int
	sessionID       int
	rnd             uint32
}

func newHost(name string, now time.Time) host {
	f := fnv.New64a()
	f.Write([]byte(name))
	seed := f.Sum64()
	h := host{seed: seed}
	at := func(t time.Time, n uint64, span time.Duration) time.Time {
		return t.Add(time.Duration(n % uint64(span/time.Second) * uint64(time.Second)))
	}
	h.installed = at(time.Date(2024, 6, 10, 8, 0, 0, 0, time.UTC), seed, 90*24*time.Hour)
	h.kernelInstalled = h.installed.Add(63*24*time.Hour + 97*time.Minute)
	h.upgraded = at(time.Date(2025, 5, 20, 6, 0, 0, 0, time.UTC), seed>>20, 20*24*time.Hour)
	// reboots every 29 to 89 days since the upgrade, a few minutes after it first
	period := time.Duration(29+seed>>8%61) * 24 * time.Hour
	first := h.upgraded.Add(7*time.Minute + time.Duration(seed>>12%300)*time.Second)
	h.boot = first
	if now.After(first) {
		h.boot = first.Add(now.Sub(first) / period * period)
	}
	h.prevBoot = h.boot.Add(-period)
	if h.prevBoot.Before(h.kernelInstalled) {
		h.prevBoot = h.kernelInstalled.Add(6 * time.Minute)
	}
	up := now.Sub(h.boot)
	// sshd forks a few processes per login; bots log in all day: pids grow with uptime
	h.sshdPID = 1100 + int(up/time.Minute)*3%29000
	h.shellPID = h.sshdPID + 13
	h.nextPid = h.shellPID + 24
	h.clientPort = 32768 + int(now.UnixNano()/1000%28000)
	h.sessionID = 3 + int(up/(37*time.Minute))
	h.rnd = uint32(now.UnixNano()) | 1
	h.lastLogin = now.Add(-(2*24*time.Hour + 3*time.Hour + 17*time.Minute + time.Duration(seed%3000)*time.Second))
	if h.lastLogin.Before(h.boot) {
		h.lastLogin = h.boot.Add(time.Duration(up) / 3)
	}
	h.lastFrom = fmt.Sprintf("10.%d.%d.%d", seed>>24%8, seed>>32%250, 2+seed>>40%250)
	return h
}

// nextPID is the process id of the next program the session starts.
func (h *host) nextPID() int {
	h.nextPid += 1 + int(h.random()%3)
	return h.nextPid
}

// random is $RANDOM: 0..32767.
func (h *host) random() int {
	h.rnd ^= h.rnd << 13
	h.rnd ^= h.rnd >> 17
	h.rnd ^= h.rnd << 5
	return int(h.rnd % 32768)
}

// uptime formats the time since boot like procps's uptime: "41 days,  3:12" or "12 min".
func uptimeText(up time.Duration) string {
	days := int(up.Hours()) / 24
	hours := int(up.Hours()) % 24
	mins := int(up.Minutes()) % 60
	s := ""
	switch {
	case days == 1:
		s = "1 day, "
	case days > 1:
		s = fmt.Sprintf("%d days, ", days)
	}
	if hours > 0 {
		return s + fmt.Sprintf("%2d:%02d", hours, mins)
	}
	return s + fmt.Sprintf("%d min", mins)
}

// psStart formats a process start time the way ps does: time of day when today, else the
// date.
func psStart(t, now time.Time) string {
	switch {
	case now.Sub(t) < 24*time.Hour:
		return t.UTC().Format("15:04")
	case now.Sub(t) < 365*24*time.Hour:
		return t.UTC().Format("Jan02")
	}
	return t.UTC().Format("2006")
}
