package store

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"honeysens/app/model"
)

// TestSessionReportsUpdateOneEvent: the reports of a session become one event that grows; a
// repeated or older report changes nothing; a removed event stays removed; silent sessions end.
func TestSessionReportsUpdateOneEvent(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g := addGroup(t, s, "g")
	sn := &model.Sensor{Name: "s", GroupID: g.ID, UpdateInterval: 60, Secret: "x"}
	if err := s.CreateSensor(ctx, sn); err != nil {
		t.Fatal(err)
	}
	report := func(rev int, ongoing bool, summary string, class model.Classification, session string) *model.Event {
		e := &model.Event{Timestamp: testNow.Add(time.Duration(rev) * time.Second), SensorID: sn.ID, GroupID: g.ID, Service: "ssh",
			Classification: class, Source: netip.MustParseAddr("192.0.2.9"), Summary: summary, Session: session, Revision: rev, Ongoing: ongoing}
		e.AddLogin("root", "pw"+summary, false)
		if err := s.CommitBatch(ctx, []*model.Event{e}, nil, nil); err != nil {
			t.Fatal(err)
		}
		return e
	}
	first := report(1, true, "one", model.ClassConnAttempt, "abc")
	second := report(2, true, "two", model.ClassHoneypot, "abc")
	if second.ID != first.ID || countRows(t, s, "events", "") != 1 {
		t.Fatalf("second report made event %d (first %d), %d events", second.ID, first.ID, countRows(t, s, "events", ""))
	}
	report(1, true, "late", model.ClassScan, "abc") // a repeat of an older report
	e, err := s.Event(ctx, first.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if e.Summary != "two" || e.Classification != model.ClassHoneypot || !e.Ongoing || len(e.Logins) != 1 ||
		e.Logins[0].Password != "pwtwo" || !e.Timestamp.Equal(testNow.Add(time.Second)) {
		t.Fatalf("after the second report: %+v", e)
	}
	if n := countRows(t, s, "events_fts", "events_fts MATCH ?", `"two"`); n != 1 {
		t.Fatalf("search index finds the new summary %d times", n)
	}
	if n := countRows(t, s, "event_counts", "classification = 2 AND n > 0"); n != 0 {
		t.Fatalf("the first classification is still counted")
	}
	// The operator ends it early; the next report is not final but must not revive it.
	if _, err := s.UpdateEvents(ctx, &EventFilter{IDs: []int64{first.ID}}, EventChange{Status: ptr(model.StatusResolved)}); err != nil {
		t.Fatal(err)
	}
	report(3, true, "three", model.ClassHoneypot, "abc")
	if e, _ := s.Event(ctx, first.ID, false); e.Status != model.StatusResolved || e.Summary != "three" {
		t.Fatalf("a report changed the operator's status: %+v", e)
	}
	if n, err := s.EndSessions(ctx, 0, testNow); err != nil || n != 0 {
		t.Fatalf("EndSessions before the last report ended %d (%v)", n, err)
	}
	if n, err := s.EndSessions(ctx, sn.ID, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("EndSessions ended %d (%v)", n, err)
	}
	if e, _ := s.Event(ctx, first.ID, false); e.Ongoing {
		t.Fatal("still ongoing after EndSessions")
	}
	if _, err := s.DeleteEvents(ctx, &EventFilter{IDs: []int64{first.ID}}); err != nil {
		t.Fatal(err)
	}
	report(4, false, "four", model.ClassHoneypot, "abc")
	if n := countRows(t, s, "events", ""); n != 0 {
		t.Fatalf("a report of a removed event's session made %d events", n)
	}
	other := report(1, false, "other", model.ClassHoneypot, "xyz")
	if other.ID == first.ID || countRows(t, s, "events", "") != 1 {
		t.Fatal("another session did not become its own event")
	}
	if diff := rollupDiff(t, s); diff != "" {
		t.Fatal(diff)
	}
}

func ptr[T any](v T) *T { return &v }
