package ssh

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// rsaBits is the size of the RSA host key, ssh-keygen's default.
const rsaBits = 3072

// LoadHostKeys reads the host keys from path, creating the file (mode 0600, in OpenSSH's
// private key format, ed25519 and rsa one after the other) when it does not exist, and adding
// a missing key type to an existing file. The signers come back in the order OpenSSH 9.2
// offers its host key algorithms: rsa-sha2-512, rsa-sha2-256, then ssh-ed25519.
func LoadHostKeys(path string) ([]gossh.Signer, error) {
	var edKey ed25519.PrivateKey
	var rsaKey *rsa.PrivateKey
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("ssh host keys: %w", err)
	default:
		rest := data
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			k, err := gossh.ParseRawPrivateKey(pem.EncodeToMemory(b))
			if err != nil {
				return nil, fmt.Errorf("ssh host keys: %s: %w", path, err)
			}
			switch k := k.(type) {
			case *ed25519.PrivateKey:
				edKey = *k
			case ed25519.PrivateKey:
				edKey = k
			case *rsa.PrivateKey:
				rsaKey = k
			}
		}
		if edKey == nil && rsaKey == nil {
			return nil, fmt.Errorf("ssh host keys: %s holds no ed25519 or rsa private key", path)
		}
	}
	if edKey == nil || rsaKey == nil {
		if edKey == nil {
			if _, edKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
				return nil, err
			}
		}
		if rsaKey == nil {
			if rsaKey, err = rsa.GenerateKey(rand.Reader, rsaBits); err != nil {
				return nil, err
			}
		}
		if err := writeKeys(path, edKey, rsaKey); err != nil {
			return nil, fmt.Errorf("ssh host keys: %w", err)
		}
	}
	rs, err := gossh.NewSignerFromKey(rsaKey)
	if err != nil {
		return nil, err
	}
	rsaSigner, err := gossh.NewSignerWithAlgorithms(rs.(gossh.AlgorithmSigner), []string{gossh.KeyAlgoRSASHA512, gossh.KeyAlgoRSASHA256})
	if err != nil {
		return nil, err
	}
	edSigner, err := gossh.NewSignerFromKey(edKey)
	if err != nil {
		return nil, err
	}
	return []gossh.Signer{rsaSigner, edSigner}, nil
}

func writeKeys(path string, keys ...crypto.PrivateKey) error {
	var out []byte
	for _, k := range keys {
		b, err := gossh.MarshalPrivateKey(k, "root@debian")
		if err != nil {
			return err
		}
		out = append(out, pem.EncodeToMemory(b)...)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".ssh_host_keys-*") // created 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
