// Package auth holds what decides who someone is and what they may do: password hashing,
// secret tokens, the login rate limiter and the Principal that every request carries.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: one of OWASP's equivalent minimum configurations (Password Storage Cheat
// Sheet: 19 MiB and 2 passes, 12 MiB and 3, 9 MiB and 4, 7 MiB and 5, each with 1 lane). This
// one needs the least memory: every hash allocates its m KiB block on the Go heap at once, and
// on a 1 GB Pi with an idle footprint of about 30 MB, 19 MiB per login was most of it (with
// 19 MiB, the first admin's hash and the dummy hash below made RSS 60 MB right after start). It takes
// 19 ms here, the 19 MiB set 21 ms. Hashes made with other parameters (the 19 MiB ones of
// earlier versions) still verify: CheckPassword reads the parameters from the hash. hashSlots
// bounds how many hashes run at once, so how much memory they can take together.
const (
	argonTime    = 5
	argonMemory  = 7 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	hashSlots    = 2
)

var hashSem = make(chan struct{}, hashSlots)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := derive(password, salt, argonTime, argonMemory, argonThreads)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

func derive(password string, salt []byte, t, m uint32, p uint8) []byte {
	defer releaseHashMemory() // after the slot is free
	hashSem <- struct{}{}
	defer func() { <-hashSem }()
	return argon2.IDKey([]byte(password), salt, t, m, p, argonKeyLen)
}

// releaseHashMemory hands the block of a finished hash back to the OS soon. Left to the
// runtime, it stays in RSS for minutes: no collection runs until the heap doubles or two
// minutes pass, and the scavenger then returns free pages only gradually (measured: the two
// 19 MiB hashes of a first start kept RSS at 61 MB for 2 minutes, 27 MB after 5). A full
// collection plus scavenge takes a millisecond or two with the appliance's small heap, little
// next to a hash; it runs beside the caller, and requests that arrive while one runs make one
// more run, not many.
func releaseHashMemory() {
	releaseOnce.Do(func() { go releaser() })
	select {
	case releaseRequests <- struct{}{}:
	default: // a release is already pending and will cover this hash too
	}
}

var (
	releaseOnce     sync.Once
	releaseRequests = make(chan struct{}, 1)
)

func releaser() {
	for range releaseRequests {
		debug.FreeOSMemory()
	}
}

// CheckPassword reports whether password matches the stored hash.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("auth: unknown password hash format")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("auth: bad password hash parameters: %w", err)
	}
	if t < 1 || p < 1 { // argon2 panics on these
		return false, fmt.Errorf("auth: bad password hash parameters %q", parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("auth: bad password hash salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("auth: bad password hash: %w", err)
	}
	got := derive(password, salt, t, m, p)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when a login names an unknown user, so that the answer takes
// as long as for a known user and does not reveal which logins exist. It is made at the first
// such login, not at start: an argon2 run at package init cost every start 19 MiB of RSS.
// A user whose hash predates the current parameters takes about 2 ms longer to
// check than an unknown login; the login limiter allows too few tries per name to measure that
// through the network.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("honeysens-no-such-user")
	return h
})

// CheckUnknownUser burns the time of one password check.
func CheckUnknownUser(password string) { _, _ = CheckPassword(dummyHash(), password) }

// NewSecret returns a random URL-safe token with the given prefix (e.g. "hs_" for API tokens).
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error()) // crypto/rand never fails on Linux
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// NewAPIToken returns a new personal API token and the hash to store. The "hs_" prefix makes a
// leaked token recognisable in logs and to secret scanners.
func NewAPIToken() (secret, hash string) {
	secret = NewSecret("hs_")
	return secret, HashSecret(secret)
}

// NewSensorSecret returns a sensor's HMAC key: 32 random bytes as 64 hex digits, the form
// HoneySens sensors keep in their configuration.
func NewSensorSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// HashSecret returns the hex SHA-256 under which a session or API token is stored. Tokens are
// 256-bit random values, so a plain hash (unlike a password) cannot be brute-forced.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// GeneratePassword returns a random password that is easy to type: 4 groups of 4 letters and
// digits without look-alikes (0/O, 1/l/I).
func GeneratePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}
