package http

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"honeysens/app/honeypot/hptest"
	"honeysens/app/model"
)

var fuzzSeeds = []string{
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n\r\nusername=admin&password=admin",
	"GET /admin HTTP/1.1\r\nHost: x\r\nAuthorization: Basic cm9vdDpyb290\r\n\r\n",
	"GET /admin HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %%%\r\n\r\nGET /.env HTTP/1.1\r\nHost: y\r\n\r\n",
	"POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nuser=\r\n0\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	"PROPFIND /../../etc/passwd HTTP/1.0\r\n\r\n",
	"GET /?a=%zz&b=\xff HTTP/1.1\r\nHost: \xfe\r\nUser-Agent: \x00\r\n\r\n",
	"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
	"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef",
}

// FuzzHandler runs the parser and the router on every input: no panic, and every answer is a
// status lighttpd has a reason phrase for.
func FuzzHandler(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	svc := New(Config{MaxBody: 256, BasicAuth: []string{"/admin", "/"}}, testLimits(), nil)
	svc2 := New(DefaultConfig(), testLimits(), nil)
	f.Fuzz(func(t *testing.T, in []byte) {
		br := bufio.NewReader(bytes.NewReader(in))
		h, err := readHead(br)
		if err != nil {
			return
		}
		q := &request{}
		if h.contentLength > 0 || h.chunked {
			q.body, q.bodyCut = readBody(br, h, 256)
		}
		for _, s := range []*Service{svc, svc2} {
			resp := s.route(h, q)
			if statusText[resp.status] == "" {
				t.Fatalf("status %d for %q", resp.status, in)
			}
		}
		basicAuth(h.get("Authorization"))
		formCredentials(h.get("Content-Type"), in)
	})
}

// pipeListener hands in-memory connections to the server.
type pipeListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}
func (l *pipeListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{} }

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// FuzzServer feeds raw bytes through the whole server (net/http, listener, Guard, record):
// the answer is an HTTP response or nothing, the connection's event is reported and no
// handler panic is logged.
func FuzzServer(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	logs := &syncBuf{}
	svc := New(Config{MaxRequests: 20, MaxBody: 1024}, testLimits(),
		slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	// Every input's requests are one session (the pipes have no source address): it ends soon
	// after the client went, so each input is one event.
	svc.Timing, svc.table.idle = fast, 20*time.Millisecond
	rec := hptest.NewRecorder()
	ln := &pipeListener{ch: make(chan net.Conn), done: make(chan struct{})}
	svc.serve(ln, rec)
	f.Cleanup(svc.Stop)
	n := 0
	f.Fuzz(func(t *testing.T, in []byte) {
		client, server := net.Pipe()
		ln.ch <- server
		client.SetDeadline(time.Now().Add(5 * time.Second))
		out := make(chan []byte)
		go func() {
			b, _ := io.ReadAll(client)
			out <- b
		}()
		client.Write(in)
		time.Sleep(time.Millisecond) // let the server answer what it can before the client goes
		client.Close()
		got := <-out
		if len(got) > 0 && !bytes.HasPrefix(got, []byte("HTTP/1.")) {
			t.Fatalf("answer %.100q", got)
		}
		n++
		e := rec.Wait(t, n, eventWait)
		rec.Forget(n) // keep the fuzzer's memory flat
		if !strings.HasPrefix(e.Summary, "HTTP: ") || len(e.Summary) > model.MaxSummaryLen || strings.ContainsAny(e.Summary, "\r\n") ||
			len(e.Details) > model.MaxDetails {
			t.Fatalf("event %q with %d details", e.Summary, len(e.Details))
		}
		if strings.Contains(logs.String(), "panic") {
			t.Fatalf("server log: %s", logs.String())
		}
	})
}
