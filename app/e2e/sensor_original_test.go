package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A remote sensor's row offers the HoneySens 2.x configuration archive next to the appliance's
// own configuration file, and the link downloads a gzip archive.
func TestSensorsOriginalConfigArchive(t *testing.T) {
	b, _, api := openEvents(t)
	s := api.createSensor("legacy-2x", api.groupID("Default"))
	openSensors(b)
	link := fmt.Sprintf(`#sensors-table tr[data-id="%d"] .sensor-config-original`, s.ID)
	b.do("the 2.x archive link is shown", chromedp.WaitVisible(chromedp.CSS(link)))
	if got := b.text(link); got != "2.x" {
		t.Errorf("link text = %q, want 2.x", got)
	}
	type answer struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		Magic  string `json:"magic"`
	}
	res := eval[answer](b, fmt.Sprintf(`fetch(document.querySelector(%s).href, {credentials: 'same-origin'}).then(async r => {
		const b = new Uint8Array(await r.arrayBuffer());
		return {status: r.status, type: r.headers.get('Content-Type'), magic: b[0].toString(16) + b[1].toString(16)};
	})`, quoteJS(link)))
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Type, "application/gzip") || res.Magic != "1f8b" {
		t.Errorf("archive download = %+v", res)
	}
}
