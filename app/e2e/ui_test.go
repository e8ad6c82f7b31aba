package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestAdminCreatesObserver walks the first-run story: the admin logs in with
// the generated password, must change it, lands on the users page, creates an
// observer, and the observer is then kept out of the admin pages.
func TestAdminCreatesObserver(t *testing.T) {
	b := newBrowser(t)
	srv := startServer(t)
	const newAdminPassword = "correct horse battery"

	b.do("open the app and see the login page",
		chromedp.Navigate(srv.URL),
		chromedp.WaitVisible(chromedp.CSS("#login-username")))
	b.screenshot("login")
	logIn(b, "admin", srv.AdminPassword)

	b.do("forced to the change password page", chromedp.WaitVisible(chromedp.CSS("#pw-current")))
	if nav := eval[bool](b, `document.querySelector('.sidebar') !== null`); nav {
		t.Error("the forced password page must not show the sidebar")
	}
	b.screenshot("password-forced")
	b.do("change the generated password",
		chromedp.SendKeys(chromedp.CSS("#pw-current"), srv.AdminPassword),
		chromedp.SendKeys(chromedp.CSS("#pw-new"), newAdminPassword),
		chromedp.SendKeys(chromedp.CSS("#pw-repeat"), newAdminPassword),
		chromedp.Click(chromedp.CSS("#pw-submit")),
		chromedp.WaitVisible(chromedp.CSS("#user-add")))
	if got := b.text("#page-title"); got != "Users and groups" {
		t.Errorf("admin landing page title = %q, want %q", got, "Users and groups")
	}
	b.do("admin sees the user table", chromedp.WaitVisible(chromedp.CSS(`tr[data-login="admin"]`)))
	b.screenshot("users")

	// The full name carries markup: it must show up as text, never as an element.
	const fullName = `Olivia <b>Observer</b>`
	b.do("create an observer",
		chromedp.Click(chromedp.CSS("#user-add")),
		chromedp.WaitVisible(chromedp.CSS("#user-login")),
		chromedp.SendKeys(chromedp.CSS("#user-login"), "olivia"),
		chromedp.SendKeys(chromedp.CSS("#user-fullname"), fullName),
		chromedp.SendKeys(chromedp.CSS("#user-email"), "olivia@example.org"),
		chromedp.SetValue(chromedp.CSS("#user-role"), "1"),
		chromedp.SendKeys(chromedp.CSS("#user-password"), "observer-pass-1"))
	if eval[bool](b, `document.getElementById('user-mustchange').checked`) {
		b.do("untick 'require password change'", chromedp.Click(chromedp.CSS("#user-mustchange")))
	}
	b.screenshot("user-dialog")
	b.do("save the observer",
		chromedp.Click(chromedp.CSS("#user-save")),
		chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-login="olivia"]`)))
	row := b.text(`tr[data-login="olivia"]`)
	if !strings.Contains(row, fullName) || !strings.Contains(row, "Observer") {
		t.Errorf("observer row = %q, want the literal full name and role Observer", row)
	}
	if n := eval[int](b, `document.querySelectorAll('[data-testid="user-table"] b').length`); n != 0 {
		t.Errorf("user-supplied markup became %d <b> element(s) in the table", n)
	}
	b.screenshot("users-with-observer")

	b.do("log out",
		chromedp.Click(chromedp.CSS("#logout")),
		chromedp.WaitVisible(chromedp.CSS("#login-username")))

	logIn(b, "olivia", "observer-pass-1")
	b.do("observer lands on the account page", chromedp.WaitVisible(chromedp.CSS("#nav-account")))
	if got := b.text("#page-title"); got != "Account" {
		t.Errorf("observer landing page title = %q, want Account", got)
	}
	if eval[bool](b, `document.getElementById('nav-users') !== null || document.getElementById('nav-audit') !== null`) {
		t.Error("observer sidebar offers admin-only modules")
	}
	b.screenshot("account")

	b.do("observer opens #/users",
		chromedp.Evaluate[chromedp.Void](`location.hash = '#/users'`),
		chromedp.WaitVisible(chromedp.CSS("#access-denied")))
	b.screenshot("access-denied")
	status := eval[int](b, `fetch('/api/users', {credentials: 'same-origin'}).then(r => r.status)`)
	if status != http.StatusForbidden {
		t.Errorf("observer GET /api/users = %d, want 403", status)
	}
	b.assertNoPageErrors()
}

// TestWrongPassword checks the login error line, and that the app is served
// with the strict CSP it is written for (so inline code would have failed).
func TestWrongPassword(t *testing.T) {
	b := newBrowser(t)
	srv := startServer(t)

	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy = %q, want script-src 'self'", csp)
	}

	b.do("open the login page",
		chromedp.Navigate(srv.URL+"#/login"),
		chromedp.WaitVisible(chromedp.CSS("#login-username")))
	logIn(b, "admin", "not-the-password")
	b.do("see the login error", chromedp.WaitVisible(chromedp.CSS("#login-error")))
	if got := b.text("#login-error"); !strings.Contains(got, "Wrong user name or password") {
		t.Errorf("login error = %q, want it to say %q", got, "Wrong user name or password")
	}
	if hash := eval[string](b, `location.hash`); hash != "#/login" {
		t.Errorf("after a failed login the hash is %q, want #/login", hash)
	}
	b.screenshot("login-error")
	b.assertNoPageErrors()
}

// logIn fills and submits the login form (rendered fresh, so it starts empty).
func logIn(b *browser, user, password string) {
	b.t.Helper()
	b.do("log in as "+user,
		chromedp.WaitVisible(chromedp.CSS("#login-username")),
		chromedp.SendKeys(chromedp.CSS("#login-username"), user),
		chromedp.SendKeys(chromedp.CSS("#login-password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")))
}
