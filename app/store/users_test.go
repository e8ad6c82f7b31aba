package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"honeysens/app/auth"
	"honeysens/app/model"
)

func TestCreateAndGetUser(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()

	u := &model.User{Login: "alice", FullName: "Alice A.", Email: "alice@example.org", Role: model.RoleManager,
		PasswordHash: "$argon2id$fake", MustChangePassword: true}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 {
		t.Fatal("CreateUser did not set the id")
	}
	if !u.CreatedAt.Equal(testNow) {
		t.Errorf("CreatedAt = %v, want %v", u.CreatedAt, testNow)
	}

	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Login != "alice" || got.FullName != "Alice A." || got.Email != "alice@example.org" ||
		got.Role != model.RoleManager || got.PasswordHash != "$argon2id$fake" || !got.MustChangePassword ||
		got.FirstAdmin || !got.CreatedAt.Equal(testNow) {
		t.Errorf("User = %+v, want the stored fields back", got)
	}
	if got.Groups == nil || len(got.Groups) != 0 {
		t.Errorf("Groups = %#v, want an empty, non-nil list", got.Groups)
	}

	byLogin, err := s.UserByLogin(ctx, "ALICE")
	if err != nil {
		t.Fatalf("UserByLogin is case-insensitive: %v", err)
	}
	if byLogin.ID != u.ID {
		t.Errorf("UserByLogin(ALICE).ID = %d, want %d", byLogin.ID, u.ID)
	}

	_, err = s.User(ctx, u.ID+100)
	wantError(t, err, model.ErrNotFound, "")
	_, err = s.UserByLogin(ctx, "bob")
	wantError(t, err, model.ErrNotFound, "")
}

func TestUsersListAndCount(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()

	if n, err := s.UserCount(ctx); err != nil || n != 0 {
		t.Fatalf("UserCount on an empty DB = %d, %v; want 0", n, err)
	}
	g := addGroup(t, s, "ops")
	addUser(t, s, "carol", model.RoleObserver)
	addUser(t, s, "alice", model.RoleAdmin, g.ID)
	addUser(t, s, "bob", model.RoleManager)

	list, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for _, u := range list {
		logins = append(logins, u.Login)
	}
	if !slices.Equal(logins, []string{"alice", "bob", "carol"}) {
		t.Errorf("Users order = %v, want by login", logins)
	}
	if !slices.Equal(list[0].Groups, []int64{g.ID}) || len(list[1].Groups) != 0 || list[1].Groups == nil {
		t.Errorf("groups = %v / %#v, want [%d] / []", list[0].Groups, list[1].Groups, g.ID)
	}
	if n, err := s.UserCount(ctx); err != nil || n != 3 {
		t.Errorf("UserCount = %d, %v; want 3", n, err)
	}
}

func TestLoginConflict(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	addUser(t, s, "alice", model.RoleObserver)
	bob := addUser(t, s, "bob", model.RoleObserver)

	for _, login := range []string{"alice", "ALICE", "Alice"} {
		err := s.CreateUser(ctx, &model.User{Login: login, Role: model.RoleObserver, PasswordHash: "x"})
		wantError(t, err, model.ErrConflict, "login")
	}

	// Renaming into a taken login is the same conflict.
	bob.Login = "aLiCe"
	wantError(t, s.UpdateUser(ctx, bob), model.ErrConflict, "login")
	if n, _ := s.UserCount(ctx); n != 2 {
		t.Errorf("UserCount = %d after the conflicts, want 2", n)
	}
	// A user may change the case of its own login.
	bob.Login = "Bob"
	if err := s.UpdateUser(ctx, bob); err != nil {
		t.Errorf("renaming bob to Bob: %v", err)
	}
}

func TestGroupMembershipBothWays(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g1 := addGroup(t, s, "alpha")
	g2 := addGroup(t, s, "beta")

	// From the user side.
	alice := addUser(t, s, "alice", model.RoleObserver, g2.ID, g1.ID)
	got, err := s.User(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Groups, []int64{g1.ID, g2.ID}) {
		t.Errorf("alice.Groups = %v, want [%d %d]", got.Groups, g1.ID, g2.ID)
	}
	grp, err := s.Group(ctx, g1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(grp.Members, []int64{alice.ID}) {
		t.Errorf("alpha.Members = %v, want [%d]", grp.Members, alice.ID)
	}

	// From the group side.
	bob := addUser(t, s, "bob", model.RoleObserver)
	g3 := addGroup(t, s, "gamma", bob.ID, alice.ID)
	got, err = s.User(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Groups, []int64{g3.ID}) {
		t.Errorf("bob.Groups = %v, want [%d]", got.Groups, g3.ID)
	}
	grp, err = s.Group(ctx, g3.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(grp.Members, []int64{alice.ID, bob.ID}) {
		t.Errorf("gamma.Members = %v, want [%d %d]", grp.Members, alice.ID, bob.ID)
	}

	// UpdateUser replaces the user's groups; the groups see it.
	alice.Groups = []int64{g2.ID}
	if err := s.UpdateUser(ctx, alice); err != nil {
		t.Fatal(err)
	}
	groups, err := s.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	members := map[string][]int64{}
	for _, g := range groups {
		members[g.Name] = g.Members
	}
	if len(members["alpha"]) != 0 || !slices.Equal(members["beta"], []int64{alice.ID}) ||
		!slices.Equal(members["gamma"], []int64{bob.ID}) {
		t.Errorf("members after UpdateUser = %v", members)
	}

	// UpdateGroup replaces the members; the users see it.
	g2.Members = []int64{bob.ID}
	if err := s.UpdateGroup(ctx, g2); err != nil {
		t.Fatal(err)
	}
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users[0].Groups) != 0 || !slices.Equal(users[1].Groups, []int64{g2.ID, g3.ID}) {
		t.Errorf("groups after UpdateGroup: alice %v, bob %v; want [] and [%d %d]",
			users[0].Groups, users[1].Groups, g2.ID, g3.ID)
	}
}

func TestUnknownGroupOrMember(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g := addGroup(t, s, "ops")

	err := s.CreateUser(ctx, &model.User{Login: "alice", Role: model.RoleObserver, PasswordHash: "x",
		Groups: []int64{g.ID, 999}})
	me := wantError(t, err, model.ErrInvalid, "groups")
	if !strings.Contains(me.Fields["groups"], "999") {
		t.Errorf("fields.groups = %q, want it to name group 999", me.Fields["groups"])
	}
	// The whole create was rolled back, membership in the good group too.
	if _, err := s.UserByLogin(ctx, "alice"); model.ErrorCode(err) != model.ErrNotFound {
		t.Errorf("UserByLogin after the failed create = %v, want not_found", err)
	}
	if n := countRows(t, s, "user_groups", ""); n != 0 {
		t.Errorf("user_groups has %d rows, want 0", n)
	}

	bob := addUser(t, s, "bob", model.RoleObserver, g.ID)
	bob.Groups = []int64{998}
	bob.FullName = "changed"
	wantError(t, s.UpdateUser(ctx, bob), model.ErrInvalid, "groups")
	got, err := s.User(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FullName == "changed" || !slices.Equal(got.Groups, []int64{g.ID}) {
		t.Errorf("after the failed update bob = %+v, want it unchanged", got)
	}

	err = s.CreateGroup(ctx, &model.Group{Name: "dev", Members: []int64{bob.ID, 777}})
	wantError(t, err, model.ErrInvalid, "members")
	if _, err := s.GroupByName(ctx, "dev"); model.ErrorCode(err) != model.ErrNotFound {
		t.Errorf("GroupByName after the failed create = %v, want not_found", err)
	}
}

func TestUpdateUser(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u := addUser(t, s, "alice", model.RoleObserver)

	// Without a password hash the old one stays.
	u.PasswordHash = ""
	u.FullName = "Alice Liddell"
	u.Email = "liddell@example.org"
	u.Role = model.RoleManager
	u.MustChangePassword = true
	if err := s.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PasswordHash != "hash-of-alice" {
		t.Errorf("PasswordHash = %q, want the old one kept", got.PasswordHash)
	}
	if got.FullName != "Alice Liddell" || got.Email != "liddell@example.org" || got.Role != model.RoleManager ||
		!got.MustChangePassword {
		t.Errorf("after UpdateUser got %+v", got)
	}

	// A profile change keeps the tokens; a new password hash replaces the old one and
	// revokes them.
	if err := s.CreateToken(ctx, &model.APIToken{UserID: u.ID, Name: "ci"}, "alice-token"); err != nil {
		t.Fatal(err)
	}
	u.PasswordHash = ""
	if err := s.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Tokens(ctx, u.ID); len(list) != 1 {
		t.Errorf("%d tokens after a profile change, want 1", len(list))
	}
	u.PasswordHash = "new-hash"
	if err := s.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.User(ctx, u.ID); got == nil || got.PasswordHash != "new-hash" {
		t.Errorf("PasswordHash after update = %v, want new-hash", got)
	}
	if list, _ := s.Tokens(ctx, u.ID); len(list) != 0 {
		t.Errorf("%d tokens after a password reset, want 0", len(list))
	}

	wantError(t, s.UpdateUser(ctx, &model.User{ID: 4242, Login: "ghost", Role: model.RoleObserver}),
		model.ErrNotFound, "")
}

func TestFirstAdminIsProtected(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	first := &model.User{Login: "admin", Role: model.RoleAdmin, PasswordHash: "x", FirstAdmin: true}
	if err := s.CreateUser(ctx, first); err != nil {
		t.Fatal(err)
	}
	// A second admin exists, so only the first-admin rule can refuse.
	addUser(t, s, "second", model.RoleAdmin)

	first.Role = model.RoleObserver
	me := wantError(t, s.UpdateUser(ctx, first), model.ErrConflict, "")
	if !strings.Contains(me.Message, "first administrator") {
		t.Errorf("message %q does not explain the refusal", me.Message)
	}
	_, err := s.DeleteUser(ctx, first.ID)
	wantError(t, err, model.ErrConflict, "")

	got, err := s.User(ctx, first.ID)
	if err != nil {
		t.Fatalf("first admin gone: %v", err)
	}
	if got.Role != model.RoleAdmin || !got.FirstAdmin {
		t.Errorf("first admin = %+v, want still Admin", got)
	}

	// Other changes to the first admin are fine.
	got.FullName = "The Admin"
	if err := s.UpdateUser(ctx, got); err != nil {
		t.Errorf("renaming the first admin: %v", err)
	}
}

func TestLastAdminIsProtected(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	// No first admin here: only the last-admin rule is tested.
	a := addUser(t, s, "anna", model.RoleAdmin)
	addUser(t, s, "olga", model.RoleObserver)

	a.Role = model.RoleManager
	me := wantError(t, s.UpdateUser(ctx, a), model.ErrConflict, "")
	if !strings.Contains(me.Message, "last administrator") {
		t.Errorf("message %q does not explain the refusal", me.Message)
	}
	_, err := s.DeleteUser(ctx, a.ID)
	wantError(t, err, model.ErrConflict, "")

	// With a second admin, anna can be demoted ...
	b := addUser(t, s, "bert", model.RoleAdmin)
	if err := s.UpdateUser(ctx, a); err != nil {
		t.Fatalf("demoting anna while bert is admin: %v", err)
	}
	if got, _ := s.User(ctx, a.ID); got == nil || got.Role != model.RoleManager {
		t.Errorf("anna after demotion = %+v, want Manager", got)
	}
	// ... and now bert is the last one.
	_, err = s.DeleteUser(ctx, b.ID)
	wantError(t, err, model.ErrConflict, "")

	// With another admin again, an admin can be deleted.
	a.Role = model.RoleAdmin
	if err := s.UpdateUser(ctx, a); err != nil {
		t.Fatal(err)
	}
	deleted, err := s.DeleteUser(ctx, b.ID)
	if err != nil {
		t.Fatalf("deleting bert while anna is admin: %v", err)
	}
	if deleted.Login != "bert" {
		t.Errorf("DeleteUser returned %+v, want bert", deleted)
	}
	// Demoting or deleting non-admins never needs the check.
	olga, err := s.UserByLogin(ctx, "olga")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteUser(ctx, olga.ID); err != nil {
		t.Errorf("deleting an observer: %v", err)
	}
}

func TestSetPassword(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	alice := addUser(t, s, "alice", model.RoleObserver)
	bob := addUser(t, s, "bob", model.RoleObserver)
	for _, h := range []string{"a1", "a2", "a3"} {
		addSession(t, s, alice.ID, h, testNow)
	}
	addSession(t, s, bob.ID, "b1", testNow)

	later := testNow.Add(time.Hour)
	s.now = func() time.Time { return later }
	if err := s.SetPassword(ctx, alice.ID, "new-hash", true, "a2"); err != nil {
		t.Fatal(err)
	}

	for h, want := range map[string]bool{"a1": false, "a2": true, "a3": false, "b1": true} {
		_, err := s.Session(ctx, h)
		if got := err == nil; got != want {
			t.Errorf("session %s exists = %v (%v), want %v", h, got, err, want)
		}
	}
	got, err := s.User(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PasswordHash != "new-hash" || !got.MustChangePassword {
		t.Errorf("after SetPassword: hash %q, must change %v", got.PasswordHash, got.MustChangePassword)
	}
	var changed int64
	if err := s.r.QueryRow(`SELECT password_changed_at FROM users WHERE id = ?`, alice.ID).Scan(&changed); err != nil {
		t.Fatal(err)
	}
	if changed != later.UnixMilli() {
		t.Errorf("password_changed_at = %d, want %d", changed, later.UnixMilli())
	}

	// An empty session to keep ends every session (used by the CLI reset).
	if err := s.SetPassword(ctx, alice.ID, "newer-hash", false, ""); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "sessions", "user_id = ?", alice.ID); n != 0 {
		t.Errorf("alice still has %d sessions, want 0", n)
	}

	wantError(t, s.SetPassword(ctx, 9999, "h", false, ""), model.ErrNotFound, "")
}

func TestChangePasswordRevokesTokensOnRequest(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	alice := addUser(t, s, "alice", model.RoleObserver)
	bob := addUser(t, s, "bob", model.RoleObserver)
	for i, u := range []*model.User{alice, alice, bob} {
		if err := s.CreateToken(ctx, &model.APIToken{UserID: u.ID, Name: "t"}, fmt.Sprint("hash-", i)); err != nil {
			t.Fatal(err)
		}
	}
	// Kept when not asked.
	if n, err := s.ChangePassword(ctx, alice.ID, PasswordChange{Hash: "h1"}); err != nil || n != 0 {
		t.Fatalf("ChangePassword without revoking = %d, %v", n, err)
	}
	if list, _ := s.Tokens(ctx, alice.ID); len(list) != 2 {
		t.Errorf("alice has %d tokens after a change that keeps them, want 2", len(list))
	}
	n, err := s.ChangePassword(ctx, alice.ID, PasswordChange{Hash: "h2", RevokeTokens: true})
	if err != nil || n != 2 {
		t.Fatalf("ChangePassword revoking = %d, %v; want 2", n, err)
	}
	if list, _ := s.Tokens(ctx, alice.ID); len(list) != 0 {
		t.Errorf("alice still has %d tokens", len(list))
	}
	if list, _ := s.Tokens(ctx, bob.ID); len(list) != 1 {
		t.Errorf("bob has %d tokens, want his 1", len(list))
	}
	_, err = s.ChangePassword(ctx, 9999, PasswordChange{Hash: "h", RevokeTokens: true})
	wantError(t, err, model.ErrNotFound, "")
}

func TestDeleteUserCascades(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g := addGroup(t, s, "ops")
	alice := addUser(t, s, "alice", model.RoleObserver, g.ID)
	bob := addUser(t, s, "bob", model.RoleObserver, g.ID)
	addSession(t, s, alice.ID, "sess-alice", testNow)
	addSession(t, s, bob.ID, "sess-bob", testNow)
	if err := s.CreateToken(ctx, &model.APIToken{UserID: alice.ID, Name: "ci"}, "tok-alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateToken(ctx, &model.APIToken{UserID: bob.ID, Name: "ci"}, "tok-bob"); err != nil {
		t.Fatal(err)
	}

	old, err := s.DeleteUser(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if old.ID != alice.ID || old.Login != "alice" {
		t.Errorf("DeleteUser returned %+v, want alice", old)
	}

	_, err = s.User(ctx, alice.ID)
	wantError(t, err, model.ErrNotFound, "")
	for _, table := range []string{"sessions", "api_tokens", "user_groups"} {
		if n := countRows(t, s, table, "user_id = ?", alice.ID); n != 0 {
			t.Errorf("%s still has %d rows of the deleted user", table, n)
		}
		if n := countRows(t, s, table, "user_id = ?", bob.ID); n != 1 {
			t.Errorf("%s has %d rows of bob, want 1 (untouched)", table, n)
		}
	}
	_, err = s.Session(ctx, "sess-alice")
	wantError(t, err, model.ErrUnauthorized, "")
	_, err = s.TokenByHash(ctx, "tok-alice")
	wantError(t, err, model.ErrUnauthorized, "")
	grp, err := s.Group(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(grp.Members, []int64{bob.ID}) {
		t.Errorf("ops.Members = %v, want [%d]", grp.Members, bob.ID)
	}

	_, err = s.DeleteUser(ctx, alice.ID)
	wantError(t, err, model.ErrNotFound, "")
}

func TestGroups(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()

	g := addGroup(t, s, "Ops")
	if g.ID == 0 || !g.CreatedAt.Equal(testNow) {
		t.Errorf("CreateGroup set id %d, created %v", g.ID, g.CreatedAt)
	}
	addGroup(t, s, "dev")

	got, err := s.GroupByName(ctx, "OPS")
	if err != nil {
		t.Fatalf("GroupByName is case-insensitive: %v", err)
	}
	if got.ID != g.ID || got.Name != "Ops" || got.Members == nil {
		t.Errorf("GroupByName = %+v", got)
	}
	_, err = s.Group(ctx, 4242)
	wantError(t, err, model.ErrNotFound, "")
	_, err = s.GroupByName(ctx, "nope")
	wantError(t, err, model.ErrNotFound, "")

	list, err := s.Groups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "dev" || list[1].Name != "Ops" {
		t.Errorf("Groups = %v, want dev, Ops (by name, case-insensitive)", list)
	}

	t.Run("create conflict", func(t *testing.T) {
		err := s.CreateGroup(ctx, &model.Group{Name: "ops"})
		wantError(t, err, model.ErrConflict, "name")
	})

	t.Run("rename conflict", func(t *testing.T) {
		dev, err := s.GroupByName(ctx, "dev")
		if err != nil {
			t.Fatal(err)
		}
		dev.Name = "OPS"
		wantError(t, s.UpdateGroup(ctx, dev), model.ErrConflict, "name")
		if still, _ := s.Group(ctx, dev.ID); still == nil || still.Name != "dev" {
			t.Errorf("group after the refused rename = %+v, want dev", still)
		}
		dev.Name = "Development"
		if err := s.UpdateGroup(ctx, dev); err != nil {
			t.Fatalf("plain rename: %v", err)
		}
		if got, _ := s.Group(ctx, dev.ID); got == nil || got.Name != "Development" {
			t.Errorf("group after rename = %+v", got)
		}
	})

	t.Run("update not found", func(t *testing.T) {
		wantError(t, s.UpdateGroup(ctx, &model.Group{ID: 4242, Name: "x"}), model.ErrNotFound, "")
	})

	t.Run("delete", func(t *testing.T) {
		u := addUser(t, s, "alice", model.RoleObserver, g.ID)
		if _, err := s.DeleteGroup(ctx, g.ID, false); err != nil {
			t.Fatal(err)
		}
		_, err := s.Group(ctx, g.ID)
		wantError(t, err, model.ErrNotFound, "")
		got, err := s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Groups) != 0 {
			t.Errorf("alice.Groups after DeleteGroup = %v, want []", got.Groups)
		}
		for _, id := range []int64{g.ID, 4242} {
			_, err := s.DeleteGroup(ctx, id, false)
			wantError(t, err, model.ErrNotFound, "")
		}
	})
}

func TestAddUserChecksHashesAndAudits(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	g := addGroup(t, s, "ops")
	actor := model.AuditEntry{User: "root", IP: "192.0.2.1", Detail: "Role Manager"}

	// Every field error at once, and nothing written.
	err := s.AddUser(ctx, &model.User{Login: "-bad", Role: 9}, "", actor)
	me := wantError(t, err, model.ErrInvalid, "login")
	for _, f := range []string{"role", "password"} {
		if me.Fields[f] == "" {
			t.Errorf("fields = %v, want an error for %s too", me.Fields, f)
		}
	}
	wantError(t, s.AddUser(ctx, &model.User{Login: "short", Role: model.RoleObserver}, "1234567", actor), model.ErrInvalid, "password")

	u := &model.User{Login: "carol", Role: model.RoleManager, Groups: []int64{g.ID}}
	if err := s.AddUser(ctx, u, "a good password", actor); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByLogin(ctx, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.CheckPassword(got.PasswordHash, "a good password"); !ok || !slices.Equal(got.Groups, []int64{g.ID}) {
		t.Errorf("stored user = %+v, want the password's hash and group %d", got, g.ID)
	}
	by := model.AuditEntry{User: "(command line)", Detail: "Created on the command line, role Observer"}
	if err := s.AddUser(ctx, &model.User{Login: "dave", Role: model.RoleObserver}, "another password", by); err != nil {
		t.Fatal(err)
	}
	// A taken login writes no entry: the account and its entry go together.
	wantError(t, s.AddUser(ctx, &model.User{Login: "carol", Role: model.RoleObserver}, "a good password", actor), model.ErrConflict, "login")

	entries, err := s.SearchAudit(ctx, AuditFilter{Action: model.AuditUserCreated, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range entries {
		lines = append(lines, fmt.Sprintf("%s@%s %s %d %q", e.User, e.IP, e.ObjectName, *e.ObjectID, e.Detail))
	}
	want := []string{
		fmt.Sprintf(`(command line)@ dave %d "Created on the command line, role Observer"`, u.ID+1),
		fmt.Sprintf(`root@192.0.2.1 carol %d "Role Manager"`, u.ID),
	}
	if !slices.Equal(lines, want) {
		t.Errorf("audit entries:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
