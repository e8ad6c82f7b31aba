package ftp

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
)

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"USER anonymous", "PASS ", "", " ", "retr  a b", "\x00\xff", "LIST -la /pub", "ÜSER x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd, arg := parseCommand(line)
		if strings.Contains(cmd, " ") || len(cmd)+len(arg) > len(line)*3+1 {
			t.Fatalf("parseCommand(%q) = %q, %q", line, cmd, arg)
		}
		if p := resolve("/pub", arg); !strings.HasPrefix(p, "/") {
			t.Fatalf("resolve(%q) = %q", arg, p)
		}
	})
}

// FuzzSession feeds raw bytes to a whole session over an in-memory pipe: no panic, the session
// ends, and the event is well-formed.
func FuzzSession(f *testing.F) {
	seeds := []string{
		"USER anonymous\r\nPASS x\r\nSYST\r\nPWD\r\nCWD ..\r\nCWD /pub/../../..\r\nLIST\r\nQUIT\r\n",
		"USER admin\r\nPASS admin\r\nPASV\r\nEPSV\r\nEPSV ALL\r\nPORT 1,2,3,4,5,6\r\nRETR /pub/README\r\nSTOR\r\nSTOU\r\n",
		"USER ftp\nPASS\nMKD a\nMKD a/b\nRNFR a\nRNTO c\nRNFR notes.txt\nRNTO x\nDELE x\nRMD a/b\nSIZE /\nMDTM notes.txt\n",
		"\r\n\r\n\x00\xff\xfe\r\nUSER\r\nPASS\r\nREST -5\r\nTYPE L 8\r\nEPRT |1|1.2.3.4|5|\r\nEPRT x\r\n",
		strings.Repeat("A", maxLine+10) + "\r\nUSER a\r\n",
		"USER ftp\r\nPASS x\r\nSTAT\r\nSITE CHMOD 777 x\r\nSITE\r\nHELP\r\nOPTS UTF8 ON\r\nFEAT\r\nCDUP\r\nNOOP",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	cfg := Config{Anonymous: true, Accept: []string{"admin:admin"}, AcceptAfter: 2, MaxCommands: 200}
	svc := New(cfg, testLimits(), nil)
	f.Fuzz(func(t *testing.T, in []byte) {
		client, server := net.Pipe()
		server.SetDeadline(time.Now().Add(5 * time.Second))
		done := make(chan struct{})
		go func() {
			defer close(done)
			io.Copy(io.Discard, client)
		}()
		go func() {
			client.Write(in)
			client.Close()
		}()
		sess := newSession(svc, nil, server, server)
		sess.run()
		server.Close()
		<-done
		e := sess.sess.Snapshot()
		if e.Ongoing || e.Summary == "" || !strings.HasPrefix(e.Summary, "FTP: ") || len(e.Summary) > model.MaxSummaryLen || strings.ContainsAny(e.Summary, "\r\n") {
			t.Fatalf("summary %q", e.Summary)
		}
		if len(e.Details) > model.MaxDetails {
			t.Fatalf("%d details", len(e.Details))
		}
	})
}
