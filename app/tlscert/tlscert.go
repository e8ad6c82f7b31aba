// Package tlscert provides the appliance's HTTPS certificate (a generated self-signed one or
// the operator's files) and the certificate pin with which remote sensors and the health check
// recognise the appliance without a certificate authority.
package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Modes of --tls.
const (
	ModeOff        = "off"
	ModeSelfSigned = "self-signed"
	ModeFiles      = "files"
)

// File names of the generated certificate in the data directory.
const (
	SelfSignedCert = "tls-cert.pem"
	SelfSignedKey  = "tls-key.pem"
)

// Validity of a generated certificate.
const Validity = 10 * 365 * 24 * time.Hour

// CertPaths returns the certificate and key files a mode serves: the generated pair in the
// data directory for self-signed, the operator's files for files, nothing for off.
func CertPaths(mode, dataDir, certFile, keyFile string) (cert, key string) {
	switch mode {
	case ModeSelfSigned:
		return filepath.Join(dataDir, SelfSignedCert), filepath.Join(dataDir, SelfSignedKey)
	case ModeFiles:
		return certFile, keyFile
	}
	return "", ""
}

// Load returns the certificate to serve in the given mode (nil for off). In self-signed mode
// it generates the key and certificate into dataDir on the first call and reuses them after;
// generated reports whether it did so now.
func Load(mode, dataDir, certFile, keyFile string) (cert *tls.Certificate, generated bool, err error) {
	certPath, keyPath := CertPaths(mode, dataDir, certFile, keyFile)
	switch mode {
	case ModeOff, "":
		return nil, false, nil
	case ModeSelfSigned:
		if _, err := os.Stat(certPath); errors.Is(err, os.ErrNotExist) {
			if err := GenerateSelfSigned(certPath, keyPath, time.Now()); err != nil {
				return nil, false, err
			}
			generated = true
		}
	case ModeFiles:
	default:
		return nil, false, fmt.Errorf("tls %q: want off, self-signed or files", mode)
	}
	c, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, false, fmt.Errorf("tls: load certificate %s and key %s: %w", certPath, keyPath, err)
	}
	if c.Leaf == nil { // Go 1.23+ fills Leaf; keep older behaviour safe
		if c.Leaf, err = x509.ParseCertificate(c.Certificate[0]); err != nil {
			return nil, false, fmt.Errorf("tls: parse certificate %s: %w", certPath, err)
		}
	}
	return &c, generated, nil
}

// GenerateSelfSigned writes a new ECDSA P-256 key (mode 0600) and a self-signed certificate,
// valid for Validity from now, whose SANs are this host's name, localhost and every address
// of its interfaces (loopback included). The key is written first and the certificate last,
// so that a crash in between leaves no certificate and the next start generates both again.
func GenerateSelfSigned(certPath, keyPath string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("tls: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return fmt.Errorf("tls: serial number: %w", err)
	}
	names, ips := hostNames()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: names[0], Organization: []string{"HoneySens appliance"}},
		NotBefore:             now.Add(-time.Hour), // tolerate a sensor clock a little behind
		NotAfter:              now.Add(Validity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              names,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("tls: create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("tls: encode key: %w", err)
	}
	if err := writeFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return writeFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// hostNames returns the DNS names and IP addresses a generated certificate covers.
func hostNames() ([]string, []net.IP) {
	var names []string
	if h, err := os.Hostname(); err == nil && h != "" && h != "localhost" {
		names = append(names, h)
		if short, _, ok := strings.Cut(h, "."); ok && short != "" {
			names = append(names, short)
		}
	}
	names = append(names, "localhost")
	ips := []net.IP{net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			// IPv6 link-local addresses need a zone, which a URL to the appliance cannot carry.
			if !ok || n.IP.IsLoopback() || (n.IP.IsLinkLocalUnicast() && n.IP.To4() == nil) {
				continue
			}
			ip := n.IP
			if v4 := ip.To4(); v4 != nil {
				ip = v4
			}
			ips = append(ips, ip)
		}
	}
	return names, ips
}

func writeFile(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return fmt.Errorf("tls: write %s: %w", path, err)
	}
	if err := os.Chmod(tmp, perm); err != nil { // WriteFile's perm is masked by the umask
		os.Remove(tmp)
		return fmt.Errorf("tls: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("tls: write %s: %w", path, err)
	}
	return nil
}

// ServerConfig is the TLS configuration the appliance's listener serves: TLS 1.2 or newer.
func ServerConfig(cert *tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
}

// Fingerprint is the pin of a certificate: the hex SHA-256 of its leaf's DER encoding.
func Fingerprint(cert *tls.Certificate) string {
	if cert == nil || len(cert.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(cert.Certificate[0])
	return hex.EncodeToString(sum[:])
}

// FingerprintFile reads the first certificate of a PEM file and returns its pin.
func FingerprintFile(path string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("tls: %w", err)
	}
	for {
		var b *pem.Block
		b, raw = pem.Decode(raw)
		if b == nil {
			return "", fmt.Errorf("tls: %s holds no PEM certificate", path)
		}
		if b.Type == "CERTIFICATE" {
			sum := sha256.Sum256(b.Bytes)
			return hex.EncodeToString(sum[:]), nil
		}
	}
}

// ValidPin reports whether s has the form of a pin: 64 hex digits.
func ValidPin(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// ErrPinMismatch is a server certificate other than the pinned one.
var ErrPinMismatch = errors.New("the server's certificate does not match the pinned server_cert_sha256")

// PinnedClientConfig is a client TLS configuration that accepts exactly the certificate with
// the given pin and nothing else, whatever its names, issuer or dates: the pin replaces the
// certificate authority. The check runs in VerifyConnection, which (unlike
// VerifyPeerCertificate) also runs on resumed sessions, so every connection is checked.
func PinnedClientConfig(pin string) *tls.Config {
	want := strings.ToLower(pin)
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by the pin check below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return ErrPinMismatch
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			got := hex.EncodeToString(sum[:])
			if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				return fmt.Errorf("%w (server presents %s)", ErrPinMismatch, got)
			}
			return nil
		},
	}
}
