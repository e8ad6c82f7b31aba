package auth

import (
	"encoding/base64"
	"fmt"
	"os"
	"runtime/metrics"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// The idle footprint (SPEC §5: idle RSS ≤ 30 MB) depends on what password hashing
// leaves behind. These tests pin the configuration; they do not measure RSS.

// initAllocs is how much the test binary allocated before any test ran: package init only.
var initAllocs uint64

func TestMain(m *testing.M) {
	initAllocs = readMetric("/gc/heap/allocs:bytes")
	os.Exit(m.Run())
}

func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestNoHashAtStart: loading the package runs no argon2 (the dummy hash for unknown logins
// used to be made at init, 19 MiB of every start's RSS).
func TestNoHashAtStart(t *testing.T) {
	t.Logf("package init allocated %d bytes", initAllocs)
	if initAllocs >= argonMemory*1024/2 { // a hash allocates argonMemory KiB at once
		t.Errorf("package init allocated %d bytes, half an argon2 run (%d) or more: is a hash made at start?",
			initAllocs, argonMemory*1024)
	}
}

// TestPasswordParameters: the parameters are one of OWASP's equivalent argon2id minimum sets,
// and the one needing least memory, so that a login does not double the appliance's footprint.
func TestPasswordParameters(t *testing.T) {
	owasp := map[[2]int]bool{{47104, 1}: true, {19456, 2}: true, {12288, 3}: true, {9216, 4}: true, {7168, 5}: true}
	if !owasp[[2]int{argonMemory, argonTime}] || argonThreads != 1 {
		t.Errorf("argon2id m=%d KiB t=%d p=%d is not an OWASP-recommended set", argonMemory, argonTime, argonThreads)
	}
	if argonMemory > 7*1024 {
		t.Errorf("argon2id m=%d KiB: each login would hold that much of the heap; OWASP's 7 MiB set is as strong", argonMemory)
	}
	if hashSlots*argonMemory > 16*1024 {
		t.Errorf("%d concurrent hashes of %d KiB: more than 16 MiB at once", hashSlots, argonMemory)
	}
}

// TestOldHashStillVerifies: hashes of earlier versions (19 MiB, 2 passes) keep working.
func TestOldHashStillVerifies(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("old password 1"), salt, 2, 19456, 1, 32)
	hash := fmt.Sprintf("$argon2id$v=19$m=19456,t=2,p=1$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	if ok, err := CheckPassword(hash, "old password 1"); err != nil || !ok {
		t.Errorf("CheckPassword(19 MiB hash, right password) = %v, %v; want true", ok, err)
	}
	if ok, err := CheckPassword(hash, "old password 2"); err != nil || ok {
		t.Errorf("CheckPassword(19 MiB hash, wrong password) = %v, %v; want false", ok, err)
	}
}

// TestHashReleasesMemory: after a hash, its block is handed back to the OS by a forced
// collection (debug.FreeOSMemory) instead of waiting minutes for the runtime to get to it.
func TestHashReleasesMemory(t *testing.T) {
	before := readMetric("/gc/cycles/forced:gc-cycles")
	if _, err := HashPassword("release me"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second) // it comes within milliseconds; the bound is for a loaded machine
	for readMetric("/gc/cycles/forced:gc-cycles") == before {
		if time.Now().After(deadline) {
			t.Fatal("no forced collection after a password hash: its memory stays in RSS for minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
