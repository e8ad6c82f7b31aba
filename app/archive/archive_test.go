package archive

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"honeysens/app/model"
	"honeysens/app/store"
)

func TestRunMovesSettledEventsAndDeletesOldArchive(t *testing.T) {
	schema, err := os.ReadFile("../../schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "a.db"), string(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	g := &model.Group{Name: "G"}
	if err := st.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	sn := &model.Sensor{Name: "s", GroupID: g.ID, UpdateInterval: 60, Secret: "x"}
	if err := st.CreateSensor(ctx, sn); err != nil {
		t.Fatal(err)
	}
	var evs []*model.Event
	for i := 0; i < 1200; i++ { // more than one chunk
		evs = append(evs, &model.Event{Timestamp: time.Now(), SensorID: sn.ID, GroupID: g.ID, Service: "ssh",
			Source: netip.MustParseAddr("192.0.2.1"), Summary: "x", Classification: model.ClassHoneypot})
	}
	if err := st.InsertEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	resolved, ignored, inProgress := model.StatusResolved, model.StatusIgnored, model.StatusInProgress
	for _, u := range []struct {
		events []*model.Event
		status *model.Status
	}{{evs[:700], &resolved}, {evs[700:900], &ignored}, {evs[900:1000], &inProgress}} {
		if _, err := st.UpdateEvents(ctx, &store.EventFilter{IDs: ids(u.events)}, store.EventChange{Status: u.status}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()

	// Defaults: nothing automatic.
	if res, err := Run(ctx, st, now.Add(400*24*time.Hour)); err != nil || res != (Result{}) {
		t.Fatalf("default settings: %+v %v", res, err)
	}
	set := model.ArchiveSettings{MoveDays: 30, KeepDays: 90, RunAt: "03:00"}
	if err := st.SetSettings(ctx, "archive", set); err != nil {
		t.Fatal(err)
	}
	// 29 days after the change: too early.
	if res, _ := Run(ctx, st, now.Add(29*24*time.Hour)); res.Archived != 0 {
		t.Errorf("archived %d events after 29 days", res.Archived)
	}
	// 31 days after: the 900 Resolved and Ignored events go, New and In progress stay.
	res, err := Run(ctx, st, now.Add(31*24*time.Hour))
	if err != nil || res.Archived != 900 || res.Deleted != 0 {
		t.Fatalf("after 31 days: %+v %v", res, err)
	}
	if n, _ := st.CountEvents(ctx, &store.EventFilter{}); n != 300 {
		t.Errorf("%d live events left, want 300", n)
	}
	// Archived now; 91 days after archiving they are deleted for good.
	if res, _ := Run(ctx, st, now.Add(89*24*time.Hour)); res.Deleted != 0 {
		t.Errorf("deleted %d archived events too early", res.Deleted)
	}
	if res, _ := Run(ctx, st, now.Add(91*24*time.Hour)); res.Deleted != 900 {
		t.Errorf("deleted %d archived events, want 900", res.Deleted)
	}
	if n, _ := st.CountEvents(ctx, &store.EventFilter{Archive: true}); n != 0 {
		t.Errorf("%d archived events left", n)
	}
}

func ids(evs []*model.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}
