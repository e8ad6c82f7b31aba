package outbox

import (
	"errors"
	"testing"
)

// A round after a clean one takes twice as many, up to the courier's largest round; a failure
// or a short answer starts small again; a courier of fixed rounds stays at Round.
func TestNextSize(t *testing.T) {
	ok := func(n int) []error { return make([]error, n) }
	failed := append(ok(9), errors.New("down"))
	for _, tc := range []struct {
		name     string
		took     int
		results  []error
		most     int
		wantNext int
	}{
		{"a clean full round grows", 100, ok(100), GrowingRound, 200},
		{"a clean short round stays at Round", 10, ok(10), GrowingRound, Round},
		{"growth stops at the largest round", 1600, ok(1600), GrowingRound, GrowingRound},
		{"a failure starts small", 400, append(ok(390), failed...), GrowingRound, Round},
		{"outcomes missing start small", 400, ok(300), GrowingRound, Round},
		{"fixed rounds do not grow", 100, ok(100), Round, Round},
	} {
		if got := nextSize(tc.took, tc.results, tc.most); got != tc.wantNext {
			t.Errorf("%s: next round %d, want %d", tc.name, got, tc.wantNext)
		}
	}
}
