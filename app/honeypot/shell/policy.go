package shell

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"honeysens/app/model"
)

// DefaultAccept is the credential list a login honeypot accepts unless configured otherwise:
// root with the weak passwords that brute-force bots try first.
var DefaultAccept = []string{
	"root:123456", "root:password", "root:root", "root:admin", "root:toor", "root:12345678",
	"root:123456789", "root:1234", "root:12345", "root:qwerty", "root:111111", "root:123123",
	"root:1q2w3e4r", "root:admin123", "root:root123", "root:P@ssw0rd", "root:passw0rd", "root:debian",
}

// Limits of a credential configuration.
const (
	MaxAccept      = 1000
	MaxAcceptAfter = 1000
)

// ValidateAccept checks a credential list: each entry "user:password", "*" for any user or
// any password. It returns a message for the first bad entry, or "".
func ValidateAccept(list []string, after int) (acceptMsg, afterMsg string) {
	if len(list) > MaxAccept {
		acceptMsg = fmt.Sprintf("at most %d entries", MaxAccept)
	}
	for _, e := range list {
		u, _, ok := strings.Cut(e, ":")
		if !ok || u == "" {
			acceptMsg = fmt.Sprintf("%q is not user:password", e)
			break
		}
		if len(e) > 256 {
			acceptMsg = "entries are at most 256 characters"
			break
		}
	}
	if after < 0 || after > MaxAcceptAfter {
		afterMsg = fmt.Sprintf("must be between 0 (never) and %d", MaxAcceptAfter)
	}
	return acceptMsg, afterMsg
}

// ValidateLogin records what is wrong with the login settings that the ssh and telnet
// honeypots share: ValidateAccept's messages under "accept" and "accept_after", and a bad host
// name (the prompt's and the fake shell's) under "hostname".
func ValidateLogin(f model.FieldErrors, hostname string, accept []string, after int) {
	if !ValidHostname(hostname) {
		f.Add("hostname", "must be 1 to 63 letters, digits, dots or dashes")
	}
	acceptMsg, afterMsg := ValidateAccept(accept, after)
	if acceptMsg != "" {
		f.Add("accept", acceptMsg)
	}
	if afterMsg != "" {
		f.Add("accept_after", afterMsg)
	}
}

// ValidHostname reports whether h is 1 to 63 letters, digits, dots or dashes.
func ValidHostname(h string) bool {
	if h == "" || len(h) > 63 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Policy decides which logins a honeypot accepts: pairs from an accept list, and, when
// AcceptAfter is above 0, any password once a source address has failed that many times
// (counted per address over failWindow, so one-attempt-per-connection bots get in too).
// It is safe for concurrent use.
type Policy struct {
	exact   map[string]bool // "user\x00password"
	anyPass map[string]bool // user with "*" as password
	anyUser map[string]bool // password with "*" as user
	all     bool            // "*:*"
	after   int

	mu    sync.Mutex
	fails map[netip.Addr]*failCount
	now   func() time.Time
}

type failCount struct {
	n    int
	last time.Time
}

const (
	failWindow   = time.Hour
	maxFailAddrs = 4096
)

// NewPolicy builds a policy from "user:password" entries (password may hold ':'; "*" is a
// wildcard for either side) and the AcceptAfter count (0 = never).
func NewPolicy(accept []string, after int) *Policy {
	p := &Policy{exact: map[string]bool{}, anyPass: map[string]bool{}, anyUser: map[string]bool{}, after: after, fails: map[netip.Addr]*failCount{}, now: time.Now}
	for _, e := range accept {
		u, pw, ok := strings.Cut(e, ":")
		if !ok {
			continue
		}
		switch {
		case u == "*" && pw == "*":
			p.all = true
		case pw == "*":
			p.anyPass[u] = true
		case u == "*":
			p.anyUser[pw] = true
		default:
			p.exact[u+"\x00"+pw] = true
		}
	}
	return p
}

// Check records one login attempt from src and says whether it is accepted.
func (p *Policy) Check(src netip.Addr, user, password string) bool {
	if p.all || p.exact[user+"\x00"+password] || p.anyPass[user] || p.anyUser[password] {
		return true
	}
	if p.after <= 0 {
		return false
	}
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.fails[src]
	if f != nil && now.Sub(f.last) > failWindow {
		f.n = 0
	}
	if f != nil && f.n >= p.after {
		f.last = now
		return true
	}
	if f == nil {
		if len(p.fails) >= maxFailAddrs {
			for a, c := range p.fails {
				if now.Sub(c.last) > failWindow {
					delete(p.fails, a)
				}
			}
			if len(p.fails) >= maxFailAddrs {
				clear(p.fails)
			}
		}
		f = &failCount{}
		p.fails[src] = f
	}
	f.n++
	f.last = now
	return false
}
