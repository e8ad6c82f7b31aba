package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestTimelineDaysInTheUsersZone: with the browser in Los Angeles and the user's time zone set
// to Tokyo, the overview's day buckets begin and end at Tokyo midnights, not the browser's.
func TestTimelineDaysInTheUsersZone(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60) // Tokyo keeps UTC+9 all year
	b := newBrowser(t)
	srv := startServer(t)
	api := adminAPI(t, srv)
	api.must("PUT", "/api/session/preferences", map[string]any{"time_zone": "Asia/Tokyo"}, nil, http.StatusOK)

	b.do("put the browser in Los Angeles", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/Los_Angeles"})
		return err
	}))
	b.do("open the app", chromedp.Navigate(srv.URL))
	if zone := eval[string](b, `Intl.DateTimeFormat().resolvedOptions().timeZone`); zone != "America/Los_Angeles" {
		t.Fatalf("the browser's zone is %q", zone)
	}
	logIn(b, "admin", adminPassword)
	landOnOverview(b)
	visit(b, "#/overview?period=7d", ".chart g.bucket")
	if !poll(b, `document.querySelectorAll('.chart g.bucket').length >= 7`, 10*time.Second) {
		t.Fatalf("the 7-day chart has %d buckets", eval[int](b, `document.querySelectorAll('.chart g.bucket').length`))
	}
	spans := eval[[][2]string](b, `[...document.querySelectorAll('.chart g.bucket')].map(g => [g.dataset.from, g.dataset.to])`)
	for i, s := range spans {
		for _, v := range s {
			at, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				t.Fatalf("bucket %d: %v", i, err)
			}
			if wall := at.In(tokyo); wall.Hour() != 0 || wall.Minute() != 0 {
				t.Errorf("bucket %d spans %s–%s: %s is no midnight in Tokyo", i, s[0], s[1], wall)
			}
		}
	}
	b.assertNoPageErrors()
}
