package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/ingest"
	"honeysens/app/model"
	"honeysens/app/outputs"
	"honeysens/app/outputs/syslog"
	"honeysens/app/outputs/webhook"
	"honeysens/app/sensorproto"
	"honeysens/app/store"
	"honeysens/app/web"
)

// Options size a bench run.
type Options struct {
	Events   int    // events in the database for the list, count and export figures
	Ingest   int    // events sent through HTTP for each ingest figure
	Baseline int    // events inserted for the raw SQLite baseline
	Dir      string // where the databases go (a temp dir if empty)
	// ScaleSensors simulated remote sensors run for ScaleTime in the scale phase.
	ScaleSensors int
	ScaleTime    time.Duration
	Schema       string
	Assets       fs.FS
}

// Runner holds what the phases share.
type Runner struct {
	opt  Options
	out  *tabwriter.Writer
	dir  string
	base float64 // raw SQLite events/s, the ingest baseline
}

// newRunner prepares a run: its directory (opt.Dir, or a temporary one that cleanup removes)
// and the table's header on w.
func newRunner(opt Options, w io.Writer) (r *Runner, cleanup func(), err error) {
	dir, cleanup := opt.Dir, func() {}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "honeysens-bench-"); err != nil {
			return nil, nil, err
		}
		cleanup = func() { os.RemoveAll(dir) }
	}
	r = &Runner{opt: opt, out: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0), dir: dir}
	fmt.Fprintf(r.out, "figure\tvalue\tbaseline (same run)\tratio\n")
	return r, cleanup, nil
}

// Run executes every phase and prints the table to w.
func Run(ctx context.Context, opt Options, w io.Writer) error {
	r, cleanup, err := newRunner(opt, w)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := r.baseline(ctx); err != nil {
		return err
	}
	if err := r.server(ctx); err != nil {
		return err
	}
	if err := r.scale(ctx); err != nil {
		return err
	}
	return r.out.Flush()
}

func (r *Runner) row(figure, value, baseline, ratio string) {
	fmt.Fprintf(r.out, "%s\t%s\t%s\t%s\n", figure, value, baseline, ratio)
	r.out.Flush()
}

// baseline measures inserting generated events straight into SQLite, 1000 per transaction:
// no HTTP, no signature, no JSON decoding, no queue. First with plain prepared INSERTs that
// owe nothing to the appliance's code (plainInsert); then through the store's own write path
// (store.InsertEvents) without the overview's and attackers view's rollups, against the plain
// one, and with them, as the appliance stores events: the baseline the ingest pipeline is
// measured against below.
func (r *Runner) baseline(ctx context.Context) error {
	plain, err := r.plainInsert(ctx, "baseline-independent.db")
	if err != nil {
		return err
	}
	r.row("plain SQLite INSERTs of the same rows, 1000 events/tx (no product code)", fmt.Sprintf("%.0f events/s", plain), "-", "-")
	without, err := r.rawInsert(ctx, "baseline-plain.db", false)
	if err != nil {
		return err
	}
	r.row("store write path, 1000 events/tx, no rollups", fmt.Sprintf("%.0f events/s", without),
		fmt.Sprintf("%.0f events/s", plain), fmt.Sprintf("%.2f (cost of the counters and the store's encoding)", without/plain))
	if r.base, err = r.rawInsert(ctx, "baseline.db", true); err != nil {
		return err
	}
	r.row("store write path, 1000 events/tx, with rollups (the baseline below)", fmt.Sprintf("%.0f events/s", r.base),
		fmt.Sprintf("%.0f events/s", without), fmt.Sprintf("%.2f (cost of the rollups)", r.base/without))
	return nil
}

func (r *Runner) rawInsert(ctx context.Context, name string, rollups bool) (float64, error) {
	st, sensors, err := r.openStore(ctx, name)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	if !rollups {
		st.WithoutRollups()
	}
	g := newGenerator(sensors, time.Now().Add(-30*24*time.Hour))
	batch := make([]*model.Event, 0, 1000)
	start := time.Now()
	for i := 0; i < r.opt.Baseline; i++ {
		batch = append(batch, g.next())
		if len(batch) == cap(batch) || i == r.opt.Baseline-1 {
			if err := st.InsertEvents(ctx, batch); err != nil {
				return 0, err
			}
			batch = batch[:0]
		}
	}
	return float64(r.opt.Baseline) / time.Since(start).Seconds(), nil
}

// openStore creates a fresh database with a group and four sensors.
func (r *Runner) openStore(ctx context.Context, name string) (*store.Store, []*model.Sensor, error) {
	st, err := store.Open(ctx, filepath.Join(r.dir, name), r.opt.Schema)
	if err != nil {
		return nil, nil, err
	}
	g := &model.Group{Name: "Bench"}
	if err := st.CreateGroup(ctx, g); err != nil {
		return nil, nil, err
	}
	var sensors []*model.Sensor
	for i := 0; i < 4; i++ {
		sn := &model.Sensor{Name: fmt.Sprintf("sensor-%d", i), GroupID: g.ID, UpdateInterval: 60, Secret: auth.NewSensorSecret()}
		if err := st.CreateSensor(ctx, sn); err != nil {
			return nil, nil, err
		}
		sensors = append(sensors, sn)
	}
	return st, sensors, nil
}

// env is a running appliance server for the HTTP phases.
type env struct {
	st      *store.Store
	ing     *ingest.Service
	outs    *outputs.Service // delivers only while its Run goes (the outputs phase)
	srv     *web.Server
	url     string
	token   string
	sensors []*model.Sensor
	commits *atomic.Int64 // ingest commits so far (the SSH phase shows events per commit)
}

// startEnv opens a fresh database with its four sensors and serves the appliance's API on
// loopback, wired as the appliance wires it (every ingest commit wakes the outputs'
// couriers), with an admin's API token.
func (r *Runner) startEnv(ctx context.Context, name string) (*env, error) {
	st, sensors, err := r.openStore(ctx, name)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.DiscardHandler)
	outs := outputs.New(st, log, map[string]outputs.Kind{
		model.OutputSyslog: syslog.Kind{Hostname: "bench", Version: "bench"}, model.OutputWebhook: webhook.Kind{}})
	commits := new(atomic.Int64)
	ing := ingest.New(st, log, func(events []*model.Event) {
		commits.Add(1)
		outs.EventsCommitted(events)
	})
	srv, err := web.New(web.Deps{Store: st, Ingest: ing, Outputs: outs, Assets: r.opt.Assets, Log: log, Version: "bench",
		SessionIdle: 30 * time.Minute, Limiter: auth.NewLoginLimiter()})
	if err != nil {
		ing.Close()
		st.Close()
		return nil, err
	}
	e := &env{st: st, ing: ing, outs: outs, srv: srv, sensors: sensors, commits: commits}
	if e.url, err = listen(srv.App()); err != nil {
		e.close()
		return nil, err
	}
	if e.token, err = benchToken(ctx, st, sensors[0].GroupID); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *env) close() {
	_ = e.srv.App().Shutdown() // the measurement is taken; only the teardown is left
	e.ing.Close()
	e.st.Close()
}

func (r *Runner) server(ctx context.Context) error {
	e, err := r.startEnv(ctx, "appliance.db")
	if err != nil {
		return err
	}
	defer e.close()
	if err := r.bareHandler(); err != nil {
		return err
	}
	if err := r.sshSpeed(ctx, e); err != nil {
		return err
	}
	for _, per := range []int{1, 100} {
		if _, err := r.ingestHTTP(ctx, e, per); err != nil {
			return err
		}
	}
	if err := r.ingestWithRules(ctx, e); err != nil {
		return err
	}
	if err := r.fill(ctx, e); err != nil {
		return err
	}
	if err := r.lists(ctx, e); err != nil {
		return err
	}
	if err := r.overview(e); err != nil {
		return err
	}
	if err := r.export(ctx, e); err != nil {
		return err
	}
	if err := r.footprint(ctx, e); err != nil {
		return err
	}
	return r.archiveMove(ctx, e)
}

func listen(app *fiber.App) (string, error) {
	ln, err := netListen()
	if err != nil {
		return "", err
	}
	go func() { _ = app.Listener(ln) }() // returns when the bench shuts the app down
	return "http://" + ln.Addr().String(), nil
}

// benchToken creates an admin with an API token to call the list API with.
func benchToken(ctx context.Context, st *store.Store, group int64) (string, error) {
	hash, err := auth.HashPassword("bench-password")
	if err != nil {
		return "", err
	}
	u := &model.User{Login: "bench", Role: model.RoleAdmin, Groups: []int64{group}, PasswordHash: hash}
	if err := st.CreateUser(ctx, u); err != nil {
		return "", err
	}
	secret, tokenHash := auth.NewAPIToken()
	return secret, st.CreateToken(ctx, &model.APIToken{UserID: u.ID, Name: "bench"}, tokenHash)
}

// bareHandler measures a Fiber handler that parses and answers JSON with no database, with the
// same client and concurrency as the ingest figure: the HTTP ceiling of this machine.
func (r *Runner) bareHandler() error {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Post("/bare", func(c *fiber.Ctx) error {
		var v map[string]any
		if err := json.Unmarshal(c.Body(), &v); err != nil {
			return err
		}
		return c.JSON(fiber.Map{"accepted": 1})
	})
	url, err := listen(app)
	if err != nil {
		return err
	}
	defer func() { _ = app.Shutdown() }()
	body, _ := json.Marshal(map[string]any{"sensor": 1, "events": []any{map[string]any{"summary": strings.Repeat("x", 200)}}})
	n := 20000
	rate, err := drive(n, 16, func(client *http.Client, i int) error {
		res, err := client.Post(url+"/bare", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.row("bare Fiber JSON handler, loopback, 16 clients", fmt.Sprintf("%.0f req/s", rate), "-", "-")
	return nil
}

// ingestWithRules measures batched ingest with 100 enabled filter rules in the sensors' group,
// none of which drops the generated events (so every rule is tried on every event), against
// the same ingest without them: three rounds each, taken in turns (without, with, without, ...)
// so that a change in the machine's speed during the run falls on both alike; the figure is
// the median of the three rounds' ratios.
func (r *Runner) ingestWithRules(ctx context.Context, e *env) error {
	var rules []*model.FilterRule
	for i := 0; i < 100; i++ {
		rule := &model.FilterRule{GroupID: e.sensors[0].GroupID, Name: fmt.Sprintf("bench rule %d", i), Enabled: true,
			Conditions: []model.FilterCondition{
				{Attribute: model.AttrService, Value: "ssh"},
				{Attribute: model.AttrSource, Value: fmt.Sprintf("198.51.%d.0/24", i)},
			}}
		if err := e.ing.CreateFilterRule(ctx, rule); err != nil {
			return err
		}
		rules = append(rules, rule)
	}
	setRules := func(on bool) error {
		for _, rule := range rules {
			rule.Enabled = on
			if err := e.ing.UpdateFilterRule(ctx, rule); err != nil {
				return err
			}
		}
		return nil
	}
	const rounds = 3
	events := max(r.opt.Ingest/rounds, 100)
	var ratios, with, without []float64
	for range rounds {
		rates := [2]float64{}
		for i, on := range []bool{false, true} {
			if err := setRules(on); err != nil {
				return err
			}
			rate, err := r.ingestRate(ctx, e, 100, events)
			if err != nil {
				return err
			}
			rates[i] = rate
		}
		without, with = append(without, rates[0]), append(with, rates[1])
		ratios = append(ratios, rates[1]/rates[0])
	}
	sort.Float64s(ratios)
	sort.Float64s(with)
	sort.Float64s(without)
	r.row(fmt.Sprintf("batched ingest with 100 rules vs without (median of %d rounds in turns)", rounds),
		fmt.Sprintf("%.0f events/s", with[rounds/2]), fmt.Sprintf("%.0f events/s", without[rounds/2]),
		fmt.Sprintf("%.2f (target 0.90; rounds %.2f-%.2f)", ratios[rounds/2], ratios[0], ratios[rounds-1]))
	return nil
}

// ingestHTTP measures signed ingest over loopback of r.opt.Ingest events, per events per
// request, prints the figure and returns events/s.
func (r *Runner) ingestHTTP(ctx context.Context, e *env, per int) (float64, error) {
	events, err := r.ingestRate(ctx, e, per, r.opt.Ingest)
	if err != nil {
		return 0, err
	}
	clients := ingestClients(per)
	r.row(fmt.Sprintf("signed HTTP ingest, %d event(s)/request, %d clients", per, clients),
		fmt.Sprintf("%.0f events/s", events), fmt.Sprintf("%.0f events/s", r.base), fmt.Sprintf("%.2f", events/r.base))
	return events, nil
}

// ingestClients is how many clients send at once: 16 with single events, 4 with batches.
func ingestClients(per int) int {
	if per > 1 {
		return 4
	}
	return 16
}

// ingestRate sends total signed events over loopback, per events per request, and returns
// events/s.
func (r *Runner) ingestRate(ctx context.Context, e *env, per, total int) (float64, error) {
	rate, err := sendIngest(e, ingestRequests(e, per, total), per)
	return rate * float64(per), err
}

// ingestRequest is one signed ingest request's sensor and body.
type ingestRequest struct {
	sensor *model.Sensor
	body   []byte
}

// ingestRequests prepares the bodies of total generated events, per events per request, so
// that making them is not part of a measured time.
func ingestRequests(e *env, per, total int) []ingestRequest {
	g := newGenerator(e.sensors, time.Now().Add(-20*24*time.Hour))
	reqs := make([]ingestRequest, max(total/per, 1))
	for i := range reqs {
		sn := e.sensors[i%len(e.sensors)]
		events := make([]map[string]any, per)
		for j := range events {
			events[j] = wire(g.next())
		}
		body, _ := json.Marshal(map[string]any{"sensor": sn.ID, "events": events})
		reqs[i] = ingestRequest{sensor: sn, body: body}
	}
	return reqs
}

// sendIngest sends the requests with ingestClients(per) clients and returns requests/s.
func sendIngest(e *env, reqs []ingestRequest, per int) (float64, error) {
	return drive(len(reqs), ingestClients(per), func(client *http.Client, i int) error {
		rq := reqs[i]
		ts := time.Now().Unix()
		hr, _ := http.NewRequest("POST", e.url+"/api/events", bytes.NewReader(rq.body))
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("X-HS-Sensor", strconv.FormatInt(rq.sensor.ID, 10))
		hr.Header.Set("X-HS-TS", strconv.FormatInt(ts, 10))
		hr.Header.Set("X-HS-Type", "sha256")
		hr.Header.Set("X-HS-Auth", sensorproto.Sign(rq.sensor.Secret, ts, "create", rq.body))
		res, err := client.Do(hr)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			return fmt.Errorf("ingest answered %d: %s", res.StatusCode, msg)
		}
		return nil
	})
}

// drive runs n calls of fn over the given number of concurrent clients and returns calls/s.
func drive(n, clients int, fn func(*http.Client, int) error) (float64, error) {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(client, i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), firstErr
}

// fill brings the appliance's database to opt.Events events through the store's batch insert.
func (r *Runner) fill(ctx context.Context, e *env) error {
	have, err := e.st.CountEvents(ctx, &store.EventFilter{})
	if err != nil {
		return err
	}
	g := newGenerator(e.sensors, fillStart())
	start := time.Now()
	batch := make([]*model.Event, 0, 5000)
	for i := int(have); i < r.opt.Events; i++ {
		batch = append(batch, g.next())
		if len(batch) == cap(batch) || i == r.opt.Events-1 {
			if err := e.st.InsertEvents(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := e.st.Maintain(ctx); err != nil {
		return err
	}
	r.row(fmt.Sprintf("fill to %d events (5000/tx) + nightly maintenance", r.opt.Events), time.Since(start).Round(time.Millisecond).String(), "-", "-")
	return nil
}

// timed calls the list API in process (no network) and returns the median and worst time.
func (r *Runner) timed(e *env, path string, runs int) (time.Duration, time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < runs; i++ {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		start := time.Now()
		res, err := e.srv.App().Test(req, -1)
		if err != nil {
			return 0, 0, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil {
			return 0, 0, err
		}
		ds = append(ds, time.Since(start))
		if res.StatusCode != 200 {
			return 0, 0, fmt.Errorf("%s answered %d", path, res.StatusCode)
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], ds[len(ds)-1], nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
