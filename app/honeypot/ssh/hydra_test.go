package ssh

import (
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

func hydraStart(t *testing.T) func() (string, func(), *hptest.Recorder) {
	return func() (string, func(), *hptest.Recorder) {
		s, rec, addr := start(t, Config{Accept: []string{}}, honeypot.Limits{})
		return addr, s.Stop, rec
	}
}

// TestHydra: hydra's ssh module with 200 pairs and four tasks. It keeps a connection while
// the user name stays the same (five pairs per user here, fewer than MaxAuthTries), so
// several passwords go over one connection: every pair is recorded once, with the right user
// and password, and hydra ends without errors.
func TestHydra(t *testing.T) {
	pairs := hptest.HydraPairs(200, 5)
	h := hptest.Hydra{Service: "ssh", Tasks: 4, Pairs: pairs, Timeout: 3 * time.Minute}
	_, events := h.Run(t, hydraStart(t))
	n := hptest.CheckLogins(t, events, pairs)
	most := 0
	for _, e := range events {
		most = max(most, len(e.Logins))
	}
	t.Logf("%d pairs sent, %d logins recorded in %d events, at most %d in one", len(pairs), n, len(events), most)
	if most < 2 {
		t.Error("no connection with several attempts")
	}
}

// TestHydraMaxAuthTries: eight passwords for one user over one connection. As OpenSSH does,
// the server ends the connection at the sixth failure instead of answering it; hydra cannot
// tell that this password was checked and sends it again on a new connection. Each of the
// nine attempts is recorded once: the sixth pair twice, once per connection.
func TestHydraMaxAuthTries(t *testing.T) {
	pairs := hptest.HydraPairs(8, 8)
	// -w: hydra's ssh library waits that long for the cut connection before it reconnects
	h := hptest.Hydra{Service: "ssh", Tasks: 1, Pairs: pairs, Args: []string{"-w", "3"}, Timeout: 2 * time.Minute}
	_, events := h.Run(t, hydraStart(t))
	var attempts []model.Login
	var cut *model.Event
	for _, e := range events {
		attempts = append(attempts, e.Logins...)
		if strings.Contains(hptest.Details(e), "(too many authentication failures)") {
			cut = e
		}
	}
	if len(attempts) != len(pairs)+1 || cut == nil || len(cut.Logins) != maxAuthTries {
		t.Fatalf("%d attempts, want %d; connection cut at the limit: %v", len(attempts), len(pairs)+1, cut != nil)
	}
	sixth := hptest.Pair{User: cut.Logins[maxAuthTries-1].User, Password: cut.Logins[maxAuthTries-1].Password}
	if sixth != pairs[maxAuthTries-1] {
		t.Errorf("last attempt of the cut connection %v, want %v", sixth, pairs[maxAuthTries-1])
	}
	var rest []*model.Event
	for _, e := range events {
		if e != cut {
			rest = append(rest, e)
		}
	}
	hptest.CheckLogins(t, []*model.Event{cut}, pairs[:maxAuthTries])
	hptest.CheckLogins(t, rest, pairs[maxAuthTries-1:])
}
