package honeypot

import (
	"cmp"
	"net"
	"net/netip"
	"strconv"

	"honeysens/app/model"
)

// ValidateListen checks a service's listen setting and records what is wrong with it under the
// field "listen" of f, so that a bad address is refused when it is configured, not when the
// service fails to bind it. With an example port (e.g. "21", shown in the message) the setting is "address:port",
// the address an IP address or empty (all addresses); without one it is an IP address alone,
// as for recon, which binds that address once per port it lists.
func ValidateListen(f model.FieldErrors, listen, examplePort string) {
	if msg := listenProblem(listen, examplePort); msg != "" {
		f.Add("listen", msg)
	}
}

// listenProblem is ValidateListen's message for the UI, "" when the setting is fine.
func listenProblem(s, examplePort string) string {
	if examplePort == "" {
		if _, err := netip.ParseAddr(s); err != nil {
			return "Use an IP address, e.g. 0.0.0.0 for every interface."
		}
		return ""
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return `Use "address:port", e.g. "0.0.0.0:` + examplePort + `".`
	}
	if host != "" && net.ParseIP(host) == nil {
		return "Use an IP address (or none for all addresses)."
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return "Use a port from 1 to 65535."
	}
	return ""
}

// Printable reports whether s is 1 to max bytes of printable ASCII on one line, as banners and
// other texts sent to clients must be.
func Printable(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// OrDefault is a setting's value, or def when it is unset: empty text, or a number of zero or
// less. A stored config saved empty, or by a version without the setting, runs with the
// current default.
func OrDefault[T cmp.Ordered](v, def T) T {
	var unset T // "" or 0; no text sorts before "", so v <= unset means empty text
	if v <= unset {
		return def
	}
	return v
}
