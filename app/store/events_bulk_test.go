package store

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"testing"
	"time"

	"honeysens/app/model"
)

// bulkN is more than two chunks, so every bulk action crosses chunk boundaries.
const bulkN = 2*chunkSize + 203

func TestUpdateEventsAcrossChunks(t *testing.T) {
	fx := newFixture(t, bulkN)
	s := fx.s
	ctx := context.Background()
	editTime := testNow.Add(5 * time.Minute)
	s.now = func() time.Time { return editTime }

	// Every event that is not yet Resolved becomes Resolved: rows stop matching the filter while
	// the chunks are walked, which must neither skip nor repeat any.
	f := &EventFilter{Status: []model.Status{model.StatusNew, model.StatusInProgress, model.StatusIgnored}}
	before := rows(t, s, false)
	want := wantIDs(f, before)
	if len(want) <= chunkSize {
		t.Fatalf("only %d events match; the test needs more than a chunk", len(want))
	}
	resolved := model.StatusResolved
	comment := "bulk resolved"
	n, err := s.UpdateEvents(ctx, f, EventChange{Status: &resolved, Comment: &comment})
	if err != nil || n != int64(len(want)) {
		t.Fatalf("UpdateEvents = %d, %v; want %d", n, err, len(want))
	}
	changed := map[int64]bool{}
	for _, id := range want {
		changed[id] = true
	}
	after := rows(t, s, false)
	if len(after) != bulkN {
		t.Fatalf("%d rows after update, want %d", len(after), bulkN)
	}
	for i, r := range after {
		if changed[r.id] {
			if r.status != int64(model.StatusResolved) || r.comment != comment {
				t.Fatalf("event %d: status %d, comment %q after the update", r.id, r.status, r.comment)
			}
		} else if !reflect.DeepEqual(r, before[i]) {
			t.Fatalf("event %d does not match the filter but changed: %+v → %+v", r.id, before[i], r)
		}
	}
	modified := map[int64]sql.NullInt64{}
	rs, err := s.r.Query(`SELECT id, modified_at FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var m sql.NullInt64
		if err := rs.Scan(&id, &m); err != nil {
			t.Fatal(err)
		}
		modified[id] = m
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	for id, m := range modified {
		switch {
		case changed[id] && (!m.Valid || m.Int64 != editTime.UnixMilli()):
			t.Fatalf("event %d: modified_at %v, want %d", id, m, editTime.UnixMilli())
		case !changed[id] && m.Valid:
			t.Fatalf("event %d was not edited but has modified_at %d", id, m.Int64)
		}
	}
	e, err := s.Event(ctx, want[len(want)-1], false)
	if err != nil || e.ModifiedAt == nil || !e.ModifiedAt.Equal(editTime) || e.Comment != comment {
		t.Errorf("Event after update: %+v, %v", e, err)
	}
	checkCounts(t, s)

	// Only the comment, by id list: status stays.
	other := "just a note"
	if n, err := s.UpdateEvents(ctx, &EventFilter{IDs: []int64{fx.events[0].ID}}, EventChange{Comment: &other}); err != nil || n != 1 {
		t.Errorf("comment by id: %d, %v", n, err)
	}
	if e, _ := s.Event(ctx, fx.events[0].ID, false); e.Comment != other || e.Status != model.StatusResolved {
		t.Errorf("after the comment edit: status %v, comment %q", e.Status, e.Comment)
	}
	// A change after which every row still matches the filter: the chunks must move on by id
	// (re-running the filter from the start would edit the first chunk forever).
	note := "seen"
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if n, err := s.UpdateEvents(tctx, &EventFilter{}, EventChange{Comment: &note}); err != nil || n != bulkN {
		t.Errorf("comment on every event = %d, %v; want %d", n, err, bulkN)
	}
	if n := countRows(t, s, "events", "comment = ?", note); n != bulkN {
		t.Errorf("%d events carry the comment, want %d", n, bulkN)
	}
	// No change at all is no update.
	if n, err := s.UpdateEvents(ctx, &EventFilter{}, EventChange{}); err != nil || n != 0 {
		t.Errorf("empty change: %d, %v", n, err)
	}
	// Archived events are read-only, whatever the change.
	for _, ch := range []EventChange{{Status: &resolved}, {Comment: &other}, {}} {
		_, err := s.UpdateEvents(ctx, &EventFilter{Archive: true}, ch)
		wantError(t, err, model.ErrInvalid, "")
	}
}

func TestArchiveEventsFreezesNamesAndKeepsData(t *testing.T) {
	fx := newFixture(t, bulkN)
	s := fx.s
	ctx := context.Background()
	archiveTime := testNow.Add(time.Hour)
	s.now = func() time.Time { return archiveTime }

	original, err := s.Event(ctx, fx.events[0].ID, false)
	if err != nil {
		t.Fatal(err)
	}

	// Archive by status: the matching events span every group and more than two chunks.
	f := &EventFilter{Status: []model.Status{model.StatusNew, model.StatusResolved}}
	before := rows(t, s, false)
	want := wantIDs(f, before)
	if len(want) <= chunkSize {
		t.Fatalf("only %d events to archive; the test needs more than a chunk", len(want))
	}
	liveData := countRows(t, s, "event_data", "")
	n, err := s.ArchiveEvents(ctx, f)
	if err != nil || n != int64(len(want)) {
		t.Fatalf("ArchiveEvents = %d, %v; want %d", n, err, len(want))
	}
	if got := countRows(t, s, "events", ""); got != bulkN-len(want) {
		t.Errorf("%d live events left, want %d", got, bulkN-len(want))
	}
	if got := countRows(t, s, "archived_events", ""); got != len(want) {
		t.Errorf("%d archived events, want %d", got, len(want))
	}
	for _, id := range want {
		if countRows(t, s, "events", "id = ?", id)+countRows(t, s, "event_data", "event_id = ?", id) != 0 {
			t.Fatalf("archived event %d still has a live row or event_data", id)
		}
	}
	if got := countRows(t, s, "event_data", ""); got >= liveData {
		t.Errorf("event_data rows %d → %d: the archived events' data was not removed", liveData, got)
	}
	// Each live event is in the archive exactly once.
	var originals []int64
	rs, err := s.r.Query(`SELECT original_id FROM archived_events ORDER BY original_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			t.Fatal(err)
		}
		originals = append(originals, id)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(originals, want) {
		t.Errorf("archived original ids differ from the matching live ids")
	}
	checkCounts(t, s)

	// Rename the sensor and the group of the first event afterwards.
	sensor0, group0 := fx.sensors[0], fx.groups[0]
	if original.SensorID != sensor0.ID {
		t.Fatalf("first event belongs to sensor %d, want %d", original.SensorID, sensor0.ID)
	}
	if _, err := s.w.Exec(`UPDATE sensors SET name = 'renamed-sensor' WHERE id = ?`, sensor0.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateGroup(ctx, &model.Group{ID: group0.ID, Name: "Renamed group"}); err != nil {
		t.Fatal(err)
	}

	archived := findArchived(t, s, original.ID)
	if archived.SensorName != "sensor-0" || archived.GroupName != "Berlin" {
		t.Errorf("archived event shows sensor %q, group %q; want the names at archive time", archived.SensorName, archived.GroupName)
	}
	if !archived.Archived || archived.OriginalID != original.ID || archived.ArchivedAt == nil || !archived.ArchivedAt.Equal(archiveTime) {
		t.Errorf("archive fields: archived %v, original id %d, archived at %v", archived.Archived, archived.OriginalID, archived.ArchivedAt)
	}
	// Everything else is carried over unchanged, details included.
	cmp := *archived
	cmp.ID, cmp.Archived, cmp.ArchivedAt, cmp.OriginalID = original.ID, false, nil, 0
	cmp.SensorName, cmp.GroupName = original.SensorName, original.GroupName
	if !reflect.DeepEqual(&cmp, original) {
		t.Errorf("archived copy differs:\n%+v\nwant\n%+v", &cmp, original)
	}
	if len(archived.Details) != 1 || archived.DetailsCount != 1 {
		t.Errorf("archived details %v (count %d)", archived.Details, archived.DetailsCount)
	}
	// The list of the archive shows the frozen names too; the live list the new ones.
	list, _, err := s.ListEvents(ctx, &EventFilter{Archive: true, SensorID: sensor0.ID}, EventPage{Sort: "id", Limit: 5})
	if err != nil || len(list) == 0 {
		t.Fatalf("archive list: %d, %v", len(list), err)
	}
	for _, e := range list {
		if e.SensorName != "sensor-0" || e.GroupName != "Berlin" {
			t.Errorf("archive list row %d: sensor %q, group %q", e.ID, e.SensorName, e.GroupName)
		}
	}
	live, _, err := s.ListEvents(ctx, &EventFilter{SensorID: sensor0.ID}, EventPage{Sort: "id", Limit: 5})
	if err != nil || len(live) == 0 {
		t.Fatalf("live list: %d, %v", len(live), err)
	}
	if live[0].SensorName != "renamed-sensor" || live[0].GroupName != "Renamed group" {
		t.Errorf("live row shows sensor %q, group %q", live[0].SensorName, live[0].GroupName)
	}
}

// TestArchiveEventsKeepsPacketsAndEdits archives one fully loaded, edited event.
func TestArchiveEventsKeepsPacketsAndEdits(t *testing.T) {
	fx := newFixture(t, 3)
	s := fx.s
	ctx := context.Background()
	e := fx.events[1]
	rich := *e
	rich.ID = 0
	rich.Details = []model.Detail{{Type: model.DetailInteraction, Timestamp: ptrTime(eventBase), Data: "ls -la"}}
	rich.Packets = []model.Packet{{Timestamp: eventBase, Protocol: model.ProtoTCP, Port: 22, Flags: 18, Payload: []byte{0, 0xff, 7}}}
	if err := s.InsertEvents(ctx, []*model.Event{&rich}); err != nil {
		t.Fatal(err)
	}
	st, c := model.StatusInProgress, "looking into it"
	if _, err := s.UpdateEvents(ctx, &EventFilter{IDs: []int64{rich.ID}}, EventChange{Status: &st, Comment: &c}); err != nil {
		t.Fatal(err)
	}
	original, _ := s.Event(ctx, rich.ID, false)
	if n, err := s.ArchiveEvents(ctx, &EventFilter{IDs: []int64{rich.ID}}); err != nil || n != 1 {
		t.Fatalf("ArchiveEvents = %d, %v", n, err)
	}
	a := findArchived(t, s, rich.ID)
	if !reflect.DeepEqual(a.Details, original.Details) || !reflect.DeepEqual(a.Packets, original.Packets) {
		t.Errorf("archived details/packets %+v %+v, want %+v %+v", a.Details, a.Packets, original.Details, original.Packets)
	}
	if a.Status != st || a.Comment != c || a.ModifiedAt == nil || !a.ModifiedAt.Equal(*original.ModifiedAt) ||
		a.PacketsCount != 1 || a.Source != original.Source || a.TargetPort != original.TargetPort {
		t.Errorf("archived event %+v", a)
	}
	if _, err := s.Event(ctx, rich.ID, false); model.ErrorCode(err) != model.ErrNotFound {
		t.Errorf("live event still there: %v", err)
	}
	// Archiving the archive's filter means the live events it describes; nothing left matches.
	if n, err := s.ArchiveEvents(ctx, &EventFilter{IDs: []int64{rich.ID}}); err != nil || n != 0 {
		t.Errorf("archiving again = %d, %v", n, err)
	}
}

// findArchived returns the archived copy of the live event originalID.
func findArchived(t *testing.T, s *Store, originalID int64) *model.Event {
	t.Helper()
	var id int64
	if err := s.r.QueryRow(`SELECT id FROM archived_events WHERE original_id = ?`, originalID).Scan(&id); err != nil {
		t.Fatalf("archived copy of %d: %v", originalID, err)
	}
	e, err := s.Event(context.Background(), id, true)
	if err != nil {
		t.Fatalf("Event(%d, archive): %v", id, err)
	}
	return e
}

func TestDeleteEvents(t *testing.T) {
	fx := newFixture(t, bulkN)
	s := fx.s
	ctx := context.Background()

	// Live, by filter, across chunks; event_data goes with the events.
	f := &EventFilter{Classification: []model.Classification{model.ClassUnknown, model.ClassScan, model.ClassHoneypot}}
	want := wantIDs(f, rows(t, s, false))
	if len(want) <= chunkSize {
		t.Fatalf("only %d events to delete", len(want))
	}
	n, err := s.DeleteEvents(ctx, f)
	if err != nil || n != int64(len(want)) {
		t.Fatalf("DeleteEvents = %d, %v; want %d", n, err, len(want))
	}
	if got := countRows(t, s, "events", ""); got != bulkN-len(want) {
		t.Errorf("%d events left, want %d", got, bulkN-len(want))
	}
	if got := countRows(t, s, "event_data", "event_id NOT IN (SELECT id FROM events)"); got != 0 {
		t.Errorf("%d event_data rows of deleted events", got)
	}
	checkCounts(t, s)

	// Archive ten live events from the middle: archived ids start at 1, so ids of the two
	// datasets overlap and a delete in one must not touch the other.
	live := rows(t, s, false)
	var middle []int64
	for _, r := range live[20:30] {
		middle = append(middle, r.id)
	}
	if _, err := s.ArchiveEvents(ctx, &EventFilter{IDs: middle}); err != nil {
		t.Fatal(err)
	}
	archived := rows(t, s, true)
	shared := archived[2].id
	if countRows(t, s, "events", "id = ?", shared) != 1 {
		t.Fatalf("no live event with id %d; the overlap this test needs is missing", shared)
	}
	liveBefore := countRows(t, s, "events", "")
	if n, err := s.DeleteEvents(ctx, &EventFilter{Archive: true, IDs: []int64{shared}}); err != nil || n != 1 {
		t.Fatalf("delete archived %d = %d, %v", shared, n, err)
	}
	if countRows(t, s, "events", "id = ?", shared) != 1 || countRows(t, s, "events", "") != liveBefore {
		t.Error("deleting from the archive removed a live event")
	}
	if countRows(t, s, "archived_events", "id = ?", shared) != 0 {
		t.Error("archived event not deleted")
	}
	// The whole archive: live events stay.
	if n, err := s.DeleteEvents(ctx, &EventFilter{Archive: true}); err != nil || n != int64(len(archived)-1) {
		t.Errorf("delete the archive = %d, %v; want %d", n, err, len(archived)-1)
	}
	if countRows(t, s, "archived_events", "") != 0 || countRows(t, s, "events", "") != liveBefore {
		t.Error("deleting the archive left archived rows or touched live ones")
	}
	checkCounts(t, s)
	for _, archive := range []bool{false, true} {
		for i, f := range countFilters(fx, archive) {
			checkFilter(t, s, "after deletes "+string(rune('a'+i)), f)
		}
	}
	// Nothing matching is nothing deleted.
	if n, err := s.DeleteEvents(ctx, &EventFilter{IDs: []int64{}}); err != nil || n != 0 {
		t.Errorf("delete of an empty selection = %d, %v", n, err)
	}
}
