package http

import (
	"encoding/base64"
	"html/template"
	"mime"
	"net/url"
	"strings"
)

// recorded lists the request headers kept in the details (besides the request line).
var recorded = []string{"Host", "User-Agent", "Referer", "Content-Type", "Content-Length", "Cookie",
	"Authorization", "X-Forwarded-For", "X-Real-Ip", "Origin", "Accept-Language"}

// Form field names taken as user name and password, first found wins.
var (
	userFields = []string{"username", "user", "login", "name", "usr", "uname", "email", "account"}
	passFields = []string{"password", "pass", "passwd", "pwd", "pw", "secret"}
)

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func headerLine(h *head) string {
	var parts []string
	for _, k := range recorded {
		if k == "Host" {
			if h.host != "" {
				parts = append(parts, "Host: "+h.host)
			}
			continue
		}
		for _, kv := range h.headers {
			if strings.EqualFold(kv[0], k) {
				parts = append(parts, k+": "+kv[1])
			}
		}
	}
	return strings.Join(parts, "; ")
}

// route picks the answer as lighttpd with Debian's modules (index file, access, auth, static
// file) would give it for the honeypot's site. Credentials sent on any path are recorded; only
// the guarded paths ask for them.
func (s *Service) route(h *head, q *request) *response {
	if u, p, ok := basicAuth(h.get("Authorization")); ok {
		q.user, q.pass, q.via = u, p, "basic auth"
	} else if h.method == "POST" {
		if u, p, ok := formCredentials(h.get("Content-Type"), q.body); ok {
			q.user, q.pass, q.via = u, p, "form"
		}
	}
	if !knownMethods[h.method] {
		r := errorResponse(501)
		r.close = true
		return r
	}
	if h.path == "*" {
		return optionsResponse()
	}
	if strings.HasSuffix(h.path, "~") || strings.HasSuffix(h.path, ".inc") {
		return errorResponse(403) // url.access-deny
	}
	if s.guarded(h.path) {
		r := errorResponse(401)
		r.headers = append([][2]string{{"WWW-Authenticate", `Basic realm="` + s.cfg.Realm + `", charset="UTF-8"`}}, r.headers...)
		r.close = q.via == "basic auth" // a wrong password is answered late and ends the connection
		r.delay = r.close
		return r
	}
	f, dir := s.site.lookup(h.path)
	switch {
	case f == nil && !dir:
		return errorResponse(404)
	case h.method == "OPTIONS":
		return optionsResponse()
	case dir && !strings.HasSuffix(h.path, "/"):
		loc := h.path + "/"
		if h.query != "" {
			loc += "?" + h.query
		}
		return &response{status: 301, headers: [][2]string{{"Location", loc}, {"Content-Length", "0"}}}
	case dir:
		return errorResponse(403) // no index file, no listing
	case h.method != "GET" && h.method != "HEAD" && h.method != "POST":
		return errorResponse(501)
	}
	return f.serve(h)
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

// loginTmpl is the site's index page; the form posts back to it, as a static page would.
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
.foot{text-align:center;font-size:11px;color:#889;margin-top:24px}
</style>
</head>
<body>
<div class="top">{{.Title}}</div>
<div class="box">
<h1>Sign in</h1>
<form method="post" action="/" autocomplete="off">
<label for="username">User name</label>
<input type="text" id="username" name="username" maxlength="64">
<label for="password">Password</label>
<input type="password" id="password" name="password" maxlength="64">
<button type="submit">Login</button>
</form>
<div class="foot">Firmware 2.1.7 &middot; &copy; {{.Year}}</div>
</div>
</body>
</html>
`))
