package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"honeysens/app/model"
	"honeysens/app/store"
)

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// lists measures the event list API at the filled size: the default view, every sort column,
// every filter alone, a deep page and the totals. Target: a few milliseconds each.
func (r *Runner) lists(ctx context.Context, e *env) error {
	const runs = 15
	def := "status=0,1"
	now := time.Now().UTC()
	from := url.QueryEscape(now.Add(-10 * 24 * time.Hour).Add(time.Hour).Format(time.RFC3339))
	to := url.QueryEscape(now.Add(-10 * 24 * time.Hour).Add(2 * time.Hour).Format(time.RFC3339))
	cases := []struct{ name, query string }{
		{"list: default first page (New+In progress, newest first)", def},
	}
	for _, key := range []string{"id", "timestamp", "group", "sensor", "classification", "source", "target_port", "summary", "status"} {
		for _, order := range []string{"desc", "asc"} {
			cases = append(cases, struct{ name, query string }{"list: sort " + key + " " + order, def + "&sort=" + key + "&order=" + order})
		}
	}
	cases = append(cases, []struct{ name, query string }{
		{"list: filter status=2", "status=2"},
		{"list: filter classification=3", "classification=3"},
		{"list: filter classification=4 (rare)", "classification=4"},
		{"list: filter group", fmt.Sprintf("group=%d", e.sensors[0].GroupID)},
		{"list: filter sensor", fmt.Sprintf("sensor=%d", e.sensors[1].ID)},
		{"list: filter time range (1 h)", "from=" + from + "&to=" + to},
		{"list: search q=(#4242) (text, rare: once per generator run, a few matches)", "q=" + url.QueryEscape("(#4242)")},
		{"list: search q=10.0.1.2 (an address, ~1 in 50000)", "q=10.0.1.2"},
		{"list: search q=10.0.1. (start of an address, ~1 in 200)", "q=10.0.1."},
		{"list: search q=10 (two digits: start of an address, all)", "q=10"},
		{"list: search q=wp-login (text, 1 in 6)", "q=wp-login"},
		{"list: search q=root, 3 (text, 1 in 6)", "q=" + url.QueryEscape("root, 3")},
		{"list: search q=no-such-text (no match)", "q=no-such-text"},
	}...)
	for _, c := range cases {
		med, worst, err := r.timed(e, "/api/events?"+c.query, runs)
		if err != nil {
			return err
		}
		r.row(c.name, ms(med)+" median, "+ms(worst)+" max", "target 5 ms", "")
	}
	// Deep page: follow cursors 200 pages into the default view, time the last request.
	cursor := ""
	for i := 0; i < 200; i++ {
		_, next, err := e.st.ListEvents(ctx, &store.EventFilter{Status: statuses(0, 1)},
			store.EventPage{Sort: "timestamp", Desc: true, Limit: 50, Cursor: cursor})
		if err != nil {
			return err
		}
		cursor = next
	}
	med, worst, err := r.timed(e, "/api/events?"+def+"&cursor="+cursor, runs)
	if err != nil {
		return err
	}
	r.row("list: page 201 (keyset cursor, no OFFSET)", ms(med)+" median, "+ms(worst)+" max", "target 5 ms", "")
	for _, c := range []struct {
		name string
		f    *store.EventFilter
	}{
		{"total: New+In progress (counters)", &store.EventFilter{Status: statuses(0, 1)}},
		{"total: all events (counters)", &store.EventFilter{}},
		{"total: time range 1 h (index)", mustRange(now)},
	} {
		start := time.Now()
		var n int64
		for i := 0; i < runs; i++ {
			if n, err = e.st.CountEvents(ctx, c.f); err != nil {
				return err
			}
		}
		r.row(c.name, fmt.Sprintf("%s (%d events)", ms(time.Since(start)/runs), n), "-", "")
	}
	return nil
}

// export streams the whole database as CSV over loopback, in storage order and sorted by time,
// and reports rows per second.
func (r *Runner) export(ctx context.Context, e *env) error {
	// Baseline: the same rows read through the store alone, no CSV and no HTTP.
	start := time.Now()
	n := 0
	if err := e.st.EachEvent(ctx, &store.EventFilter{}, "id", true, func(*model.Event) error { n++; return nil }); err != nil {
		return err
	}
	r.row(fmt.Sprintf("read %d events through the store (no CSV, no HTTP)", n),
		fmt.Sprintf("%.0f rows/s", float64(n)/time.Since(start).Seconds()), "-", "")
	for _, c := range []struct{ name, query string }{
		{"CSV export (storage order)", ""},
		{"CSV export (sorted by time)", "?sort=timestamp"},
	} {
		if err := r.exportOnce(e, c.name, c.query); err != nil {
			return err
		}
	}
	return nil
}

func (r *Runner) exportOnce(e *env, name, query string) error {
	req, _ := http.NewRequest("GET", e.url+"/api/events/export.csv"+query, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var rows int64
	buf := make([]byte, 64<<10)
	for {
		n, err := res.Body.Read(buf)
		rows += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	el := time.Since(start)
	r.row(fmt.Sprintf("%s, %d rows over loopback", name, rows-1), fmt.Sprintf("%.0f rows/s", float64(rows-1)/el.Seconds()),
		"target 200000 rows/s", fmt.Sprintf("%.2f", float64(rows-1)/el.Seconds()/200000))
	return nil
}

// footprint reports the database's size per event and the process's peak memory.
func (r *Runner) footprint(ctx context.Context, e *env) error {
	if err := e.st.Checkpoint(ctx); err != nil {
		return err
	}
	n, err := e.st.CountEvents(ctx, &store.EventFilter{})
	if err != nil {
		return err
	}
	fi, err := os.Stat(e.st.Path())
	if err != nil {
		return err
	}
	r.row("database bytes per event", fmt.Sprintf("%d B (%d MiB for %d events)", fi.Size()/max(n, 1), fi.Size()>>20, n), "-", "")
	runtime.GC()
	r.row("peak RSS of the bench process (server + clients)", procStatus("VmHWM"), "-", "")
	r.row("RSS after the run", procStatus("VmRSS"), "-", "")
	return nil
}

// procStatus reads one memory line of /proc/self/status (Linux).
func procStatus(key string) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func statuses(vals ...int) []model.Status {
	out := make([]model.Status, len(vals))
	for i, v := range vals {
		out[i] = model.Status(v)
	}
	return out
}

// mustRange is the same one-hour window the list figure filters on.
func mustRange(now time.Time) *store.EventFilter {
	from := now.Add(-10 * 24 * time.Hour).Add(time.Hour)
	to := from.Add(time.Hour)
	return &store.EventFilter{From: &from, To: &to}
}
