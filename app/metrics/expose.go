package metrics

import (
	"bufio"
	"math"
	"strconv"
	"strings"
	"sync"
)

// The Prometheus text exposition format (version 0.0.4) is written here rather than with a
// library. The reference client, prometheus/client_golang, brings protobuf and adds 2 MB to the
// stripped arm64 binary, which would push it over its 20 MB budget. VictoriaMetrics/metrics is
// small, but writes "# HELP" lines without text, which `promtool check metrics` refuses, and
// takes label sets as preformatted strings, so the escaping would be ours anyway. What the
// appliance exports is three kinds of lines (HELP, TYPE, sample); the test suite checks the
// result with promtool.

// ContentType is the exposition format's media type.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// expo writes one exposition.
type expo struct{ w *bufio.Writer }

// family starts a metric family: every sample of it must follow before the next family.
func (x expo) family(name, typ, help string) {
	x.w.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + typ + "\n")
}

// sample writes one sample; labels are name, value pairs.
func (x expo) sample(name string, value float64, labels ...string) {
	x.w.WriteString(name)
	for i := 0; i+1 < len(labels); i += 2 {
		if i == 0 {
			x.w.WriteByte('{')
		} else {
			x.w.WriteByte(',')
		}
		x.w.WriteString(labels[i] + `="` + escapeLabel(labels[i+1]) + `"`)
	}
	if len(labels) > 0 {
		x.w.WriteByte('}')
	}
	x.w.WriteString(" " + formatValue(value) + "\n")
}

// labelEscaper escapes what would end a label value or its line. Label values come from
// sensors (service names) and operators (sensor names).
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(v string) string { return labelEscaper.Replace(strings.ToValidUTF8(v, "\uFFFD")) }

func formatValue(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// histogram counts observations into buckets with fixed upper bounds.
type histogram struct {
	mu     sync.Mutex
	bounds []float64 // ascending upper bounds; +Inf is implied
	counts []uint64  // observations per bucket (not cumulative), the last one for +Inf
	sum    float64
}

func newHistogram(bounds ...float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i := 0
	for i < len(h.bounds) && v > h.bounds[i] {
		i++
	}
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.mu.Unlock()
}

// write writes the histogram as one family: cumulative buckets, sum and count.
func (h *histogram) write(x expo, name, help string) {
	h.mu.Lock()
	counts, sum := append([]uint64(nil), h.counts...), h.sum
	h.mu.Unlock()
	x.family(name, "histogram", help)
	var total uint64
	for i, n := range counts {
		total += n
		le := math.Inf(1)
		if i < len(h.bounds) {
			le = h.bounds[i]
		}
		x.sample(name+"_bucket", float64(total), "le", formatValue(le))
	}
	x.sample(name+"_sum", sum)
	x.sample(name+"_count", float64(total))
}
