package http

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/netip"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// recordingReader hands what the connection reads to its record.
type recordingReader struct {
	c   net.Conn
	rec *connRec
}

func (r recordingReader) Read(p []byte) (int, error) {
	n, err := r.c.Read(p)
	r.rec.input(p[:n], err)
	return n, err
}

// head is a parsed request line and header.
type head struct {
	method, target, proto string
	path, query           string // the target's path (decoded, dot segments removed) and query
	host                  string
	headers               [][2]string // in the order sent
	contentLength         int64       // -1: none
	chunked               bool
	keepAlive             bool
}

// get returns the first value of the header name (any case).
func (h *head) get(name string) string {
	for _, kv := range h.headers {
		if strings.EqualFold(kv[0], name) {
			return kv[1]
		}
	}
	return ""
}

// badRequest is a request the server answers with an error page and then closes the
// connection: lighttpd answers in HTTP/1.0 until it knows the request's version.
type badRequest struct {
	status int
	proto  string
}

func (b *badRequest) Error() string { return strconv.Itoa(b.status) }

// serveConn answers the requests of one connection until it closes, breaks a rule, or reaches
// the request limit.
func (s *Service) serveConn(c net.Conn, rec *connRec) {
	// One byte more than lighttpd's header limit, so that a longer header is seen as such.
	br := bufio.NewReaderSize(recordingReader{c, rec}, maxHeaderBytes+1)
	for n := 0; ; n++ {
		wait := keepAliveIdle
		if n == 0 {
			wait = readHeaderTimeout
		}
		c.SetReadDeadline(time.Now().Add(wait))
		h, err := readHead(br)
		var bad *badRequest
		if errors.As(err, &bad) {
			resp := errorResponse(bad.status)
			resp.close = true
			c.SetWriteDeadline(time.Now().Add(writeTimeout))
			s.write(c, bad.proto, "GET", resp)
			if n > 0 {
				// the connection's first bytes no longer show it: record it as a line of its own
				s.table.request(rec, &request{at: time.Now(), line: "malformed request", malformed: true, status: bad.status})
			}
			return
		}
		if err != nil {
			return // closed, timed out or broken before a whole header came: nothing to answer
		}
		last := rec.begin(s.cfg.MaxRequests)
		q := &request{at: time.Now(), line: h.method + " " + h.target + " " + h.proto,
			short: h.method + " " + clip(h.path, 100), path: h.path, headers: headerLine(h)}
		// A client that waits for "100 Continue" gets none: like lighttpd, the answer comes
		// without the body.
		if (h.contentLength > 0 || h.chunked) && !strings.EqualFold(h.get("Expect"), "100-continue") {
			c.SetReadDeadline(time.Now().Add(readTimeout))
			q.body, q.bodyCut = readBody(br, h, s.cfg.MaxBody)
		}
		resp := s.route(h, q)
		q.status = resp.status
		s.table.request(rec, q)
		// lighttpd does not read a body a static file is not interested in: it answers and
		// closes the connection.
		resp.close = resp.close || last || !h.keepAlive || h.contentLength > 0 || h.chunked
		if resp.delay {
			time.Sleep(authDelay)
		}
		c.SetWriteDeadline(time.Now().Add(writeTimeout))
		if !s.write(c, h.proto, h.method, resp) || resp.close {
			return
		}
	}
}

// readHead reads one request line and header, as strictly as lighttpd with Debian's
// http-parseopts does. io errors are returned as they are; a request that breaks a rule is a
// *badRequest.
func readHead(br *bufio.Reader) (*head, error) {
	var lines []string
	size := 0
	for {
		line, err := br.ReadSlice('\n')
		size += len(line)
		if errors.Is(err, bufio.ErrBufferFull) || size > maxHeaderBytes {
			return nil, &badRequest{status: 431, proto: "HTTP/1.0"}
		}
		if err != nil {
			return nil, err
		}
		if len(lines) == 0 && (string(line) == "\r\n" || string(line) == "\n") {
			continue // empty lines before a request are allowed
		}
		if string(line) == "\r\n" || string(line) == "\n" {
			break // a bare line feed ends the header too, and fails the checks that follow
		}
		lines = append(lines, string(line))
	}
	return parseHead(lines)
}

// parseHead checks the request line and header lines (each with its line end).
func parseHead(lines []string) (*head, error) {
	first, ok := strings.CutSuffix(lines[0], "\r\n")
	bad := &badRequest{status: 400, proto: "HTTP/1.0"}
	if !ok || strings.IndexByte(first, '\n') >= 0 {
		return nil, bad
	}
	sp1, sp2 := strings.IndexByte(first, ' '), strings.LastIndexByte(first, ' ')
	if sp1 <= 0 || sp2 == sp1 {
		return nil, bad // no version: HTTP/0.9 is not served
	}
	h := &head{method: first[:sp1], target: first[sp1+1 : sp2], proto: first[sp2+1:], contentLength: -1}
	switch {
	case h.proto == "HTTP/1.1" || h.proto == "HTTP/1.0":
	case len(h.proto) == 8 && strings.HasPrefix(h.proto, "HTTP/") && isDigit(h.proto[5]) && h.proto[6] == '.' && isDigit(h.proto[7]):
		return nil, &badRequest{status: 505, proto: "HTTP/1.0"}
	default:
		return nil, bad
	}
	bad.proto = h.proto
	if h.target == "" || strings.ContainsAny(h.target, " \t") || hasCtl(h.target) || !isToken(h.method) {
		return nil, bad
	}
	hosts := 0
	for _, l := range lines[1:] {
		l, ok := strings.CutSuffix(l, "\r\n")
		name, value, found := strings.Cut(l, ":")
		if !ok || !found || !isToken(name) || strings.ContainsAny(value, "\r\n\x00") {
			return nil, bad
		}
		value = strings.Trim(value, " \t")
		h.headers = append(h.headers, [2]string{name, value})
		switch strings.ToLower(name) {
		case "host":
			hosts++
			h.host = value
		case "content-length":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 || value[0] == '+' || h.contentLength >= 0 {
				return nil, bad
			}
			h.contentLength = n
		case "transfer-encoding":
			if !strings.EqualFold(value, "chunked") || h.proto != "HTTP/1.1" {
				return nil, &badRequest{status: 501, proto: h.proto}
			}
			h.chunked = true
		}
	}
	if h.chunked && h.contentLength >= 0 {
		return nil, bad
	}
	if h.method == "CONNECT" {
		return nil, bad // no proxy here
	}
	if err := h.parseTarget(); err != nil {
		return nil, bad
	}
	if hosts > 1 || hosts == 0 && h.proto == "HTTP/1.1" && h.host == "" || h.host != "" && !validHost(h.host) {
		return nil, bad
	}
	conn := strings.ToLower(h.get("Connection"))
	if h.proto == "HTTP/1.1" {
		h.keepAlive = !strings.Contains(conn, "close")
	} else {
		h.keepAlive = strings.Contains(conn, "keep-alive")
	}
	return h, nil
}

// parseTarget splits the target into path and query. An absolute URI names the host; it must
// agree with a Host header.
func (h *head) parseTarget() error {
	t := h.target
	if t == "*" {
		if h.method != "OPTIONS" {
			return errors.New("* without OPTIONS")
		}
		h.path = "*"
		return nil
	}
	if rest, ok := cutScheme(t); ok {
		host, p, _ := strings.Cut(rest, "/")
		if host == "" || h.host != "" && !strings.EqualFold(host, h.host) {
			return errors.New("host differs")
		}
		h.host, t = host, "/"+p
	}
	if !strings.HasPrefix(t, "/") {
		return errors.New("relative target")
	}
	p, query, _ := strings.Cut(t, "?")
	dec, err := url.PathUnescape(p)
	if err != nil || hasCtl(dec) {
		return errors.New("bad escape")
	}
	h.path, h.query = cleanPath(dec), query
	return nil
}

func cutScheme(t string) (string, bool) {
	for _, scheme := range []string{"http://", "https://"} {
		if len(t) >= len(scheme) && strings.EqualFold(t[:len(scheme)], scheme) {
			return t[len(scheme):], true
		}
	}
	return "", false
}

// cleanPath removes dot segments and doubled slashes, keeping a trailing slash.
func cleanPath(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// readBody reads up to max bytes of the request's body and says whether there was more.
func readBody(br *bufio.Reader, h *head, max int64) ([]byte, bool) {
	var body bytes.Buffer
	if !h.chunked {
		n, _ := io.CopyN(&body, br, min(h.contentLength, max))
		return body.Bytes(), h.contentLength > n
	}
	for body.Len() < int(max) {
		line, err := br.ReadSlice('\n')
		if err != nil {
			break
		}
		size, err := strconv.ParseInt(strings.TrimSpace(strings.SplitN(string(line), ";", 2)[0]), 16, 64)
		if err != nil || size <= 0 {
			return body.Bytes(), false
		}
		if _, err := io.CopyN(&body, br, min(size, max-int64(body.Len()))); err != nil {
			break // the client ended inside a chunk
		}
		if int64(body.Len()) >= max {
			return body.Bytes(), true
		}
		if _, err := br.ReadSlice('\n'); err != nil {
			break
		}
	}
	return body.Bytes(), body.Len() >= int(max)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func hasCtl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// isToken says whether s is an HTTP token (a method or header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validHost accepts a host name, an IPv4 address or a bracketed IPv6 address, with an
// optional port.
func validHost(h string) bool {
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		if _, err := netip.ParseAddr(h[1:end]); err != nil {
			return false
		}
		h = "x" + h[end+1:]
	}
	name, port, hasPort := strings.Cut(h, ":")
	if hasPort {
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return false
		}
	}
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}
