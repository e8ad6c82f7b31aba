package ssh

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// rsaBits is the size of the RSA host key, ssh-keygen's default.
const rsaBits = 3072

// hostKeys are the private host keys of the service, one per type, as a Debian 12 sshd has
// them (ssh-keygen -A: RSA 3072, ECDSA P-256, Ed25519).
type hostKeys struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
	ed  ed25519.PrivateKey
}

// LoadHostKeys reads the host keys from path: an RSA 3072, an ECDSA P-256 and an Ed25519 key,
// the three a Debian 12 sshd generates on installation. The file (mode 0600, OpenSSH's private
// key format, one PEM block per key) is created on first start. A file that lacks a key type
// (one written before the ECDSA key was added holds RSA and Ed25519 only) gets the missing key
// appended: the keys it holds stay exactly as they are, so their fingerprints, which clients
// remember, do not change.
//
// The signers come back in the order x/crypto offers them in, which is made the order
// Debian's sshd offers its host key algorithms in (its HostKey files: rsa, ecdsa, ed25519):
// "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519" (see rsaAlgorithm). A client
// picks by its own preference, not the server's: OpenSSH takes ssh-ed25519, Go's x/crypto
// client ecdsa-sha2-nistp256. Like sshd 9.2, no ssh-rsa (SHA-1) signatures are offered.
func LoadHostKeys(path string) ([]gossh.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("ssh host keys: %w", err)
	}
	var k hostKeys
	if err == nil {
		if err := k.parse(data); err != nil {
			return nil, fmt.Errorf("ssh host keys: %s: %w", path, err)
		}
		if k.rsa == nil && k.ec == nil && k.ed == nil {
			return nil, fmt.Errorf("ssh host keys: %s holds no rsa, ecdsa or ed25519 private key", path)
		}
	}
	added, err := k.addMissing()
	if err != nil {
		return nil, fmt.Errorf("ssh host keys: %w", err)
	}
	if len(added) > 0 {
		if err := writeKeys(path, data, added...); err != nil {
			return nil, fmt.Errorf("ssh host keys: %w", err)
		}
	}
	return k.signers()
}

// parse reads every PEM block of a key file. Of each type the last key counts; blocks that
// are no rsa, ecdsa or ed25519 key are left alone.
func (k *hostKeys) parse(data []byte) error {
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil
		}
		key, err := gossh.ParseRawPrivateKey(pem.EncodeToMemory(b))
		if err != nil {
			return err
		}
		switch key := key.(type) {
		case *ed25519.PrivateKey:
			k.ed = *key
		case ed25519.PrivateKey:
			k.ed = key
		case *rsa.PrivateKey:
			k.rsa = key
		case *ecdsa.PrivateKey:
			k.ec = key
		}
	}
}

// addMissing generates the key types the file lacks and returns them, in the order they go
// into the file.
func (k *hostKeys) addMissing() ([]crypto.PrivateKey, error) {
	var added []crypto.PrivateKey
	if k.rsa == nil {
		key, err := rsa.GenerateKey(rand.Reader, rsaBits)
		if err != nil {
			return nil, err
		}
		k.rsa = key
		added = append(added, key)
	}
	if k.ec == nil {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		k.ec = key
		added = append(added, key)
	}
	if k.ed == nil {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		k.ed = key
		added = append(added, key)
	}
	return added, nil
}

// signers returns the host key signers in the order sshd offers them.
func (k *hostKeys) signers() ([]gossh.Signer, error) {
	rs, err := gossh.NewSignerFromKey(k.rsa)
	if err != nil {
		return nil, err
	}
	ecSigner, err := gossh.NewSignerFromKey(k.ec)
	if err != nil {
		return nil, err
	}
	edSigner, err := gossh.NewSignerFromKey(k.ed)
	if err != nil {
		return nil, err
	}
	rsaSigner := rs.(gossh.AlgorithmSigner)
	return []gossh.Signer{
		rsaAlgorithm{rsaSigner, gossh.KeyAlgoRSASHA512},
		rsaAlgorithm{rsaSigner, gossh.KeyAlgoRSASHA256},
		ecSigner, edSigner,
	}, nil
}

// rsaAlgorithm is the RSA host key offered under one signature algorithm. x/crypto lists the
// algorithms of one RSA signer in an order of its own (rsa-sha2-256 first), with no setting
// to change it, while sshd lists rsa-sha2-512 first. x/crypto takes the name it offers for a
// host key that is no AlgorithmSigner from its public key's Type(), and signs with such a key
// when the client picked that name: so one rsaAlgorithm per algorithm, in sshd's order, gives
// sshd's offer. The key sent to the client (Marshal) is the one ssh-rsa key, and the
// signatures are those of the algorithm, exactly as from sshd. ssh-rsa (SHA-1) signatures,
// which sshd 9.2 no longer makes, are not offered.
type rsaAlgorithm struct {
	signer gossh.AlgorithmSigner
	algo   string // gossh.KeyAlgoRSASHA512 or gossh.KeyAlgoRSASHA256
}

func (r rsaAlgorithm) PublicKey() gossh.PublicKey {
	return rsaAlgorithmKey{r.signer.PublicKey(), r.algo}
}

func (r rsaAlgorithm) Sign(rand io.Reader, data []byte) (*gossh.Signature, error) {
	return r.signer.SignWithAlgorithm(rand, data, r.algo)
}

// rsaAlgorithmKey is the RSA public key named by one signature algorithm (see rsaAlgorithm);
// everything but Type is the key's own.
type rsaAlgorithmKey struct {
	gossh.PublicKey
	algo string
}

func (k rsaAlgorithmKey) Type() string { return k.algo }

// writeKeys replaces the file at path by old (its current content, kept byte for byte)
// followed by the keys, atomically and with mode 0600.
func writeKeys(path string, old []byte, keys ...crypto.PrivateKey) error {
	out := bytes.Clone(old)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
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
