package store

import (
	"context"
	"testing"
	"time"

	"honeysens/app/model"
)

// addSensor creates a sensor in the group and returns it.
func addSensor(t *testing.T, s *Store, name string, groupID int64) *model.Sensor {
	t.Helper()
	sn := &model.Sensor{Name: name, Location: "Rack " + name, GroupID: groupID, UpdateInterval: 60, Secret: "secret-" + name}
	if err := s.CreateSensor(context.Background(), sn); err != nil {
		t.Fatalf("CreateSensor(%s): %v", name, err)
	}
	return sn
}

func TestCreateAndGetSensor(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g := addGroup(t, s, "Office")
	sn := addSensor(t, s, "edge-1", g.ID)
	if sn.ID <= 0 || !sn.CreatedAt.Equal(testNow) {
		t.Fatalf("created sensor id %d, created at %v", sn.ID, sn.CreatedAt)
	}
	got, err := s.Sensor(ctx, sn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "edge-1" || got.Location != "Rack edge-1" || got.GroupID != g.ID || got.UpdateInterval != 60 ||
		got.Secret != "secret-edge-1" || !got.CreatedAt.Equal(testNow) || got.LastContact != nil || got.LastIP != "" {
		t.Errorf("Sensor = %+v", got)
	}
	_, err = s.Sensor(ctx, sn.ID+1)
	wantError(t, err, model.ErrNotFound, "")

	addSensor(t, s, "alpha", g.ID)
	list, err := s.Sensors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "alpha" || list[1].Name != "edge-1" {
		t.Errorf("Sensors = %v, want alpha, edge-1 by name", list)
	}
}

func TestCreateSensorConflictsAndUnknownGroup(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g := addGroup(t, s, "Office")
	addSensor(t, s, "Edge-1", g.ID)

	for _, name := range []string{"Edge-1", "edge-1", "EDGE-1"} {
		err := s.CreateSensor(ctx, &model.Sensor{Name: name, GroupID: g.ID, UpdateInterval: 60, Secret: "x"})
		wantError(t, err, model.ErrConflict, "name")
	}
	err := s.CreateSensor(ctx, &model.Sensor{Name: "edge-2", GroupID: g.ID + 100, UpdateInterval: 60, Secret: "x"})
	wantError(t, err, model.ErrInvalid, "group")
	if n := countRows(t, s, "sensors", ""); n != 1 {
		t.Errorf("%d sensors after refused creates, want 1", n)
	}
}

func TestRecordHeartbeat(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	sn := addSensor(t, s, "edge-1", addGroup(t, s, "Office").ID)
	at := testNow.Add(time.Minute)
	ts := at.Unix()

	if err := s.RecordHeartbeat(ctx, sn.ID, Heartbeat{Timestamp: ts, At: at, IP: "192.0.2.44", Version: "2.6.1"}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Sensor(ctx, sn.ID)
	if got.LastContact == nil || !got.LastContact.Equal(at) || got.LastIP != "192.0.2.44" || got.SWVersion != "2.6.1" {
		t.Fatalf("after heartbeat: contact %v, ip %q, version %q", got.LastContact, got.LastIP, got.SWVersion)
	}

	// The same or an older status timestamp is a replay: refused, nothing changes.
	for _, old := range []int64{ts, ts - 1, 0} {
		err := s.RecordHeartbeat(ctx, sn.ID, Heartbeat{Timestamp: old, At: at.Add(time.Hour), IP: "203.0.113.1", Version: "9.9"})
		wantError(t, err, model.ErrInvalid, "")
	}
	got, _ = s.Sensor(ctx, sn.ID)
	if !got.LastContact.Equal(at) || got.LastIP != "192.0.2.44" || got.SWVersion != "2.6.1" {
		t.Errorf("a refused heartbeat changed the sensor: %+v", got)
	}

	// A newer one is recorded.
	later := at.Add(time.Minute)
	if err := s.RecordHeartbeat(ctx, sn.ID, Heartbeat{Timestamp: ts + 60, At: later, IP: "192.0.2.45", Version: "2.6.2"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Sensor(ctx, sn.ID)
	if !got.LastContact.Equal(later) || got.LastIP != "192.0.2.45" || got.SWVersion != "2.6.2" {
		t.Errorf("after the second heartbeat: %+v", got)
	}

	// An unknown sensor records nothing.
	if err := s.RecordHeartbeat(ctx, sn.ID+1, Heartbeat{Timestamp: ts + 120, At: later, IP: "x", Version: "y"}); err == nil {
		t.Error("heartbeat of an unknown sensor succeeded")
	}
}
