package auth

import (
	"encoding/base64"
	"strings"
	"testing"

	"honeysens/app/model"
)

// Every HashPassword / CheckPassword call costs one argon2id run (7 MiB), which is slow under
// the race detector, so the tests below use as few as they can.

func TestHashPasswordRoundTrip(t *testing.T) {
	const pw = "correct horse battery staple"
	hash, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") {
		t.Fatalf("hash %q does not start with $argon2id$", hash)
	}
	// PHC format: $argon2id$v=19$m=7168,t=5,p=1$<salt>$<key>
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" {
		t.Fatalf("hash %q has %d $-parts, want 6", hash, len(parts))
	}
	if parts[2] != "v=19" || parts[3] != "m=7168,t=5,p=1" {
		t.Errorf("version/params = %q / %q, want v=19 / m=7168,t=5,p=1", parts[2], parts[3])
	}
	if salt, err := base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) != 16 {
		t.Errorf("salt %q: %d bytes, %v; want 16 bytes of unpadded base64", parts[4], len(salt), err)
	}
	if key, err := base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) != 32 {
		t.Errorf("key %q: %d bytes, %v; want 32 bytes of unpadded base64", parts[5], len(key), err)
	}

	ok, err := CheckPassword(hash, pw)
	if err != nil || !ok {
		t.Errorf("CheckPassword(right password) = %v, %v; want true", ok, err)
	}
	ok, err = CheckPassword(hash, pw+"!")
	if err != nil || ok {
		t.Errorf("CheckPassword(wrong password) = %v, %v; want false, nil", ok, err)
	}

	// A fresh salt every time: the same password never hashes the same.
	again, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if again == hash {
		t.Error("two hashes of the same password are equal; the salt is not random")
	}
}

func TestCheckPasswordGarbage(t *testing.T) {
	const salt = "c2FsdHNhbHRzYWx0c2FsdA" // 16 bytes
	const key = "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	tests := map[string]string{
		"empty":             "",
		"plain text":        "hunter2",
		"bcrypt":            "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":           "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"too few parts":     "$argon2id$v=19$m=19456,t=2,p=1$" + salt,
		"bad params":        "$argon2id$v=19$memory=lots$" + salt + "$" + key,
		"bad salt":          "$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key,
		"bad key":           "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$***",
		"zero passes":       "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"zero parallelism":  "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"negative passes":   "$argon2id$v=19$m=19456,t=-1,p=1$" + salt + "$" + key,
		"parallelism > 255": "$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + key,
	}
	for name, hash := range tests {
		t.Run(name, func(t *testing.T) {
			ok, err := CheckPassword(hash, "hunter2")
			if err == nil {
				t.Errorf("CheckPassword(%q) = %v, nil; want an error", hash, ok)
			}
			if ok {
				t.Errorf("CheckPassword(%q) accepted a password", hash)
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret("x_"), NewSecret("x_")
	if a == b {
		t.Fatal("two secrets are equal")
	}
	if !strings.HasPrefix(a, "x_") {
		t.Errorf("secret %q lacks its prefix", a)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(a, "x_"))
	if err != nil || len(raw) != 32 {
		t.Errorf("secret body: %d bytes, %v; want 32 bytes of URL-safe base64", len(raw), err)
	}
}

func TestNewAPIToken(t *testing.T) {
	secret, hash := NewAPIToken()
	if !strings.HasPrefix(secret, "hs_") {
		t.Errorf("token %q does not start with hs_", secret)
	}
	if hash != HashSecret(secret) {
		t.Errorf("hash %q != HashSecret(secret) %q", hash, HashSecret(secret))
	}
	if strings.Contains(hash, strings.TrimPrefix(secret, "hs_")) {
		t.Error("the stored hash contains the secret")
	}
	secret2, hash2 := NewAPIToken()
	if secret2 == secret || hash2 == hash {
		t.Error("two API tokens are equal")
	}
}

func TestHashSecret(t *testing.T) {
	// SHA-256 test vector from FIPS 180-2.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashSecret("abc"); got != want {
		t.Errorf("HashSecret(abc) = %s, want %s", got, want)
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p := GeneratePassword()
		if msg := model.ValidatePassword(p); msg != "" {
			t.Fatalf("GeneratePassword() = %q fails ValidatePassword: %s", p, msg)
		}
		groups := strings.Split(p, "-")
		if len(groups) != 4 {
			t.Fatalf("password %q: %d groups, want 4", p, len(groups))
		}
		for _, g := range groups {
			if len(g) != 4 {
				t.Fatalf("password %q: group %q is not 4 characters", p, g)
			}
		}
		if strings.ContainsAny(p, "0O1lI") {
			t.Fatalf("password %q contains a look-alike character", p)
		}
		if seen[p] {
			t.Fatalf("password %q generated twice", p)
		}
		seen[p] = true
	}
}
