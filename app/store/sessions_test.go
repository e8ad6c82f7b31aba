package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"honeysens/app/model"
)

func TestSessionLifecycle(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u := addUser(t, s, "alice", model.RoleObserver)

	want := &model.Session{TokenHash: "h1", UserID: u.ID, CSRFToken: "csrf", CreatedAt: testNow,
		LastSeen: testNow.Add(time.Second), IP: "198.51.100.7", UserAgent: "Firefox"}
	if err := s.CreateSession(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if got.TokenHash != want.TokenHash || got.UserID != want.UserID || got.CSRFToken != want.CSRFToken ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.LastSeen.Equal(want.LastSeen) ||
		got.IP != want.IP || got.UserAgent != want.UserAgent {
		t.Errorf("Session = %+v, want %+v", got, want)
	}
	if got.LastSeen.Location() != time.UTC {
		t.Errorf("LastSeen is in %v, want UTC", got.LastSeen.Location())
	}

	_, err = s.Session(ctx, "unknown")
	wantError(t, err, model.ErrUnauthorized, "")

	// A session must belong to an existing user.
	if err := s.CreateSession(ctx, &model.Session{TokenHash: "h2", UserID: 4242, CSRFToken: "c"}); err == nil {
		t.Error("CreateSession for a missing user succeeded")
	}

	touched := testNow.Add(10 * time.Minute)
	if err := s.TouchSession(ctx, "h1", touched, "203.0.113.5"); err != nil {
		t.Fatal(err)
	}
	got, err = s.Session(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastSeen.Equal(touched) || !got.CreatedAt.Equal(testNow) || got.IP != "203.0.113.5" {
		t.Errorf("after touch: last seen %v from %s, created %v; want %v from 203.0.113.5, %v",
			got.LastSeen, got.IP, got.CreatedAt, touched, testNow)
	}

	if err := s.DeleteSession(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Session(ctx, "h1")
	wantError(t, err, model.ErrUnauthorized, "")
}

func TestUserSessions(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	alice := addUser(t, s, "alice", model.RoleObserver)
	bob := addUser(t, s, "bob", model.RoleObserver)
	if list, err := s.UserSessions(ctx, alice.ID); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("UserSessions with none = %#v, %v; want an empty, non-nil list", list, err)
	}
	addSession(t, s, alice.ID, "older", testNow.Add(-time.Hour))
	addSession(t, s, alice.ID, "newer", testNow)
	addSession(t, s, bob.ID, "bobs", testNow)
	list, err := s.UserSessions(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].TokenHash != "newer" || list[1].TokenHash != "older" || list[0].UserID != alice.ID {
		t.Errorf("UserSessions(alice) = %+v, want newer, older", list)
	}
}

func TestDeleteIdleSessions(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u := addUser(t, s, "alice", model.RoleObserver)
	cutoff := testNow.Add(-30 * time.Minute)

	addSession(t, s, u.ID, "old", cutoff.Add(-time.Hour))
	addSession(t, s, u.ID, "just-old", cutoff.Add(-time.Millisecond))
	addSession(t, s, u.ID, "at-cutoff", cutoff)
	addSession(t, s, u.ID, "fresh", testNow)

	n, err := s.DeleteIdleSessions(ctx, cutoff)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("DeleteIdleSessions removed %d, want 2", n)
	}
	for h, want := range map[string]bool{"old": false, "just-old": false, "at-cutoff": true, "fresh": true} {
		_, err := s.Session(ctx, h)
		if got := err == nil; got != want {
			t.Errorf("session %s kept = %v, want %v", h, got, want)
		}
	}

	// Touching a session keeps it alive past the next sweep.
	if err := s.TouchSession(ctx, "at-cutoff", testNow, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	n, err = s.DeleteIdleSessions(ctx, testNow.Add(-time.Minute))
	if err != nil || n != 0 {
		t.Errorf("second sweep removed %d, %v; want 0", n, err)
	}
}

func TestTokens(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	alice := addUser(t, s, "alice", model.RoleObserver)
	bob := addUser(t, s, "bob", model.RoleObserver)

	if list, err := s.Tokens(ctx, alice.ID); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("Tokens with none = %#v, %v; want an empty, non-nil list", list, err)
	}

	t1 := &model.APIToken{UserID: alice.ID, Name: "ci"}
	if err := s.CreateToken(ctx, t1, "hash-1"); err != nil {
		t.Fatal(err)
	}
	t2 := &model.APIToken{UserID: alice.ID, Name: "backup"}
	if err := s.CreateToken(ctx, t2, "hash-2"); err != nil {
		t.Fatal(err)
	}
	tb := &model.APIToken{UserID: bob.ID, Name: "bob's"}
	if err := s.CreateToken(ctx, tb, "hash-b"); err != nil {
		t.Fatal(err)
	}
	if t1.ID == 0 || t2.ID == 0 || !t1.CreatedAt.Equal(testNow) {
		t.Errorf("CreateToken set id %d/%d, created %v", t1.ID, t2.ID, t1.CreatedAt)
	}
	if err := s.CreateToken(ctx, &model.APIToken{UserID: bob.ID, Name: "dup"}, "hash-1"); err == nil {
		t.Error("CreateToken with a duplicate hash succeeded")
	}

	list, err := s.Tokens(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != t2.ID || list[1].ID != t1.ID {
		t.Fatalf("Tokens(alice) = %v, want [backup ci] newest first", list)
	}
	if list[0].Name != "backup" || list[0].UserID != alice.ID || list[0].LastUsedAt != nil {
		t.Errorf("Tokens(alice)[0] = %+v", list[0])
	}

	t.Run("by hash and touch", func(t *testing.T) {
		got, err := s.TokenByHash(ctx, "hash-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != t1.ID || got.UserID != alice.ID || got.Name != "ci" || got.LastUsedAt != nil {
			t.Errorf("TokenByHash = %+v", got)
		}
		_, err = s.TokenByHash(ctx, "no-such-hash")
		wantError(t, err, model.ErrUnauthorized, "")

		used := testNow.Add(5 * time.Minute)
		if err := s.TouchToken(ctx, t1.ID, used, "2001:db8::5"); err != nil {
			t.Fatal(err)
		}
		got, err = s.TokenByHash(ctx, "hash-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(used) || got.LastUsedIP != "2001:db8::5" {
			t.Errorf("last use = %v from %q, want %v from 2001:db8::5", got.LastUsedAt, got.LastUsedIP, used)
		}
		list, _ := s.Tokens(ctx, alice.ID)
		if len(list) != 2 || list[1].LastUsedAt == nil || !list[1].LastUsedAt.Equal(used) || list[1].LastUsedIP != "2001:db8::5" {
			t.Errorf("Tokens after touch = %v, want ci used at %v from 2001:db8::5", list, used)
		}
		if list[0].LastUsedIP != "" {
			t.Errorf("the unused token has an address: %+v", list[0])
		}
	})

	t.Run("delete only own", func(t *testing.T) {
		// Bob cannot delete alice's token by its id.
		_, err := s.DeleteToken(ctx, bob.ID, t1.ID)
		wantError(t, err, model.ErrNotFound, "")
		if _, err := s.TokenByHash(ctx, "hash-1"); err != nil {
			t.Fatalf("alice's token gone after bob's delete: %v", err)
		}

		del, err := s.DeleteToken(ctx, alice.ID, t1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if del.ID != t1.ID || del.UserID != alice.ID || del.Name != "ci" {
			t.Errorf("DeleteToken returned %+v", del)
		}
		_, err = s.TokenByHash(ctx, "hash-1")
		wantError(t, err, model.ErrUnauthorized, "")
		_, err = s.DeleteToken(ctx, alice.ID, t1.ID)
		wantError(t, err, model.ErrNotFound, "")

		if list, _ := s.Tokens(ctx, alice.ID); len(list) != 1 || list[0].ID != t2.ID {
			t.Errorf("Tokens(alice) after delete = %v, want [backup]", list)
		}
		if list, _ := s.Tokens(ctx, bob.ID); len(list) != 1 || list[0].ID != tb.ID {
			t.Errorf("Tokens(bob) = %v, want his one token", list)
		}
	})
}

func TestAuditPaging(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	uid := int64(7)
	oid := int64(42)

	const total = 25
	for i := 1; i <= total; i++ {
		e := &model.AuditEntry{User: "alice", IP: "192.0.2.9", Action: fmt.Sprintf("action-%d", i),
			ObjectType: "user", ObjectName: "bob", Detail: "d"}
		if i%2 == 0 {
			e.UserID, e.ObjectID = &uid, &oid
			e.Time = testNow.Add(time.Duration(i) * time.Second)
		}
		if err := s.AddAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	// Walk every page of 10 with beforeID = the last id seen.
	var actions []string
	before := int64(0)
	pages := 0
	for {
		page, err := s.Audit(ctx, before, 10)
		if err != nil {
			t.Fatal(err)
		}
		if page == nil {
			t.Fatal("Audit returned a nil list")
		}
		if len(page) == 0 {
			break
		}
		pages++
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		for i, e := range page {
			if before > 0 && e.ID >= before {
				t.Errorf("entry %d on a page before %d", e.ID, before)
			}
			if i > 0 && e.ID >= page[i-1].ID {
				t.Errorf("page not newest first: %d after %d", e.ID, page[i-1].ID)
			}
			actions = append(actions, e.Action)
		}
		before = page[len(page)-1].ID
	}
	if pages != 3 || len(actions) != total {
		t.Fatalf("got %d pages, %d entries; want 3 pages, %d entries", pages, len(actions), total)
	}
	for i, a := range actions {
		if want := fmt.Sprintf("action-%d", total-i); a != want {
			t.Errorf("entry %d = %s, want %s", i, a, want)
		}
	}

	// Field round trip: the newest (25, odd) has no ids and the store's time; 24 has both.
	page, err := s.Audit(ctx, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	odd, even := page[0], page[1]
	if odd.UserID != nil || odd.ObjectID != nil || !odd.Time.Equal(testNow) {
		t.Errorf("entry 25 = %+v, want nil ids and time %v", odd, testNow)
	}
	if even.UserID == nil || *even.UserID != uid || even.ObjectID == nil || *even.ObjectID != oid ||
		!even.Time.Equal(testNow.Add(24*time.Second)) {
		t.Errorf("entry 24 = %+v, want user 7, object 42, its own time", even)
	}
	if even.User != "alice" || even.IP != "192.0.2.9" || even.ObjectType != "user" || even.ObjectName != "bob" ||
		even.Detail != "d" {
		t.Errorf("entry 24 text fields = %+v", even)
	}
}
