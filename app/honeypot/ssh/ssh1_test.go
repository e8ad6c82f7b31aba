package ssh

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
)

// TestSSH1ClientRefused: a client speaking SSH-1 gets OpenSSH's refusal and the connection
// ends at once, instead of a key exchange it cannot answer.
func TestSSH1ClientRefused(t *testing.T) {
	_, rec, addr := start(t, Config{}, honeypot.Limits{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	banner, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(banner, "SSH-2.0-OpenSSH_9.2p1") {
		t.Fatalf("banner %q (%v)", banner, err)
	}
	if _, err := io.WriteString(c, "SSH-1.5-Nmap-SSH1-Hostkey\r\n"); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "Protocol major versions differ.\r\n" {
		t.Fatalf("after an SSH-1 version line: %q (%v)", rest, err)
	}
	if e := rec.Wait(t, 1, eventWait); !strings.Contains(e.Summary, "SSH-1.5-Nmap-SSH1-Hostkey") {
		t.Fatalf("event summary %q", e.Summary)
	}
}

// The first lines sshd 9.2 refuses and takes (as tried against it).
func TestIdentificationRefusal(t *testing.T) {
	for line, want := range map[string]string{
		"SSH-2.0-OpenSSH_9.2p1": "", "SSH-1.99-x": "", "SSH-2.1-x": "", "SSH-02.0-x": "", "SSH- 2.0-x": "", "SSH-+2.0-x": "", "SSH-2.0-x y": "",
		"GET / HTTP/1.0": "Invalid SSH identification string.", "": "Invalid SSH identification string.",
		"ssh-2.0-x": "Invalid SSH identification string.", "SSH-": "Invalid SSH identification string.",
		"SSH-2.0x": "Invalid SSH identification string.", "SSH-2.0-": "Invalid SSH identification string.",
		"SSH-2.-x": "Invalid SSH identification string.", "SSH-1.99-": "Invalid SSH identification string.",
		"SSH-2.0-x\x00y":            "Invalid SSH identification string.",
		"SSH-1.5-Nmap-SSH1-Hostkey": "Protocol major versions differ.", "SSH-3.0-x": "Protocol major versions differ.",
		"SSH-99999999999.0-x": "Protocol major versions differ.",
	} {
		if got := identificationRefusal(line); got != want {
			t.Errorf("%q: %q, want %q", line, got, want)
		}
	}
}
