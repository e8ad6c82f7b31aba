package fidelity

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/hptest"
	httphp "honeysens/app/honeypot/http"
)

// httpUnavoidable lists what the HTTP honeypot answers differently from lighttpd 1.4.69 on
// purpose, by step, with the reason. The test fails on a difference not listed here and on a
// listed step that no longer differs.
var httpUnavoidable = map[string]string{}

// httpSteps are the requests sent to both servers, each on a connection of its own.
var httpSteps = []struct{ name, request string }{
	{"GET /", "GET / HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"HEAD /", "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"GET /index.html", "GET /index.html HTTP/1.1\r\nHost: h\r\nUser-Agent: Mozilla/5.0\r\n\r\n"},
	{"GET /robots.txt", "GET /robots.txt HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"GET with query", "GET /?id=1%27%20or%201=1 HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"404", "GET /nonexistent HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"HEAD 404", "HEAD /wp-login.php HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"dot segments", "GET /../../etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"directory without slash", "GET /cgi-bin HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"directory without slash, query", "GET /images?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"directory", "GET /cgi-bin/ HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"access-deny", "GET /index.html~ HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"POST static file", "POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n\r\nusername=admin&password=admin"},
	{"POST 404", "POST /login.cgi HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na=b"},
	{"POST chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
	{"Expect 100-continue", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"},
	{"PUT 404", "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\na"},
	{"unknown method", "FOO / HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"lower-case method", "get / HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"OPTIONS", "OPTIONS / HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"OPTIONS 404", "OPTIONS /nope HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"TRACE", "TRACE / HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"DELETE", "DELETE / HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"PROPFIND", "PROPFIND / HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
	{"garbage", "GARBAGE\r\n\r\n"},
	{"missing version", "GET /\r\n\r\n"},
	{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n"},
	{"HTTP/1.2", "GET / HTTP/1.2\r\nHost: h\r\n\r\n"},
	{"no Host", "GET / HTTP/1.1\r\n\r\n"},
	{"bad Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"},
	{"bad Host chars", "GET / HTTP/1.1\r\nHost: x/y\r\n\r\n"},
	{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
	{"absolute URI", "GET http://h/robots.txt HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"absolute URI, no Host", "GET http://h/robots.txt HTTP/1.1\r\n\r\n"},
	{"absolute URI, other Host", "GET http://other/robots.txt HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"double space", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"bare LF", "GET / HTTP/1.1\nHost: h\n\n"},
	{"header without colon", "GET / HTTP/1.1\r\nHost: h\r\nBroken\r\n\r\n"},
	{"space before colon", "GET / HTTP/1.1\r\nHost: h\r\nX : y\r\n\r\n"},
	{"negative Content-Length", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n"},
	{"encoded NUL", "GET /%00 HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"long request line", "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"request line under the limit", "GET /" + strings.Repeat("a", 8100) + " HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"long header", "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("a", 9000) + "\r\n\r\n"},
	{"header under the limit", "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("a", 8150) + "\r\n\r\n"},
	{"HTTP/1.0", "GET / HTTP/1.0\r\n\r\n"},
	{"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"},
	{"Connection: close", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"},
	{"pipelined", "GET /robots.txt HTTP/1.1\r\nHost: h\r\n\r\nGET /nope HTTP/1.1\r\nHost: h\r\n\r\nHEAD / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"},
	{"Range", "GET /robots.txt HTTP/1.1\r\nHost: h\r\nRange: bytes=0-4\r\n\r\n"},
	{"Range suffix", "GET /robots.txt HTTP/1.1\r\nHost: h\r\nRange: bytes=-3\r\n\r\n"},
	{"Range beyond the end", "GET /robots.txt HTTP/1.1\r\nHost: h\r\nRange: bytes=100-\r\n\r\n"},
	{"Range reversed", "GET /robots.txt HTTP/1.1\r\nHost: h\r\nRange: bytes=5-2\r\n\r\n"},
	{"Range other unit", "GET /robots.txt HTTP/1.1\r\nHost: h\r\nRange: items=0-4\r\n\r\n"},
	{"Ranges close together", "GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=0-9,50-59\r\n\r\n"},
	{"Ranges apart", "GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=0-9,200-209\r\n\r\n"},
	{"basic auth asked", "GET /admin/ HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"basic auth refused", "GET /admin HTTP/1.1\r\nHost: h\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n"},
	{"TLS ClientHello", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + strings.Repeat("\x00", 40) + "\r\n\r\n"},
}

// httpVarying are the header values that differ between any two servers or runs: the time, and
// the file times and ETags (lighttpd derives them from the inode and mtime of its copy).
var httpVarying = regexp.MustCompile(`(?m)^(Date|Last-Modified|ETag): .*\r$`)

// httpStartPair runs lighttpd with Debian's configuration (plus mod_auth guarding /admin, as the
// honeypot's default site does) on a document root holding what the honeypot serves, and the
// HTTP honeypot with its default settings; it returns their ports.
func httpStartPair(t *testing.T) (real, pot int) {
	t.Helper()
	real, pot = freePort(t), freePort(t)
	cfg := httphp.DefaultConfig()
	cfg.Listen = "127.0.0.1:" + strconv.Itoa(pot)
	svc := httphp.New(cfg, honeypot.DefaultLimits, nil)
	if err := svc.Start(hptest.NewRecorder()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Stop)

	dir := t.TempDir()
	root := filepath.Join(dir, "www")
	for _, d := range []string{"cgi-bin", "css", "js", "images", "admin"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The files are the honeypot's own pages, as it sends them.
	for name, path := range map[string]string{"index.html": "/", "robots.txt": "/robots.txt"} {
		answer := httpExchange(t, pot, "GET "+path+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		_, body, _ := strings.Cut(answer, "\r\n\r\n")
		body = strings.TrimSuffix(body, "<closed>")
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	users := filepath.Join(dir, "users")
	if err := os.WriteFile(users, []byte("operator:not-a-guessable-password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "lighttpd.conf")
	err := os.WriteFile(conf, []byte(fmt.Sprintf(`server.modules = (
	"mod_indexfile",
	"mod_access",
	"mod_alias",
	"mod_redirect",
	"mod_auth",
	"mod_authn_file",
)
server.document-root = %q
server.upload-dirs = ( %q )
server.bind = "127.0.0.1"
server.port = %d
server.http-parseopts = (
  "header-strict"           => "enable",
  "host-strict"             => "enable",
  "host-normalize"          => "enable",
  "url-normalize-unreserved"=> "enable",
  "url-normalize-required"  => "enable",
  "url-ctrls-reject"        => "enable",
  "url-path-2f-decode"      => "enable",
  "url-path-dotseg-remove"  => "enable",
)
index-file.names = ( "index.php", "index.html" )
url.access-deny = ( "~", ".inc" )
static-file.exclude-extensions = ( ".php", ".pl", ".fcgi" )
include_shell "/usr/share/lighttpd/create-mime.conf.pl"
auth.backend = "plain"
auth.backend.plain.userfile = %q
auth.require = ( "/admin" => ( "method" => "basic", "realm" => "Administration", "require" => "valid-user" ) )
server.modules += ( "mod_dirlisting", "mod_staticfile" )
`, root, dir, real, users)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	startDaemon(t, real, "lighttpd", "-D", "-f", conf)
	return real, pot
}

// httpExchange sends request on a new connection and returns what comes back until the server
// closes ("<closed>" is appended) or stays silent for a while ("<open>"); the while is longer
// than the second lighttpd takes to refuse a wrong password.
func httpExchange(t *testing.T, port int, request string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go c.Write([]byte(request))
	var out []byte
	buf := make([]byte, 64<<10)
	for len(out) < 1<<20 {
		c.SetReadDeadline(time.Now().Add(1500 * time.Millisecond))
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			return string(out) + "<open>"
		case errors.Is(err, io.EOF) || err != nil:
			return string(out) + "<closed>"
		}
	}
	return string(out)
}

// httpNormalise blanks the values httpVarying names, keeping the headers and their places.
func httpNormalise(answer string) string {
	return httpVarying.ReplaceAllString(answer, "$1: …\r")
}

// TestHTTPAnswers: status line, header names, case and order, body and whether the connection
// stays open are lighttpd's for normal, malformed and oversized requests.
func TestHTTPAnswers(t *testing.T) {
	sideBySide(t)
	real, pot := httpStartPair(t)
	var realSteps, potSteps []string
	for _, s := range httpSteps {
		realSteps = append(realSteps, s.name+": "+httpNormalise(httpExchange(t, real, s.request)))
		potSteps = append(potSteps, s.name+": "+httpNormalise(httpExchange(t, pot, s.request)))
	}
	compareSteps(t, "http", realSteps, potSteps, httpUnavoidable)
	for step := range httpUnavoidable {
		for i, s := range httpSteps {
			if s.name == step && realSteps[i] == potSteps[i] {
				t.Errorf("http: %s is listed as a difference but answers the same now", step)
			}
		}
	}
}

// TestHTTPNmap: nmap -sV -sC prints the same for both (version, http-title,
// http-server-header, http-methods, ...).
func TestHTTPNmap(t *testing.T) {
	sideBySide(t)
	real, pot := httpStartPair(t)
	if r, p := nmapScan(t, real), nmapScan(t, pot); r != p {
		t.Errorf("nmap -sV -sC differs:\nreal:\n%s\nhoneypot:\n%s", r, p)
	} else {
		t.Logf("nmap -sV -sC:\n%s", r)
	}
}
