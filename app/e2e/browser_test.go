package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds every browser step, so a broken page fails fast instead
// of hanging until the go test deadline. Generous: under the race detector the
// other packages' tests share the two CPUs with Chromium and the appliance.
const stepTimeout = 30 * time.Second

// browser is one headless Chromium tab plus the page errors seen in it.
type browser struct {
	t   *testing.T
	ctx context.Context // chromedp context of the tab (no deadline: it owns the browser)

	mu     sync.Mutex
	errors []string // uncaught exceptions and CSP/JS errors reported by the page
}

// chromiumPath finds Chromium, or skips (fails under HONEYSENS_E2E=1).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium not found in PATH: install it (apt-get install chromium) to run the UI end-to-end tests"
	if os.Getenv("HONEYSENS_E2E") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts headless Chromium at 1280x800 and records page errors.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	exe := chromiumPath(t)
	profile, err := os.MkdirTemp("", "honeysens-e2e-chromium")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // required when the tests run as root (CI containers)
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		// The UI follows the browser's language; the tests read English unless they switch.
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(profile),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		removeAllRetry(profile)
	})

	// The first Run starts the browser; it must not carry a deadline (that
	// would end the browser), so bound it with a watchdog instead.
	started := make(chan error, 1)
	go func() { _, err := chromedp.Run(ctx, chromedp.Steps()); started <- err }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start chromium: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("chromium did not start within 30s")
	}

	b := &browser{t: t, ctx: ctx}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatal(err)
	}
	// The window size includes browser chrome; pin the page itself to 1280x800.
	b.do("set the viewport", chromedp.EmulateViewport(1280, 800))
	return b
}

// record keeps uncaught exceptions and CSP violations; 4xx answers the UI
// expects (401 on login) show up as network entries and are not errors.
func (b *browser) record(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = (&chromedp.ExceptionError{ExceptionDetails: e.ExceptionDetails}).Error()
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError && e.Entry.Source != log.EntrySourceNetwork {
			msg = fmt.Sprintf("%s: %s (%s)", e.Entry.Source, e.Entry.Text, e.Entry.URL)
		}
	}
	if msg != "" {
		b.mu.Lock()
		b.errors = append(b.errors, msg)
		b.mu.Unlock()
	}
}

// assertNoPageErrors fails the test if the page threw or broke the CSP.
func (b *browser) assertNoPageErrors() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		b.t.Errorf("page error: %s", e)
	}
}

// do runs actions with a bounded timeout; what names the step in failures.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.failed(what, err)
	}
}

// failed ends the test at a step that failed, with a screenshot and the page's errors so far
// (a script error is often why a step waited in vain).
func (b *browser) failed(what string, err error) {
	b.t.Helper()
	b.screenshot("failed-" + slug(what))
	b.mu.Lock()
	for _, e := range b.errors {
		b.t.Logf("page error before the failed step: %s", e)
	}
	b.mu.Unlock()
	b.t.Fatalf("%s: %v", what, err)
}

// text returns the visible text of the first element matching the CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return run(b, "read text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// eval evaluates JavaScript (awaiting a returned promise) into T.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	return run(b, "evaluate "+expr, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// run is do() for one action that yields a value.
func run[T any](b *browser, what string, action chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		b.failed(what, err)
	}
	return v
}

// screenshot saves a PNG of the page to $HONEYSENS_E2E_SCREENSHOTS/<name>.png
// when that variable is set (for looking at the UI; failures also land there).
func (b *browser) screenshot(name string) {
	dir := os.Getenv("HONEYSENS_E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

func slug(s string) string {
	s = strings.ToLower(s)
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, s)
}

// removeAllRetry removes Chromium's profile; its helper processes may still
// write there for a moment after the browser stopped.
func removeAllRetry(dir string) {
	for range 50 {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
