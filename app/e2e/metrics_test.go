package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestMetricsSwitchedOnInTheBrowser: System → Metrics refuses to switch on an unprotected
// endpoint, generates a token shown once with the scrape address and configuration, and once
// saved, Prometheus' request with that token reads the metrics.
func TestMetricsSwitchedOnInTheBrowser(t *testing.T) {
	b := newBrowser(t)
	srv := startServer(t)
	adminAPI(t, srv)
	b.do("open the app", chromedp.Navigate(srv.URL))
	logIn(b, "admin", adminPassword)
	landOnOverview(b)
	b.do("open System → Metrics",
		chromedp.Click(chromedp.CSS("#nav-system")),
		chromedp.Click(chromedp.CSS("#system-link-metrics")),
		chromedp.WaitVisible(chromedp.CSS("#metrics-enabled")))
	url := srv.URL + "metrics"
	if got := b.text("#metrics-url"); got != url {
		t.Errorf("scrape address shown %q, want %q", got, url)
	}

	b.do("switching on without a token or addresses is refused",
		chromedp.Click(chromedp.CSS("#metrics-enabled")),
		chromedp.Click(chromedp.CSS("#metrics-save")),
		chromedp.WaitVisible(chromedp.CSS(`[data-field="enabled"] .field-error`)))

	b.do("generate a token",
		chromedp.Click(chromedp.CSS("#metrics-token-new")),
		chromedp.WaitVisible(chromedp.CSS("#metrics-token-value")))
	token := run(b, "read the token", chromedp.Value(chromedp.CSS("#metrics-token-value")))
	if !strings.HasPrefix(token, "hsm_") {
		t.Fatalf("token shown = %q", token)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(srv.URL, "http://"), "/")
	if cfg := b.text("#metrics-scrape-config"); !strings.Contains(cfg, "credentials: "+token) || !strings.Contains(cfg, host) {
		t.Errorf("scrape configuration lacks the token or the address:\n%s", cfg)
	}
	b.screenshot("system-metrics-token")
	b.do("switch on and save",
		chromedp.Click(chromedp.CSS("#metrics-save")),
		chromedp.WaitVisible(chromedp.CSS(`#metrics-saved:not(:empty)`)))

	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `honeysens_sensors{status="online"}`) {
		t.Errorf("scrape with the token: %d\n%s", res.StatusCode, body)
	}

	b.do("reload: the token is not shown again",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#metrics-token-state")))
	if state := b.text("#metrics-token-state"); !strings.Contains(state, "A token is set") {
		t.Errorf("token state after reload: %q", state)
	}
	if eval[bool](b, `document.getElementById('metrics-token-value') !== null`) {
		t.Error("the token is shown again after a reload")
	}
	b.assertNoPageErrors()
}
