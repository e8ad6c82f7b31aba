package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestSelfSignedIsGeneratedOnceAndReused(t *testing.T) {
	dir := t.TempDir()
	c1, gen, err := Load(ModeSelfSigned, dir, "", "")
	if err != nil || !gen || c1 == nil {
		t.Fatalf("first load: %v %v", gen, err)
	}
	fi, err := os.Stat(filepath.Join(dir, SelfSignedKey))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi.Mode(), err)
	}
	leaf := c1.Leaf
	if leaf.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("key algorithm %v, want ECDSA", leaf.PublicKeyAlgorithm)
	}
	if d := leaf.NotAfter.Sub(leaf.NotBefore); d < Validity {
		t.Errorf("validity %s", d)
	}
	if !slices.Contains(leaf.DNSNames, "localhost") {
		t.Errorf("DNS names %v lack localhost", leaf.DNSNames)
	}
	if h, _ := os.Hostname(); h != "" && h != "localhost" && !slices.Contains(leaf.DNSNames, h) {
		t.Errorf("DNS names %v lack the host name %s", leaf.DNSNames, h)
	}
	for _, ip := range []string{"127.0.0.1", "::1"} {
		if err := leaf.VerifyHostname(ip); err != nil {
			t.Errorf("certificate does not cover %s: %v", ip, err)
		}
	}
	if addrs, _ := net.InterfaceAddrs(); len(addrs) > 0 {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
				if err := leaf.VerifyHostname(n.IP.String()); err != nil {
					t.Errorf("certificate does not cover this host's address %s", n.IP)
				}
			}
		}
	}

	c2, gen, err := Load(ModeSelfSigned, dir, "", "")
	if err != nil || gen {
		t.Fatalf("second load: generated=%v %v", gen, err)
	}
	if Fingerprint(c1) != Fingerprint(c2) {
		t.Error("the second start made a new certificate instead of reusing the first")
	}
	pin, err := FingerprintFile(filepath.Join(dir, SelfSignedCert))
	if err != nil || pin != Fingerprint(c1) || !ValidPin(pin) {
		t.Errorf("pin from file %q %v, served %q", pin, err, Fingerprint(c1))
	}
}

func TestFilesModeAndOff(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := GenerateSelfSigned(cert, key, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, gen, err := Load(ModeFiles, "/nonexistent", cert, key)
	if err != nil || gen || c == nil {
		t.Fatalf("files: %v %v", gen, err)
	}
	if _, _, err := Load(ModeFiles, dir, filepath.Join(dir, "missing.pem"), key); err == nil {
		t.Error("a missing certificate file was accepted")
	}
	if c, _, err := Load(ModeOff, dir, "", ""); c != nil || err != nil {
		t.Errorf("off: %v %v", c, err)
	}
	if _, _, err := Load("maybe", dir, "", ""); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestPinnedClientAcceptsOnlyThePinnedCertificate(t *testing.T) {
	dir := t.TempDir()
	cert, _, err := Load(ModeSelfSigned, dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	srv.TLS = ServerConfig(cert)
	srv.StartTLS()
	defer srv.Close()

	get := func(pin string) error {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: PinnedClientConfig(pin)}, Timeout: 5 * time.Second}
		res, err := c.Get(srv.URL)
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	if err := get(Fingerprint(cert)); err != nil {
		t.Errorf("pinned certificate refused: %v", err)
	}
	other, _, _ := Load(ModeSelfSigned, t.TempDir(), "", "")
	if err := get(Fingerprint(other)); !errors.Is(err, ErrPinMismatch) {
		t.Errorf("foreign certificate: %v, want ErrPinMismatch", err)
	}
	// TLS 1.1 and older are refused by the server.
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}}}
	if res, err := old.Get(srv.URL); err == nil {
		res.Body.Close()
		t.Error("TLS 1.1 accepted")
	}
}
