package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
)

func TestSearchAudit(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	alice, bob, lab := int64(7), int64(8), int64(3)
	add := func(uid *int64, login, action, objType string, objID *int64, at time.Duration) {
		t.Helper()
		e := &model.AuditEntry{Time: testNow.Add(at), UserID: uid, User: login, Action: action, ObjectType: objType, ObjectID: objID}
		if err := s.AddAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	add(&alice, "alice", "login", "user", &alice, 0)
	add(&alice, "alice", "group_updated", "group", &lab, time.Minute)
	add(&bob, "bob", "group_updated", "group", &bob, 2*time.Minute) // a group whose id is bob's
	add(nil, "(command line)", "password_reset", "user", &bob, 3*time.Minute)
	add(&bob, "bob", "logout", "user", &bob, 4*time.Minute)

	at := func(d time.Duration) *time.Time { v := testNow.Add(d); return &v }
	for _, tc := range []struct {
		name string
		f    AuditFilter
		want string
	}{
		{"all", AuditFilter{}, "logout password_reset group_updated group_updated login"},
		{"user by id", AuditFilter{User: "7"}, "group_updated login"},
		{"user by login", AuditFilter{User: "bob"}, "logout group_updated"},
		{"command line", AuditFilter{User: "(command line)"}, "password_reset"},
		{"action", AuditFilter{Action: "group_updated"}, "group_updated group_updated"},
		{"object type", AuditFilter{ObjectType: "user"}, "logout password_reset login"},
		{"object", AuditFilter{ObjectType: "group", ObjectID: lab}, "group_updated"},
		{"time, bounds included", AuditFilter{From: at(time.Minute), To: at(3 * time.Minute)}, "password_reset group_updated group_updated"},
		{"combined", AuditFilter{User: "bob", Action: "group_updated", From: at(0)}, "group_updated"},
		{"no match", AuditFilter{Action: "user_deleted"}, ""},
		{"page", AuditFilter{Action: "group_updated", Limit: 1}, "group_updated"},
	} {
		if tc.f.Limit == 0 {
			tc.f.Limit = 50
		}
		list, err := s.SearchAudit(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range list {
			got = append(got, e.Action)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// The cursor continues the filtered list.
	first, _ := s.SearchAudit(ctx, AuditFilter{User: "bob", Limit: 1})
	rest, err := s.SearchAudit(ctx, AuditFilter{User: "bob", Limit: 5, Before: first[0].ID})
	if err != nil || len(rest) != 1 || rest[0].Action != "group_updated" {
		t.Errorf("after the cursor: %v %v", rest, err)
	}
}

func TestAuditChangesRoundTrip(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	changes := model.Changes{"name": {"Lab", "Lab 2"}, "members": {[]any{1.0}, []any{1.0, 2.0}}}
	for _, e := range []*model.AuditEntry{
		{Action: "group_updated", Detail: "renamed", Changes: changes},
		{Action: "group_updated", Changes: model.Changes{}},
		{Action: "group_deleted", Detail: `{"text": not ours}`},
		{Action: "events_archived", Detail: "2 events moved to the archive", DetailKey: "audit_detail.events_archived",
			DetailArgs: model.TextArgs{"count": 2, "status": model.Text{Key: "status.new"}}},
	} {
		if err := s.AddAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.Audit(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	keyed := list[0]
	wantArgs := model.TextArgs{"count": 2.0, "status": map[string]any{"key": "status.new"}}
	if keyed.Detail != "2 events moved to the archive" || keyed.DetailKey != "audit_detail.events_archived" ||
		!reflect.DeepEqual(keyed.DetailArgs, wantArgs) || keyed.Changes != nil {
		t.Errorf("entry with a catalog key: %+v", keyed)
	}
	if list[1].Detail != `{"text": not ours}` || list[1].Changes != nil || list[1].DetailKey != "" {
		t.Errorf("text entry: %+v", list[1])
	}
	if list[2].Detail != "" || list[2].Changes != nil {
		t.Errorf("entry without changes: %+v", list[2])
	}
	if list[3].Detail != "renamed" || !reflect.DeepEqual(list[3].Changes, changes) {
		t.Errorf("entry with changes: %+v", list[3])
	}
}
