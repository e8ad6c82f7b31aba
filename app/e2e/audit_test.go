package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// auditRowsJS is the audit table's rows, as a JavaScript expression.
const auditRowsJS = `[...document.querySelectorAll('[data-testid="audit-row"]')]`

// TestAuditLogFilters renames a group, then finds the change in the audit log through the
// action filter: readable action names, a "name: old → new" line, the filter kept in the
// address across a reload and undone by Back, a group name with markup shown as text, and a
// detail in the reader's language.
func TestAuditLogFilters(t *testing.T) {
	b := newBrowser(t)
	srv := startServer(t)
	api := adminAPI(t, srv)
	var g struct {
		ID int64 `json:"id"`
	}
	api.must("POST", "/api/groups", map[string]any{"name": "Lab"}, &g, http.StatusCreated)
	api.must("PATCH", fmt.Sprintf("/api/groups/%d", g.ID), map[string]any{"name": "Lab <b>West</b>"}, nil, http.StatusOK)
	api.must("POST", "/api/groups", map[string]any{"name": "DMZ"}, nil, http.StatusCreated)
	var old struct {
		ID int64 `json:"id"`
	}
	api.must("POST", "/api/groups", map[string]any{"name": "Old"}, &old, http.StatusCreated)
	api.must("DELETE", fmt.Sprintf("/api/groups/%d", old.ID), map[string]any{"archive": true}, nil, http.StatusOK)

	b.do("open the app", chromedp.Navigate(srv.URL))
	logIn(b, "admin", adminPassword)
	landOnOverview(b)
	b.do("open the audit log",
		chromedp.Click(chromedp.CSS("#nav-audit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-row"]`)))
	if n := eval[int](b, auditRowsJS+`.length`); n < 4 {
		t.Errorf("unfiltered audit log has %d rows, want the logins and the group changes", n)
	}

	pick(b, "#audit-action", "group_updated")
	onlyRenames := fmt.Sprintf(`location.hash === '#/audit?action=group_updated' && %s.length === 1
		&& %s[0].querySelector('[data-action]').textContent === 'Group changed'`, auditRowsJS, auditRowsJS)
	if !poll(b, onlyRenames, 10*time.Second) {
		b.screenshot("failed-audit-action-filter")
		t.Fatalf("after choosing Group changed: hash %q, rows %q", eval[string](b, `location.hash`),
			eval[[]string](b, auditRowsJS+`.map(r => r.innerText)`))
	}
	if got := b.text(`[data-testid="audit-change"]`); got != "name: Lab → Lab <b>West</b>" {
		t.Errorf("change line = %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll('[data-testid="audit-table"] b').length`); n != 0 {
		t.Errorf("a group name became %d <b> element(s)", n)
	}
	b.screenshot("audit-filtered")

	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-row"]`)))
	if !poll(b, onlyRenames+` && document.querySelector('#audit-action').value === 'group_updated'`, 10*time.Second) {
		t.Errorf("after a reload: hash %q, action %q", eval[string](b, `location.hash`), eval[string](b, `document.querySelector('#audit-action').value`))
	}

	setInput(b, "#audit-user", "nobody")
	waitText(b, ".view", "No entries match these filters.")
	if hash := eval[string](b, `location.hash`); hash != "#/audit?user=nobody&action=group_updated" {
		t.Errorf("hash with two filters = %q", hash)
	}
	b.do("go back", chromedp.Evaluate[chromedp.Void](`history.back()`))
	if !poll(b, onlyRenames+` && document.querySelector('#audit-user').value === ''`, 10*time.Second) {
		t.Errorf("Back does not return to the action filter: hash %q", eval[string](b, `location.hash`))
	}

	// An inverted time range is refused, and the message stands next to the field.
	b.do("open a link with an inverted time range", chromedp.Evaluate[chromedp.Void](
		`location.hash = '#/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'`))
	waitText(b, `[data-field="to"] .field-error`, "after the start")

	// A detail the server wrote reads in the reader's language.
	b.do("find the group removal", chromedp.Evaluate[chromedp.Void](`location.hash = '#/audit?action=group_deleted'`))
	waitText(b, `[data-testid="audit-row"] .detail`, "0 sensors removed, 0 events moved to the archive")
	setPreferences(b, "de", "Europe/Berlin", "Konto")
	b.do("find the group removal in German", chromedp.Evaluate[chromedp.Void](`location.hash = '#/audit?action=group_deleted'`))
	waitText(b, `[data-testid="audit-row"] .detail`, "0 Sensoren entfernt, 0 Ereignisse ins Archiv verschoben")
	b.assertNoPageErrors()
}
