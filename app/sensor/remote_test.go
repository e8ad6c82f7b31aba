package sensor

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/honeypot"
	"honeysens/app/ingest"
	"honeysens/app/model"
	"honeysens/app/sensorproto"
	"honeysens/app/store"
	"honeysens/app/tlscert"
)

// binary is the honeysens executable TestMain builds for the two-process test.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	if !testing.Short() {
		dir, err := os.MkdirTemp("", "honeysens-sensor-bin")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "honeysens")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		build := exec.CommandContext(ctx, "go", "build", "-o", binary, "honeysens")
		build.Dir = repoRoot()
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build failed: %v\n%s", err, out)
			return 1
		}
	}
	return m.Run()
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// --- in-process server: the real ingest handlers on a real store ---

type ingestServer struct {
	st     *store.Store
	svc    *ingest.Service
	sensor *model.Sensor
	URL    string
	down   atomic.Bool // answer 503 to everything
	// loseAnswer makes the next batch the server stores answer 503 instead, as if the answer
	// was lost on its way.
	loseAnswer atomic.Bool
}

func newIngestServer(t *testing.T) *ingestServer {
	t.Helper()
	return newIngestServerTLS(t, nil)
}

// newIngestServerTLS is newIngestServer serving HTTPS with cert (plain HTTP when nil).
func newIngestServerTLS(t *testing.T, cert *tls.Certificate) *ingestServer {
	t.Helper()
	ctx := context.Background()
	schema, err := os.ReadFile(filepath.Join(repoRoot(), "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "honeysens.db"), string(schema))
	if err != nil {
		t.Fatal(err)
	}
	g := &model.Group{Name: "Branch"}
	if err := st.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	sn := &model.Sensor{Name: "edge-1", GroupID: g.ID, UpdateInterval: 60, Secret: "s3cret-for-tests"}
	if err := st.CreateSensor(ctx, sn); err != nil {
		t.Fatal(err)
	}
	svc := ingest.New(st, slog.New(slog.DiscardHandler), nil)
	s := &ingestServer{st: st, svc: svc, sensor: sn}
	status := map[string]int{model.ErrInvalid: 400, model.ErrUnauthorized: 401, model.ErrForbidden: 403, model.ErrTooLarge: 413}
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ErrorHandler: func(c *fiber.Ctx, err error) error {
		code := status[model.ErrorCode(err)]
		if code == 0 {
			code = 500
		}
		var me *model.Error
		if !errors.As(err, &me) {
			me = &model.Error{Code: model.ErrInternal, Message: err.Error()}
		}
		return c.Status(code).JSON(me)
	}})
	app.Use(func(c *fiber.Ctx) error {
		if s.down.Load() {
			return c.Status(503).SendString("down for maintenance")
		}
		err := c.Next()
		if err == nil && c.Path() == "/api/events" && c.Response().StatusCode() == 200 && s.loseAnswer.CompareAndSwap(true, false) {
			return c.Status(503).SendString("answer lost")
		}
		return err
	})
	guard := func(c *fiber.Ctx) error {
		if err := svc.VerifySensor(c); err != nil {
			return err
		}
		return c.Next()
	}
	app.Post("/api/events", guard, svc.EventsCreate)
	app.Post("/api/sensors/status", guard, svc.StatusCreate)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.URL = "http://" + ln.Addr().String()
	if cert != nil {
		ln = tls.NewListener(ln, tlscert.ServerConfig(cert))
		s.URL = "https://" + ln.Addr().String()
	}
	go app.Listener(ln)
	t.Cleanup(func() {
		app.ShutdownWithTimeout(5 * time.Second)
		svc.Close()
		st.Close()
	})
	return s
}

func (s *ingestServer) config() *RemoteConfig {
	return &RemoteConfig{Server: s.URL, Sensor: s.sensor.ID, Secret: s.sensor.Secret, Name: s.sensor.Name}
}

// summaries lists the summaries of the sensor's events.
func (s *ingestServer) summaries(t *testing.T) []string {
	t.Helper()
	var out []string
	page := store.EventPage{Sort: "id", Limit: 500}
	for {
		list, next, err := s.st.ListEvents(context.Background(), &store.EventFilter{SensorID: s.sensor.ID}, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			out = append(out, e.Summary)
		}
		if next == "" {
			return out
		}
		page.Cursor = next
	}
}

func (s *ingestServer) count(t *testing.T) int {
	t.Helper()
	n, err := s.st.CountEvents(context.Background(), &store.EventFilter{SensorID: s.sensor.ID})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (s *ingestServer) waitCount(t *testing.T, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		n := s.count(t)
		if n == want {
			return
		}
		if n > want || time.Now().After(deadline) {
			t.Fatalf("server has %d events, want %d", n, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// --- a fake honeypot service the tests drive ---

type fakeHub struct {
	mu     sync.Mutex
	rep    honeypot.Reporter
	starts int
	stops  int
}

func (h *fakeHub) catalog() Catalog {
	return Catalog{"fake": Kind{Name: "fake", Defaults: func() any { return map[string]any{} },
		New: func(json.RawMessage, honeypot.Limits, *slog.Logger) (honeypot.Service, error) {
			return &fakeService{hub: h}, nil
		}}}
}

type fakeService struct{ hub *fakeHub }

func (f *fakeService) Name() string { return "fake" }

func (f *fakeService) Start(rep honeypot.Reporter) error {
	f.hub.mu.Lock()
	defer f.hub.mu.Unlock()
	f.hub.rep = rep
	f.hub.starts++
	return nil
}

// Stop reports the session it "cut short", as real services do.
func (f *fakeService) Stop() {
	f.hub.mu.Lock()
	defer f.hub.mu.Unlock()
	f.hub.stops++
	f.hub.rep.Report(context.Background(), testEvent(fmt.Sprintf("stop %d", f.hub.stops), 1))
	f.hub.rep = nil
}

// emit reports n events once the service runs.
func (h *fakeHub) emit(t *testing.T, prefix string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.mu.Lock()
		rep := h.rep
		h.mu.Unlock()
		if rep != nil {
			for i := 0; i < n; i++ {
				if err := rep.Report(context.Background(), testEvent(fmt.Sprintf("%s %d", prefix, i), i)); err != nil {
					t.Fatal(err)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the fake service did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testEvent(summary string, i int) *model.Event {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return &model.Event{Timestamp: now, Service: "fake", Source: netip.MustParseAddr("192.0.2.10"),
		SourcePort: 1024 + i%60000, Target: netip.MustParseAddr("192.0.2.1"), TargetPort: 2222, Protocol: model.ProtoTCP,
		Summary: summary,
		Details: []model.Detail{{Type: model.DetailGeneric, Data: "client SSH-2.0-test"},
			{Timestamp: &now, Type: model.DetailInteraction, Data: "uname -a"}},
		Packets: []model.Packet{{Timestamp: now, Protocol: model.ProtoTCP, Port: 2222, Flags: 2, Payload: []byte("\x00hi\n")}}}
}

func newTestRemote(t *testing.T, cfg *RemoteConfig, data string, cat Catalog) *Remote {
	t.Helper()
	r, err := NewRemote(RemoteOptions{Config: cfg, DataDir: data, Catalog: cat, Version: "test",
		Log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	r.flushTimeout = time.Second
	return r
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// runRemote runs r in the background; the returned stop cancels it and waits for Run.
func runRemote(t *testing.T, r *Remote) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Run did not return within 20 s of the stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// TestRemoteDeliversThroughOutageAndRestart: events reported while the server is down are
// buffered, survive a restart of the sensor (which runs its saved services without the
// server), and arrive exactly once after recovery, with the sessions cut short by each stop.
func TestRemoteDeliversThroughOutageAndRestart(t *testing.T) {
	srv := newIngestServer(t)
	ctx := context.Background()
	if err := srv.st.SetSensorService(ctx, &model.SensorService{SensorID: srv.sensor.ID, Name: "fake", Enabled: true,
		Config: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	hub := &fakeHub{}
	data := t.TempDir()

	stop := runRemote(t, newTestRemote(t, srv.config(), data, hub.catalog()))
	hub.emit(t, "a", 120)
	srv.waitCount(t, 120, 10*time.Second)

	srv.down.Store(true)
	hub.emit(t, "b", 700) // two batches' worth, buffered
	time.Sleep(300 * time.Millisecond)
	if n := srv.count(t); n != 120 {
		t.Fatalf("%d events while the server is down", n)
	}
	stop() // the fake session cut short ("stop 1") is buffered too; the flush fails

	r2 := newTestRemote(t, srv.config(), data, hub.catalog())
	if r2.Buffer().Empty() {
		t.Fatal("buffer empty after a stop while the server is down")
	}
	stop2 := runRemote(t, r2)
	hub.emit(t, "c", 30) // runs from the saved services while the server is still down
	srv.down.Store(false)
	srv.waitCount(t, 120+700+1+30, 20*time.Second)
	stop2() // "stop 2" flushed at once
	srv.waitCount(t, 120+700+1+30+1, 5*time.Second)

	seen := map[string]int{}
	for _, s := range srv.summaries(t) {
		seen[s]++
	}
	want := []string{"stop 1", "stop 2"}
	for _, p := range []struct {
		prefix string
		n      int
	}{{"a", 120}, {"b", 700}, {"c", 30}} {
		for i := 0; i < p.n; i++ {
			want = append(want, fmt.Sprintf("%s %d", p.prefix, i))
		}
	}
	for _, w := range want {
		if seen[w] != 1 {
			t.Errorf("event %q arrived %d times", w, seen[w])
		}
	}
	if hub.starts != 2 {
		t.Errorf("service started %d times, want 2", hub.starts)
	}
	sn, err := srv.st.Sensor(ctx, srv.sensor.ID)
	if err != nil || sn.LastContact == nil {
		t.Fatalf("no heartbeat recorded: %v", err)
	}
}

// TestRemoteLostAnswerStoredOnce: the server stores a batch but its answer is lost; events
// that come before the retry do not join the batch, which is sent again with the same id, so
// every event is stored once.
func TestRemoteLostAnswerStoredOnce(t *testing.T) {
	srv := newIngestServer(t)
	if err := srv.st.SetSensorService(context.Background(), &model.SensorService{SensorID: srv.sensor.ID, Name: "fake",
		Enabled: true, Config: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	hub := &fakeHub{}
	stop := runRemote(t, newTestRemote(t, srv.config(), t.TempDir(), hub.catalog()))
	srv.loseAnswer.Store(true)
	hub.emit(t, "a", 10)
	deadline := time.Now().Add(10 * time.Second)
	for srv.loseAnswer.Load() { // the retry waits for the uploader's backoff
		if time.Now().After(deadline) {
			t.Fatal("no batch arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
	hub.emit(t, "b", 5)
	srv.waitCount(t, 15, 10*time.Second)
	stop() // "stop 1" too
	srv.waitCount(t, 16, 5*time.Second)
	seen := map[string]int{}
	for _, s := range srv.summaries(t) {
		seen[s]++
	}
	for s, n := range seen {
		if n != 1 {
			t.Errorf("%q stored %d times", s, n)
		}
	}
}

// TestRemoteSessionThroughOutage: the revisions of a session reported while the server is
// down do not pile up in the buffer; the newest reaches the server once it is back, and the
// final report completes the one event.
func TestRemoteSessionThroughOutage(t *testing.T) {
	srv := newIngestServer(t)
	ctx := context.Background()
	if err := srv.st.SetSensorService(ctx, &model.SensorService{SensorID: srv.sensor.ID, Name: "fake", Enabled: true,
		Config: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	hub := &fakeHub{}
	r := newTestRemote(t, srv.config(), t.TempDir(), hub.catalog())
	stop := runRemote(t, r)
	hub.emit(t, "warm-up", 0) // waits until the service runs
	srv.down.Store(true)
	hub.mu.Lock()
	rep := hub.rep
	hub.mu.Unlock()
	e := testEvent("", 1)
	e.Session, e.Ongoing = "feedc0ffee123456", true
	for rev := 1; rev <= 30; rev++ {
		e.Revision, e.Summary = rev, fmt.Sprintf("session rev %d", rev)
		e.AddCommand(fmt.Sprint("command ", rev))
		if err := rep.Report(ctx, e.Clone()); err != nil {
			t.Fatal(err)
		}
	}
	if lines, _ := r.Buffer().Peek(100); len(lines) != 1 {
		t.Fatalf("%d lines buffered for one session, want its first report only", len(lines))
	}
	srv.down.Store(false)
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Equal(srv.summaries(t), []string{"session rev 30"}) {
		if time.Now().After(deadline) {
			t.Fatalf("server has %q, want the newest revision only", srv.summaries(t))
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.Revision, e.Ongoing, e.Summary = 31, false, "session final"
	if err := rep.Report(ctx, e.Clone()); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for !slices.Equal(srv.summaries(t), []string{"session final"}) {
		if time.Now().After(deadline) {
			t.Fatalf("server has %q, want the final report", srv.summaries(t))
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
}

func TestRemoteHeartbeatAppliesServicesAndReportsStates(t *testing.T) {
	srv := newIngestServer(t)
	ctx := context.Background()
	if err := srv.st.SetSensorService(ctx, &model.SensorService{SensorID: srv.sensor.ID, Name: "fake", Enabled: true, Config: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := srv.st.SetSensorService(ctx, &model.SensorService{SensorID: srv.sensor.ID, Name: "nosuch", Enabled: true, Config: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	hub := &fakeHub{}
	r := newTestRemote(t, srv.config(), t.TempDir(), hub.catalog())
	defer r.Buffer().Close()
	defer r.host.Stop()
	if err := r.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	if hub.starts != 1 {
		t.Fatalf("fake started %d times", hub.starts)
	}
	if r.interval.Load() != 60 {
		t.Errorf("interval %d", r.interval.Load())
	}
	if err := r.Heartbeat(ctx); err != nil { // reports the states of the first
		t.Fatal(err)
	}
	if hub.starts != 1 {
		t.Fatalf("unchanged service restarted: %d starts", hub.starts)
	}
	list, err := srv.st.SensorServices(ctx, srv.sensor.ID)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, sv := range list {
		states[sv.Name] = sv.State + "/" + sv.Error
	}
	if states["fake"] != "running/" || !strings.HasPrefix(states["nosuch"], "error/") {
		t.Fatalf("states %v", states)
	}
	// Disabled at the server: stopped at the next heartbeat.
	if err := srv.st.SetSensorService(ctx, &model.SensorService{SensorID: srv.sensor.ID, Name: "fake", Enabled: false, Config: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := r.Heartbeat(ctx); err != nil {
		t.Fatal(err)
	}
	if len(r.host.Running()) != 0 {
		t.Fatalf("still running %v", r.host.Running())
	}
}

// TestRemoteRefusesUnsignedReplies: an answer without the secret's signature counts as a
// failure, so heartbeats are not applied and events stay buffered.
func TestRemoteRefusesUnsignedReplies(t *testing.T) {
	cfg := &RemoteConfig{Sensor: 7, Secret: "right"}
	sign := func(w http.ResponseWriter, secret string, ts int64, body []byte) {
		w.Header().Set("X-HS-TS", strconv.FormatInt(ts, 10))
		w.Header().Set("X-HS-Type", "sha256")
		w.Header().Set("X-HS-Auth", sensorproto.Sign(secret, ts, "create", body))
	}
	var calls atomic.Int64
	for name, answer := range map[string]func(w http.ResponseWriter, body []byte){
		"unsigned":     func(w http.ResponseWriter, body []byte) {},
		"wrong secret": func(w http.ResponseWriter, body []byte) { sign(w, "wrong", time.Now().Unix(), body) },
		"stale":        func(w http.ResponseWriter, body []byte) { sign(w, "right", time.Now().Unix()-3600, body) },
		"other body":   func(w http.ResponseWriter, body []byte) { sign(w, "right", time.Now().Unix(), []byte("{}")) },
	} {
		t.Run(name, func(t *testing.T) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				calls.Add(1)
				body := []byte(`{"id":7,"update_interval":60,"services":[{"name":"fake","enabled":true,"config":{}}],"accepted":1,"dropped":0}`)
				answer(w, body)
				w.Write(body)
			}))
			defer hs.Close()
			c := *cfg
			c.Server = hs.URL
			hub := &fakeHub{}
			r := newTestRemote(t, &c, t.TempDir(), hub.catalog())
			if err := r.Heartbeat(context.Background()); !errors.Is(err, ErrUnsignedReply) {
				t.Fatalf("heartbeat: %v", err)
			}
			if hub.starts != 0 {
				t.Fatal("services of an unsigned answer applied")
			}
			line, _ := sensorproto.EncodeEvent(testEvent("x", 1))
			if _, err := r.Buffer().Append(line, line); err != nil {
				t.Fatal(err)
			}
			if err := r.upload(context.Background(), [][]byte{line}); !errors.Is(err, ErrUnsignedReply) {
				t.Fatalf("upload: %v", err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			before := calls.Load()
			go func() { r.uploader(ctx); close(done) }()
			deadline := time.Now().Add(5 * time.Second)
			for calls.Load() == before && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			<-done
			if lines, _ := r.Buffer().Peek(10); len(lines) != 2 {
				t.Fatalf("%d events left in the buffer, want 2", len(lines))
			}
			r.Buffer().Close()
		})
	}
}

// TestRemoteSetsAsideRefusedEvent: an event the server refuses as invalid would block the queue;
// it is narrowed down, written to rejected.jsonl and counted, and the others arrive.
func TestRemoteSetsAsideRefusedEvent(t *testing.T) {
	srv := newIngestServer(t)
	data := t.TempDir()
	r := newTestRemote(t, srv.config(), data, Catalog{})
	for i := 0; i < 10; i++ {
		line, _ := sensorproto.EncodeEvent(testEvent(fmt.Sprintf("ok %d", i), i))
		if _, err := r.Buffer().Append(line); err != nil {
			t.Fatal(err)
		}
		if i == 4 {
			if _, err := r.Buffer().Append([]byte(`{"timestamp":1,"service":"x","source":"192.0.2.1","summary":"bad"}`)); err != nil {
				t.Fatal(err)
			}
		}
	}
	stop := runRemote(t, r)
	srv.waitCount(t, 10, 10*time.Second)
	stop()
	raw, err := os.ReadFile(filepath.Join(data, rejectedFile))
	if err != nil || !strings.Contains(string(raw), `"summary":"bad"`) || bytes.Count(raw, []byte("\n")) != 1 {
		t.Fatalf("rejected.jsonl: %q, %v", raw, err)
	}
	if r.rejected.Load() != 1 {
		t.Fatalf("rejected count %d", r.rejected.Load())
	}
}

// TestEncodeEventRoundTrip: what the sensor encodes, the server's decoder reads back.
func TestEncodeEventRoundTrip(t *testing.T) {
	e := testEvent("SSH session", 5)
	line, err := sensorproto.EncodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sensorproto.DecodeEvents(json.RawMessage("["+string(line)+"]"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	d := got[0]
	if !d.Timestamp.Equal(e.Timestamp) || d.Service != e.Service || d.Source != e.Source || d.SourcePort != e.SourcePort ||
		d.Target != e.Target || d.TargetPort != e.TargetPort || d.Protocol != e.Protocol || d.Summary != e.Summary {
		t.Fatalf("decoded %+v\nwant %+v", d, e)
	}
	if len(d.Details) != 2 || d.Details[0].Timestamp != nil || !d.Details[1].Timestamp.Equal(*e.Details[1].Timestamp) ||
		d.Details[1].Type != model.DetailInteraction || d.Details[1].Data != "uname -a" {
		t.Fatalf("details %+v", d.Details)
	}
	if len(d.Packets) != 1 || d.Packets[0].Flags != 2 || string(d.Packets[0].Payload) != "\x00hi\n" || d.Packets[0].Port != 2222 {
		t.Fatalf("packets %+v", d.Packets)
	}
}

// TestEncodeEventSession: a session's report carries its id, revision, ongoing flag, the
// service's classification and the structured logins, commands and paths; a one-time event
// carries none of them.
func TestEncodeEventSession(t *testing.T) {
	e := testEvent("SSH: login as root with password x, 1 command", 1)
	e.Session, e.Revision, e.Ongoing, e.Classification = "0123456789abcdef", 3, true, model.ClassHoneypot
	e.AddLogin("root", "x", true)
	e.AddCommand("uname -a")
	e.AddPath("/wp-login.php")
	line, err := sensorproto.EncodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	var w map[string]json.RawMessage
	if err := json.Unmarshal(line, &w); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"session": `"0123456789abcdef"`, "revision": "3", "ongoing": "true", "classification": "3",
		"logins": `[{"user":"root","password":"x","accepted":true}]`, "commands": `["uname -a"]`, "paths": `["/wp-login.php"]`} {
		if string(w[key]) != want {
			t.Errorf("%s: %s, want %s", key, w[key], want)
		}
	}
	got, err := sensorproto.DecodeEvents(json.RawMessage("["+string(line)+"]"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Session != e.Session || got[0].Classification != model.ClassHoneypot {
		t.Errorf("decoded session %q, classification %v", got[0].Session, got[0].Classification)
	}

	line, _ = sensorproto.EncodeEvent(testEvent("one-time", 1))
	for _, key := range []string{"session", "revision", "ongoing", "classification", "logins", "commands", "paths"} {
		if strings.Contains(string(line), `"`+key+`"`) {
			t.Errorf("one-time event carries %s: %s", key, line)
		}
	}
}

func TestLoadRemoteConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "c.json")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := LoadRemoteConfig(write(`{"server":"http://10.0.0.1:8080/","sensor":"12","secret":"abc","name":"edge"}`))
	if err != nil || c.Server != "http://10.0.0.1:8080" || c.Sensor != 12 || c.Secret != "abc" {
		t.Fatalf("%+v %v", c, err)
	}
	for _, bad := range []string{`{}`, `{"server":"10.0.0.1","sensor":1,"secret":"x"}`, `{"server":"http://h","sensor":0,"secret":"x"}`,
		`{"server":"http://h","sensor":1}`, `not json`,
		`{"server":"http://h","sensor":1,"secret":"x","server_cert_sha256":"` + strings.Repeat("ab", 32) + `"}`, // pin without https
		`{"server":"https://h","sensor":1,"secret":"x","server_cert_sha256":"abc"}`} {
		if _, err := LoadRemoteConfig(write(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestLoadRemoteConfigPin(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.json")
	pin := strings.Repeat("AB", 32)
	if err := os.WriteFile(p, []byte(`{"server":"https://h:8443","sensor":1,"secret":"x","server_cert_sha256":"`+pin+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadRemoteConfig(p)
	if err != nil || c.ServerCertSHA256 != strings.ToLower(pin) {
		t.Fatalf("%+v %v", c, err)
	}
	// The configuration a plain HTTP server hands out carries an empty pin.
	if err := os.WriteFile(p, []byte(`{"server":"http://h:8080","sensor":1,"secret":"x","server_cert_sha256":""}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadRemoteConfig(p); err != nil || c.ServerCertSHA256 != "" {
		t.Fatalf("%+v %v", c, err)
	}
}

// TestRemoteVerifiesPinnedCertificate: with the pin of the certificate the server serves the
// sensor heartbeats and uploads; with another pin, or without a pin for a self-signed
// certificate, every connection is refused and the server hears nothing from it.
func TestRemoteVerifiesPinnedCertificate(t *testing.T) {
	cert, _, err := tlscert.Load(tlscert.ModeSelfSigned, t.TempDir(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	srv := newIngestServerTLS(t, cert)

	good := srv.config()
	good.ServerCertSHA256 = tlscert.Fingerprint(cert)
	r := newTestRemote(t, good, t.TempDir(), Catalog{})
	if err := r.Heartbeat(context.Background()); err != nil {
		t.Fatalf("heartbeat with the right pin: %v", err)
	}
	line, _ := sensorproto.EncodeEvent(testEvent("over https", 1))
	if err := r.upload(context.Background(), [][]byte{line}); err != nil {
		t.Fatalf("upload with the right pin: %v", err)
	}
	if n := srv.count(t); n != 1 {
		t.Fatalf("server has %d events, want 1", n)
	}
	r.Buffer().Close()

	other, _, _ := tlscert.Load(tlscert.ModeSelfSigned, t.TempDir(), "", "")
	bad := srv.config()
	bad.ServerCertSHA256 = tlscert.Fingerprint(other)
	r = newTestRemote(t, bad, t.TempDir(), Catalog{})
	if err := r.Heartbeat(context.Background()); !errors.Is(err, tlscert.ErrPinMismatch) {
		t.Fatalf("heartbeat with a wrong pin: %v, want ErrPinMismatch", err)
	}
	if err := r.upload(context.Background(), [][]byte{line}); !errors.Is(err, tlscert.ErrPinMismatch) {
		t.Fatalf("upload with a wrong pin: %v, want ErrPinMismatch", err)
	}
	r.Buffer().Close()

	unpinned := srv.config() // https without a pin: the system's CAs decide, and they do not know it
	r = newTestRemote(t, unpinned, t.TempDir(), Catalog{})
	var unknown x509.UnknownAuthorityError
	if err := r.Heartbeat(context.Background()); !errors.As(err, &unknown) {
		t.Fatalf("heartbeat without a pin: %v, want an unknown authority error", err)
	}
	r.Buffer().Close()
	if n := srv.count(t); n != 1 {
		t.Fatalf("server has %d events after the refused connections, want 1", n)
	}
}

// --- two processes on loopback ---

type proc struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startProc(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command(binary, args...), out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("--- %s output:\n%s", p.name, p.out.String())
		}
	})
	return p
}

// stop sends sig and waits (bounded) for the process to end.
func (p *proc) stop(t *testing.T, sig os.Signal, within time.Duration) {
	t.Helper()
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("%s did not exit within %s of %v", p.name, within, sig)
	}
}

func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HONEYSENS_") {
			env = append(env, kv)
		}
	}
	return env
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// apiClient is an admin session on the server's API.
type apiClient struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func (c *apiClient) do(method, path string, in, out any) int {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

func login(t *testing.T, base, password string) *apiClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &apiClient{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	c.do("POST", "/api/session", map[string]string{"username": "admin", "password": password}, &s)
	if s.CSRF == "" {
		t.Fatal("no csrf_token at login")
	}
	c.csrf = s.CSRF
	return c
}

func waitServer(t *testing.T, base string, within time.Duration) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(within)
	for {
		resp, err := client.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server at %s not up within %s: %v", base, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// eventSummaries lists every event of the sensor through the API: total and the summaries.
func (c *apiClient) eventSummaries(sensorID int64) (int, []string) {
	var out []string
	cursor, total := "", 0
	for {
		var page struct {
			Items []struct {
				Summary string `json:"summary"`
			} `json:"items"`
			Total int     `json:"total"`
			Next  *string `json:"next_cursor"`
		}
		path := fmt.Sprintf("/api/events?sensor=%d&limit=500&sort=id&order=asc", sensorID)
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		c.do("GET", path, nil, &page)
		total = page.Total
		for _, it := range page.Items {
			out = append(out, it.Summary)
		}
		if page.Next == nil {
			return total, out
		}
		cursor = *page.Next
	}
}

func (c *apiClient) eventTotal(sensorID int64) int {
	var page struct {
		Total int `json:"total"`
	}
	c.do("GET", fmt.Sprintf("/api/events?sensor=%d&limit=1", sensorID), nil, &page)
	return page.Total
}

// TestTwoProcessesServerRestart runs `honeysens serve` and `honeysens sensor` as two processes
// on loopback. Events are generated, the server is killed (SIGKILL), more events are generated
// while it is down, the sensor is restarted (SIGTERM) while they are buffered, the server comes
// back on the same port and data directory, and every event must arrive exactly once.
//
// The events come from the sensor's FTP honeypot (one event per session) when the catalog has
// one; in any case a larger lot, more than one upload batch, is put into the sensor's buffer
// while its process is stopped, with the buffer's own code, and each of those is checked to
// arrive exactly once. Without an FTP service (a catalog without it) the buffer is the only
// source.
func TestTwoProcessesServerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	start := time.Now()
	work := t.TempDir()
	serverData, sensorData := filepath.Join(work, "server"), filepath.Join(work, "sensor")
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	const password = "sensor-e2e-admin-pw"
	serverEnv := append(baseEnv(), "HONEYSENS_DATA="+serverData, fmt.Sprintf("HONEYSENS_LISTEN=127.0.0.1:%d", port),
		"HONEYSENS_ADMIN_PASSWORD="+password, "HONEYSENS_HONEYPOTS=false")
	server := startProc(t, "server", serverEnv, "serve")
	waitServer(t, base, 20*time.Second)
	api := login(t, base, password)

	var groups struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	api.do("GET", "/api/groups", nil, &groups)
	if len(groups.Items) == 0 {
		t.Fatal("no group")
	}
	var created struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	api.do("POST", "/api/sensors", map[string]any{"name": "remote-e2e", "location": "loopback", "group": groups.Items[0].ID,
		"update_interval": 10}, &created)
	if created.ID == 0 || created.Secret == "" {
		t.Fatalf("sensor create answered %+v", created)
	}
	var view struct {
		Services []struct {
			Name   string          `json:"name"`
			Config json.RawMessage `json:"config"`
		} `json:"services"`
	}
	api.do("GET", fmt.Sprintf("/api/sensors/%d", created.ID), nil, &view)
	ftpPort := 0
	for _, sv := range view.Services {
		in := map[string]any{"enabled": false, "config": sv.Config}
		if sv.Name == "ftp" {
			ftpPort = freePort(t)
			cfg := map[string]any{}
			if err := json.Unmarshal(sv.Config, &cfg); err != nil {
				t.Fatal(err)
			}
			cfg["listen"] = fmt.Sprintf("127.0.0.1:%d", ftpPort)
			in = map[string]any{"enabled": true, "config": cfg}
		}
		api.do("PUT", fmt.Sprintf("/api/sensors/%d/services/%s", created.ID, sv.Name), in, nil)
	}
	cfgPath := filepath.Join(work, "sensor.json")
	cfgJSON, _ := json.Marshal(map[string]any{"server": base, "sensor": created.ID, "secret": created.Secret, "name": "remote-e2e"})
	if err := os.WriteFile(cfgPath, cfgJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	sensorEnv := append(baseEnv(), "HONEYSENS_LOG_LEVEL=debug")
	startSensor := func() *proc {
		return startProc(t, "sensor", sensorEnv, "sensor", "--config", cfgPath, "--data", sensorData)
	}

	generated := 0
	var tags []string // inject mode: the summaries, to check each arrived once
	// inject puts n events into the stopped sensor's buffer.
	inject := func(tag string, n int) {
		b, err := OpenBuffer(filepath.Join(sensorData, bufferFile), 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			s := fmt.Sprintf("e2e %s %d", tag, i)
			line, _ := sensorproto.EncodeEvent(testEvent(s, i))
			if _, err := b.Append(line); err != nil {
				t.Fatal(err)
			}
			tags = append(tags, s)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		generated += n
	}
	// ftpSessions opens n FTP sessions to the running sensor: one event each.
	ftpSessions := func(n int) {
		addr := fmt.Sprintf("127.0.0.1:%d", ftpPort)
		deadline := time.Now().Add(15 * time.Second)
		for i := 0; i < n; i++ {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				if time.Now().After(deadline) {
					t.Fatalf("FTP service of the sensor not reachable: %v", err)
				}
				time.Sleep(100 * time.Millisecond)
				i--
				continue
			}
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			r := bufio.NewReader(conn)
			if _, err := r.ReadString('\n'); err != nil {
				t.Fatalf("FTP banner: %v", err)
			}
			fmt.Fprintf(conn, "USER e2e%d\r\nQUIT\r\n", i)
			io.Copy(io.Discard, r)
			conn.Close()
			generated++
		}
	}
	waitTotal := func(want int, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			n := api.eventTotal(created.ID)
			if n == want {
				return
			}
			if n > want || time.Now().After(deadline) {
				t.Fatalf("server has %d events, want %d", n, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	ftp := ftpPort != 0
	t.Logf("event source: ftp=%v (catalog: %d services)", ftp, len(view.Services))

	// 1. Events delivered while everything runs.
	var sensor *proc
	if ftp {
		sensor = startSensor()
		ftpSessions(15)
	} else {
		inject("a", 600)
		sensor = startSensor()
	}
	waitTotal(generated, 20*time.Second)

	t.Logf("%s: %d events so far", time.Since(start).Round(time.Millisecond), generated)
	// 2. The server dies; events keep coming and are buffered.
	server.stop(t, syscall.SIGKILL, 5*time.Second)
	if ftp {
		ftpSessions(15)
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("%s: %d events so far", time.Since(start).Round(time.Millisecond), generated)
	// 3. The sensor restarts (clean stop) while events are buffered; more while it was down.
	sensor.stop(t, syscall.SIGTERM, 15*time.Second)
	inject("b", 700) // more than one upload batch, each checked to arrive once
	sensor = startSensor()
	if ftp {
		ftpSessions(10) // the saved services run without the server
	}
	time.Sleep(500 * time.Millisecond)

	t.Logf("%s: %d events so far", time.Since(start).Round(time.Millisecond), generated)
	// 4. The server comes back on the same port and data directory: everything arrives once.
	server = startProc(t, "server (restarted)", serverEnv, "serve")
	waitServer(t, base, 20*time.Second)
	api = login(t, base, password)
	waitTotal(generated, 30*time.Second)
	time.Sleep(time.Second) // nothing more trickles in
	total, summaries := api.eventSummaries(created.ID)
	if total != generated || len(summaries) != generated {
		t.Fatalf("server has %d events (%d listed), generated %d", total, len(summaries), generated)
	}
	seen := map[string]int{}
	for _, s := range summaries {
		seen[s]++
	}
	for _, s := range tags {
		if seen[s] != 1 {
			t.Errorf("%q arrived %d times", s, seen[s])
		}
	}
	sensor.stop(t, syscall.SIGTERM, 15*time.Second)
	server.stop(t, syscall.SIGTERM, 15*time.Second)
	t.Logf("%d events through a server kill and a sensor restart in %s", generated, time.Since(start).Round(time.Millisecond))
}
