package fidelity

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/ftp"
	"honeysens/app/honeypot/hptest"
)

// ftpDifferences lists what the FTP honeypot answers differently from vsftpd 3.0.3 on
// purpose, by the step of a dialogue (or nmap script line) where it shows, with the reason.
var ftpDifferences = map[string]string{
	"nmap ftp-anon listing": "the anonymous area shows the honeypot's bait files (pub, backup, notes.txt), " +
		"the real daemon an empty /srv/ftp",
}

// ftpClientCount is STAT's count of the connections open when the session began: the real
// daemon still counts the connections just closed by the startup probe (or nmap's parallel
// ones) until it has reaped their processes, so the number is compared as "N".
var ftpClientCount = regexp.MustCompile(`client count was \d+`)

// startFTPPair runs vsftpd as Debian configures it (plus anonymous_enable as the honeypot
// has it) and the FTP honeypot with its default settings; it returns their ports.
func startFTPPair(t *testing.T) (real, pot int) {
	t.Helper()
	real, pot = freePort(t), freePort(t)
	conf := filepath.Join(t.TempDir(), "vsftpd.conf")
	os.MkdirAll("/var/run/vsftpd/empty", 0o755)
	err := os.WriteFile(conf, []byte(fmt.Sprintf(`listen=YES
listen_port=%d
anonymous_enable=YES
local_enable=YES
dirmessage_enable=YES
use_localtime=YES
connect_from_port_20=YES
secure_chroot_dir=/var/run/vsftpd/empty
pam_service_name=vsftpd
ssl_enable=NO
background=NO
`, real)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	startDaemon(t, real, "vsftpd", conf)

	cfg := ftp.DefaultConfig()
	cfg.Listen = "127.0.0.1:" + strconv.Itoa(pot)
	svc := ftp.New(cfg, honeypot.DefaultLimits, nil)
	if err := svc.Start(hptest.NewRecorder()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	return real, pot
}

// ftpDialogue sends each command on one connection and returns the greeting and the answer to
// each, one entry per step; a closed connection shows as "<closed>".
func ftpDialogue(t *testing.T, port int, commands []string) []string {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	// Failed logins take vsftpd a few seconds (PAM's delay); nothing else waits so long.
	reply := func() string {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var sb strings.Builder
		for range 100 {
			line, err := r.ReadString('\n')
			sb.WriteString(line)
			if err != nil {
				if errors.Is(err, io.EOF) {
					return sb.String() + "<closed>"
				}
				return sb.String() + "<" + err.Error() + ">"
			}
			// A reply ends with the line "ddd text" whose code is that of its first line.
			if first := sb.String(); len(line) >= 4 && line[3] == ' ' && line[:3] == first[:3] {
				break
			}
		}
		return sb.String()
	}
	out := []string{"greeting: " + reply()}
	for _, cmd := range commands {
		if _, err := fmt.Fprintf(c, "%s\r\n", cmd); err != nil {
			out = append(out, cmd+": <closed>")
			continue
		}
		out = append(out, cmd+": "+reply())
	}
	for i := range out {
		out[i] = ftpClientCount.ReplaceAllString(out[i], "client count was N")
	}
	return out
}

// compareSteps fails t for every step whose answers differ and that differences does not name
// (a step that only one side has differs too).
func compareSteps(t *testing.T, service string, real, pot []string, differences map[string]string) {
	t.Helper()
	for i := range max(len(real), len(pot)) {
		r, p := "<no step>", "<no step>"
		if i < len(real) {
			r = real[i]
		}
		if i < len(pot) {
			p = pot[i]
		}
		step, _, _ := strings.Cut(r, ": ")
		if r == p {
			continue
		}
		if reason, ok := differences[step]; ok {
			t.Logf("%s: %s differs as listed (%s)", service, step, reason)
			continue
		}
		t.Errorf("%s: %s differs:\nreal:     %q\nhoneypot: %q", service, step, r, p)
	}
}

// TestFTPDialogue: greeting, SYST, STAT, FEAT, HELP, PORT/EPRT (bounce attempts included),
// unknown commands, logins and QUIT answer as vsftpd does.
func TestFTPDialogue(t *testing.T) {
	sideBySide(t)
	real, pot := startFTPPair(t)
	script := []string{
		"SYST", "STAT", "HELP", "FEAT", "PORT 10,0,0,99,0,25", "XYZZY", "PASS early", "OPTS UTF8 ON", "OPTS UTF8 OFF",
		"USER anonymous", "PASS mozilla@example.com",
		"SYST", "STAT", "FEAT", "HELP", "feat", "NOOP", "PWD", "TYPE I", "STAT", "TYPE A", "MODE S", "MODE Z", "STRU F",
		"PORT 10,0,0,99,0,25", "PORT 127,0,0,1,0,25", "PORT 127,0,0,1,200,10", "PORT 127,0,0,1,300,1", "PORT 1,2,3",
		"EPRT |1|10.0.0.99|25|", "EPRT |1|127.0.0.1|51210|", "EPRT |1|127.0.0.1|80|", "EPRT |2|::1|5000|", "EPRT x", "EPRT",
		"XYZZY", "   ", "SITE HELP", "SITE CHMOD 777 x", "ACCT x", "SMNT x", "REIN", "ABOR", "ALLO 5", "REST 10",
		"USER root", "PASS again", "QUIT",
	}
	compareSteps(t, "ftp", ftpDialogue(t, real, script), ftpDialogue(t, pot, script), ftpDifferences)
}

// TestFTPLoginFailures: failed logins answer as vsftpd's and the third one ends the
// connection (max_login_fails).
func TestFTPLoginFailures(t *testing.T) {
	sideBySide(t)
	real, pot := startFTPPair(t)
	script := []string{
		"USER nosuchuser1", "PASS wrong1", "USER nosuchuser2", "PASS wrong2", "USER nosuchuser3", "PASS wrong3", "USER nosuchuser4",
	}
	compareSteps(t, "ftp", ftpDialogue(t, real, script), ftpDialogue(t, pot, script), ftpDifferences)
}

// TestFTPNmap: nmap -sV -sC prints the same for both (ftp-anon, ftp-syst, ftp-bounce, the
// version), apart from the listed differences; in particular ftp-bounce does not find a relay.
func TestFTPNmap(t *testing.T) {
	sideBySide(t)
	real, pot := startFTPPair(t)
	realOut, potOut := nmapScan(t, real), nmapScan(t, pot)
	if strings.Contains(potOut, "bounce working") {
		t.Errorf("nmap's ftp-bounce takes the honeypot for a relay:\n%s", potOut)
	}
	anonListing := regexp.MustCompile(`(?m)^\| [-dl][-rwxsStT]{9} .*\n?`)
	if anonListing.MatchString(potOut) {
		t.Logf("ftp: nmap ftp-anon listing differs as listed (%s)", ftpDifferences["nmap ftp-anon listing"])
	}
	norm := func(out string) string {
		return ftpClientCount.ReplaceAllString(anonListing.ReplaceAllString(out, ""), "client count was N")
	}
	if r, p := norm(realOut), norm(potOut); r != p {
		t.Errorf("nmap -sV -sC differs:\nreal:\n%s\nhoneypot:\n%s", r, p)
	}
}

// nmapScan runs nmap -sV -sC against one loopback port and returns its report of the port
// with what varies from run to run taken out: times, latency, the port number, and the order
// of the script outputs (nmap prints them as they finish), which is sorted.
func nmapScan(t *testing.T, port int) string {
	t.Helper()
	nmap := hptest.RequireTool(t, "nmap")
	out, code := hptest.Run(t, 5*time.Minute, nmap, "-sV", "-sC", "-Pn", "-n", "-p", strconv.Itoa(port), "127.0.0.1")
	if code != 0 {
		t.Fatalf("nmap exit %d:\n%s", code, out)
	}
	var head, tail []string
	var scripts [][]string
	var fingerprint strings.Builder
	p := strconv.Itoa(port)
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "SF"):
			// The fingerprint of an unrecognised service: what it answered to each probe.
			fingerprint.WriteString(strings.TrimPrefix(l, "SF:"))
			continue
		case strings.HasPrefix(l, "Starting Nmap"), strings.HasPrefix(l, "Nmap done"), strings.HasPrefix(l, "Host is up"),
			strings.HasPrefix(l, "Service detection performed"), strings.HasPrefix(l, "Nmap scan report"),
			strings.TrimSpace(l) == "":
			continue
		case strings.HasPrefix(l, "|"):
			// "| name: ..." or "|_name: ..." starts a script's output, "|   ..." continues it;
			// "|_" only marks the last line.
			l = "| " + strings.TrimPrefix(strings.TrimPrefix(l, "|_"), "| ")
			if isScriptStart(l) || len(scripts) == 0 {
				scripts = append(scripts, nil)
			}
			scripts[len(scripts)-1] = append(scripts[len(scripts)-1], l)
		case len(scripts) == 0:
			head = append(head, strings.ReplaceAll(l, p, "PORT"))
		default:
			tail = append(tail, l)
		}
	}
	blocks := make([]string, len(scripts))
	for i, b := range scripts {
		blocks[i] = strings.Join(b, "\n")
	}
	slices.Sort(blocks)
	if fingerprint.Len() > 0 {
		head = append(head, "fingerprint: "+nmapFingerprintHeader.ReplaceAllString(fingerprint.String(), ""))
	}
	return strings.Join(slices.Concat(head, blocks, tail), "\n")
}

// nmapFingerprintHeader is the start of a service fingerprint: port, nmap version, date.
var nmapFingerprintHeader = regexp.MustCompile(`^SF-Port\d+-TCP:V=[^%]*%I=\d+%D=[^%]*%Time=[^%]*%P=[^%]*%`)

// isScriptStart says whether a normalised nmap line "| text" begins a script's output
// ("| ftp-syst: ..."): a script name is lower case letters, digits and dashes.
func isScriptStart(l string) bool {
	name, _, ok := strings.Cut(strings.TrimPrefix(l, "| "), ":")
	return ok && name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-.") == "" // http-robots.txt
}
