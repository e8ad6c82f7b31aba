package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// apiFrom is an API client whose connections come from the loopback address ip (all of
// 127.0.0.0/8 is loopback on Linux), so the appliance sees another client address than the
// browser's 127.0.0.1.
func apiFrom(t *testing.T, srv *server, ip string) *apiClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &apiClient{t: t, base: strings.TrimSuffix(srv.URL, "/"),
		http: &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}}
}

// logInAPI starts a session for the client and keeps its CSRF token.
func (c *apiClient) logInAPI(user, password string) {
	c.t.Helper()
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	c.must("POST", "/api/session", map[string]string{"username": user, "password": password}, &sess, http.StatusOK)
	c.csrf = sess.CSRF
}

// endSessionFrom ends, in the session table on screen, the session from the address ip.
func endSessionFrom(b *browser, ip string) {
	b.t.Helper()
	row := fmt.Sprintf(`[data-testid="session-row"][data-ip=%q]`, ip)
	b.do("end the session from "+ip,
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+` [data-testid="session-end"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="confirm-dialog"]`)),
		chromedp.Click(chromedp.CSS(`#confirm-ok`)),
		chromedp.WaitNotPresent(chromedp.CSS(row)))
}

// TestAccountSafety: 50 wrong passwords for admin from one address do not keep the admin out
// of the browser; the token list shows where a token was last used; the admin ends their own
// other session on the Account page and a user's session on the Users page; a password change
// revokes the API tokens by default.
func TestAccountSafety(t *testing.T) {
	b := newBrowser(t)
	srv := startServer(t)
	api := adminAPI(t, srv)
	api.createUser("carol", "")

	attacker := apiFrom(t, srv, "127.0.0.2")
	answers := map[int]int{}
	for range 50 {
		status, _ := attacker.call("POST", "/api/session", map[string]string{"username": "ADMIN", "password": "guess"}, nil)
		answers[status]++
	}
	if answers[401] != 5 || answers[429] != 45 {
		t.Fatalf("answers to 50 wrong passwords: %v, want 5×401 and 45×429", answers)
	}

	b.do("open the app", chromedp.Navigate(srv.URL))
	logIn(b, "admin", adminPassword)
	landOnOverview(b)

	// A token used by a script on another machine.
	var tok struct {
		Token string `json:"token"`
	}
	api.must("POST", "/api/tokens", map[string]string{"name": "nightly export"}, &tok, http.StatusCreated)
	script := apiFrom(t, srv, "127.0.0.3")
	req, _ := http.NewRequest("GET", script.base+"/api/events", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	res, err := script.http.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("token use: %v %v", res, err)
	}
	res.Body.Close()

	// The admin is also logged in on another machine.
	elsewhere := apiFrom(t, srv, "127.0.0.4")
	elsewhere.logInAPI("admin", adminPassword)

	b.do("open the account page",
		chromedp.Click(chromedp.CSS("#nav-account")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="session-table"]`)))
	if got := b.text(`[data-testid="token-last-used"]`); !strings.Contains(got, "from 127.0.0.3") {
		t.Errorf("token last used = %q, want the script's address", got)
	}
	marked := eval[[]string](b, `[...document.querySelectorAll('[data-testid="session-row"]')]
		.filter(r => r.querySelector('.actions').textContent === 'this browser').map(r => r.dataset.ip)`)
	if len(marked) != 1 || marked[0] != "127.0.0.1" {
		t.Errorf("sessions marked as this browser: %q, want the one from 127.0.0.1", marked)
	}
	b.screenshot("account-sessions")
	endSessionFrom(b, "127.0.0.4")
	if status, _ := elsewhere.call("GET", "/api/session", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("the ended session still answers %d", status)
	}

	// The admin ends carol's session from the Users page.
	carol := apiFrom(t, srv, "127.0.0.5")
	carol.logInAPI("carol", "carol-password-1")
	b.do("open carol's sessions",
		chromedp.Click(chromedp.CSS("#nav-users")),
		chromedp.Click(chromedp.CSS(`[data-testid="user-row"][data-login="carol"] [data-testid="user-sessions"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sessions-dialog"] [data-testid="session-row"]`)))
	b.screenshot("user-sessions")
	endSessionFrom(b, "127.0.0.5")
	waitText(b, `[data-testid="sessions-dialog"]`, "No active sessions.")
	if status, _ := carol.call("GET", "/api/session", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("carol's ended session still answers %d", status)
	}
	b.do("close the dialog", chromedp.Click(chromedp.CSS(`[data-testid="sessions-dialog"] [data-testid="dialog-close"]`)))

	// A password change with the box left ticked revokes the token.
	b.do("open the password page",
		chromedp.Click(chromedp.CSS("#nav-account")),
		chromedp.Click(chromedp.CSS("#account-password")),
		chromedp.WaitVisible(chromedp.CSS("#pw-revoke-tokens")))
	if !checked(b, "#pw-revoke-tokens") {
		t.Error("'Also revoke my API tokens' is not ticked by default")
	}
	b.do("change the password",
		chromedp.SendKeys(chromedp.CSS("#pw-current"), adminPassword),
		chromedp.SendKeys(chromedp.CSS("#pw-new"), "a new admin password"),
		chromedp.SendKeys(chromedp.CSS("#pw-repeat"), "a new admin password"),
		chromedp.Click(chromedp.CSS("#pw-submit")),
		chromedp.WaitVisible(chromedp.CSS("#overview-tiles")))
	res, err = script.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the token answers %d after the password change, want 401", res.StatusCode)
	}
	b.assertNoPageErrors()
}
