package store

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"honeysens/app/model"
)

// TestOutputQueueInTheEventsTransaction: the messages of a commit are written with its events,
// for new events only (a later report of a session is no new event), and a commit that fails
// leaves neither.
func TestOutputQueueInTheEventsTransaction(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g := addGroup(t, s, "Lab")
	sn := addSensor(t, s, "lab-pi", g.ID)
	o := &model.Output{Kind: model.OutputWebhook, Name: "hook", Enabled: true, Selection: model.Selection{Events: model.SelectAll},
		Config: []byte(`{}`)}
	if err := s.CreateOutput(ctx, o); err != nil {
		t.Fatal(err)
	}
	event := func(session string, rev int) *model.Event {
		return &model.Event{Timestamp: time.Now(), SensorID: sn.ID, GroupID: g.ID, Service: "ssh", Classification: model.ClassHoneypot,
			Source: netip.MustParseAddr("192.0.2.9"), Summary: "x", Session: session, Revision: rev}
	}
	batch := []BatchID{{Sensor: sn.ID, ID: "b1"}}
	if err := s.CommitBatch(ctx, []*model.Event{event("", 0), event("s1", 1)}, nil, batch); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitBatch(ctx, []*model.Event{event("s1", 2)}, nil, nil); err != nil {
		t.Fatal(err)
	}
	// The same batch again fails as a whole: neither its event nor its message stays.
	if err := s.CommitBatch(ctx, []*model.Event{event("", 0)}, nil, batch); model.ErrorCode(err) != model.ErrConflict {
		t.Fatalf("batch sent twice: %v", err)
	}
	if n := countRows(t, s, "output_outbox", "output_id = ?", o.ID); n != 2 {
		t.Errorf("%d queued messages, want 2 (two new events)", n)
	}
	if n := countRows(t, s, "events", "1"); n != 2 {
		t.Errorf("%d events, want 2", n)
	}
}
