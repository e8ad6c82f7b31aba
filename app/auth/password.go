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
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: the OWASP minimum (19 MiB, 2 passes, 1 lane), about 20 ms here. The
// memory cost is per concurrent hash, so hashSlots bounds how many run at once on a 1 GB Pi.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
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
	hashSem <- struct{}{}
	defer func() { <-hashSem }()
	return argon2.IDKey([]byte(password), salt, t, m, p, argonKeyLen)
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
// as long as for a known user and does not reveal which logins exist.
var dummyHash, _ = HashPassword("honeysens-no-such-user")

// CheckUnknownUser burns the time of one password check.
func CheckUnknownUser(password string) { CheckPassword(dummyHash, password) }

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
