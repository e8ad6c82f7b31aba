package outputs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"honeysens/app/model"
	"honeysens/app/outputs"
	"honeysens/app/outputs/webhook"
	"honeysens/app/store"
)

// env is a database with one sensor, a webhook receiver whose answer the test sets, and the
// outputs service on a clock the test moves.
type env struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	svc    *outputs.Service
	sensor *model.Sensor
	now    time.Time // after the store's clock, which stamps the queued rows
	made   int       // outputs created, for their names

	mu     sync.Mutex
	status int
	answer map[int64]int // event id → the status the receiver answers it instead of status
	got    map[int64]int // event id → requests that carried it
	hang   int64         // the event whose request gets no answer (and is not counted) until the sender gives up
	hung   chan struct{} // closed when that request arrived
	url    string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	schema, err := os.ReadFile("../../schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: context.Background(), now: time.Now().Add(time.Minute), status: 200, answer: map[int64]int{},
		got: map[int64]int{}}
	if e.st, err = store.Open(e.ctx, filepath.Join(t.TempDir(), "honeysens.db"), string(schema)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	g := &model.Group{Name: "Office"}
	if err := e.st.CreateGroup(e.ctx, g); err != nil {
		t.Fatal(err)
	}
	e.sensor = &model.Sensor{Name: "office-pi", GroupID: g.ID, UpdateInterval: 60, Secret: "s"}
	if err := e.st.CreateSensor(e.ctx, e.sensor); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Event struct{ ID int64 } }
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &body)
		e.mu.Lock()
		defer e.mu.Unlock()
		if body.Event.ID != 0 && body.Event.ID == e.hang {
			e.mu.Unlock()
			close(e.hung)
			<-r.Context().Done()
			e.mu.Lock()
			return
		}
		e.got[body.Event.ID]++
		if code, ok := e.answer[body.Event.ID]; ok {
			w.WriteHeader(code)
			return
		}
		w.WriteHeader(e.status)
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.svc = outputs.New(e.st, slog.New(slog.NewTextHandler(io.Discard, nil)),
		map[string]outputs.Kind{model.OutputWebhook: webhook.Kind{}})
	e.svc.Now = func() time.Time { return e.now }
	return e
}

func (e *env) output(sel model.Selection, enabled bool) *model.Output {
	e.t.Helper()
	cfg, err := webhook.Kind{}.Config(json.RawMessage(`{"url":"`+e.url+`"}`), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.made++
	o := &model.Output{Kind: model.OutputWebhook, Name: fmt.Sprintf("hook %d", e.made), Enabled: enabled, Selection: sel, Config: cfg}
	if err := e.st.CreateOutput(e.ctx, o); err != nil {
		e.t.Fatal(err)
	}
	return o
}

func (e *env) events(classes ...model.Classification) []*model.Event {
	e.t.Helper()
	var list []*model.Event
	for _, c := range classes {
		list = append(list, &model.Event{Timestamp: e.now, SensorID: e.sensor.ID, GroupID: e.sensor.GroupID, Service: "ssh",
			Classification: c, Source: netip.MustParseAddr("203.0.113.7"), Protocol: model.ProtoTCP, Summary: "login"})
	}
	if err := e.st.InsertEvents(e.ctx, list); err != nil {
		e.t.Fatal(err)
	}
	return list
}

func (e *env) deliver(o *model.Output) {
	e.t.Helper()
	if err := e.svc.Deliver(e.ctx, o.ID); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) state(o *model.Output) *model.Output {
	e.t.Helper()
	got, err := e.st.Output(e.ctx, o.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

func (e *env) requests(id int64) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.got[id]
}

// TestDeliveredOnce: every selected event reaches the receiver once, across rounds and a
// restart of the service.
func TestDeliveredOnce(t *testing.T) {
	e := newEnv(t)
	o := e.output(model.Selection{Events: model.SelectAll}, true)
	list := e.events(model.ClassHoneypot, model.ClassScan, model.ClassConnAttempt)
	if st := e.state(o); st.Queued != 3 {
		t.Fatalf("queued with the events: %d, want 3", st.Queued)
	}
	e.deliver(o)
	e.deliver(o)
	e.svc = outputs.New(e.st, slog.New(slog.NewTextHandler(io.Discard, nil)), map[string]outputs.Kind{model.OutputWebhook: webhook.Kind{}})
	e.svc.Now = func() time.Time { return e.now }
	e.deliver(o)
	for _, ev := range list {
		if n := e.requests(ev.ID); n != 1 {
			t.Errorf("event %d delivered %d times", ev.ID, n)
		}
	}
	if st := e.state(o); st.Queued != 0 || st.LastSuccess == nil || st.LastError != "" {
		t.Errorf("state after delivery: %+v", st.OutputState)
	}
}

// TestReceiverDownWaits: while the receiver fails, events stay queued and are tried after
// the back-off; then each arrives, and a refused one fails at once.
func TestReceiverDownWaits(t *testing.T) {
	e := newEnv(t)
	o := e.output(model.Selection{Events: model.SelectAll}, true)
	e.status = 503
	ev := e.events(model.ClassHoneypot)[0]
	e.deliver(o)
	e.deliver(o) // within the back-off: not tried again
	if n, st := e.requests(ev.ID), e.state(o); n != 1 || st.Queued != 1 || st.LastError == "" || st.LastErrorAt == nil {
		t.Fatalf("after a failure: %d requests, state %+v", n, st.OutputState)
	}
	e.status = 200
	e.now = e.now.Add(time.Hour)
	e.deliver(o)
	if n, st := e.requests(ev.ID), e.state(o); n != 2 || st.Queued != 0 {
		t.Errorf("after the back-off: %d requests, state %+v", n, st.OutputState)
	}
	e.status = 400
	refused := e.events(model.ClassHoneypot)[0]
	e.deliver(o)
	e.deliver(o)
	if n, st := e.requests(refused.ID), e.state(o); n != 1 || st.Failed != 1 || st.Queued != 0 {
		t.Errorf("refused: %d requests, state %+v", n, st.OutputState)
	}
	e.status = 200
	if n, err := e.svc.Retry(e.ctx, o.ID, true); err != nil || n != 1 {
		t.Fatalf("retry: %d, %v", n, err)
	}
	e.deliver(o)
	if n, st := e.requests(refused.ID), e.state(o); n != 2 || st.Failed != 0 {
		t.Errorf("after retry: %d requests, state %+v", n, st.OutputState)
	}
}

// TestOneRoundManyEvents: a round delivers its batch in order; an event the receiver refuses,
// or one deleted before it went out, fails alone, and one archived in the meantime still goes
// out from the archive.
func TestOneRoundManyEvents(t *testing.T) {
	e := newEnv(t)
	o := e.output(model.Selection{Events: model.SelectAll}, true)
	list := e.events(model.ClassHoneypot, model.ClassScan, model.ClassScan, model.ClassICMP, model.ClassHoneypot)
	e.answer[list[1].ID] = http.StatusBadRequest
	if _, err := e.st.DeleteEvents(e.ctx, &store.EventFilter{IDs: []int64{list[2].ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.ArchiveEvents(e.ctx, &store.EventFilter{IDs: []int64{list[3].ID}}); err != nil {
		t.Fatal(err)
	}
	e.deliver(o)
	e.deliver(o)
	for i, want := range []int{1, 1, 0, 1, 1} {
		if n := e.requests(list[i].ID); n != want {
			t.Errorf("event %d: %d requests, want %d", i, n, want)
		}
	}
	if st := e.state(o); st.Queued != 0 || st.Failed != 2 || st.LastSuccess == nil || st.LastError == "" {
		t.Errorf("state after the round: %+v", st.OutputState)
	}
}

// TestDownWithinARound: when the receiver fails in the middle of a round, the events it took
// count as sent (also those whose requests were already under way beside the failed one) and
// the rest wait; after the back-off each of them goes out, and none the receiver took goes
// out again.
func TestDownWithinARound(t *testing.T) {
	e := newEnv(t)
	o := e.output(model.Selection{Events: model.SelectAll}, true)
	list := e.events(model.ClassHoneypot, model.ClassScan, model.ClassICMP, model.ClassScan, model.ClassScan, model.ClassScan,
		model.ClassScan, model.ClassScan, model.ClassScan, model.ClassScan)
	e.answer[list[1].ID] = http.StatusServiceUnavailable
	e.deliver(o)
	waiting := 1 // the failed one
	for _, ev := range list[2:] {
		waiting += 1 - e.requests(ev.ID)
	}
	if n0, n1, st := e.requests(list[0].ID), e.requests(list[1].ID), e.state(o); n0 != 1 || n1 != 1 ||
		st.Queued != waiting || st.LastSuccess == nil || st.LastError == "" {
		t.Fatalf("after the failure: requests %d %d, %d waiting, state %+v", n0, n1, waiting, st.OutputState)
	}
	delete(e.answer, list[1].ID)
	e.now = e.now.Add(time.Hour)
	e.deliver(o)
	for i, ev := range list {
		want := 1
		if i == 1 {
			want = 2
		}
		if n := e.requests(ev.ID); n != want {
			t.Errorf("event %d: %d requests, want %d", i, n, want)
		}
	}
	if st := e.state(o); st.Queued != 0 {
		t.Errorf("state after the back-off: %+v", st.OutputState)
	}
}

// TestStopMidRound: when the appliance stops while requests are under way, what the receiver
// answered is recorded as sent and goes out no more; the request left without an answer stays
// queued and goes out after the restart.
func TestStopMidRound(t *testing.T) {
	e := newEnv(t)
	o := e.output(model.Selection{Events: model.SelectAll}, true)
	list := e.events(model.ClassScan, model.ClassScan, model.ClassScan, model.ClassScan, model.ClassScan, model.ClassScan,
		model.ClassScan, model.ClassScan, model.ClassScan, model.ClassScan, model.ClassScan, model.ClassScan)
	e.hang, e.hung = list[5].ID, make(chan struct{})
	// The sender's client tells when each answer reached it; the stop comes once every other
	// request has its answer.
	answered := make(chan struct{}, len(list))
	client := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		res, err := http.DefaultTransport.RoundTrip(r)
		if err == nil {
			answered <- struct{}{}
		}
		return res, err
	})}
	e.svc = outputs.New(e.st, slog.New(slog.NewTextHandler(io.Discard, nil)), map[string]outputs.Kind{model.OutputWebhook: webhook.Kind{Client: client}})
	e.svc.Now = func() time.Time { return e.now }
	ctx, stop := context.WithCancel(e.ctx)
	go func() {
		<-e.hung
		for range len(list) - 1 {
			<-answered
		}
		stop()
	}()
	if err := e.svc.Deliver(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	left, err := e.st.DueOutputMessages(e.ctx, o.ID, e.now.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].EventID != list[5].ID {
		t.Fatalf("queued after the stop: %+v, want only event 5", left)
	}
	e.mu.Lock()
	e.hang = 0
	e.mu.Unlock()
	e.svc = outputs.New(e.st, slog.New(slog.NewTextHandler(io.Discard, nil)), map[string]outputs.Kind{model.OutputWebhook: webhook.Kind{}})
	e.svc.Now = func() time.Time { return e.now }
	e.deliver(o)
	for i, ev := range list {
		if n := e.requests(ev.ID); n != 1 {
			t.Errorf("event %d: %d requests", i, n)
		}
	}
	if st := e.state(o); st.Queued != 0 {
		t.Errorf("state after the restart: %+v", st.OutputState)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestDeepQueueLargerRounds: each round may take twice as many messages as the one before
// took, so a deep queue goes out in few rounds; a failed round starts small again.
func TestDeepQueueLargerRounds(t *testing.T) {
	e := newEnv(t)
	o := e.output(model.Selection{Events: model.SelectAll}, true)
	scans := func(n int) []*model.Event {
		classes := make([]model.Classification, n)
		for i := range classes {
			classes[i] = model.ClassScan
		}
		return e.events(classes...)
	}
	scans(450)
	for _, want := range []int{350, 150, 0} { // rounds of 100, 200, and 400 of which 150 were queued
		e.deliver(o)
		if st := e.state(o); st.Queued != want {
			t.Fatalf("%d queued, want %d", st.Queued, want)
		}
	}
	scans(350) // the next round takes 300, twice the last one's 150
	e.deliver(o)
	if st := e.state(o); st.Queued != 50 {
		t.Fatalf("after a round of 150: %d queued, want 50", st.Queued)
	}
	scans(250)
	e.status = http.StatusServiceUnavailable
	e.deliver(o)
	e.status = http.StatusOK
	e.now = e.now.Add(time.Hour)
	e.deliver(o)
	if st := e.state(o); st.Queued != 200 {
		t.Errorf("after a failed round and one more: %d queued, want 200", st.Queued)
	}
}

// TestSelection: an output gets the events it chose, a disabled one none.
func TestSelection(t *testing.T) {
	e := newEnv(t)
	critical := e.output(model.Selection{Events: model.SelectCritical}, true)
	scans := e.output(model.Selection{Events: model.SelectClassification, Classifications: []model.Classification{model.ClassScan}}, true)
	other := e.output(model.Selection{Events: model.SelectGroup, Groups: []int64{e.sensor.GroupID + 1}}, true)
	off := e.output(model.Selection{Events: model.SelectAll}, false)
	e.events(model.ClassHoneypot, model.ClassScan, model.ClassScan, model.ClassICMP)
	for _, tc := range []struct {
		o    *model.Output
		want int
	}{{critical, 1}, {scans, 2}, {other, 0}, {off, 0}} {
		if st := e.state(tc.o); st.Queued != tc.want {
			t.Errorf("%+v: %d queued, want %d", tc.o.Selection, st.Queued, tc.want)
		}
	}
}

// TestRunDelivers: the running service starts a loop for an output created while it runs,
// wakes it on new events, and stops it when the output is deleted.
func TestRunDelivers(t *testing.T) {
	e := newEnv(t)
	e.svc.Now = time.Now
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.svc.Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	o := e.output(model.Selection{Events: model.SelectAll}, true)
	if err := e.svc.Sync(e.ctx); err != nil {
		t.Fatal(err)
	}
	list := e.events(model.ClassHoneypot, model.ClassScan)
	e.svc.EventsCommitted(list)
	deadline := time.Now().Add(20 * time.Second)
	for e.requests(list[0].ID)+e.requests(list[1].ID) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("not delivered: %v", e.state(o).OutputState)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := e.st.DeleteOutput(e.ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Sync(e.ctx); err != nil {
		t.Fatal(err)
	}
}
