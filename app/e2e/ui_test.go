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
	b.do("a wrong current password is flagged at its field",
		chromedp.SendKeys(chromedp.CSS("#pw-current"), "wrong-"+srv.AdminPassword),
		chromedp.SendKeys(chromedp.CSS("#pw-new"), newAdminPassword),
		chromedp.SendKeys(chromedp.CSS("#pw-repeat"), newAdminPassword),
		chromedp.Click(chromedp.CSS("#pw-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-field="current_password"] .field-error`)))
	b.screenshot("password-wrong-current")
	b.do("change the generated password (the new password fields keep their values)",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('pw-current').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#pw-current"), srv.AdminPassword),
		chromedp.Click(chromedp.CSS("#pw-submit")))
	landOnOverview(b)
	b.do("open users and groups",
		chromedp.Click(chromedp.CSS("#nav-users")),
		chromedp.WaitVisible(chromedp.CSS("#user-add")))
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

	b.do("the audit log records the new user",
		chromedp.Click(chromedp.CSS("#nav-audit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-table"]`)),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('[data-testid="audit-row"]')].some(r => r.textContent.includes('olivia'))`,
			chromedp.WithPollingTimeout(5*time.Second)))
	b.screenshot("audit")

	b.do("log out",
		chromedp.Click(chromedp.CSS("#logout")),
		chromedp.WaitVisible(chromedp.CSS("#login-username")))

	logIn(b, "olivia", "observer-pass-1")
	landOnOverview(b)
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

// TestAdminManagesGroupsAndTokens covers the dialogs and error display: a
// group with members, a field error from the API under its input, the 409
// refusal to delete the first admin, and a personal API token shown once.
func TestAdminManagesGroupsAndTokens(t *testing.T) {
	b := newBrowser(t)
	srv := startServer(t)
	b.do("open the app", chromedp.Navigate(srv.URL))
	logIn(b, "admin", srv.AdminPassword)
	b.do("change the generated password",
		chromedp.SendKeys(chromedp.CSS("#pw-current"), srv.AdminPassword),
		chromedp.SendKeys(chromedp.CSS("#pw-new"), "another good password"),
		chromedp.SendKeys(chromedp.CSS("#pw-repeat"), "another good password"),
		chromedp.Click(chromedp.CSS("#pw-submit")),
		chromedp.WaitVisible(chromedp.CSS("#overview-tiles")),
		chromedp.Click(chromedp.CSS("#nav-users")),
		chromedp.WaitVisible(chromedp.CSS("#group-add")))

	b.do("add a group with the admin as member",
		chromedp.Click(chromedp.CSS("#group-add")),
		chromedp.WaitVisible(chromedp.CSS("#group-name")),
		chromedp.SendKeys(chromedp.CSS("#group-name"), "Branch office"),
		chromedp.Click(chromedp.CSS(`[data-testid="group-dialog"] input[name="members"]`)),
		chromedp.Click(chromedp.CSS("#group-save")),
		chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="group-row"][data-name="Branch office"]`)))
	if row := b.text(`tr[data-name="Branch office"]`); !strings.Contains(row, "admin") {
		t.Errorf("group row = %q, want the member admin listed", row)
	}

	b.do("an invalid e-mail is flagged under its input",
		chromedp.Click(chromedp.CSS("#user-add")),
		chromedp.WaitVisible(chromedp.CSS("#user-login")),
		chromedp.SendKeys(chromedp.CSS("#user-login"), "mallory"),
		chromedp.SendKeys(chromedp.CSS("#user-email"), "not-an-address"),
		chromedp.SendKeys(chromedp.CSS("#user-password"), "mallory-pass-1"),
		chromedp.Click(chromedp.CSS("#user-save")),
		chromedp.WaitVisible(chromedp.CSS(`[data-field="email"] .field-error`)))
	b.screenshot("user-dialog-field-error")
	b.do("close the dialog with Escape",
		chromedp.KeyEvent("\x1b"),
		chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))

	b.do("deleting the first admin is refused with the server's message",
		chromedp.Click(chromedp.CSS(`tr[data-login="admin"] [data-testid="user-delete"]`)),
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="confirm-dialog"] .form-error`)))
	if msg := b.text(`[data-testid="confirm-dialog"] .form-error`); strings.TrimSpace(msg) == "" {
		t.Error("the 409 refusal shows no message")
	}
	b.screenshot("delete-first-admin")
	b.do("close the confirmation",
		chromedp.KeyEvent("\x1b"),
		chromedp.WaitNotPresent(chromedp.CSS("dialog[open]")))

	b.do("create an API token on the account page",
		chromedp.Click(chromedp.CSS("#nav-account")),
		chromedp.WaitVisible(chromedp.CSS("#token-name")),
		chromedp.SendKeys(chromedp.CSS("#token-name"), "backup script"),
		chromedp.Click(chromedp.CSS("#token-create")),
		chromedp.WaitVisible(chromedp.CSS("#token-value")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="token-row"]`)))
	token := run(b, "read the token", chromedp.Value(chromedp.CSS("#token-value")))
	if len(token) < 16 {
		t.Errorf("token shown = %q, want a long secret", token)
	}
	b.screenshot("account-token")
	b.do("delete the token",
		chromedp.Click(chromedp.CSS(`[data-testid="token-delete"]`)),
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="token-row"]`)))
	b.assertNoPageErrors()
}

// TestNarrowScreenLayout: on a phone-sized screen the navigation sits above the content, which
// gets the whole width, and the System panels fit without scrolling sideways.
func TestNarrowScreenLayout(t *testing.T) {
	b, _, _ := openEvents(t)
	b.do("phone-sized viewport", chromedp.EmulateViewport(390, 844))
	for _, page := range []struct{ name, ready string }{{"mail", "#smtp-host"}, {"templates", "#template-type"}} {
		openSystemPanel(b, page.name, page.ready)
		b.screenshot("narrow-" + page.name)
		content := eval[map[string]float64](b, `(() => { const r = document.querySelector('.content').getBoundingClientRect();
			const n = document.querySelector('.sidebar').getBoundingClientRect();
			return {left: r.left, width: r.width, navBottom: n.bottom, top: r.top,
				scroll: document.documentElement.scrollWidth, inner: window.innerWidth}; })()`)
		if content["left"] > 1 || content["width"] < 380 || content["top"] < content["navBottom"]-1 {
			t.Errorf("%s: content box %v, want it full width below the navigation", page.name, content)
		}
		if content["scroll"] > content["inner"]+1 {
			t.Errorf("%s: the page is %v px wide on a %v px screen", page.name, content["scroll"], content["inner"])
		}
	}
}
