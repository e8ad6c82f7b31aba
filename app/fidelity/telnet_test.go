package fidelity

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/honeypot/telnet"
)

// telnetDifferences lists what the telnet honeypot answers differently from inetutils telnetd
// (with Debian's login) on purpose, by the step of a dialogue where it shows, with the reason.
var telnetDifferences = map[string]string{
	"password": "one login attempt per connection (LOGIN_RETRIES 1) where Debian allows 5: hydra's " +
		"telnet module mixes up its pairs after the first \"Login incorrect\" of a connection, so " +
		"every pair it means is recorded only with one attempt per connection",
}

// telnetHostLine is telnetd's "Linux <release> (<host>) (pts/N)": the test machine's kernel
// and host name are not the fake host's.
var telnetHostLine = regexp.MustCompile(`Linux \S+ \(\S+\) \(pts/\d+\)`)

// startTelnetd serves inetutils telnetd on port the way inetd does: each accepted connection
// becomes the daemon's standard input, output and error.
func startTelnetd(t *testing.T, port int) {
	t.Helper()
	path := hptest.RequireTool(t, "/usr/sbin/telnetd")
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var procs []*exec.Cmd
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f, err := c.(*net.TCPConn).File()
			c.Close()
			if err != nil {
				continue
			}
			cmd := exec.Command(path)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = f, f, f
			if cmd.Start() == nil {
				mu.Lock()
				procs = append(procs, cmd)
				mu.Unlock()
				go cmd.Wait()
			}
			f.Close()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, p := range procs {
			p.Process.Kill()
		}
	})
}

// startTelnetPair runs telnetd and the telnet honeypot (default settings, the test machine's
// host name so that the login prompts can be compared); it returns their ports.
func startTelnetPair(t *testing.T) (real, pot int) {
	t.Helper()
	real, pot = freePort(t), freePort(t)
	startTelnetd(t, real)
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	cfg := telnet.DefaultConfig()
	cfg.Listen, cfg.Hostname = "127.0.0.1:"+strconv.Itoa(pot), host
	svc := telnet.New(cfg, honeypot.DefaultLimits, nil)
	if err := svc.Start(hptest.NewRecorder()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)
	return real, pot
}

// telnetClient is a fixed client policy: the options it takes when offered, and what it
// answers to SEND subnegotiations. silent clients answer nothing (a scanner's probe).
type telnetClient struct {
	silent bool
	will   map[byte]bool // DO x answered WILL x (else WONT)
	do     map[byte]bool // WILL x answered DO x (else DONT)
}

var telnetClients = map[string]telnetClient{
	// like the Linux telnet client
	"basic": {will: map[byte]bool{24: true, 31: true, 3: true}, do: map[byte]bool{1: true, 3: true}},
	// takes everything it can, LINEMODE included
	"full": {will: map[byte]bool{24: true, 32: true, 35: true, 39: true, 31: true, 3: true, 34: true}, do: map[byte]bool{1: true, 3: true}},
	// refuses everything
	"refuse": {will: map[byte]bool{}, do: map[byte]bool{}},
	"silent": {silent: true},
}

// answer returns the client's answers to what the server sent.
func (tc telnetClient) answer(in []byte) []byte {
	var out []byte
	for i := 0; i+1 < len(in); i++ {
		if in[i] != 255 {
			continue
		}
		switch v := in[i+1]; {
		case v >= 251 && v <= 254 && i+2 < len(in):
			o := in[i+2]
			switch {
			case v == 253 && tc.will[o]:
				out = append(out, 255, 251, o)
			case v == 253:
				out = append(out, 255, 252, o)
			case v == 251 && tc.do[o]:
				out = append(out, 255, 253, o)
			case v == 251:
				out = append(out, 255, 254, o)
			}
			i += 2
		case v == 250 && i+3 < len(in) && in[i+3] == 1: // SB <opt> SEND
			reply := map[byte]string{24: "\x00XTERM", 32: "\x0038400,38400", 35: "\x00host:0", 39: "\x00\x00USER\x01nosuchuser0", 36: "\x00"}[in[i+2]]
			out = append(out, 255, 250, in[i+2])
			out = append(out, reply...)
			out = append(out, 255, 240)
			i += 3
		default:
			i++
		}
	}
	return out
}

// telnetDialogue runs one client policy against port: what the server sends is read until
// it is quiet for a moment, answered, and so on; at the login prompt the client logs in with
// a user that does not exist. It returns the steps ("answer N", "user", "password") with the
// bytes the server sent for each.
func telnetDialogue(t *testing.T, port int, tc telnetClient) []string {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// read collects what comes until until has come, quiet passes without input, or the
	// connection ends.
	read := func(quiet time.Duration, until string) string {
		var got []byte
		buf := make([]byte, 4096)
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
			c.SetReadDeadline(time.Now().Add(quiet))
			n, err := c.Read(buf)
			got = append(got, buf[:n]...)
			if until != "" && strings.Contains(string(got), until) {
				break
			}
			if err != nil {
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					got = append(got, "<closed>"...)
				}
				break
			}
		}
		return telnetHostLine.ReplaceAllString(string(got), "Linux R (H) (pts/N)")
	}
	var steps []string
	in := read(1500*time.Millisecond, "")
	steps = append(steps, fmt.Sprintf("offers: %q", in))
	if tc.silent {
		steps = append(steps, fmt.Sprintf("silence: %q", read(3*time.Second, "")))
		return steps
	}
	for i := 1; i <= 6; i++ {
		a := tc.answer([]byte(in))
		if len(a) == 0 {
			break
		}
		c.Write(a)
		in = read(1500*time.Millisecond, "")
		steps = append(steps, fmt.Sprintf("answer %d: %q", i, in))
	}
	c.Write([]byte("nosuchuser1\r\n"))
	steps = append(steps, fmt.Sprintf("user: %q", read(time.Second, "Password: ")))
	c.Write([]byte("wrongpw\r\n"))
	// Debian's login waits some seconds after a failed login.
	steps = append(steps, fmt.Sprintf("password: %q", read(12*time.Second, "login: ")))
	return steps
}

// TestTelnetNegotiation: the option negotiation bytes, the host line and login prompt, and
// the answers to a failed login are telnetd's, for several kinds of clients.
func TestTelnetNegotiation(t *testing.T) {
	sideBySide(t)
	real, pot := startTelnetPair(t)
	for name, tc := range telnetClients {
		t.Run(name, func(t *testing.T) {
			compareSteps(t, "telnet "+name, telnetDialogue(t, real, tc), telnetDialogue(t, pot, tc), telnetDifferences)
		})
	}
}

// TestTelnetNmap: nmap -sV -sC sees the same on both (it does not recognise telnetd's
// negotiation either; its answers to every probe are compared through the fingerprint).
func TestTelnetNmap(t *testing.T) {
	sideBySide(t)
	real, pot := startTelnetPair(t)
	if r, p := nmapScan(t, real), nmapScan(t, pot); r != p {
		t.Errorf("nmap -sV -sC differs:\nreal:\n%s\nhoneypot:\n%s", r, p)
	}
}
