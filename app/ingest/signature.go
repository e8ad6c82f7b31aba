// Package ingest is the one path every event takes into the appliance: remote sensors over
// the HoneySens HTTP protocol and the built-in honeypots in process both end in Submit, which
// classifies, applies the filter rules and hands the events to the group-commit writer.
package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"

	"honeysens/app/model"
)

// Window is how far a signed request's timestamp may be from the server's clock.
const Window = 60 * time.Second

// Sign returns the hex HMAC-SHA256 of the HoneySens sensor protocol: the key is the sensor's
// secret, the message "<ts> <method> <body>" where method is "get" for GET and "create" for POST.
func Sign(secret string, ts int64, method string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10) + " " + method + " "))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// MethodWord maps an HTTP method to the word the signature covers.
func MethodWord(httpMethod string) string {
	if strings.EqualFold(httpMethod, "GET") {
		return "get"
	}
	return "create"
}

// Signed is what a sensor request carries in its X-HS-* headers.
type Signed struct {
	SensorID  string // X-HS-Sensor
	Timestamp string // X-HS-TS, Unix seconds
	Type      string // X-HS-Type, must be sha256
	Auth      string // X-HS-Auth, hex HMAC
}

// replayGuard remembers the signatures of requests accepted within the window, so that a
// captured request cannot be sent again while its timestamp is still fresh. Signatures are kept
// as 32 raw bytes, and expired ones are swept at most once per window, so that a busy sensor
// fleet costs neither a scan per request nor unbounded memory.
type replayGuard struct {
	mu        sync.Mutex
	seen      map[[sha256.Size]byte]time.Time
	lastSweep time.Time
}

// macKey is the binary form of a hex signature (ok false when it is not one).
func macKey(mac string) (k [sha256.Size]byte, ok bool) {
	b, err := hex.DecodeString(mac)
	if err != nil || len(b) != sha256.Size {
		return k, false
	}
	copy(k[:], b)
	return k, true
}

// claim takes the signature for one request and reports false when it was taken already
// within the window (a replay). Checking and taking in one step means two copies of a request
// sent at the same moment cannot both pass. A request that then fails releases its claim, so
// that the sensor can send it again.
func (g *replayGuard) claim(mac string, now time.Time) bool {
	k, ok := macKey(mac)
	if !ok {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if exp, ok := g.seen[k]; ok && now.Before(exp) {
		return false
	}
	if g.seen == nil {
		g.seen = map[[sha256.Size]byte]time.Time{}
	}
	if now.Sub(g.lastSweep) > Window {
		for key, exp := range g.seen {
			if now.After(exp) {
				delete(g.seen, key)
			}
		}
		g.lastSweep = now
	}
	// Twice the window: a timestamp may lie up to one window in the future.
	g.seen[k] = now.Add(2 * Window)
	return true
}

// release gives up a claim (the request failed).
func (g *replayGuard) release(mac string) {
	if k, ok := macKey(mac); ok {
		g.mu.Lock()
		delete(g.seen, k)
		g.mu.Unlock()
	}
}

// verify checks a signed request against the sensor's secret.
func verify(sig Signed, sensor *model.Sensor, method string, body []byte, now time.Time) error {
	if !strings.EqualFold(sig.Type, "sha256") {
		return model.Errorf(model.ErrForbidden, "Unsupported signature type; use X-HS-Type: sha256.")
	}
	ts, err := strconv.ParseInt(sig.Timestamp, 10, 64)
	if err != nil {
		return model.Errorf(model.ErrForbidden, "X-HS-TS is not a Unix timestamp.")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Window || d < -Window {
		return model.Errorf(model.ErrForbidden, "The request timestamp is outside the %s window; check the sensor's clock.", Window)
	}
	want := Sign(sensor.Secret, ts, MethodWord(method), body)
	got := strings.ToLower(sig.Auth)
	if !hmac.Equal([]byte(want), []byte(got)) {
		return model.Errorf(model.ErrForbidden, "Bad request signature.")
	}
	return nil
}
