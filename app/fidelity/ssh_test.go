package fidelity

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/honeypot/ssh"
)

// What the SSH honeypot cannot do as OpenSSH 9.2 does, because golang.org/x/crypto/ssh
// (v0.59.0) lacks it or does it its own way without a setting to change. Every difference
// the tools show between Debian's sshd and the honeypot must be here, and everything here
// must still be a difference. A key is "<tool>: -<what only sshd shows>" or
// "<tool>: +<what only the honeypot shows>" after fingerprints and ports are normalised.
var sshUnavoidable = map[string]string{
	"ssh-audit kex: -sntrup761x25519-sha512":                               noSntrup,
	"ssh-audit kex: -sntrup761x25519-sha512@openssh.com":                   noSntrup,
	"ssh-audit kex: -diffie-hellman-group18-sha512":                        noGroup18,
	"ssh-audit mac: -umac-64-etm@openssh.com":                              noUMAC,
	"ssh-audit mac: -umac-128-etm@openssh.com":                             noUMAC,
	"ssh-audit mac: -umac-64@openssh.com":                                  noUMAC,
	"ssh-audit mac: -umac-128@openssh.com":                                 noUMAC,
	"ssh-audit mac: -hmac-sha1-etm@openssh.com":                            noSHA1ETM,
	"ssh-audit compression: -zlib@openssh.com":                             noZlib,
	"ssh-audit: -(gen) compression: enabled (zlib@openssh.com)":            noZlib,
	"ssh-audit: +(gen) compression: disabled":                              noZlib,
	"ssh-audit: -(gen) compatibility: OpenSSH 8.5+, Dropbear SSH 2018.76+": "ssh-audit dates a server by its newest algorithm, sntrup761 (OpenSSH 8.5)",
	"ssh-audit: +(gen) compatibility: OpenSSH 7.4+, Dropbear SSH 2018.76+": "ssh-audit dates a server by its newest algorithm, curve25519-sha256 (OpenSSH 7.4) without sntrup761",

	"ssh -v: -debug1: kex: algorithm: sntrup761x25519-sha512": noSntrup + "; OpenSSH's client takes it first",
	"ssh -v: +debug1: kex: algorithm: curve25519-sha256":      noSntrup + "; OpenSSH's client takes it first",
	"ssh -v: -debug1: kex_input_ext_info: server-sig-algs=<ssh-ed25519,sk-ssh-ed25519@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ecdsa-sha2-nistp256@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com,ssh-dss,ssh-rsa,rsa-sha2-256,rsa-sha2-512>": noSigAlgs,
	"ssh -v: +debug1: kex_input_ext_info: server-sig-algs=<ssh-ed25519,sk-ssh-ed25519@openssh.com,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ecdsa-sha2-nistp256@openssh.com,ssh-rsa,rsa-sha2-256,rsa-sha2-512>":                                                     noSigAlgs,
	"ssh -v: -debug1: kex_input_ext_info: publickey-hostbound@openssh.com=<0>": noExtInfo,
	"ssh -v: +debug1: kex_input_ext_info: ping@openssh.com (unrecognised)":     noExtInfo,
	"ssh -v: -debug1: Authentications that can continue: publickey,password":   noMethodOrder,
	"ssh -v: +debug1: Authentications that can continue: password,publickey":   noMethodOrder,
	"ssh -v: -root@127.0.0.1: Permission denied (publickey,password).":         noMethodOrder,
	"ssh -v: +root@127.0.0.1: Permission denied (password,publickey).":         noMethodOrder,

	"ssh MaxAuthTries: -Received disconnect from 127.0.0.1 port <port>:2: Too many authentication failures": noDisconnectText,
	"ssh MaxAuthTries: +Received disconnect from 127.0.0.1 port <port>:2: too many authentication failures": noDisconnectText,

	"nmap: -|   kex_algorithms: (12)":                   noSntrup + "; " + noGroup18,
	"nmap: +|   kex_algorithms: (9)":                    noSntrup + "; " + noGroup18,
	"nmap: -|       sntrup761x25519-sha512":             noSntrup,
	"nmap: -|       sntrup761x25519-sha512@openssh.com": noSntrup,
	"nmap: -|       diffie-hellman-group18-sha512":      noGroup18,
	"nmap: -|   mac_algorithms: (10)":                   noUMAC + "; " + noSHA1ETM,
	"nmap: +|   mac_algorithms: (5)":                    noUMAC + "; " + noSHA1ETM,
	"nmap: -|       umac-64-etm@openssh.com":            noUMAC,
	"nmap: -|       umac-128-etm@openssh.com":           noUMAC,
	"nmap: -|       umac-64@openssh.com":                noUMAC,
	"nmap: -|       umac-128@openssh.com":               noUMAC,
	"nmap: -|       hmac-sha1-etm@openssh.com":          noSHA1ETM,
	"nmap: -|   compression_algorithms: (2)":            noZlib,
	"nmap: +|   compression_algorithms: (1)":            noZlib,
	"nmap: -|       none":                               noZlib + " (none is the list's last line)",
	"nmap: -|_      zlib@openssh.com":                   noZlib,
	"nmap: +|_      none":                               noZlib + " (none is the list's last line)",
}

const (
	noSntrup         = "x/crypto has no sntrup761 (its post-quantum kex is mlkem768x25519-sha256, which OpenSSH has only since 9.9 and would give the honeypot away)"
	noGroup18        = "x/crypto implements the fixed DH groups 1, 14 and 16, not 18"
	noUMAC           = "x/crypto has no UMAC"
	noSHA1ETM        = "x/crypto has hmac-sha1 but not its encrypt-then-MAC form"
	noZlib           = "x/crypto offers no compression (its list is fixed to none)"
	noSigAlgs        = "x/crypto drops webauthn-sk-ecdsa-sha2-nistp256@openssh.com and ssh-dss from server-sig-algs; the rest is in sshd's order"
	noExtInfo        = "x/crypto's ext-info is fixed: server-sig-algs and ping@openssh.com (OpenSSH 9.5+), no publickey-hostbound@openssh.com"
	noDisconnectText = "x/crypto's text of the MaxAuthTries disconnect is fixed, in lower case"
	noMethodOrder    = "x/crypto lists the methods in a fixed order of its own (password first); the methods are sshd's"
)

// sshPair is Debian's sshd and the honeypot, side by side on loopback.
type sshPair struct {
	realPort, potPort int
	rec               *hptest.Recorder
}

// startSSHPair starts Debian's sshd with the package's default sshd_config and its own
// freshly made host keys, and the SSH honeypot, which lets root in with the password
// "secret".
func startSSHPair(t *testing.T) sshPair {
	t.Helper()
	ports := hptest.FreePorts(t, 2)
	p := sshPair{realPort: ports[0], potPort: ports[1]}
	startSSHD(t, p.realPort, "/usr/share/openssh/sshd_config")
	p.rec = startSSHHoneypot(t, p.potPort)
	return p
}

// sshdKeys makes the three host keys Debian's sshd generates on installation (RSA 3072,
// ECDSA P-256, Ed25519) in dir and returns sshd's -h arguments for them.
func sshdKeys(t *testing.T, dir string) []string {
	t.Helper()
	var args []string
	for _, k := range [][]string{{"rsa", "3072"}, {"ecdsa", "256"}, {"ed25519", "256"}} {
		path := filepath.Join(dir, "ssh_host_"+k[0]+"_key")
		if out, code := hptest.Run(t, time.Minute, "ssh-keygen", "-q", "-t", k[0], "-b", k[1], "-N", "", "-C", "root@debian", "-f", path); code != 0 {
			t.Fatalf("ssh-keygen: %s", out)
		}
		args = append(args, "-h", path)
	}
	return args
}

// startSSHD runs the real sshd with the config file cfg on 127.0.0.1:port; extra are more
// -o settings.
func startSSHD(t *testing.T, port int, cfg string, extra ...string) {
	t.Helper()
	hptest.RequireTool(t, "ssh-keygen")
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil { // sshd's privilege separation directory
		t.Fatal(err)
	}
	args := []string{"-D", "-e", "-f", cfg, "-p", strconv.Itoa(port), "-o", "ListenAddress=127.0.0.1", "-o", "PidFile=none"}
	for _, o := range extra {
		args = append(args, "-o", o)
	}
	args = append(args, sshdKeys(t, t.TempDir())...)
	startDaemon(t, port, "/usr/sbin/sshd", args...)
}

// startSSHHoneypot runs the SSH honeypot with its defaults on 127.0.0.1:port.
func startSSHHoneypot(t *testing.T, port int) *hptest.Recorder {
	t.Helper()
	cfg := ssh.DefaultConfig()
	cfg.Listen = "127.0.0.1:" + strconv.Itoa(port)
	cfg.HostKeyFile = filepath.Join(t.TempDir(), "ssh_host_keys")
	cfg.Accept = []string{"root:secret"}
	s := ssh.New(cfg, honeypot.Limits{}, nil)
	rec := hptest.NewRecorder()
	if err := s.Start(rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return rec
}

// sshBoth runs run for Debian's sshd and for the honeypot at once and returns both results.
func sshBoth(p sshPair, run func(port int) []string) (real, pot []string) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); real = run(p.realPort) }()
	go func() { defer wg.Done(); pot = run(p.potPort) }()
	wg.Wait()
	return real, pot
}

// sshDiff returns the lines only a has ("-line") and only b has ("+line"), from a longest
// common subsequence, so that a line out of order shows on both sides.
func sshDiff(a, b []string) []string {
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
		case j == len(b) || i < len(a) && lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, "-"+a[i])
			i++
		default:
			out = append(out, "+"+b[j])
			j++
		}
	}
	return out
}

// sshCompare fails t for every difference between sshd's lines and the honeypot's that
// sshUnavoidable does not list, and returns the listed ones seen.
func sshCompare(t *testing.T, tool string, real, pot []string) []string {
	t.Helper()
	var seen []string
	failed := false
	for _, d := range sshDiff(real, pot) {
		key := tool + ": " + d
		if _, ok := sshUnavoidable[key]; ok {
			seen = append(seen, key)
			continue
		}
		t.Errorf("%s differs from Debian's sshd: %s", tool, d)
		failed = true
	}
	if failed {
		t.Logf("%s, Debian's sshd:\n%s\n%s, honeypot:\n%s", tool, strings.Join(real, "\n"), tool, strings.Join(pot, "\n"))
	}
	return seen
}

// sshCheckTable fails t for entries of sshUnavoidable of tool that were no difference.
func sshCheckTable(t *testing.T, tool string, seen []string) {
	t.Helper()
	for key, reason := range sshUnavoidable {
		if strings.HasPrefix(key, tool) && !slices.Contains(seen, key) {
			t.Errorf("listed as unavoidable but no difference: %q (%s)", key, reason)
		}
	}
	for _, key := range seen {
		t.Logf("known difference: %s (%s)", key, sshUnavoidable[key])
	}
}

func TestSSHAudit(t *testing.T) {
	sideBySide(t)
	hptest.RequireTool(t, "ssh-audit")
	p := startSSHPair(t)
	type auditJSON struct {
		Banner struct {
			Raw, Software, Comments string
		}
		Kex []struct {
			Algorithm string
			Keysize   int
		}
		Key []struct {
			Algorithm string
			Keysize   int
		}
		Enc, Mac, Compression []string
	}
	audit := func(port int) (auditJSON, []string) {
		var a auditJSON
		out, _ := hptest.Run(t, 2*time.Minute, "ssh-audit", "-j", "-p", strconv.Itoa(port), "127.0.0.1")
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Errorf("ssh-audit -j: %v\n%s", err, out)
		}
		text, _ := hptest.Run(t, 2*time.Minute, "ssh-audit", "-n", "-p", strconv.Itoa(port), "127.0.0.1")
		var gen []string // the general section: banner, software, compatibility, compression
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "(gen) ") {
				gen = append(gen, l)
			}
		}
		return a, gen
	}
	var real, pot auditJSON
	var realGen, potGen []string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); real, realGen = audit(p.realPort) }()
	go func() { defer wg.Done(); pot, potGen = audit(p.potPort) }()
	wg.Wait()

	algos := func(l []struct {
		Algorithm string
		Keysize   int
	}) []string {
		var out []string
		for _, a := range l {
			s := a.Algorithm
			if a.Keysize != 0 {
				s += fmt.Sprintf(" (%d-bit)", a.Keysize)
			}
			out = append(out, s)
		}
		return out
	}
	var seen []string
	seen = append(seen, sshCompare(t, "ssh-audit banner", []string{real.Banner.Raw, real.Banner.Software, real.Banner.Comments},
		[]string{pot.Banner.Raw, pot.Banner.Software, pot.Banner.Comments})...)
	seen = append(seen, sshCompare(t, "ssh-audit kex", algos(real.Kex), algos(pot.Kex))...)
	seen = append(seen, sshCompare(t, "ssh-audit key", algos(real.Key), algos(pot.Key))...)
	seen = append(seen, sshCompare(t, "ssh-audit enc", real.Enc, pot.Enc)...)
	seen = append(seen, sshCompare(t, "ssh-audit mac", real.Mac, pot.Mac)...)
	seen = append(seen, sshCompare(t, "ssh-audit compression", real.Compression, pot.Compression)...)
	seen = append(seen, sshCompare(t, "ssh-audit", realGen, potGen)...)
	sshCheckTable(t, "ssh-audit", seen)
}

// sshClientArgs are the OpenSSH client options of every run: no prompts, no known hosts,
// no keys or config of the machine's root.
func sshClientArgs(port int, extra ...string) []string {
	return append([]string{"-F", "none", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=20", "-p", strconv.Itoa(port)}, extra...)
}

// sshNormalise replaces what differs between any two servers or runs (ports,
// fingerprints, the client's own key files) by placeholders.
var sshNormalise = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`SHA256:[A-Za-z0-9+/]{43}`), "SHA256:<fingerprint>"},
	{regexp.MustCompile(`\b[0-9a-f]{32}\b`), "<md5 fingerprint>"},
	{regexp.MustCompile(`\b(port|Port) \d+`), "$1 <port>"},
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:<port>"},
	{regexp.MustCompile(`^\d+/tcp`), "<port>/tcp"},
	{regexp.MustCompile(`\[127\.0\.0\.1\]:\d+`), "[127.0.0.1]:<port>"},
	{regexp.MustCompile(`scanned in [0-9.]+ seconds`), "scanned in <time>"},
	{regexp.MustCompile(`\([0-9.]+s latency\)`), "(<time> latency)"},
	{regexp.MustCompile(`at \d{4}-\d\d-\d\d \d\d:\d\d \S+`), "at <time>"},
}

func sshNormaliseLine(l string) string {
	for _, n := range sshNormalise {
		l = n.re.ReplaceAllString(l, n.with)
	}
	return l
}

func TestSSHVerboseClient(t *testing.T) {
	sideBySide(t)
	hptest.RequireTool(t, "ssh")
	p := startSSHPair(t)
	// the lines of ssh -v that come from the server, not from the client's files
	clientOwn := regexp.MustCompile(`Reading configuration|load_hostkeys|identity file|Will attempt key|Trying private key|` +
		`Warning: Permanently added|checking without port identifier|Local version string|^OpenSSH_|Authenticating to`)
	run := func(port int) []string {
		out, _ := hptest.Run(t, time.Minute, "ssh", sshClientArgs(port, "-v", "root@127.0.0.1", "true")...)
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			l = strings.TrimRight(l, "\r")
			if !clientOwn.MatchString(l) {
				lines = append(lines, sshNormaliseLine(l))
			}
		}
		return lines
	}
	real, pot := sshBoth(p, run)
	seen := sshCompare(t, "ssh -v", real, pot)
	// the methods sshd offers with Debian's settings: publickey and password (the order is
	// x/crypto's, see sshUnavoidable)
	methods := regexp.MustCompile(`Authentications that can continue: (\S+)`)
	for _, l := range pot {
		if m := methods.FindStringSubmatch(l); m != nil {
			got := strings.Split(m[1], ",")
			slices.Sort(got)
			if !slices.Equal(got, []string{"password", "publickey"}) {
				t.Errorf("honeypot offers the methods %s, want publickey and password", m[1])
			}
		}
	}
	sshCheckTable(t, "ssh -v", seen)
}

func TestSSHNmap(t *testing.T) {
	sideBySide(t)
	hptest.RequireTool(t, "nmap")
	p := startSSHPair(t)
	run := func(port int) []string {
		// -sC's default scripts (ssh-hostkey) and ssh2-enum-algos
		out, _ := hptest.Run(t, 3*time.Minute, "nmap", "-sV", "-Pn", "--script", "default,ssh2-enum-algos", "-p", strconv.Itoa(port), "127.0.0.1")
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, sshNormaliseLine(l))
			}
		}
		return nmapScriptsSorted(lines)
	}
	real, pot := sshBoth(p, run)
	seen := sshCompare(t, "nmap", real, pot)
	sshCheckTable(t, "nmap", seen)
}

// nmapScriptsSorted puts the script outputs of each port in the order of their names: nmap
// prints them in the order the scripts finish, which varies from run to run.
func nmapScriptsSorted(lines []string) []string {
	var out []string
	var blocks [][]string
	var block []string
	flush := func() {
		slices.SortFunc(blocks, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
		for _, b := range blocks {
			out = append(out, b...)
		}
		blocks = nil
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "|") {
			flush()
			out = append(out, l)
			continue
		}
		block = append(block, l)
		if strings.HasPrefix(l, "|_") { // a script's last line
			blocks, block = append(blocks, block), nil
		}
	}
	flush()
	return out
}

// The honeypot's default banner is the version line of the openssh-server package Debian 12
// ships, the one installed here.
func TestSSHBannerIsDebiansPatchLevel(t *testing.T) {
	sideBySide(t)
	out, code := hptest.Run(t, time.Minute, "dpkg-query", "-W", "-f", "${Version}", "openssh-server")
	if code != 0 {
		t.Fatalf("dpkg-query: %s", out)
	}
	// 1:9.2p1-2+deb12u10: epoch, upstream version, Debian revision
	m := regexp.MustCompile(`^(?:\d+:)?([^-]+)-(.+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("openssh-server version %q", out)
	}
	if want := "SSH-2.0-OpenSSH_" + m[1] + " Debian-" + m[2]; ssh.DefaultBanner != want {
		t.Errorf("default banner %q; Debian's openssh-server %s says %q", ssh.DefaultBanner, out, want)
	}
}

// sshLogin is how a client gets in: with a key into sshd, with the password into the
// honeypot.
type sshLogin struct {
	port  int
	extra []string // the OpenSSH client's options for it
	env   []string
	auth  gossh.AuthMethod // the same for x/crypto's client
}

// startSSHLoginPair starts an sshd set up as an administrator who turned off SFTP and port
// forwarding would (Debian's sshd_config without the sftp Subsystem line, AllowTcpForwarding
// no), which lets root in with a key, and the honeypot, which lets root in with a password.
// The honeypot refuses SFTP and forwarding, as it must run nothing and connect nowhere; next
// to this sshd the tools show whether it refuses them as believably.
func startSSHLoginPair(t *testing.T) (real, pot sshLogin) {
	t.Helper()
	dir := t.TempDir()
	debian, err := os.ReadFile("/usr/share/openssh/sshd_config")
	if err != nil {
		t.Fatal(err)
	}
	var cfg []string
	for _, l := range strings.Split(string(debian), "\n") {
		if !strings.HasPrefix(l, "Subsystem") {
			cfg = append(cfg, l)
		}
	}
	cfgFile := filepath.Join(dir, "sshd_config")
	key := filepath.Join(dir, "id_ed25519")
	if out, code := hptest.Run(t, time.Minute, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key); code != 0 {
		t.Fatalf("ssh-keygen: %s", out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgFile, []byte(strings.Join(cfg, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	askpass := filepath.Join(dir, "askpass")
	if err := os.WriteFile(askpass, []byte("#!/bin/sh\necho secret\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ports := hptest.FreePorts(t, 2)
	startSSHD(t, ports[0], cfgFile, "AllowTcpForwarding=no", "AuthorizedKeysFile="+filepath.Join(dir, "authorized_keys"), "StrictModes=no")
	startSSHHoneypot(t, ports[1])
	priv, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.ParsePrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	real = sshLogin{port: ports[0], extra: []string{"-i", key}, auth: gossh.PublicKeys(signer)}
	pot = sshLogin{port: ports[1], extra: []string{"-o", "BatchMode=no", "-o", "PreferredAuthentications=password"},
		env: []string{"SSH_ASKPASS=" + askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0"}, auth: gossh.Password("secret")}
	return real, pot
}

// sshRun runs an OpenSSH client program (ssh, sftp, scp) logged in as root and returns its
// output, normalised, and exit code.
func sshRun(t *testing.T, l sshLogin, prog, portFlag string, args ...string) (string, int) {
	t.Helper()
	// the first value of an option counts: the login's own options go first
	all := append(slices.Clone(l.extra), "-F", "none", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=20", "-o", "LogLevel=ERROR", portFlag, strconv.Itoa(l.port))
	all = append(all, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, hptest.RequireTool(t, prog), all...)
	cmd.Env = append(os.Environ(), l.env...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && ctx.Err() == nil:
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %v: %v\n%s", prog, all, err, out)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(strings.ReplaceAll(string(out), "\r", "")), "\n") {
		// sftp's own message when its first write finds ssh gone already: whether it
		// comes depends on how fast the server refused, not on what it said
		if line = strings.TrimRight(line, " "); line != "Connection closed." {
			lines = append(lines, sshNormaliseLine(line))
		}
	}
	return strings.Join(lines, "\n"), code
}

// SFTP, scp (which speaks SFTP), stdio forwarding, remote forwarding, an unknown subsystem:
// refused as an sshd without SFTP and with forwarding off refuses them, word for word.
func TestSSHRefusals(t *testing.T) {
	sideBySide(t)
	real, pot := startSSHLoginPair(t)
	src := filepath.Join(t.TempDir(), "payload.sh")
	if err := os.WriteFile(src, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, prog, portFlag string
		args                 []string
	}{
		{"sftp", "sftp", "-P", []string{"root@127.0.0.1"}},
		{"scp upload", "scp", "-P", []string{src, "root@127.0.0.1:/tmp/payload.sh"}},
		{"ssh -W", "ssh", "-p", []string{"-W", "10.20.30.40:80", "root@127.0.0.1"}},
		{"ssh -R", "ssh", "-p", []string{"-o", "ExitOnForwardFailure=yes", "-R", "8081:127.0.0.1:80", "root@127.0.0.1", "true"}},
		{"ssh -s", "ssh", "-p", []string{"-s", "root@127.0.0.1", "netconf"}},
	} {
		var realOut, potOut string
		var realCode, potCode int
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); realOut, realCode = sshRun(t, real, c.prog, c.portFlag, c.args...) }()
		go func() { defer wg.Done(); potOut, potCode = sshRun(t, pot, c.prog, c.portFlag, c.args...) }()
		wg.Wait()
		if realOut != potOut || realCode != potCode {
			t.Errorf("%s: Debian's sshd (exit %d):\n%s\nhoneypot (exit %d):\n%s", c.name, realCode, realOut, potCode, potOut)
		} else {
			t.Logf("%s: exit %d, %q", c.name, potCode, potOut)
		}
	}

	// channels sshd does not open for a client: what x/crypto's client is told
	channels := func(l sshLogin) []string {
		c, err := gossh.Dial("tcp", "127.0.0.1:"+strconv.Itoa(l.port), &gossh.ClientConfig{User: "root", Auth: []gossh.AuthMethod{l.auth},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 20 * time.Second})
		if err != nil {
			t.Fatalf("login on port %d: %v", l.port, err)
		}
		defer c.Close()
		var out []string
		for _, kind := range []string{"x11", "forwarded-tcpip", "auth-agent@openssh.com", "no-such-type"} {
			_, _, err := c.OpenChannel(kind, nil)
			out = append(out, fmt.Sprintf("%s: %v", kind, err))
		}
		_, err = c.Dial("tcp", "10.20.30.40:3306")
		out = append(out, fmt.Sprintf("direct-tcpip: %v", err))
		_, err = c.Dial("unix", "/run/mysqld/mysqld.sock")
		out = append(out, fmt.Sprintf("direct-streamlocal@openssh.com: %v", err))
		ok, _, err := c.SendRequest("tcpip-forward", true, gossh.Marshal(struct {
			Addr string
			Port uint32
		}{"0.0.0.0", 8081}))
		out = append(out, fmt.Sprintf("tcpip-forward: %v %v", ok, err))
		return out
	}
	realCh, potCh := channels(real), channels(pot)
	if !slices.Equal(realCh, potCh) {
		t.Errorf("channel refusals: Debian's sshd:\n%s\nhoneypot:\n%s", strings.Join(realCh, "\n"), strings.Join(potCh, "\n"))
	}
	t.Logf("channel refusals:\n%s", strings.Join(potCh, "\n"))
}

// A client that keeps trying passwords is cut off after sshd's MaxAuthTries (6) failures.
func TestSSHTooManyFailures(t *testing.T) {
	sideBySide(t)
	real, pot := startSSHLoginPair(t)
	dir := t.TempDir()
	try := func(l sshLogin, name string) (string, int) {
		count := filepath.Join(dir, name)
		askpass := filepath.Join(dir, name+".sh")
		if err := os.WriteFile(askpass, []byte("#!/bin/sh\necho x >> "+count+"\necho wrong\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		l.extra = []string{"-o", "BatchMode=no", "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=20", "-o", "LogLevel=INFO"}
		l.env = []string{"SSH_ASKPASS=" + askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0"}
		out, _ := sshRun(t, l, "ssh", "-p", "root@127.0.0.1", "true")
		tries, _ := os.ReadFile(count)
		return out, strings.Count(string(tries), "\n")
	}
	var realOut, potOut string
	var realTries, potTries int
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); realOut, realTries = try(real, "real") }()
	go func() { defer wg.Done(); potOut, potTries = try(pot, "pot") }()
	wg.Wait()
	if realTries != potTries {
		t.Errorf("passwords asked for: Debian's sshd %d, honeypot %d", realTries, potTries)
	}
	seen := sshCompare(t, "ssh MaxAuthTries", strings.Split(realOut, "\n"), strings.Split(potOut, "\n"))
	sshCheckTable(t, "ssh MaxAuthTries", seen)
	t.Logf("%d passwords, then:\n%s", potTries, potOut)
}

// What a client that sends something else than an SSH-2 version line is told: sshd's
// refusal, or its key exchange.
func TestSSHIdentificationLines(t *testing.T) {
	sideBySide(t)
	p := startSSHPair(t)
	answer := func(port int, line string) string {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		if _, err := r.ReadString('\n'); err != nil {
			return fmt.Sprintf("no banner: %v", err)
		}
		c.Write([]byte(line))
		head := make([]byte, 6)
		if _, err := io.ReadFull(r, head); err != nil {
			return fmt.Sprintf("closed (%v)", err)
		}
		if head[5] == 20 { // a binary packet: SSH_MSG_KEXINIT
			return "key exchange"
		}
		// sshd closes with the client's further input unread, and the reset that sends can
		// cut its line end off; the honeypot has read everything
		rest, _ := io.ReadAll(r)
		return fmt.Sprintf("%q then closed", strings.TrimRight(string(head)+string(rest), "\r\n"))
	}
	for _, line := range []string{"GET / HTTP/1.0\r\n\r\n", "\r\n", "ssh-2.0-x\r\n", "SSH-2.0x\r\n", "SSH-2.0-\r\n",
		"SSH-1.5-Nmap-SSH1-Hostkey\r\n", "SSH-1.99-x\r\n", "SSH-2.1-x\r\n", "SSH-3.0-x\r\n", "SSH-2.0-Go\n"} {
		real, pot := answer(p.realPort, line), answer(p.potPort, line)
		if real != pot {
			t.Errorf("%q: Debian's sshd: %s; honeypot: %s", line, real, pot)
		} else {
			t.Logf("%q: %s", line, pot)
		}
	}
}
