package http

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"mime"
	nethttp "net/http"
	"net/url"
	"strings"
	"time"
)

// recorded lists the request headers kept in the details (besides the request line).
var recorded = []string{"Host", "User-Agent", "Referer", "Content-Type", "Content-Length", "Cookie",
	"Authorization", "X-Forwarded-For", "X-Real-Ip", "Origin", "Accept-Language"}

// Form field names taken as user name and password, first found wins.
var (
	userFields = []string{"username", "user", "login", "name", "usr", "uname", "email", "account"}
	passFields = []string{"password", "pass", "passwd", "pwd", "pw", "secret"}
)

// ServeHTTP answers and records one request.
func (s *Service) ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request) {
	rec, _ := r.Context().Value(recKey{}).(*connRec)
	if rec == nil { // not through our listener (fuzz tests call the handler directly)
		rec = newConnRec(nil, time.Now())
	}
	h := w.Header()
	h.Set("Server", s.cfg.Server)
	if rec.begin(s.cfg.MaxRequests) {
		h.Set("Connection", "close")
	}
	q := &request{at: time.Now(), line: r.Method + " " + r.RequestURI + " " + r.Proto,
		short: r.Method + " " + clip(r.URL.Path, 100), path: r.URL.Path, headers: headerLine(r)}
	if q.path == "" { // CONNECT host:port asks for no path: the target is what was asked for
		q.path = r.RequestURI
	}
	q.body, q.bodyCut = readBody(r.Body, s.cfg.MaxBody)
	q.status = s.route(w, r, q)
	s.table.request(rec, q)
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func headerLine(r *nethttp.Request) string {
	var parts []string
	for _, k := range recorded {
		if k == "Host" {
			if r.Host != "" {
				parts = append(parts, "Host: "+r.Host)
			}
			continue
		}
		for _, v := range r.Header.Values(k) {
			parts = append(parts, k+": "+v)
		}
	}
	return strings.Join(parts, "; ")
}

// readBody reads up to max bytes and says whether there was more.
func readBody(body io.Reader, max int64) ([]byte, bool) {
	if body == nil {
		return nil, false
	}
	b, _ := io.ReadAll(io.LimitReader(body, max+1))
	if int64(len(b)) > max {
		return b[:max], true
	}
	return b, false
}

// route picks the answer; it returns the status sent.
func (s *Service) route(w nethttp.ResponseWriter, r *nethttp.Request, q *request) int {
	// Credentials sent on any path are recorded; only the guarded paths ask for them.
	if u, p, ok := basicAuth(r.Header.Get("Authorization")); ok {
		q.user, q.pass, q.via = u, p, "basic auth"
	}
	switch r.Method {
	case "GET", "HEAD", "POST":
	case "OPTIONS":
		w.Header().Set("Allow", "OPTIONS, GET, HEAD, POST")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(nethttp.StatusOK)
		return nethttp.StatusOK
	default:
		return s.errorPage(w, nethttp.StatusNotImplemented)
	}
	if q.bodyCut {
		w.Header().Set("Connection", "close")
		return s.errorPage(w, nethttp.StatusRequestEntityTooLarge)
	}
	p := r.URL.Path
	if s.guarded(p) {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.cfg.Realm+`"`)
		return s.errorPage(w, nethttp.StatusUnauthorized)
	}
	switch p {
	case "/", "/index.html", "/index.htm", "/login", "/login.html", "/login.htm", "/login.cgi", "/cgi-bin/login.cgi":
		msg := ""
		if r.Method == "POST" {
			u, pw, ok := formCredentials(r.Header.Get("Content-Type"), q.body)
			if ok {
				q.user, q.pass, q.via = u, pw, "form"
			}
			msg = "Invalid user name or password."
		}
		return s.loginPage(w, q.user, msg)
	case "/robots.txt":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(nethttp.StatusOK)
		io.WriteString(w, "User-agent: *\nDisallow: /\n")
		return nethttp.StatusOK
	case "/cgi-bin/", "/cgi-bin", "/css/", "/js/", "/images/":
		return s.errorPage(w, nethttp.StatusForbidden) // directory, no listing
	}
	return s.errorPage(w, nethttp.StatusNotFound)
}

func (s *Service) guarded(p string) bool {
	for _, g := range s.cfg.BasicAuth {
		g = strings.TrimSuffix(g, "/")
		if p == g || strings.HasPrefix(p, g+"/") || g == "" {
			return true
		}
	}
	return false
}

// basicAuth decodes "Basic base64(user:password)" leniently (any case, padding optional).
func basicAuth(h string) (user, pass string, ok bool) {
	scheme, cred, found := strings.Cut(strings.TrimSpace(h), " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	cred = strings.TrimSpace(cred)
	b, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(cred, "=")); err != nil {
			return "", "", false
		}
	}
	user, pass, ok = strings.Cut(string(b), ":")
	return user, pass, ok
}

// formCredentials finds user name and password in an url-encoded (or untyped) form body.
func formCredentials(contentType string, body []byte) (user, pass string, ok bool) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "" && mt != "application/x-www-form-urlencoded" && mt != "text/plain" {
		return "", "", false
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil && len(vals) == 0 {
		return "", "", false
	}
	lower := url.Values{}
	for k, v := range vals {
		lower[strings.ToLower(k)] = append(lower[strings.ToLower(k)], v...)
	}
	var hasUser, hasPass bool
	for _, k := range userFields {
		if v, found := lower[k]; found {
			user, hasUser = v[0], true
			break
		}
	}
	for _, k := range passFields {
		if v, found := lower[k]; found {
			pass, hasPass = v[0], true
			break
		}
	}
	return user, pass, hasUser || hasPass
}

// errorPage answers with lighttpd's stock error page.
func (s *Service) errorPage(w nethttp.ResponseWriter, code int) int {
	text := fmt.Sprintf("%d %s", code, nethttp.StatusText(code))
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
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(code)
	io.WriteString(w, body)
	return code
}

var loginTmpl = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} - Login</title>
<style>
body{margin:0;font-family:Helvetica,Arial,sans-serif;background:#e9edf1;color:#333}
.top{background:#1f3b57;color:#fff;padding:12px 24px;font-size:18px;letter-spacing:.5px}
.box{width:320px;margin:90px auto;background:#fff;border:1px solid #c8d0d8;border-radius:4px;padding:28px 32px;box-shadow:0 2px 6px rgba(0,0,0,.08)}
h1{font-size:20px;font-weight:normal;margin:0 0 18px}
label{display:block;font-size:13px;margin:12px 0 4px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #aab4be;border-radius:3px}
button{margin-top:20px;width:100%;padding:9px;border:0;border-radius:3px;background:#2d6ca2;color:#fff;font-size:14px;cursor:pointer}
.err{color:#b00020;font-size:13px;margin-top:12px}
.foot{text-align:center;font-size:11px;color:#889;margin-top:24px}
</style>
</head>
<body>
<div class="top">{{.Title}}</div>
<div class="box">
<h1>Sign in</h1>
<form method="post" action="/login" autocomplete="off">
<label for="username">User name</label>
<input type="text" id="username" name="username" value="{{.User}}" maxlength="64">
<label for="password">Password</label>
<input type="password" id="password" name="password" maxlength="64">
<button type="submit">Login</button>
{{if .Error}}<div class="err">{{.Error}}</div>{{end}}
</form>
<div class="foot">Firmware 2.1.7 &middot; &copy; {{.Year}}</div>
</div>
</body>
</html>
`))

// loginPage renders the login form; user (attacker input) is escaped by html/template.
func (s *Service) loginPage(w nethttp.ResponseWriter, user, msg string) int {
	var buf bytes.Buffer
	loginTmpl.Execute(&buf, map[string]any{"Title": s.cfg.Title, "User": user, "Error": msg, "Year": time.Now().Year()})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(nethttp.StatusOK)
	w.Write(buf.Bytes())
	return nethttp.StatusOK
}
