package store

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"honeysens/app/model"
)

// TestExpireOutbox: only the queue's messages past their give-up time fail, with the reason;
// before that time nothing changes.
func TestExpireOutbox(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g := addGroup(t, s, "Lab")
	sn := addSensor(t, s, "lab-pi", g.ID)
	var queues []Outbox
	for _, name := range []string{"expiring", "other"} {
		o := &model.Output{Kind: model.OutputWebhook, Name: name, Enabled: true, Selection: model.Selection{Events: model.SelectAll},
			Config: []byte(`{}`)}
		if err := s.CreateOutput(ctx, o); err != nil {
			t.Fatal(err)
		}
		queues = append(queues, OutputOutbox(o.ID))
	}
	e := &model.Event{Timestamp: time.Now(), SensorID: sn.ID, GroupID: g.ID, Service: "ssh", Classification: model.ClassHoneypot,
		Source: netip.MustParseAddr("192.0.2.9"), Summary: "x"}
	if err := s.CommitBatch(ctx, []*model.Event{e}, nil, nil); err != nil {
		t.Fatal(err)
	}
	counts := func(q Outbox) map[string]int {
		t.Helper()
		c, err := s.OutboxCounts(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if err := s.ExpireOutbox(ctx, queues[0], s.now(), "The output was disabled."); err != nil {
		t.Fatal(err)
	}
	if c := counts(queues[0]); c[model.MailQueued] != 1 || c[model.MailFailed] != 0 {
		t.Fatalf("before the give-up time: %v", c)
	}
	if err := s.ExpireOutbox(ctx, queues[0], s.now().Add(OutputGiveUpAfter+time.Hour), "The output was disabled."); err != nil {
		t.Fatal(err)
	}
	if c := counts(queues[0]); c[model.MailQueued] != 0 || c[model.MailFailed] != 1 {
		t.Errorf("after the give-up time: %v", c)
	}
	if n := countRows(t, s, "output_outbox", "last_error = 'The output was disabled.'"); n != 1 {
		t.Errorf("%d messages failed with the reason, want 1", n)
	}
	if c := counts(queues[1]); c[model.MailQueued] != 1 {
		t.Errorf("the other queue: %v", c)
	}
}
