// Package ingest is the one path every event takes into the appliance: remote sensors over
// the HoneySens HTTP protocol and the built-in honeypots in process both end in Submit, which
// classifies, applies the filter rules and hands the events to the group-commit writer.
package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"honeysens/app/sensorproto"
)

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
	if now.Sub(g.lastSweep) > sensorproto.Window {
		for key, exp := range g.seen {
			if now.After(exp) {
				delete(g.seen, key)
			}
		}
		g.lastSweep = now
	}
	// Twice the window: a timestamp may lie up to one window in the future.
	g.seen[k] = now.Add(2 * sensorproto.Window)
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
