package bench

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/model"
	"honeysens/app/sensorproto"
	"honeysens/app/store"
)

// RunScale runs only the scale-out phases (bench --scale-only), each on a database of its own.
func RunScale(ctx context.Context, opt Options, w io.Writer) error {
	r, cleanup, err := newRunner(opt, w)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := r.scale(ctx); err != nil {
		return err
	}
	return r.out.Flush()
}

// scale measures delivery to the outputs during ingest, then a fleet of remote sensors.
func (r *Runner) scale(ctx context.Context) error {
	e, err := r.startEnv(ctx, "outputs.db")
	if err != nil {
		return err
	}
	err = r.outputsSpeed(ctx, e)
	e.close()
	if err != nil {
		return err
	}
	if e, err = r.startEnv(ctx, "sensors.db"); err != nil {
		return err
	}
	defer e.close()
	return r.remoteSensors(ctx, e)
}

// remoteSensors runs opt.ScaleSensors simulated remote sensors against the server for
// opt.ScaleTime, each heartbeating every fleetHeartbeat and uploading a batch of fleetBatch
// events every fleetUpload, as sensor.Remote does over the sensor protocol (signed requests,
// signed answers checked). Its upload latency is shown next to the latency of one sensor
// alone, uploading the same batches one after another, a sixth of the time before the fleet
// and a sixth after it. The simulated sensors run in the bench process, so its CPU time
// holds theirs too: the same fleet against a bare handler that answers signed and stores
// nothing, for a third of the time, measures that share (with the HTTP exchange), and the
// difference is what the server's own work costs.
func (r *Runner) remoteSensors(ctx context.Context, e *env) error {
	list, err := fleetSensors(ctx, e, r.opt.ScaleSensors+1)
	if err != nil {
		return err
	}
	alone, fleet := newSimSensor(list[0], e.url), list[1:]
	d := r.opt.ScaleTime
	single, err := runFleet([]*simSensor{alone}, d/6, fleetPause)
	if err != nil {
		return fmt.Errorf("one sensor: %w", err)
	}
	many, err := r.fleetRound(ctx, e, fleet, d)
	if err != nil {
		return err
	}
	after, err := runFleet([]*simSensor{alone}, d/6, fleetPause)
	if err != nil {
		return fmt.Errorf("one sensor: %w", err)
	}
	single.add(after)
	r.row(fmt.Sprintf("  upload latency p50 / p99, %d sensors", len(fleet)),
		fmt.Sprintf("%s / %s (%d uploads)", ms(many.percentile(50)), ms(many.percentile(99)), len(many.uploads)),
		fmt.Sprintf("%s / %s (one sensor alone, %d uploads)", ms(single.percentile(50)), ms(single.percentile(99)), len(single.uploads)),
		fmt.Sprintf("p50 %.1fx, p99 %.1fx", float64(many.percentile(50))/float64(max(single.percentile(50), 1)),
			float64(many.percentile(99))/float64(max(single.percentile(99), 1))))
	return nil
}

// fleetRound runs the fleet against the server, and for its CPU share first against a bare
// handler; it prints the load, CPU and RSS and returns the fleet's result.
func (r *Runner) fleetRound(ctx context.Context, e *env, fleet []*model.Sensor, d time.Duration) (fleetResult, error) {
	bare, err := startBareSensorServer(fleet)
	if err != nil {
		return fleetResult{}, err
	}
	defer func() { _ = bare.Shutdown() }()
	clientCPU, err := fleetCPU(fleet, bare.url, d/3)
	if err != nil {
		return fleetResult{}, fmt.Errorf("sensors against the bare handler: %w", err)
	}
	before, err := e.st.CountEvents(ctx, &store.EventFilter{})
	if err != nil {
		return fleetResult{}, err
	}
	rssBefore := procStatus("VmRSS")
	sims := make([]*simSensor, len(fleet))
	for i, sn := range fleet {
		sims[i] = newSimSensor(sn, e.url)
	}
	cpu0, start := cpuTime(), time.Now()
	res, err := runFleet(sims, d, fleetUpload)
	cpu := float64(cpuTime()-cpu0) / float64(time.Since(start))
	if err != nil {
		return res, fmt.Errorf("%d sensors: %w", len(fleet), err)
	}
	after, err := e.st.CountEvents(ctx, &store.EventFilter{})
	if err != nil {
		return res, err
	}
	r.row(fmt.Sprintf("%d remote sensors for %s (heartbeat every %s, %d events every %s each)", len(fleet), d, fleetHeartbeat, fleetBatch, fleetUpload),
		fmt.Sprintf("%d uploads, %d heartbeats, %.0f events/s stored", len(res.uploads), res.heartbeats, float64(after-before)/d.Seconds()), "-", "")
	r.row("  CPU of the bench process (server + simulated sensors), share of one core", fmt.Sprintf("%.1f%%", 100*cpu),
		fmt.Sprintf("%.1f%% against a bare handler", 100*clientCPU), fmt.Sprintf("%.1f%% of a core more (the server beyond a bare signed answer)", 100*(cpu-clientCPU)))
	r.row("  RSS of the bench process (server + simulated sensors) at the end", procStatus("VmRSS"), rssBefore+" before the sensors", "peak "+procStatus("VmHWM"))
	if after-before != int64(res.events) {
		return res, fmt.Errorf("sensors bench: %d events stored for %d uploaded", after-before, res.events)
	}
	return res, nil
}

// The fleet's timing: as sensor.Remote with the shortest update interval the server allows,
// a batch every fleetUpload; one sensor alone uploads fleetPause after its last answer.
const (
	fleetHeartbeat = 10 * time.Second
	fleetUpload    = 5 * time.Second
	fleetBatch     = 10
	fleetPause     = 100 * time.Millisecond
)

// fleetSensors creates n remote sensors in the bench group.
func fleetSensors(ctx context.Context, e *env, n int) ([]*model.Sensor, error) {
	list := make([]*model.Sensor, n)
	for i := range list {
		list[i] = &model.Sensor{Name: fmt.Sprintf("remote-%03d", i), GroupID: e.sensors[0].GroupID,
			UpdateInterval: int(fleetHeartbeat / time.Second), Secret: auth.NewSensorSecret()}
		if err := e.st.CreateSensor(ctx, list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// fleetResult is what a fleet's run measured.
type fleetResult struct {
	uploads    []time.Duration // each upload's time to its checked answer
	heartbeats int
	events     int // uploaded and answered
}

func (f *fleetResult) add(o fleetResult) {
	f.uploads = append(f.uploads, o.uploads...)
	f.heartbeats += o.heartbeats
	f.events += o.events
}

func (f *fleetResult) percentile(p int) time.Duration {
	if len(f.uploads) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), f.uploads...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)*p/100, len(s)-1)]
}

// runFleet runs each sensor for d: a heartbeat every fleetHeartbeat and an upload every
// upload, the first of each at a random moment of its period (a fleet's sensors started at
// different times). It stops at the first failure.
func runFleet(sims []*simSensor, d, upload time.Duration) (fleetResult, error) {
	var mu sync.Mutex
	var res fleetResult
	var firstErr error
	var failed atomic.Bool
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for i, s := range sims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(i), 3))
			nextBeat := start.Add(time.Duration(rnd.Int64N(int64(fleetHeartbeat))))
			nextUp := start.Add(time.Duration(rnd.Int64N(int64(upload))))
			for !failed.Load() {
				beat := nextBeat.Before(nextUp)
				next := nextUp
				if beat {
					next = nextBeat
				}
				if next.After(end) {
					return
				}
				time.Sleep(time.Until(next))
				var took time.Duration
				var err error
				if beat {
					_, err = s.heartbeat()
					nextBeat = nextBeat.Add(fleetHeartbeat)
				} else {
					took, err = s.upload()
					nextUp = time.Now().Add(upload)
					if upload == fleetUpload {
						nextUp = next.Add(upload) // on the fleet's clock, not after the answer
					}
				}
				mu.Lock()
				switch {
				case err != nil && firstErr == nil:
					firstErr = err
					failed.Store(true)
				case err == nil && beat:
					res.heartbeats++
				case err == nil:
					res.uploads = append(res.uploads, took)
					res.events += fleetBatch
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, s := range sims {
		s.client.CloseIdleConnections()
	}
	return res, firstErr
}

// fleetCPU runs the fleet against url for d and returns the process's CPU time per wall time.
func fleetCPU(fleet []*model.Sensor, url string, d time.Duration) (float64, error) {
	sims := make([]*simSensor, len(fleet))
	for i, sn := range fleet {
		sims[i] = newSimSensor(sn, url)
	}
	cpu0, start := cpuTime(), time.Now()
	_, err := runFleet(sims, d, fleetUpload)
	return float64(cpuTime()-cpu0) / float64(time.Since(start)), err
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bareSensorServer answers the sensor protocol's heartbeat and upload with a signed minimal
// answer and does nothing else: the clients' and the HTTP exchange's share of the CPU.
type bareSensorServer struct {
	*fiber.App
	url string
}

func startBareSensorServer(fleet []*model.Sensor) (*bareSensorServer, error) {
	secrets := map[string]string{}
	for _, sn := range fleet {
		secrets[strconv.FormatInt(sn.ID, 10)] = sn.Secret
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true, BodyLimit: 4 << 20})
	answer := func(c *fiber.Ctx, body any) error {
		raw, _ := json.Marshal(body)
		ts := time.Now().Unix()
		c.Set("X-HS-TS", strconv.FormatInt(ts, 10))
		c.Set("X-HS-Type", "sha256")
		c.Set("X-HS-Auth", sensorproto.Sign(secrets[c.Get("X-HS-Sensor")], ts, "create", raw))
		c.Set("Content-Type", "application/json")
		return c.Send(raw)
	}
	app.Post("/api/sensors/status", func(c *fiber.Ctx) error {
		return answer(c, fiber.Map{"update_interval": int(fleetHeartbeat / time.Second), "server_time": time.Now().Unix(), "services": []any{}})
	})
	app.Post("/api/events", func(c *fiber.Ctx) error { return answer(c, fiber.Map{"accepted": fleetBatch, "dropped": 0}) })
	url, err := listen(app)
	if err != nil {
		return nil, err
	}
	return &bareSensorServer{App: app, url: url}, nil
}

// simSensor speaks the remote sensor protocol as sensor.Remote does, without its buffer and
// services: generated events go straight into the next batch.
type simSensor struct {
	sn       *model.Sensor
	url      string
	client   *http.Client
	gen      *generator
	lastBeat int64
}

func newSimSensor(sn *model.Sensor, url string) *simSensor {
	g := newGenerator([]*model.Sensor{sn}, time.Now().Add(-time.Hour))
	g.rnd = rand.New(rand.NewPCG(uint64(sn.ID), 2)) // each sensor its own attackers
	return &simSensor{sn: sn, url: url, gen: g,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}}
}

// heartbeat sends a status report; its timestamps keep increasing, as the server demands.
func (s *simSensor) heartbeat() (time.Duration, error) {
	ts := max(time.Now().Unix(), s.lastBeat+1)
	s.lastBeat = ts
	status := map[string]any{"timestamp": ts, "status": 1, "ip": "127.0.0.1", "sw_version": "bench",
		"services": map[string]any{}, "dropped": 0, "rejected": 0, "buffered_bytes": 0}
	body, _ := json.Marshal(map[string]any{"sensor": s.sn.ID, "status": status})
	return s.post("/api/sensors/status", body)
}

// upload sends fleetBatch new events as one batch, named by a hash of its events.
func (s *simSensor) upload() (time.Duration, error) {
	sum := sha256.New()
	var body bytes.Buffer
	var lines [][]byte
	for range fleetBatch {
		line, err := sensorproto.EncodeEvent(s.gen.next())
		if err != nil {
			return 0, err
		}
		sum.Write(line)
		sum.Write([]byte{'\n'})
		lines = append(lines, line)
	}
	fmt.Fprintf(&body, `{"sensor":%d,"batch":"%x","events":[%s]}`, s.sn.ID, sum.Sum(nil)[:16], bytes.Join(lines, []byte(",")))
	return s.post("/api/events", body.Bytes())
}

// post sends a signed request and returns the time until its answer was read and its
// signature checked.
func (s *simSensor) post(path string, body []byte) (time.Duration, error) {
	ts := time.Now().Unix()
	req, _ := http.NewRequest("POST", s.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-HS-Sensor", strconv.FormatInt(s.sn.ID, 10))
	req.Header.Set("X-HS-TS", strconv.FormatInt(ts, 10))
	req.Header.Set("X-HS-Type", "sha256")
	req.Header.Set("X-HS-Auth", sensorproto.Sign(s.sn.Secret, ts, "create", body))
	start := time.Now()
	res, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	reply, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s answered %d: %s", path, res.StatusCode, reply)
	}
	rts, _ := strconv.ParseInt(res.Header.Get("X-HS-TS"), 10, 64)
	if !hmac.Equal([]byte(sensorproto.Sign(s.sn.Secret, rts, "create", reply)), []byte(strings.ToLower(res.Header.Get("X-HS-Auth")))) {
		return 0, fmt.Errorf("%s: the answer is not signed with the sensor's secret", path)
	}
	return time.Since(start), nil
}
