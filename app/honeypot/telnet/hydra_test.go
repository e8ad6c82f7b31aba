package telnet

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

// TestHydra: hydra's telnet module with 200 pairs and four tasks against the default login
// policy: every pair is recorded once, with the right user and password, one connection
// each, and hydra ends without errors.
func TestHydra(t *testing.T) {
	pairs := hptest.HydraPairs(200, 5)
	h := hptest.Hydra{Service: "telnet", Tasks: 4, Pairs: pairs, Timeout: 3 * time.Minute}
	_, events := h.Run(t, func() (string, func(), *hptest.Recorder) {
		s, rec, addr := start(t, Config{Accept: []string{}}, honeypot.Limits{})
		return addr, s.Stop, rec
	})
	n := hptest.CheckLogins(t, events, pairs)
	t.Logf("%d pairs sent, %d logins recorded in %d events", len(pairs), n, len(events))
}

// What hydra 9.4 (Debian 12) sends on one connection, read by a logging proxy, one element
// per TCP segment: it answers our offers (WILL LINEMODE first, then a refusal of each),
// types the user name when it has seen "login:" and the password at "Password:". Without
// LINEMODE (it takes our DONT LINEMODE for a refusal when that comes alone) it types a
// character every 20 ms and ends a line with CR NUL; with it, a line in one piece.
var (
	hydraNegotiation = "WILL LINEMODE, DONT AUTHENTICATION, DONT ENCRYPT, WONT TTYPE, WONT TSPEED, WONT XDISPLOC, WONT NEW-ENVIRON, WONT ENVIRON, DONT SGA, WONT ECHO, WONT NAWS, DONT STATUS, WONT LFLOW"
	hydraAnswers     = []string{"\xff\xfb\x22\xff\xfe\x25\xff\xfe\x26\xff\xfc\x18\xff\xfc\x20\xff\xfc\x23\xff\xfc\x27\xff\xfc\x24", "\xff\xfe\x03", "\xff\xfc\x01\xff\xfc\x1f\xff\xfe\x05\xff\xfc\x21"}
	hydraCharMode    = [][]string{{"u", "se", "r", "0", "0", "0", "\r\x00"}, {"p", "w0", "0", "0", "x", "\r\x00"}}
	hydraLineMode    = [][]string{{"user000\r\x00"}, {"pw000x\r\x00"}}
)

// TestParserHydraBytes: the parser splits hydra's bytes into its answers and its typing.
func TestParserHydraBytes(t *testing.T) {
	var p Parser
	var data []byte
	var cmds []string
	for _, seg := range append(slices.Clone(hydraAnswers), slices.Concat(hydraCharMode...)...) {
		for _, b := range []byte(seg) {
			switch k, d, cmd := p.Next(b); k {
			case Data:
				data = append(data, d)
			case Cmd:
				cmds = append(cmds, cmd.String())
			}
		}
	}
	if want := hydraNegotiation; strings.Join(cmds, ", ") != want {
		t.Errorf("commands %q, want %q", cmds, want)
	}
	if string(data) != "user000\r\x00pw000x\r\x00" {
		t.Errorf("data %q", data)
	}
}

// captureConn keeps what the server writes.
type captureConn struct {
	discardConn
	out *bytes.Buffer
}

func (c captureConn) Write(p []byte) (int, error) { return c.out.Write(p) }

// session feeds segments to a new connection of s one at a time, as the reads of handle
// would, and returns what the server answered to each and the event.
func session(t *testing.T, s *Service, segs []string) ([]string, *model.Event, *conn) {
	t.Helper()
	s.delay = 0
	s.stop = make(chan struct{})
	out := &bytes.Buffer{}
	c := s.newConn(captureConn{out: out}, captureConn{out: out}, time.Now())
	c.flush()
	answers := []string{out.String()}
	for _, seg := range segs {
		out.Reset()
		c.feed([]byte(seg))
		c.flush()
		answers = append(answers, out.String())
	}
	c.tr.Close("test")
	return answers, c.tr.Snapshot(), c
}

// TestHydraBytes: hydra's bytes, in both of its modes, give one login with its exact pair,
// the prompts come when hydra waits for them, and the connection ends after the failure.
func TestHydraBytes(t *testing.T) {
	for name, typing := range map[string][][]string{"characters": hydraCharMode, "lines": hydraLineMode} {
		t.Run(name, func(t *testing.T) {
			segs := append(slices.Clone(hydraAnswers), slices.Concat(typing...)...)
			answers, e, c := session(t, New(Config{Accept: []string{}}, honeypot.Limits{}, nil), segs)
			if answers[0] != "\xff\xfb%\xff\xfb&\xff\xfd\x18\xff\xfd \xff\xfd#\xff\xfd'\xff\xfd$" {
				t.Errorf("offers %q: the issue and prompt must wait for the answers", answers[0])
			}
			// What Debian's telnetd sends hydra, step by step (the host line aside).
			want := []string{"\xff\xfd\"\xff\xfa\"\x01\x10\xff\xf0\x00\xff\xfb\x03\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x05\xff\xfd!", "",
				"\xff\xfb\x01\xff\xfd\x00\xff\xfe\"\r\nLinux 6.1.0-23-amd64 (debian) (pts/0)\r\n\r\ndebian login: "}
			want = append(want, make([]string, len(typing[0])-1)...)
			want = append(want, "Password: ")
			want = append(want, make([]string, len(typing[1])-1)...)
			want = append(want, "\r\n\r\nLogin incorrect\r\nMaximum number of tries exceeded (1)\r\n")
			if !slices.Equal(answers[1:], want) {
				t.Errorf("answers\n%q\nwant\n%q", answers[1:], want)
			}
			if c.phase != phaseDone || c.closeReason(nil) != "too many login attempts" {
				t.Errorf("phase %d, close reason %q", c.phase, c.closeReason(nil))
			}
			if !slices.Equal(e.Logins, []model.Login{{User: "user000", Password: "pw000x"}}) {
				t.Errorf("logins %+v", e.Logins)
			}
			mustContain(t, "details", hptest.TypedDetails(e), "1 login user000 / pw000x: refused\n")
			if got := strings.Join(c.seen, ", "); got != hydraNegotiation {
				t.Errorf("negotiation %q", got)
			}
		})
	}
}

// TestHydraBytesSeveralRetries: with more tries per connection, hydra 9.4 answers the
// "login:" after "Login incorrect" with an empty line (it has dropped its pair) and then the
// previous user name without its first letter as the password, as it does against Debian's
// telnetd. What it types is what is recorded, attempt by attempt; like Debian's login, an
// empty user name gets a password prompt and counts.
func TestHydraBytesSeveralRetries(t *testing.T) {
	segs := append(slices.Clone(hydraAnswers), "user000\r\x00", "pw000x\r\x00", "\r\x00", "ser000\r\x00", "\r\x00", "ser000\r\x00")
	answers, e, _ := session(t, New(Config{Accept: []string{}, LoginRetries: 5}, honeypot.Limits{}, nil), segs)
	want := []string{"Password: ", "\r\n\r\nLogin incorrect\r\ndebian login: ", "Password: ", "\r\n\r\nLogin incorrect\r\ndebian login: ",
		"Password: ", "\r\n\r\nLogin incorrect\r\ndebian login: "}
	if got := answers[len(answers)-6:]; !slices.Equal(got, want) {
		t.Errorf("answers\n%q\nwant\n%q", got, want)
	}
	wantLogins := []model.Login{{User: "user000", Password: "pw000x"}, {User: "", Password: "ser000"}, {User: "", Password: "ser000"}}
	if !slices.Equal(e.Logins, wantLogins) {
		t.Errorf("logins %+v", e.Logins)
	}
}

// TestPromptHold: a client that does not negotiate gets the prompt after the hold, one that
// types first gets it before its echo, and each attempt of a connection is recorded as typed.
func TestPromptHold(t *testing.T) {
	s := New(Config{Listen: "127.0.0.1:0", Accept: []string{}, LoginRetries: 3}, honeypot.Limits{}, nil)
	s.delay, s.hold = 0, 200*time.Millisecond
	rec := hptest.NewRecorder()
	if err := s.Start(rec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	c := dial(t, s.Addr().String())
	began := time.Now()
	c.until("debian login: ")
	if d := time.Since(began); d < 150*time.Millisecond {
		t.Errorf("prompt after %v, before the hold", d)
	}
	for i, u := range []string{" root", "", "adm in"} {
		c.send(u + "\r\x00")
		c.until("Password: ")
		c.send(fmt.Sprintf("p%d \r\n", i))
		c.until("Login incorrect\r\n")
	}
	c.until("Maximum number of tries exceeded (3)\r\n")
	e := rec.Wait(t, 1, eventWait)
	want := []model.Login{{User: " root", Password: "p0 "}, {User: "", Password: "p1 "}, {User: "adm in", Password: "p2 "}}
	if !slices.Equal(e.Logins, want) {
		t.Errorf("logins %+v, want %+v", e.Logins, want)
	}

	// typed before any prompt: the prompt comes first, then the attempt
	c = dial(t, s.Addr().String())
	c.send("root\r\nsecret\r\n")
	mustContain(t, "typed ahead", c.until("Login incorrect\r\ndebian login: "), "debian login: Password: \r\n\r\nLogin incorrect\r\n")
	c.c.Close()
	if e := rec.Wait(t, 2, eventWait); !slices.Equal(e.Logins, []model.Login{{User: "root", Password: "secret"}}) {
		t.Errorf("logins %+v", e.Logins)
	}
}
