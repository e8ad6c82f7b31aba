// Package metrics keeps the appliance's Prometheus metrics and writes them for GET /metrics.
// Counters and histograms are fed by the ingest pipeline as it commits and live as long as the
// process (Prometheus handles restarts); gauges are read from the database and the honeypots
// when scraped.
package metrics

import (
	"bufio"
	"cmp"
	"context"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"honeysens/app/model"
	"honeysens/app/store"
)

// maxStoredSeries caps the label combinations of the stored-events counter. Service names come
// from sensors; a sensor sending ever new names must not grow the registry without end, so
// combinations past the cap are counted under the service and sensor "other".
const maxStoredSeries = 1000

// Registry holds the metrics. It is the ingest pipeline's observer.
type Registry struct {
	st       *store.Store
	mu       sync.Mutex
	stored   map[storedKey]uint64
	filtered atomic.Uint64
	batch    *histogram // events per commit
	commit   *histogram // seconds per commit
	conns    sync.Map   // honeypot service name → *atomic.Int64 open connections
}

type storedKey struct{ class, service, sensor string }

// New returns an empty registry whose gauges read st.
func New(st *store.Store) *Registry {
	return &Registry{
		st:     st,
		stored: map[storedKey]uint64{},
		// One event alone up to ingest's largest commit (5000).
		batch: newHistogram(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000),
		// A commit on a Pi's SD card takes milliseconds; seconds mean the disk is struggling.
		commit: newHistogram(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
	}
}

// Committed counts one committed ingest transaction: its size, how long it took, and the new
// events in it. A later report of a session updates the session's event, so only a session's
// first report (revision 1) and one-time events (revision 0) count as stored.
func (r *Registry) Committed(events []*model.Event, took time.Duration) {
	r.batch.observe(float64(len(events)))
	r.commit.observe(took.Seconds())
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range events {
		if e.Revision > 1 {
			continue
		}
		k := storedKey{classLabel(e.Classification), e.Service, e.SensorName}
		if _, ok := r.stored[k]; !ok && len(r.stored) >= maxStoredSeries {
			k.service, k.sensor = "other", "other"
		}
		r.stored[k]++
	}
}

// Filtered counts events that filter rules dropped (a session once, as the rules' hits do).
func (r *Registry) Filtered(n int) { r.filtered.Add(uint64(n)) }

// OpenConnections returns the counter of a honeypot service's open connections, for its
// connection guard to keep.
func (r *Registry) OpenConnections(service string) *atomic.Int64 {
	c, _ := r.conns.LoadOrStore(service, new(atomic.Int64))
	return c.(*atomic.Int64)
}

// classLabel is a classification as a label value.
func classLabel(c model.Classification) string {
	switch c {
	case model.ClassICMP:
		return "icmp"
	case model.ClassConnAttempt:
		return "connection_attempt"
	case model.ClassHoneypot:
		return "honeypot"
	case model.ClassScan:
		return "scan"
	}
	return "unknown"
}

// gauges are the values read at scrape time.
type gauges struct {
	sensors map[string]int  // status → sensors
	mail    map[string]int  // outbox status → mails
	outputs []*model.Output // with their queued and failed counts
	dbBytes int64
}

// read reads the gauges: a few small queries (sensors, the outbox's status index) and two file
// sizes, never a scan of the events.
func (r *Registry) read(ctx context.Context, now time.Time) (*gauges, error) {
	list, err := r.st.Sensors(ctx)
	if err != nil {
		return nil, err
	}
	g := &gauges{sensors: map[string]int{"online": 0, "offline": 0, "waiting": 0}}
	for _, sn := range list {
		switch {
		case sn.LastContact == nil:
			g.sensors["waiting"]++
		case sn.Online(now):
			g.sensors["online"]++
		default:
			g.sensors["offline"]++
		}
	}
	if g.mail, err = r.st.MailCounts(ctx); err != nil {
		return nil, err
	}
	if g.outputs, err = r.st.Outputs(ctx); err != nil {
		return nil, err
	}
	// The database is its file and the write-ahead log not yet checkpointed into it.
	for _, p := range []string{r.st.Path(), r.st.Path() + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			g.dbBytes += fi.Size()
		}
	}
	return g, nil
}

// Write writes every metric in the text exposition format. The gauges are read first, so a
// failing database answers an error rather than half a page.
func (r *Registry) Write(ctx context.Context, out io.Writer, now time.Time) error {
	g, err := r.read(ctx, now)
	if err != nil {
		return err
	}
	x := expo{bufio.NewWriter(out)}

	x.family("honeysens_events_stored_total", "counter", "Events stored, by classification, service and sensor.")
	r.mu.Lock()
	keys := slices.SortedFunc(maps.Keys(r.stored), func(a, b storedKey) int {
		return cmp.Or(strings.Compare(a.class, b.class), strings.Compare(a.service, b.service), strings.Compare(a.sensor, b.sensor))
	})
	for _, k := range keys {
		x.sample("honeysens_events_stored_total", float64(r.stored[k]),
			"classification", k.class, "service", k.service, "sensor", k.sensor)
	}
	r.mu.Unlock()
	x.family("honeysens_events_filtered_total", "counter", "Events dropped by filter rules (a session once).")
	x.sample("honeysens_events_filtered_total", float64(r.filtered.Load()))
	r.batch.write(x, "honeysens_ingest_batch_events", "Events per ingest commit.")
	r.commit.write(x, "honeysens_ingest_commit_seconds", "Duration of ingest commits.")

	x.family("honeysens_sensors", "gauge", "Sensors by status (waiting: never heard from yet).")
	for _, status := range []string{"online", "offline", "waiting"} {
		x.sample("honeysens_sensors", float64(g.sensors[status]), "status", status)
	}
	x.family("honeysens_outbox_queued", "gauge", "Messages waiting for delivery, per output.")
	x.sample("honeysens_outbox_queued", float64(g.mail[model.MailQueued]), "output", "mail")
	// An integration is labelled type:name, which no other output (the mail) can be called.
	for _, o := range g.outputs {
		x.sample("honeysens_outbox_queued", float64(o.Queued), "output", o.Kind+":"+o.Name)
	}
	x.family("honeysens_outbox_failed", "gauge", "Messages given up after failed delivery and still kept, per output.")
	x.sample("honeysens_outbox_failed", float64(g.mail[model.MailFailed]), "output", "mail")
	for _, o := range g.outputs {
		x.sample("honeysens_outbox_failed", float64(o.Failed), "output", o.Kind+":"+o.Name)
	}

	x.family("honeysens_honeypot_connections", "gauge", "Open connections of the appliance's honeypot services.")
	var services []string
	r.conns.Range(func(k, _ any) bool { services = append(services, k.(string)); return true })
	slices.Sort(services)
	for _, s := range services {
		x.sample("honeysens_honeypot_connections", float64(r.OpenConnections(s).Load()), "service", s)
	}
	x.family("honeysens_database_bytes", "gauge", "Size of the database file and its write-ahead log.")
	x.sample("honeysens_database_bytes", float64(g.dbBytes))
	return x.w.Flush()
}
