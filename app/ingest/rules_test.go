package ingest

import (
	"context"
	"testing"

	"honeysens/app/model"
)

// Each write of a rule applies to the next event, without a reload by the caller.
func TestFilterRuleWritesApplyToTheNextEvent(t *testing.T) {
	env := newEnv(t, nil)
	ctx := context.Background()
	submit := func(summary string) int {
		t.Helper()
		n, err := env.svc.Submit(ctx, env.sensor, []*model.Event{newEvent("ssh", summary)})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	rule := &model.FilterRule{GroupID: env.sensor.GroupID, Name: "drop ssh", Enabled: true,
		Conditions: []model.FilterCondition{{Attribute: model.AttrService, Value: "ssh"}}}
	if err := env.svc.CreateFilterRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	if n := submit("after create"); n != 0 {
		t.Errorf("after create: %d events stored, want the rule to drop it", n)
	}
	rule.Enabled = false
	if err := env.svc.UpdateFilterRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	if n := submit("after disable"); n != 1 {
		t.Errorf("after disable: %d events stored, want 1", n)
	}
	rule.Enabled = true
	if err := env.svc.UpdateFilterRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	if err := env.svc.DeleteFilterRule(ctx, rule.ID); err != nil {
		t.Fatal(err)
	}
	if n := submit("after delete"); n != 1 {
		t.Errorf("after delete: %d events stored, want 1", n)
	}
}

// A rule that does not compile is refused with a field error and changes nothing.
func TestFilterRuleWritesAreChecked(t *testing.T) {
	env := newEnv(t, nil)
	bad := &model.FilterRule{GroupID: env.sensor.GroupID, Name: "bad source", Enabled: true,
		Conditions: []model.FilterCondition{{Attribute: model.AttrSource, Value: "300.1.2.3/8"}}}
	err := env.svc.CreateFilterRule(context.Background(), bad)
	if e, ok := err.(*model.Error); !ok || e.Code != model.ErrInvalid {
		t.Fatalf("CreateFilterRule(bad source) = %v, want an invalid-input error", err)
	}
	if n := env.count(t, `SELECT count(*) FROM filter_rules`); n != 0 {
		t.Errorf("%d rules stored after a refused create, want 0", n)
	}
}

// Deleting a group takes its sensors, their events (into the archive here) and its rules in
// one go; a group holding the appliance's own sensor is refused and left as it was.
func TestDeleteGroup(t *testing.T) {
	env := newEnv(t, nil)
	ctx := context.Background()
	for _, s := range []string{"one", "two", "three"} {
		if _, err := env.svc.Submit(ctx, env.sensor, []*model.Event{newEvent("ssh", s)}); err != nil {
			t.Fatal(err)
		}
	}
	rule := &model.FilterRule{GroupID: env.sensor.GroupID, Name: "drop http", Enabled: true,
		Conditions: []model.FilterCondition{{Attribute: model.AttrService, Value: "http"}}}
	if err := env.svc.CreateFilterRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	other := &model.Group{Name: "Head office"}
	if err := env.store.CreateGroup(ctx, other); err != nil {
		t.Fatal(err)
	}
	local := &model.Sensor{Name: "this appliance", GroupID: other.ID, UpdateInterval: 60, Secret: "s", Local: true}
	if err := env.store.CreateSensor(ctx, local); err != nil {
		t.Fatal(err)
	}
	if _, err := env.svc.DeleteGroup(ctx, other.ID, false); err == nil {
		t.Error("deleting the group of the appliance's own sensor succeeded, want a conflict")
	}
	if _, err := env.store.Sensor(ctx, local.ID); err != nil {
		t.Errorf("the own sensor after the refused delete: %v", err)
	}

	removed, err := env.svc.DeleteGroup(ctx, env.sensor.GroupID, true)
	if err != nil {
		t.Fatal(err)
	}
	if removed.Sensors != 1 || removed.Events != 3 {
		t.Errorf("removed %d sensors and %d events, want 1 and 3", removed.Sensors, removed.Events)
	}
	for table, want := range map[string]int{"events": 0, "archived_events": 3, "sensors": 1, "filter_rules": 0, "groups": 1} {
		if n := env.count(t, `SELECT count(*) FROM `+table); n != want {
			t.Errorf("%s holds %d rows after the delete, want %d", table, n, want)
		}
	}
}
