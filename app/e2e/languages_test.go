package e2e

import (
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// setPreferences chooses a language and a time zone on the Account page and saves them; the
// page shows itself again in the new language.
func setPreferences(b *browser, language, zone, wantTitle string) {
	b.t.Helper()
	b.do("open the account page", chromedp.Click(chromedp.CSS("#nav-account")), chromedp.WaitVisible(chromedp.CSS("#pref-language")))
	pick(b, "#pref-language", language)
	pick(b, "#pref-time-zone", zone)
	b.do("save language and time zone", chromedp.Click(chromedp.CSS("#pref-save")))
	waitText(b, "#page-title", wantTitle)
}

// TestUserSwitchesToGerman: an admin picks German and Europe/Berlin on the Account page; the
// sidebar, the Events, Sensors and System pages speak German, the event list shows the date
// as 07.12.2026 and names the zone (MEZ/MESZ) of its times, attacker data stays as sent; a reload
// keeps the choice; switching back to English shows English again.
func TestUserSwitchesToGerman(t *testing.T) {
	b := newBrowser(t)
	srv := startServer(t)
	api := adminAPI(t, srv)
	s := api.createSensor("lab-pi", api.groupID("Default"))
	ingest(t, srv, s, wireEvent{Timestamp: time.Now().Add(-time.Hour).Unix(), Service: "ssh", Source: "203.0.113.9",
		TargetPort: 22, Protocol: "tcp", Summary: "SSH login root/Passwort123"})

	b.do("open the app", chromedp.Navigate(srv.URL))
	logIn(b, "admin", adminPassword)
	landOnOverview(b)
	setPreferences(b, "de", "Europe/Berlin", "Konto")
	if got := b.text("#nav-events .nav-label"); got != "Ereignisse" {
		t.Errorf("sidebar entry = %q, want Ereignisse", got)
	}
	if lang := eval[string](b, `document.documentElement.lang`); lang != "de" {
		t.Errorf("<html lang> = %q, want de", lang)
	}

	b.do("open the events page", chromedp.Click(chromedp.CSS("#nav-events")), chromedp.WaitVisible(chromedp.CSS("tr[data-id] td.when")))
	waitText(b, "#page-title", "Ereignisse")
	// The header is upper case by CSS; its text is the catalog's.
	if got := eval[string](b, `document.querySelector('th[data-sort="classification"]').textContent`); got != "Klassifizierung" {
		t.Errorf("column header = %q, want Klassifizierung", got)
	}
	waitText(b, "#events-total", "1–1 von 1")
	// At 1280 px every German column header stays inside its own column.
	b.do("a 1280 px wide screen", chromedp.EmulateViewport(1280, 800))
	if over := eval[[]string](b, `[...document.querySelectorAll('#events-table thead th')].filter(th => {
		const cell = th.getBoundingClientRect();
		return [...th.children].some(c => { const r = c.getBoundingClientRect(); return r.left < cell.left - 0.5 || r.right > cell.right + 0.5; });
	}).map(th => th.textContent)`); len(over) > 0 {
		t.Errorf("column headers run out of their columns at 1280 px: %q", over)
	}
	waitText(b, "#filter-reset", "Filter zurücksetzen")
	date := b.text("tr[data-id] td.when .date")
	if !regexp.MustCompile(`^\d{2}\.\d{2}\.\d{4}$`).MatchString(date) {
		t.Errorf("date in the event list = %q, want the German form 07.12.2026", date)
	}
	if head := eval[string](b, `document.querySelector('th[data-sort="timestamp"] .sort-btn').firstChild.textContent`); !regexp.MustCompile(`^Zeit \(MES?Z\)$`).MatchString(head) {
		t.Errorf("time column header = %q, want it to name the zone: Zeit (MEZ) or Zeit (MESZ)", head)
	}
	if full := eval[string](b, `document.querySelector('tr[data-id] td.when').title`); !regexp.MustCompile(`^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2} MES?Z$`).MatchString(full) {
		t.Errorf("full time of the event = %q, want 07.12.2026, 09:15:42 MEZ", full)
	}
	// Attacker data is text as the sensor sent it, never translated.
	waitText(b, "tr[data-id] .summary-text", "SSH login root/Passwort123")
	b.screenshot("languages-events-de")

	b.do("open the sensors page", chromedp.Click(chromedp.CSS("#nav-sensors")), chromedp.WaitVisible(chromedp.CSS("#sensors-table tr[data-name]")))
	waitText(b, "#page-title", "Sensoren")
	if got := eval[string](b, `document.querySelector('#sensors-table th.col-contact').textContent`); got != "Letzter Kontakt" {
		t.Errorf("column header = %q, want Letzter Kontakt", got)
	}
	waitText(b, "#sensor-add", "Sensor hinzufügen")

	b.do("open the system page", chromedp.Click(chromedp.CSS("#nav-system")), chromedp.WaitVisible(chromedp.CSS("#system-backup")))
	waitText(b, "#system-backup", "Backup herunterladen")
	waitText(b, "#system-link-mail", "E-Mail-Benachrichtigungen")

	// The choice belongs to the user, not to this page load.
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#system-backup")))
	waitText(b, "#nav-sensors", "Sensoren")

	setPreferences(b, "en", "UTC", "Account")
	b.do("open the events page", chromedp.Click(chromedp.CSS("#nav-events")), chromedp.WaitVisible(chromedp.CSS("tr[data-id] td.when")))
	waitText(b, "#page-title", "Events")
	waitText(b, "#events-total", "1–1 of 1")
	if head := eval[string](b, `document.querySelector('th[data-sort="timestamp"] .sort-btn').firstChild.textContent`); head != "Time (UTC)" {
		t.Errorf("time column header = %q, want Time (UTC)", head)
	}
	b.assertNoPageErrors()
}
