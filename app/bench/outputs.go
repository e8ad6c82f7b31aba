package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/store"
)

// The outputs phase's load: outputRounds rounds, each sending the same number of events
// without an output, to the syslog receiver and to the webhook receivers (json and ndjson), in
// turns; a variant must be delivered within outputDrainLimit.
const (
	outputRounds     = 5
	outputDrainLimit = 2 * time.Minute
	outputsPer       = 100 // events per ingest request, as a remote sensor's batches
)

// outputVariant is one way the same ingest runs: with no output enabled, or with one.
type outputVariant struct {
	name   string
	id     int64         // the output enabled for it; 0: none
	rcv    *receiver     // where its events arrive
	events []float64     // events/s of each round, until every event was received
	ingest []float64     // events/s of each round, until the last ingest request was answered
	got    int           // events received over all rounds
	stored int64         // events stored over all rounds
	cpu    time.Duration // the bench process's CPU time over all rounds, until every event was received
}

// cpuPerEvent is the bench process's CPU time per stored event, in microseconds: on a machine
// shared with other work the ratios follow it.
func (v *outputVariant) cpuPerEvent() float64 {
	return float64(v.cpu.Microseconds()) / float64(max(v.stored, 1))
}

// outputsSpeed measures signed batched ingest until every event is delivered to a local
// syslog receiver (RFC 5424 over TCP) and to local webhook receivers (a POST per event, and
// batches of JSON lines), each against the same ingest without outputs, taken in turns; the
// figure is the median of the rounds' ratios.
// Each receiver must get every event stored while its output was on, exactly once.
func (r *Runner) outputsSpeed(ctx context.Context, e *env) error {
	runCtx, stop := context.WithCancel(ctx)
	var running sync.WaitGroup
	running.Add(1)
	go func() { defer running.Done(); e.outs.Run(runCtx) }()
	defer func() { stop(); running.Wait() }()

	logs, err := startSyslogReceiver()
	if err != nil {
		return err
	}
	defer logs.close()
	hooks, err := startWebhookReceiver()
	if err != nil {
		return err
	}
	defer hooks.close()
	lines, err := startWebhookReceiver()
	if err != nil {
		return err
	}
	defer lines.close()
	none := &outputVariant{name: "none"}
	sl := &outputVariant{name: "syslog", rcv: logs.receiver}
	wh := &outputVariant{name: "webhook", rcv: hooks.receiver}
	nd := &outputVariant{name: "webhook ndjson", rcv: lines.receiver}
	if sl.id, err = createOutput(e, "bench syslog", "syslog", map[string]any{"host": "127.0.0.1", "port": logs.port, "transport": "tcp"}); err != nil {
		return err
	}
	if wh.id, err = createOutput(e, "bench webhook", "webhook", map[string]any{"url": hooks.url + "/hook", "format": "json"}); err != nil {
		return err
	}
	if nd.id, err = createOutput(e, "bench webhook ndjson", "webhook", map[string]any{"url": lines.url + "/hook", "format": "ndjson"}); err != nil {
		return err
	}

	total := max(r.opt.Ingest/5, outputsPer)
	outs := []*outputVariant{sl, wh, nd}
	variants := append([]*outputVariant{none}, outs...)
	for round := range outputRounds {
		for i := range variants {
			v := variants[(i+round)%len(variants)] // each variant first in one round
			if err := r.outputRound(ctx, e, v, outs, total); err != nil {
				return err
			}
		}
	}

	rate := func(v *outputVariant) float64 { return median(v.events) }
	r.row(fmt.Sprintf("signed ingest, %d events/request, no output (the baseline below)", outputsPer),
		fmt.Sprintf("%.0f events/s (CPU %.0f µs/event)", rate(none), none.cpuPerEvent()), "-", "-")
	for _, v := range outs {
		var ratios []float64
		for i := range v.events {
			ratios = append(ratios, v.events[i]/none.events[i])
		}
		sort.Float64s(ratios)
		label := map[string]string{"syslog": "syslog RFC 5424 over TCP to a local receiver", "webhook": "webhook JSON POSTs to a local receiver",
			"webhook ndjson": "webhook JSON lines, up to 100 events/POST, to a local receiver"}[v.name]
		r.row("ingest + "+label+", until every event is received",
			fmt.Sprintf("%.0f events/s (ingest answered at %.0f; CPU %.0f µs/event)", rate(v), median(v.ingest), v.cpuPerEvent()),
			fmt.Sprintf("%.0f events/s", rate(none)), fmt.Sprintf("%.2f (target 0.80; median of %d rounds in turns, range %.2f-%.2f)",
				ratios[len(ratios)/2], len(ratios), ratios[0], ratios[len(ratios)-1]))
	}
	for _, v := range outs {
		dup, bad := v.rcv.faults()
		r.row(fmt.Sprintf("%s: events received / stored while on", v.name), fmt.Sprintf("%d / %d (%d twice, %d not ours)", v.got, v.stored, dup, bad), "-", "")
		if int64(v.got) != v.stored || dup > 0 || bad > 0 {
			return fmt.Errorf("outputs bench: %s received %d events (%d twice, %d not a record of ours) for %d stored", v.name, v.got, dup, bad, v.stored)
		}
	}
	return nil
}

// outputRound enables v's output alone, sends total events and waits until v's receiver has
// every one of them and its queue is empty.
func (r *Runner) outputRound(ctx context.Context, e *env, v *outputVariant, outs []*outputVariant, total int) error {
	for _, o := range outs {
		if err := patchOutput(e, o.id, map[string]any{"enabled": o == v}); err != nil {
			return err
		}
	}
	reqs := ingestRequests(e, outputsPer, total)
	before, err := e.st.CountEvents(ctx, &store.EventFilter{})
	if err != nil {
		return err
	}
	received := 0
	if v.rcv != nil {
		received = v.rcv.count()
	}
	cpu0, start := cpuTime(), time.Now()
	if _, err := sendIngest(e, reqs, outputsPer); err != nil {
		return err
	}
	answered := time.Since(start)
	after, err := e.st.CountEvents(ctx, &store.EventFilter{})
	if err != nil {
		return err
	}
	stored := after - before
	if v.rcv != nil {
		if err := waitDelivered(ctx, e, v, received, stored, start.Add(outputDrainLimit)); err != nil {
			return err
		}
	}
	v.stored += stored
	v.cpu += cpuTime() - cpu0
	v.ingest = append(v.ingest, float64(stored)/answered.Seconds())
	v.events = append(v.events, float64(stored)/time.Since(start).Seconds())
	return nil
}

// waitDelivered waits until v's receiver has stored events more than it had and v's queue is
// empty. The receiver's count is watched closely, the queue (a query that would compete with
// the delivery) once the count is reached and every second for failures.
func waitDelivered(ctx context.Context, e *env, v *outputVariant, received int, stored int64, deadline time.Time) error {
	var checked time.Time
	for {
		got := v.rcv.count() - received
		if int64(got) >= stored || time.Since(checked) > time.Second {
			o, err := e.st.Output(ctx, v.id)
			if err != nil {
				return err
			}
			if int64(got) >= stored && o.Queued == 0 {
				v.got += got
				return nil
			}
			if o.Failed > 0 {
				return fmt.Errorf("outputs bench: %d messages to %s failed, the last: %s", o.Failed, v.name, o.LastError)
			}
			checked = time.Now()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("outputs bench: %s received %d of %d events in %s", v.name, got, stored, outputDrainLimit)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// createOutput adds a disabled output of every event through the API, as an admin would.
func createOutput(e *env, name, kind string, config map[string]any) (int64, error) {
	var o struct {
		ID int64 `json:"id"`
	}
	err := callAPI(e, "POST", "/api/outputs", map[string]any{"type": kind, "name": name, "enabled": false, "events": "all", "config": config}, &o)
	return o.ID, err
}

func patchOutput(e *env, id int64, change map[string]any) error {
	return callAPI(e, "PATCH", fmt.Sprintf("/api/outputs/%d", id), change, nil)
}

// callAPI sends a JSON request with the bench's admin token and decodes a 2xx answer into out.
func callAPI(e *env, method, path string, body, out any) error {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, e.url+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s answered %d: %s", method, path, res.StatusCode, msg)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(msg, out)
}

// median returns the middle of the values (the upper one of an even count).
func median(vals []float64) float64 {
	s := append([]float64(nil), vals...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// webhookReceiver counts the events POSTed to it, one per body or, as JSON lines, one per
// line. It runs on fasthttp, as the appliance's API does, and reads the event's id from the
// start of the body (or line) once it is known to be JSON: the receiver shares the machine
// with the appliance, and one that cost more than needed would make delivery look slower than
// it is. A batch of 100 events with their packets may exceed a megabyte.
type webhookReceiver struct {
	*receiver
	app *fiber.App
	url string
}

func startWebhookReceiver() (*webhookReceiver, error) {
	w := &webhookReceiver{receiver: newReceiver()}
	w.app = fiber.New(fiber.Config{DisableStartupMessage: true, BodyLimit: 16 << 20})
	w.app.All("/*", func(c *fiber.Ctx) error {
		switch {
		case c.Method() != fiber.MethodPost:
			w.add(0)
		case c.Get(fiber.HeaderContentType) == "application/x-ndjson":
			for line := range bytes.Lines(c.Body()) {
				w.add(hookEventID(bytes.TrimSuffix(line, []byte("\n"))))
			}
		default:
			w.add(hookEventID(c.Body()))
		}
		return c.SendStatus(http.StatusNoContent)
	})
	var err error
	if w.url, err = listen(w.app); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *webhookReceiver) close() { _ = w.app.Shutdown() }

// hookPrefix starts the generic JSON body of an event, its id first.
const hookPrefix = `{"event":{"id":`

// hookEventID returns the event id of a generic JSON webhook body, or 0.
func hookEventID(body []byte) int64 {
	rest, ok := bytes.CutPrefix(body, []byte(hookPrefix))
	end := bytes.IndexAny(rest, ",}")
	if !ok || end < 0 || !json.Valid(body) {
		return 0
	}
	id, _ := strconv.ParseInt(string(rest[:end]), 10, 64)
	return id
}

// receiver counts the events a receiver got, by id: each once, and none that is not an event.
type receiver struct {
	mu   sync.Mutex
	seen map[int64]int
	n    int
	bad  int
}

func newReceiver() *receiver { return &receiver{seen: map[int64]int{}} }

// add counts one delivery of event id; 0 is a delivery that is not an event of ours.
func (r *receiver) add(id int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id == 0 {
		r.bad++
		return
	}
	r.seen[id]++
	r.n++
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// faults returns the events received more than once and the deliveries that were no event.
func (r *receiver) faults() (twice, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.seen {
		if n > 1 {
			twice++
		}
	}
	return twice, r.bad
}

// syslogReceiver reads octet-counted RFC 5424 records ("LEN SP RECORD") from TCP connections
// and counts the events by the id of their structured data.
type syslogReceiver struct {
	*receiver
	ln    net.Listener
	port  int
	conns sync.WaitGroup
	mu    sync.Mutex
	open  []net.Conn
}

// sdPrefix starts the structured data of an event record, its id first.
const sdPrefix = `[honeysens@32473 id="`

func startSyslogReceiver() (*syslogReceiver, error) {
	ln, err := netListen()
	if err != nil {
		return nil, err
	}
	s := &syslogReceiver{receiver: newReceiver(), ln: ln, port: ln.Addr().(*net.TCPAddr).Port}
	s.conns.Add(1)
	go func() {
		defer s.conns.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.open = append(s.open, c)
			s.mu.Unlock()
			s.conns.Add(1)
			go func() { defer s.conns.Done(); s.read(c) }()
		}
	}()
	return s, nil
}

// read counts the records of one connection until it ends.
func (s *syslogReceiver) read(c net.Conn) {
	in := bufio.NewReader(c)
	for {
		head, err := in.ReadString(' ')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSuffix(head, " "))
		if err != nil || n <= 0 || n > 64<<10 {
			s.add(0)
			return // the framing is lost: nothing after it can be counted
		}
		rec := make([]byte, n)
		if _, err := io.ReadFull(in, rec); err != nil {
			s.add(0)
			return
		}
		s.add(recordID(string(rec)))
	}
}

// recordID returns the event id of an RFC 5424 record with APP-NAME honeysens, or 0.
func recordID(rec string) int64 {
	if !strings.HasPrefix(rec, "<") || !strings.Contains(rec, ">1 ") || !strings.Contains(rec, " honeysens ") {
		return 0
	}
	_, sd, ok := strings.Cut(rec, sdPrefix)
	if !ok {
		return 0
	}
	id, _, _ := strings.Cut(sd, `"`)
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

func (s *syslogReceiver) close() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.conns.Wait()
}
