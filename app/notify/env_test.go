package notify

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"honeysens/app/mail"
	"honeysens/app/mail/mailtest"
	"honeysens/app/model"
	"honeysens/app/store"
)

// env is an appliance database with one sensor, a mail sink and the service under test on a
// clock the test moves.
type env struct {
	t      *testing.T
	ctx    context.Context
	path   string
	st     *store.Store
	svc    *Service
	sink   *mailtest.Server
	group  *model.Group
	sensor *model.Sensor

	mu  sync.Mutex
	now time.Time
}

var schemaSQL = func() string {
	b, err := os.ReadFile("../../schema.sql")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

func newEnv(t *testing.T, opt mailtest.Options) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), path: filepath.Join(t.TempDir(), "honeysens.db"),
		now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	e.sink = mailtest.Start(t, opt)
	e.open()
	e.group = &model.Group{Name: "Office"}
	if err := e.st.CreateGroup(e.ctx, e.group); err != nil {
		t.Fatal(err)
	}
	e.sensor = &model.Sensor{Name: "office-pi", GroupID: e.group.ID, UpdateInterval: 60, Secret: "s"}
	if err := e.st.CreateSensor(e.ctx, e.sensor); err != nil {
		t.Fatal(err)
	}
	set := e.sink.Settings()
	if err := e.st.SetSettings(e.ctx, "smtp", set); err != nil {
		t.Fatal(err)
	}
	e.pass() // the first pass only records where the events start
	return e
}

// open (re)opens the database and builds a fresh service on it, as a restart does.
func (e *env) open() {
	t := e.t
	st, err := store.Open(e.ctx, e.path, schemaSQL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := New(st, &mail.Sender{RootCAs: e.sink.CA}, os.DirFS("../../assets"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	svc.Now = e.clock
	e.st, e.svc = st, svc
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

func (e *env) setTime(t time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = t
}

// settings changes the stored SMTP settings.
func (e *env) settings(change func(*model.SMTPSettings)) {
	e.t.Helper()
	set := model.DefaultSMTPSettings()
	if err := e.st.Settings(e.ctx, "smtp", &set); err != nil {
		e.t.Fatal(err)
	}
	change(&set)
	if err := e.st.SetSettings(e.ctx, "smtp", set); err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.Resume(e.ctx); err != nil { // as the settings page does
		e.t.Fatal(err)
	}
}

func (e *env) contacts(g *model.Group, list ...model.Contact) {
	e.t.Helper()
	g.Contacts = list
	if err := e.st.UpdateGroup(e.ctx, g); err != nil {
		e.t.Fatal(err)
	}
	if err := e.svc.Resume(e.ctx); err != nil { // as the groups page does
		e.t.Fatal(err)
	}
}

// event stores one event of the env's sensor and returns it with its id.
func (e *env) event(class model.Classification, summary string, details ...model.Detail) *model.Event {
	e.t.Helper()
	ev := &model.Event{Timestamp: e.clock(), SensorID: e.sensor.ID, GroupID: e.sensor.GroupID, Service: "ssh",
		Classification: class, Source: netip.MustParseAddr("203.0.113.7"), SourcePort: 51234,
		Target: netip.MustParseAddr("192.0.2.10"), TargetPort: 22, Protocol: model.ProtoTCP, Summary: summary, Details: details}
	if err := e.st.InsertEvents(e.ctx, []*model.Event{ev}); err != nil {
		e.t.Fatal(err)
	}
	return ev
}

// pass runs notification passes until no events are left.
func (e *env) pass() {
	e.t.Helper()
	for {
		more, err := e.svc.Pass(e.ctx)
		if err != nil {
			e.t.Fatalf("Pass: %v", err)
		}
		if !more {
			return
		}
	}
}

func (e *env) deliver() {
	e.t.Helper()
	if _, err := e.svc.Deliver(e.ctx); err != nil {
		e.t.Fatalf("Deliver: %v", err)
	}
}

// outbox returns every mail of the outbox, oldest first.
func (e *env) outbox() []*model.Mail {
	e.t.Helper()
	list, err := e.st.Mails(e.ctx, "", 500)
	if err != nil {
		e.t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

// byRecipient groups received mails by address.
func byRecipient(list []mailtest.Received) map[string][]mailtest.Received {
	out := map[string][]mailtest.Received{}
	for _, m := range list {
		for _, to := range m.To {
			out[to] = append(out[to], m)
		}
	}
	return out
}
