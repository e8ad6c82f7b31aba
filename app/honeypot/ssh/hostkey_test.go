package ssh

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"honeysens/app/honeypot"
)

// debianHostKeyAlgos is what Debian 12's sshd (OpenSSH 9.2p1, its three default host keys)
// offers, in its order.
const debianHostKeyAlgos = "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519"

// keyBlocks parses every private key of a key file.
func keyBlocks(t *testing.T, data []byte) []any {
	t.Helper()
	var keys []any
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return keys
		}
		k, err := gossh.ParseRawPrivateKey(pem.EncodeToMemory(b))
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
}

// publicKeys maps each signer's algorithm name to its key as sent to clients.
func publicKeys(signers []gossh.Signer) map[string][]byte {
	m := map[string][]byte{}
	for _, s := range signers {
		m[s.PublicKey().Type()] = s.PublicKey().Marshal()
	}
	return m
}

func TestHostKeyFileHasDebiansKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ssh_host_keys")
	signers, err := LoadHostKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, k := range keyBlocks(t, data) {
		switch k := k.(type) {
		case *rsa.PrivateKey:
			kinds = append(kinds, fmt.Sprintf("rsa %d", k.N.BitLen()))
		case *ecdsa.PrivateKey:
			kinds = append(kinds, "ecdsa "+k.Curve.Params().Name)
		case *ed25519.PrivateKey, ed25519.PrivateKey:
			kinds = append(kinds, "ed25519")
		default:
			kinds = append(kinds, fmt.Sprintf("%T", k))
		}
	}
	if got := strings.Join(kinds, ", "); got != "rsa 3072, ecdsa P-256, ed25519" {
		t.Errorf("new key file holds %s", got)
	}
	var algos []string
	for _, s := range signers {
		algos = append(algos, s.PublicKey().Type())
	}
	if got := strings.Join(algos, ","); got != debianHostKeyAlgos {
		t.Errorf("signers %s, want %s", got, debianHostKeyAlgos)
	}
	pk := publicKeys(signers)
	if !bytes.Equal(pk[gossh.KeyAlgoRSASHA512], pk[gossh.KeyAlgoRSASHA256]) {
		t.Error("the two RSA algorithms offer different keys")
	}
}

// A key file written before the ECDSA key was added (ed25519 and rsa) keeps both keys as
// they are and gets an ECDSA P-256 key appended; loading it again changes nothing.
func TestHostKeyFileUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ssh_host_keys")
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048) // any size: the file's key is kept as it is
	if err != nil {
		t.Fatal(err)
	}
	var old []byte
	for _, k := range []any{ed, rk} {
		b, err := gossh.MarshalPrivateKey(k, "root@debian")
		if err != nil {
			t.Fatal(err)
		}
		old = append(old, pem.EncodeToMemory(b)...)
	}
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	edPub, _ := gossh.NewPublicKey(ed.Public())
	rsaPub, _ := gossh.NewPublicKey(&rk.PublicKey)

	signers, err := LoadHostKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	upgraded, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(upgraded, old) {
		t.Fatal("the keys of the old file were not kept byte for byte")
	}
	keys := keyBlocks(t, upgraded)
	if len(keys) != 3 {
		t.Fatalf("upgraded file holds %d keys", len(keys))
	}
	if ec, ok := keys[2].(*ecdsa.PrivateKey); !ok || ec.Curve != elliptic.P256() {
		t.Fatalf("key added: %T", keys[2])
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v", err)
	}
	pk := publicKeys(signers)
	if !bytes.Equal(pk[gossh.KeyAlgoED25519], edPub.Marshal()) || !bytes.Equal(pk[gossh.KeyAlgoRSASHA512], rsaPub.Marshal()) ||
		!bytes.Equal(pk[gossh.KeyAlgoRSASHA256], rsaPub.Marshal()) {
		t.Error("the old keys are not the ones offered")
	}
	if pk[gossh.KeyAlgoECDSA256] == nil {
		t.Errorf("no ECDSA key offered: %d signers", len(signers))
	}

	again, err := LoadHostKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, upgraded) {
		t.Error("a complete key file was written again")
	}
	for algo, blob := range publicKeys(again) {
		if !bytes.Equal(blob, pk[algo]) {
			t.Errorf("%s changed on the second load", algo)
		}
	}
}

// serverKexInit reads the server's first KEXINIT and returns its host key algorithm list.
func serverKexInit(t *testing.T, addr string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n"); err != nil {
		t.Fatal(err)
	}
	var head [5]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		t.Fatal(err)
	}
	n := binary.BigEndian.Uint32(head[:4])
	if n > 35000 || int(head[4])+1 > int(n) {
		t.Fatalf("packet length %d, padding %d", n, head[4])
	}
	p := make([]byte, n-1)
	if _, err := io.ReadFull(r, p); err != nil {
		t.Fatal(err)
	}
	p = p[:len(p)-int(head[4])]
	if len(p) < 17 || p[0] != 20 { // SSH_MSG_KEXINIT, cookie
		t.Fatalf("first packet is not a KEXINIT: % x", p[:min(len(p), 17)])
	}
	p = p[17:]
	var lists []string
	for i := 0; i < 2; i++ { // kex_algorithms, server_host_key_algorithms
		if len(p) < 4 || int(binary.BigEndian.Uint32(p)) > len(p)-4 {
			t.Fatal("KEXINIT cut short")
		}
		l := binary.BigEndian.Uint32(p)
		lists = append(lists, string(p[4:4+l]))
		p = p[4+l:]
	}
	return lists[1]
}

func TestOfferedHostKeyAlgorithms(t *testing.T) {
	_, _, addr := start(t, Config{}, honeypot.Limits{})
	if got := serverKexInit(t, addr); got != debianHostKeyAlgos {
		t.Errorf("host key algorithms offered: %s, want %s (Debian 12's sshd)", got, debianHostKeyAlgos)
	}

	// every one of them works; the two RSA algorithms show the one RSA key
	seen := map[string]string{}
	for _, algo := range append(strings.Split(debianHostKeyAlgos, ","), "") {
		cfg := &gossh.ClientConfig{User: "root", Auth: []gossh.AuthMethod{gossh.Password("secret")}, Timeout: 20 * time.Second,
			HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error {
				seen[algo] = k.Type() + " " + gossh.FingerprintSHA256(k)
				return nil
			}}
		if algo != "" {
			cfg.HostKeyAlgorithms = []string{algo}
		}
		c, err := gossh.Dial("tcp", addr, cfg)
		if err != nil {
			t.Errorf("%s: %v", algo, err)
			continue
		}
		got := c.Conn.(gossh.AlgorithmsConnMetadata).Algorithms().HostKey
		c.Close()
		want := algo
		if algo == "" {
			want = gossh.KeyAlgoECDSA256 // x/crypto's client prefers ECDSA to RSA and Ed25519
		}
		if got != want {
			t.Errorf("asked for %q, negotiated %s", algo, got)
		}
	}
	if !strings.HasPrefix(seen[gossh.KeyAlgoRSASHA512], "ssh-rsa ") || seen[gossh.KeyAlgoRSASHA512] != seen[gossh.KeyAlgoRSASHA256] {
		t.Errorf("RSA keys seen: %q, %q", seen[gossh.KeyAlgoRSASHA512], seen[gossh.KeyAlgoRSASHA256])
	}
	if !strings.HasPrefix(seen[gossh.KeyAlgoECDSA256], "ecdsa-sha2-nistp256 ") || !strings.HasPrefix(seen[gossh.KeyAlgoED25519], "ssh-ed25519 ") {
		t.Errorf("keys seen: %q", seen)
	}
}

// OpenSSH's client sees sshd's offer and picks Ed25519, as it does with Debian's sshd.
func TestOpenSSHHostKeyOffer(t *testing.T) {
	needTool(t, "ssh")
	_, _, addr := start(t, Config{}, honeypot.Limits{})
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ssh", "-vv", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "ConnectTimeout=20", "-p", port, "root@"+host, "true").CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	s := string(out)
	_, peer, ok := strings.Cut(s, "peer server KEXINIT proposal")
	m := regexp.MustCompile(`host key algorithms: (\S+)`).FindStringSubmatch(peer)
	if !ok || m == nil || m[1] != debianHostKeyAlgos {
		t.Errorf("ssh -vv: server's host key algorithms %v, want %s\n%s", m, debianHostKeyAlgos, s)
	}
	mustContain(t, "ssh -vv", s, "kex: host key algorithm: ssh-ed25519", "Server host key: ssh-ed25519 SHA256:")
}

// nmap's ssh-hostkey lists the ECDSA and Ed25519 keys, as it does for Debian's sshd (nmap
// 7.93 asks for RSA as ssh-rsa, which sshd 9.2 and the honeypot no longer sign with).
//
// The script first says "SSH-1.5-Nmap-SSH1-Hostkey"; sshd answers "Protocol major versions
// differ." and closes, x/crypto sends its KEXINIT and waits, and nmap waits 30 s for an SSH-1
// key before it goes on: until the honeypot refuses SSH-1 clients as sshd does, this test
// takes that long.
func TestNmapHostKeys(t *testing.T) {
	needTool(t, "nmap")
	_, _, addr := start(t, Config{}, honeypot.Limits{})
	_, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "nmap", "-sV", "-Pn", "--script", "ssh-hostkey", "-p", port, "127.0.0.1").CombinedOutput()
	if err != nil {
		t.Fatalf("nmap: %v\n%s", err, out)
	}
	s := string(out)
	if !regexp.MustCompile(`(?m)^\|\s+256 [0-9a-f]{32} \(ECDSA\)$`).MatchString(s) ||
		!regexp.MustCompile(`(?m)^\|_\s+256 [0-9a-f]{32} \(ED25519\)$`).MatchString(s) {
		t.Errorf("nmap ssh-hostkey does not list the ECDSA and Ed25519 keys:\n%s", s)
	}
	t.Logf("%s", s)
}
