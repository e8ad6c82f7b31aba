package http

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// installed is when the site's files were last changed: fixed, like a device's firmware.
var installed = time.Date(2023, time.March, 14, 9, 12, 44, 0, time.UTC)

// httpDate is the format of Date and Last-Modified.
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// knownMethods are the methods lighttpd knows: others are answered 501 and the connection
// closed.
var knownMethods = map[string]bool{}

func init() {
	for _, m := range strings.Fields(`GET HEAD POST PUT DELETE CONNECT OPTIONS TRACE ACL BASELINE-CONTROL BIND CHECKIN
		CHECKOUT COPY LABEL LINK LOCK MERGE MKACTIVITY MKCALENDAR MKCOL MKREDIRECTREF MKWORKSPACE MOVE ORDERPATCH
		PATCH PROPFIND PROPPATCH REBIND REPORT SEARCH UNBIND UNCHECKOUT UNLINK UNLOCK UPDATE UPDATEREDIRECTREF
		VERSION-CONTROL PRI`) {
		knownMethods[m] = true
	}
}

// statusText is lighttpd's reason phrase of each status the honeypot sends.
var statusText = map[int]string{200: "OK", 206: "Partial Content", 301: "Moved Permanently", 304: "Not Modified",
	400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 416: "Range Not Satisfiable",
	431: "Request Header Fields Too Large", 501: "Not Implemented", 505: "HTTP Version Not Supported"}

// file is one static file of the site.
type file struct {
	body        []byte
	contentType string
	etag        string
}

// site is what the honeypot pretends its document root holds.
type site struct {
	files map[string]*file
	dirs  map[string]bool // directories without an index file, with a trailing slash
}

func newSite(cfg Config) *site {
	var index bytes.Buffer
	if err := loginTmpl.Execute(&index, map[string]any{"Title": cfg.Title, "Year": installed.Year()}); err != nil {
		// the template and the shape of its data are fixed: a failure is a programming
		// error that every start of the honeypot, and its tests, would hit
		panic(err)
	}
	st := &site{files: map[string]*file{}, dirs: map[string]bool{"/cgi-bin/": true, "/css/": true, "/js/": true, "/images/": true}}
	st.add("/index.html", "text/html", index.Bytes())
	st.add("/robots.txt", "text/plain;charset=utf-8", []byte("User-agent: *\nDisallow: /\n"))
	return st
}

func (st *site) add(name, contentType string, body []byte) {
	// lighttpd's ETag is a decimal hash of the file's inode, size and time: any stable
	// decimal number looks the same
	h := fnv.New32a()
	fmt.Fprintf(h, "%d-%d-%s", len(body), installed.Unix(), name)
	st.files[name] = &file{body: body, contentType: contentType, etag: `"` + strconv.FormatUint(uint64(h.Sum32()), 10) + `"`}
}

// lookup finds the file at p (the index file for "/"), or says whether p is a directory.
func (st *site) lookup(p string) (f *file, dir bool) {
	if p == "/" {
		return st.files["/index.html"], false
	}
	if f := st.files[p]; f != nil {
		return f, false
	}
	return nil, st.dirs[strings.TrimSuffix(p, "/")+"/"]
}

// response is one answer: the status, the headers before Date and Server in lighttpd's order,
// and the body.
type response struct {
	status  int
	headers [][2]string
	body    []byte
	close   bool // add "Connection: close" and end the connection
	delay   bool // wait authDelay before answering (a wrong password)
}

// authDelay is how long lighttpd takes to refuse a wrong password.
var authDelay = time.Second

// serve answers GET, HEAD or POST for the file, with lighttpd's conditional and range requests.
func (f *file) serve(h *head) *response {
	modified := installed.Format(httpDate)
	meta := [][2]string{{"Content-Type", f.contentType}, {"ETag", f.etag}, {"Last-Modified", modified}}
	if h.method != "POST" {
		if inm := h.get("If-None-Match"); inm != "" && (inm == f.etag || inm == "*") ||
			inm == "" && h.get("If-Modified-Since") == modified {
			return &response{status: 304, headers: meta}
		}
	}
	r := &response{status: 200, body: f.body, headers: append(meta, [2]string{"Content-Length", strconv.Itoa(len(f.body))})}
	if h.method == "POST" || h.proto != "HTTP/1.1" {
		return r // lighttpd offers ranges to HTTP/1.1 GET and HEAD only
	}
	r.headers = append(r.headers, [2]string{"Accept-Ranges", "bytes"})
	if spec, ok := strings.CutPrefix(h.get("Range"), "bytes="); ok && h.method == "GET" {
		return f.ranges(spec, r)
	}
	return r
}

// rangeGap is how close two asked ranges must be for lighttpd to send them as one.
const rangeGap = 80

// ranges answers a Range request: one range, ranges close together as one, others as
// multipart/byteranges; a range beyond the file is 416, a malformed one is ignored.
func (f *file) ranges(spec string, whole *response) *response {
	size := int64(len(f.body))
	type span struct{ from, to int64 }
	var spans []span
	for _, part := range strings.Split(spec, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return whole
		}
		var sp span
		switch {
		case a == "":
			n, err := strconv.ParseInt(b, 10, 64)
			if err != nil {
				return whole
			}
			sp = span{max(size-n, 0), size - 1}
		default:
			from, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				return whole
			}
			to := size - 1
			if b != "" {
				if to, err = strconv.ParseInt(b, 10, 64); err != nil {
					return whole
				}
			}
			sp = span{from, min(to, size-1)}
		}
		if sp.from >= size || sp.from > sp.to {
			return errorResponse(416)
		}
		if n := len(spans); n > 0 && sp.from >= spans[n-1].from && sp.from <= spans[n-1].to+rangeGap {
			spans[n-1].to = max(spans[n-1].to, sp.to)
			continue
		}
		spans = append(spans, sp)
	}
	r := &response{status: 206, headers: whole.headers[:3:3]}
	contentRange := func(sp span) string { return fmt.Sprintf("bytes %d-%d/%d", sp.from, sp.to, size) }
	if len(spans) == 1 {
		r.body = f.body[spans[0].from : spans[0].to+1]
		r.headers = append(r.headers, [2]string{"Content-Length", strconv.Itoa(len(r.body))}, [2]string{"Accept-Ranges", "bytes"},
			[2]string{"Content-Range", contentRange(spans[0])})
		return r
	}
	const boundary = "fkj49sn38dcn3"
	var b bytes.Buffer
	for _, sp := range spans {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s\r\nContent-Range: %s\r\n\r\n", boundary, f.contentType, contentRange(sp))
		b.Write(f.body[sp.from : sp.to+1])
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	r.body = b.Bytes()
	r.headers[0][1] = "multipart/byteranges; boundary=" + boundary
	r.headers = append(r.headers, [2]string{"Content-Length", strconv.Itoa(b.Len())}, [2]string{"Accept-Ranges", "bytes"})
	return r
}

// errorResponse is lighttpd's stock error page.
func errorResponse(code int) *response {
	text := fmt.Sprintf("%d %s", code, statusText[code])
	body := `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
         "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>` + text + `</title>
 </head>
 <body>
  <h1>` + text + `</h1>
 </body>
</html>
`
	return &response{status: code, body: []byte(body),
		headers: [][2]string{{"Content-Type", "text/html"}, {"Content-Length", strconv.Itoa(len(body))}}}
}

func optionsResponse() *response {
	return &response{status: 200, headers: [][2]string{{"Allow", "OPTIONS, GET, HEAD, POST"}, {"Content-Length", "0"}}}
}

// write sends resp in answer to a request of proto and method: lighttpd's header order, then
// Connection, Date and Server; no body for HEAD or 304. It says whether the write went through.
func (s *Service) write(c net.Conn, proto, method string, resp *response) bool {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d %s\r\n", proto, resp.status, statusText[resp.status])
	for _, kv := range resp.headers {
		b.WriteString(kv[0] + ": " + kv[1] + "\r\n")
	}
	switch {
	case resp.close:
		b.WriteString("Connection: close\r\n")
	case proto == "HTTP/1.0":
		b.WriteString("Connection: keep-alive\r\n")
	}
	fmt.Fprintf(&b, "Date: %s\r\nServer: %s\r\n\r\n", time.Now().UTC().Format(httpDate), s.cfg.Server)
	if method != "HEAD" {
		b.Write(resp.body)
	}
	_, err := io.Copy(c, &b)
	return err == nil
}
