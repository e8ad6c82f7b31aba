package metrics

import (
	"crypto/subtle"
	"fmt"
	"net/netip"
	"strings"

	"honeysens/app/auth"
	"honeysens/app/model"
)

// SettingsSection is the settings section the metrics settings are stored under.
const SettingsSection = "metrics"

// maxAllow caps the allow-list; a site lists its Prometheus servers, not a directory.
const maxAllow = 100

// Settings are System → Metrics: whether GET /metrics answers and who may read it. When both a
// token and an allow-list are set, a scrape must pass both.
type Settings struct {
	Enabled bool `json:"enabled"`
	// Token is the hex SHA-256 of the bearer token scrapers send ("" = none). The token itself
	// is shown once, when it is generated, as API tokens are.
	Token string `json:"token"`
	// Allow lists the addresses and networks (CIDR) that may scrape; empty = any address.
	Allow []string `json:"allow"`
}

// NewToken returns a new bearer token and stores its hash in the settings. The "hsm_" prefix
// tells it apart from a user's API token in a scrape configuration or a log.
func (s *Settings) NewToken() string {
	tok := auth.NewSecret("hsm_")
	s.Token = auth.HashSecret(tok)
	return tok
}

// Validate checks the settings and writes the allow-list in canonical form (a network's
// address bits past its prefix cleared).
func (s *Settings) Validate() error {
	f := model.FieldErrors{}
	if len(s.Allow) > maxAllow {
		f.Add("allow", fmt.Sprintf("List at most %d addresses or networks.", maxAllow))
	}
	for i, a := range s.Allow {
		p, err := parseAllow(a)
		if err != nil {
			f.Add("allow", fmt.Sprintf("%q is not an address or network such as 192.0.2.10 or 10.0.0.0/8.", strings.TrimSpace(a)))
			continue
		}
		if p.IsSingleIP() {
			s.Allow[i] = p.Addr().String()
		} else {
			s.Allow[i] = p.String()
		}
	}
	if s.Enabled && s.Token == "" && len(s.Allow) == 0 {
		f.Add("enabled", "Generate a token or list the allowed addresses first: the metrics are never open to everyone.")
	}
	return f.Err()
}

// parseAllow reads one allow-list entry: an address or a network.
func parseAllow(a string) (netip.Prefix, error) {
	a = strings.TrimSpace(a)
	if strings.Contains(a, "/") {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			return p, err
		}
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()).Masked(), nil
	}
	addr, err := netip.ParseAddr(a)
	if err != nil {
		return netip.Prefix{}, err
	}
	addr = addr.Unmap()
	return netip.PrefixFrom(addr, addr.BitLen()), nil
}

// Check decides whether a scrape from ip with the Authorization header authorization may read
// the metrics: nil, or the error to answer. Switched off, the endpoint answers as if it did not
// exist, so a scanner learns nothing.
func (s *Settings) Check(ip, authorization string) error {
	if !s.Enabled {
		return model.Errorf(model.ErrNotFound, "No such page.")
	}
	if len(s.Allow) > 0 && !s.allows(ip) {
		return model.Errorf(model.ErrForbidden, "This address may not read the metrics.")
	}
	if s.Token != "" {
		tok, bearer := strings.CutPrefix(authorization, "Bearer ")
		// Hashes of equal length compared in constant time: the answer's timing tells nothing
		// about the stored token.
		if !bearer || subtle.ConstantTimeCompare([]byte(auth.HashSecret(strings.TrimSpace(tok))), []byte(s.Token)) != 1 {
			return model.Errorf(model.ErrUnauthorized, "Send the metrics token as Authorization: Bearer <token>.")
		}
	}
	return nil
}

// allows reports whether ip is on the allow-list.
func (s *Settings) allows(ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, a := range s.Allow {
		if p, err := parseAllow(a); err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}
