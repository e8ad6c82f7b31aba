package ftp

import (
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot/hptest"
)

// TestHydra: hydra's ftp module with 200 pairs and four tasks, many attempts per connection:
// every pair is recorded once, with the right user and password, and hydra ends without
// errors.
func TestHydra(t *testing.T) {
	pairs := hptest.HydraPairs(200, 5)
	h := hptest.Hydra{Service: "ftp", Tasks: 4, Pairs: pairs, Timeout: 3 * time.Minute}
	_, events := h.Run(t, func() (string, func(), *hptest.Recorder) {
		svc, rec := start(t, Config{Accept: []string{}})
		return svc.Addr().String(), svc.Stop, rec
	})
	n := hptest.CheckLogins(t, events, pairs)
	t.Logf("%d pairs sent, %d logins recorded in %d events", len(pairs), n, len(events))
}

// TestHydraCommandLimit: when the command limit ends a connection, it ends after the answer
// to a complete attempt, so hydra tries its next pair on a new connection; none is lost.
func TestHydraCommandLimit(t *testing.T) {
	pairs := hptest.HydraPairs(40, 5)
	h := hptest.Hydra{Service: "ftp", Tasks: 1, Pairs: pairs, Timeout: 2 * time.Minute}
	_, events := h.Run(t, func() (string, func(), *hptest.Recorder) {
		svc, rec := start(t, Config{Accept: []string{}, MaxCommands: 3})
		return svc.Addr().String(), svc.Stop, rec
	})
	n := hptest.CheckLogins(t, events, pairs)
	t.Logf("%d pairs sent, %d logins recorded in %d events", len(pairs), n, len(events))
	cut := 0
	for _, e := range events {
		if strings.Contains(hptest.Details(e), "command limit reached") {
			cut++
			if len(e.Logins) != 2 {
				t.Errorf("%d logins, want 2 (1 within the limit, the 2nd's PASS past it):\n%s", len(e.Logins), hptest.Details(e))
			}
		}
	}
	if cut != 20 {
		t.Errorf("%d connections ended at the command limit, want 20", cut)
	}
}
