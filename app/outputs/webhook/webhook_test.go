package webhook

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"honeysens/app/model"
	"honeysens/app/outputs"
)

// hostile is attacker text aimed at chat messages: mentions, a link, markup and a new line.
const hostile = "<!channel> @channel @all [click](https://evil.example) *bold* <https://evil.example|x> &amp;\nsecond line"

func testEvent() *model.Event {
	ts := time.Date(2026, 12, 7, 3, 4, 5, 0, time.UTC)
	return &model.Event{ID: 42, Timestamp: ts, SensorID: 3, SensorName: "pi @here", GroupID: 1, GroupName: "lab",
		Service: "ssh", Classification: model.ClassHoneypot, Source: netip.MustParseAddr("192.0.2.7"), SourcePort: 40001,
		Target: netip.MustParseAddr("198.51.100.1"), TargetPort: 22, Protocol: model.ProtoTCP, Summary: hostile,
		Details:  []model.Detail{{Timestamp: &ts, Type: 1, Data: "uname -a"}},
		Packets:  []model.Packet{{Timestamp: ts, Protocol: model.ProtoTCP, Port: 22, Flags: 2, Payload: []byte("SSH-2.0\x00")}},
		Logins:   []model.Login{{User: "root", Password: "123456"}},
		Commands: []string{"uname -a"}}
}

// sendOne sends one event and returns its outcome.
func sendOne(t *testing.T, s outputs.Sender, e *model.Event) error {
	t.Helper()
	res := s.Send(context.Background(), []*model.Event{e})
	if len(res) != 1 {
		t.Fatalf("%d outcomes for one event", len(res))
	}
	return res[0]
}

// receiver records the requests it gets and answers each with the next status of its list
// (the last one repeats).
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []*http.Request
	bodies   [][]byte
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got, r.bodies = append(r.got, req), append(r.bodies, body)
	status := r.statuses[0]
	if len(r.statuses) > 1 {
		r.statuses = r.statuses[1:]
	}
	w.WriteHeader(status)
	io.WriteString(w, "answer\nwith a line")
}

func open(t *testing.T, cfg Config, old json.RawMessage) outputs.Sender {
	t.Helper()
	raw, _ := json.Marshal(cfg)
	checked, err := Kind{}.Config(raw, old)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Kind{}.Open(checked)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignedEventJSON(t *testing.T) {
	rcv := &receiver{statuses: []int{204}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	secret := "s3cret"
	if err := sendOne(t, open(t, Config{URL: srv.URL + "/hook", Secret: &secret}, nil), testEvent()); err != nil {
		t.Fatal(err)
	}
	req, body := rcv.got[0], rcv.bodies[0]
	if req.Method != "POST" || req.URL.Path != "/hook" || req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request: %s %s %v", req.Method, req.URL, req.Header)
	}
	if !hmac.Equal([]byte(req.Header.Get(SignatureHeader)), []byte(Sign(secret, body))) || !strings.HasPrefix(Sign(secret, body), "sha256=") {
		t.Errorf("signature %q does not match the body", req.Header.Get(SignatureHeader))
	}
	if req.Header.Get(TimestampHeader) == "" {
		t.Error("no timestamp header")
	}
	var got struct {
		Event struct {
			ID      int64  `json:"id"`
			Summary string `json:"summary"`
			Sensor  struct{ Name string }
			Details []model.Detail
			Packets []struct {
				Payload string
				Flags   string
			}
			Logins []model.Login
		}
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	e := got.Event
	if e.ID != 42 || e.Summary != hostile || e.Sensor.Name != "pi @here" || len(e.Details) != 1 || e.Packets[0].Payload != "U1NILTIuMAA=" ||
		e.Packets[0].Flags != "S" || e.Logins[0].Password != "123456" {
		t.Errorf("event JSON: %s", body)
	}
}

func TestUnsignedWithoutSecret(t *testing.T) {
	rcv := &receiver{statuses: []int{200}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	if err := sendOne(t, open(t, Config{URL: srv.URL}, nil), testEvent()); err != nil {
		t.Fatal(err)
	}
	if h := rcv.got[0].Header.Get(SignatureHeader); h != "" {
		t.Errorf("signature without a secret: %q", h)
	}
}

func TestAnswers(t *testing.T) {
	for _, tc := range []struct {
		status            int
		delivered, refuse bool
	}{
		{200, true, false}, {202, true, false}, {400, false, true}, {401, false, true}, {404, false, true},
		{408, false, false}, {429, false, false}, {500, false, false}, {503, false, false}, {302, false, false},
	} {
		rcv := &receiver{statuses: []int{tc.status}}
		srv := httptest.NewServer(rcv)
		err := sendOne(t, open(t, Config{URL: srv.URL}, nil), testEvent())
		srv.Close()
		if (err == nil) != tc.delivered || outputs.Refused(err) != tc.refuse {
			t.Errorf("answer %d: err %v, refused %v", tc.status, err, outputs.Refused(err))
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("answer %d: error keeps the receiver's line break: %q", tc.status, err)
		}
	}
}

// TestRedirectNotFollowed: events go to the configured URL only, whatever the receiver says.
func TestRedirectNotFollowed(t *testing.T) {
	elsewhere := &receiver{statuses: []int{200}}
	other := httptest.NewServer(elsewhere)
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	err := sendOne(t, open(t, Config{URL: srv.URL}, nil), testEvent())
	if err == nil || outputs.Refused(err) || len(elsewhere.got) != 0 {
		t.Errorf("redirect: err %v, the other server got %d requests", err, len(elsewhere.got))
	}
}

// texts collects every string of a decoded JSON value.
func texts(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, texts(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, x := range v {
			out = append(out, texts(x)...)
		}
		return out
	}
	return nil
}

// TestChatFormatsInert: attacker text can mention nobody, link nowhere and start no line. In
// Slack the blocks are plain text (shown as they are), so only mentions and lines matter there.
func TestChatFormatsInert(t *testing.T) {
	for _, format := range []string{Slack, Teams} {
		rcv := &receiver{statuses: []int{200}}
		srv := httptest.NewServer(rcv)
		if err := sendOne(t, open(t, Config{URL: srv.URL, Format: format}, nil), testEvent()); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		var decoded map[string]any
		if err := json.Unmarshal(rcv.bodies[0], &decoded); err != nil {
			t.Fatal(err)
		}
		strict := texts(decoded)
		if format == Slack {
			strict = texts(decoded["text"])
			if !strings.Contains(string(rcv.bodies[0]), `"type":"plain_text"`) {
				t.Errorf("slack blocks are not plain text: %s", rcv.bodies[0])
			}
		}
		for _, s := range texts(decoded) {
			for _, bad := range []string{"@channel", "@all", "@here", "\n"} {
				if strings.Contains(s, bad) {
					t.Errorf("%s: %q holds %q", format, s, bad)
				}
			}
		}
		for _, s := range strict {
			for _, bad := range []string{"<!channel>", "](https://", "<https://", "*bold*"} {
				if strings.Contains(s, bad) {
					t.Errorf("%s: %q holds %q", format, s, bad)
				}
			}
		}
		if !strings.Contains(strings.Join(strict, " "), "second line") {
			t.Errorf("%s: the summary is missing: %v", format, strict)
		}
	}
}

func TestSecretKeptAndHidden(t *testing.T) {
	secret := "s3cret"
	first, err := Kind{}.Config(json.RawMessage(`{"url":"https://example.org/h","secret":"s3cret"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := Kind{}.Config(json.RawMessage(`{"url":"https://example.org/other","format":"teams"}`), first)
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	json.Unmarshal(kept, &c)
	if c.Secret == nil || *c.Secret != secret || c.URL != "https://example.org/other" {
		t.Errorf("secret not kept: %s", kept)
	}
	if pub := string(Kind{}.Public(kept)); strings.Contains(pub, secret) || !strings.Contains(pub, `"has_secret":true`) {
		t.Errorf("public settings: %s", pub)
	}
	removed, _ := Kind{}.Config(json.RawMessage(`{"url":"https://example.org/h","secret":""}`), first)
	if strings.Contains(string(removed), secret) {
		t.Errorf("secret not removed: %s", removed)
	}
	_, err = Kind{}.Config(json.RawMessage(`{"url":"ftp://example.org","format":"xml"}`), nil)
	var me *model.Error
	if !errors.As(err, &me) || me.Fields["config.url"] == "" || me.Fields["config.format"] == "" {
		t.Errorf("bad settings: %v", err)
	}
}

// numbered returns n copies of the test event with the ids 1 to n.
func numbered(n int) []*model.Event {
	list := make([]*model.Event, n)
	for i := range list {
		list[i] = testEvent()
		list[i].ID = int64(i + 1)
	}
	return list
}

// idReceiver answers every request 204, or the status given for an id of its events, and
// counts the requests per event; a body is one json event or several, as JSON lines. Until inFlight requests are inside it at once it holds them, so a sender that
// posts one after the other gets no answer (and the test fails on the receiver's 503 after
// a while instead of hanging).
type idReceiver struct {
	mu      sync.Mutex
	answer  map[int64]int
	got     map[int64]int
	inside  int
	crowded chan struct{} // closed when inFlight requests were inside at once
	// pace delays every 2xx answer, so that a failure's answer reaches the sender well before
	// its other requests could take the rest of the queue, however the goroutines are scheduled.
	pace time.Duration
}

func newIDReceiver(answer map[int64]int) *idReceiver {
	return &idReceiver{answer: answer, got: map[int64]int{}, crowded: make(chan struct{})}
}

func (r *idReceiver) requests(id int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[id]
}

func (r *idReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var status int
	ok := false
	r.mu.Lock()
	for dec := json.NewDecoder(req.Body); dec.More(); {
		var body struct{ Event struct{ ID int64 } }
		if dec.Decode(&body) != nil {
			break
		}
		r.got[body.Event.ID]++
		if s, found := r.answer[body.Event.ID]; found {
			status, ok = s, true
		}
	}
	if r.inside++; r.inside == inFlight {
		close(r.crowded)
	}
	r.mu.Unlock()
	select {
	case <-r.crowded:
	case <-time.After(10 * time.Second):
		status, ok = http.StatusServiceUnavailable, true
	}
	if !ok {
		status = http.StatusNoContent
		time.Sleep(r.pace)
	}
	w.WriteHeader(status)
}

// eventsPerRequest is how many events one request of each format carries.
var eventsPerRequest = map[string]int{JSON: 1, NDJSON: batchSize}

// sameRequest reports whether the events with ids a and b go in one request of per events,
// with the ids counted from 1 in the queue's order.
func sameRequest(a, b int64, per int) bool { return (a-1)/int64(per) == (b-1)/int64(per) }

// TestRequestsUnderWayAtOnce: the sender has several requests under way, and still reports
// each request's outcome at its events' places: a refused request fails its events alone.
func TestRequestsUnderWayAtOnce(t *testing.T) {
	for format, per := range eventsPerRequest {
		rcv := newIDReceiver(map[int64]int{6: http.StatusBadRequest})
		srv := httptest.NewServer(rcv)
		events := numbered(3*inFlight*per - per/2) // the last request not full
		res := open(t, Config{URL: srv.URL, Format: format}, nil).Send(context.Background(), events)
		srv.Close()
		if len(res) != len(events) {
			t.Fatalf("%s: %d outcomes for %d events: %v", format, len(res), len(events), res)
		}
		for i, err := range res {
			id := events[i].ID
			if refused := sameRequest(id, 6, per); (err != nil) != refused || outputs.Refused(err) != refused || rcv.requests(id) != 1 {
				t.Errorf("%s: event %d: outcome %v, %d requests", format, id, err, rcv.requests(id))
			}
		}
	}
}

// TestHeldStartsNoMore: after a failure that holds the queue the sender starts no request;
// every request it started has its outcome for each of its events, and the receiver got no
// event without one.
func TestHeldStartsNoMore(t *testing.T) {
	for format, per := range eventsPerRequest {
		rcv := newIDReceiver(map[int64]int{3: http.StatusServiceUnavailable})
		rcv.pace = 20 * time.Millisecond
		srv := httptest.NewServer(rcv)
		events := numbered(40 * per)
		res := open(t, Config{URL: srv.URL, Format: format}, nil).Send(context.Background(), events)
		srv.Close()
		if len(res) < inFlight*per || len(res) == len(events) || len(res)%per != 0 {
			t.Fatalf("%s: %d outcomes for %d events", format, len(res), len(events))
		}
		for i, e := range events {
			want := 0
			if i < len(res) {
				want = 1
				if failed := sameRequest(e.ID, 3, per); (res[i] != nil) != failed || outputs.Refused(res[i]) {
					t.Errorf("%s: event %d: outcome %v", format, e.ID, res[i])
				}
			}
			if n := rcv.requests(e.ID); n != want {
				t.Errorf("%s: event %d: %d requests, want %d", format, e.ID, n, want)
			}
		}
	}
}

// TestSignedJSONLines: an ndjson request carries up to batchSize events, each line the body
// the json format posts for it, signed over the whole body.
func TestSignedJSONLines(t *testing.T) {
	rcv := &receiver{statuses: []int{204}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	secret := "s3cret"
	events := numbered(2*batchSize + 50)
	res := open(t, Config{URL: srv.URL + "/hook", Secret: &secret, Format: NDJSON}, nil).Send(context.Background(), events)
	if len(res) != len(events) || slices.ContainsFunc(res, func(err error) bool { return err != nil }) {
		t.Fatalf("outcomes %v", res)
	}
	var sizes []int
	seen := map[int64]int{}
	for i, req := range rcv.got {
		body := rcv.bodies[i]
		if req.Header.Get("Content-Type") != "application/x-ndjson" || req.Header.Get(TimestampHeader) == "" ||
			!hmac.Equal([]byte(req.Header.Get(SignatureHeader)), []byte(Sign(secret, body))) {
			t.Errorf("request %d: headers %v", i, req.Header)
		}
		lines := strings.SplitAfter(string(body), "\n")
		if lines[len(lines)-1] != "" {
			t.Errorf("request %d: the body does not end with a line break", i)
		}
		lines = lines[:len(lines)-1]
		sizes = append(sizes, len(lines))
		for _, line := range lines {
			var got generic
			if err := json.Unmarshal([]byte(line), &got); err != nil || got.Event.ID < 1 || int(got.Event.ID) > len(events) {
				t.Fatalf("request %d: line %q: %v", i, line, err)
			}
			want, _ := json.Marshal(newEventJSON(events[got.Event.ID-1]))
			if line != string(want)+"\n" {
				t.Errorf("event %d: line %s, the json format posts %s", got.Event.ID, line, want)
			}
			seen[got.Event.ID]++
		}
	}
	slices.Sort(sizes)
	if !slices.Equal(sizes, []int{50, batchSize, batchSize}) || len(seen) != len(events) {
		t.Errorf("requests of %v events; %d of %d events posted", sizes, len(seen), len(events))
	}
}

// TestJSONLinesTooLargeGoInHalves: a receiver that takes at most 30 lines a request (a proxy's
// body limit) gets a refused batch again in halves; an event it refuses alone as too large
// fails for good, and every other event is delivered once.
func TestJSONLinesTooLargeGoInHalves(t *testing.T) {
	const most, huge = 30, 77
	var mu sync.Mutex
	got := map[int64]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
		ids := make([]int64, 0, len(lines))
		for _, line := range lines {
			var e generic
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Errorf("line %q: %v", line, err)
			}
			ids = append(ids, e.Event.ID)
		}
		if len(ids) > most || slices.Contains(ids, huge) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids {
			got[id]++
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	events := numbered(batchSize)
	res := open(t, Config{URL: srv.URL, Format: NDJSON}, nil).Send(context.Background(), events)
	if len(res) != len(events) {
		t.Fatalf("%d outcomes for %d events", len(res), len(events))
	}
	for i, err := range res {
		id := events[i].ID
		switch {
		case id == huge && (!outputs.Refused(err) || !strings.Contains(err.Error(), "413")):
			t.Errorf("event %d, too large alone: %v, want a refusal naming the 413", id, err)
		case id != huge && (err != nil || got[id] != 1):
			t.Errorf("event %d: %v, received %d times", id, err, got[id])
		}
	}
	if got[huge] != 0 || len(got) != len(events)-1 {
		t.Errorf("received %d events, the too large one %d times", len(got), got[huge])
	}
}
