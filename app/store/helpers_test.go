package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"honeysens/app/model"
)

// The store tests read only ../../schema.sql outside their own directory, so the test binary
// also runs under qemu from app/store (see the CI cross-architecture check).

// testNow is the fixed clock every test store starts with.
var testNow = time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// repoSchema returns the text of the repository's schema.sql.
func repoSchema(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../schema.sql")
	if err != nil {
		t.Fatalf("read schema.sql: %v", err)
	}
	return string(b)
}

// tempDBPath returns a fresh database path inside the test's temp dir.
func tempDBPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "honeysens.db")
}

// openStoreAt opens the store at path with the repo schema and closes it when the test ends.
func openStoreAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, repoSchema(t))
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	s.now = func() time.Time { return testNow }
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// newStore opens a store on a new temp-file database.
func newStore(t *testing.T) *Store {
	t.Helper()
	return openStoreAt(t, tempDBPath(t))
}

// addUser creates a user with the given login and role and returns it.
func addUser(t *testing.T, s *Store, login string, role model.Role, groups ...int64) *model.User {
	t.Helper()
	u := &model.User{Login: login, FullName: "Full " + login, Email: login + "@example.org", Role: role,
		PasswordHash: "hash-of-" + login, Groups: groups}
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser(%s): %v", login, err)
	}
	return u
}

// addGroup creates a group with the given name and members and returns it.
func addGroup(t *testing.T, s *Store, name string, members ...int64) *model.Group {
	t.Helper()
	g := &model.Group{Name: name, Members: members}
	if err := s.CreateGroup(context.Background(), g); err != nil {
		t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return g
}

// addSession stores a session for userID with the given token hash.
func addSession(t *testing.T, s *Store, userID int64, hash string, lastSeen time.Time) *model.Session {
	t.Helper()
	sess := &model.Session{TokenHash: hash, UserID: userID, CSRFToken: "csrf-" + hash,
		CreatedAt: lastSeen, LastSeen: lastSeen, IP: "192.0.2.1", UserAgent: "test-agent"}
	if err := s.CreateSession(context.Background(), sess); err != nil {
		t.Fatalf("CreateSession(%s): %v", hash, err)
	}
	return sess
}

// wantError checks that err is a *model.Error with the code and, if field is not empty, a
// message for that field.
func wantError(t *testing.T, err error, code, field string) *model.Error {
	t.Helper()
	var me *model.Error
	if !errors.As(err, &me) {
		t.Fatalf("got error %v (%T), want *model.Error with code %q", err, err, code)
	}
	if me.Code != code {
		t.Fatalf("got code %q (%v), want %q", me.Code, me, code)
	}
	if field != "" && me.Fields[field] == "" {
		t.Fatalf("got fields %v, want a message for %q", me.Fields, field)
	}
	return me
}

// countRows returns the number of rows of table matching where (e.g. "user_id = ?").
func countRows(t *testing.T, s *Store, table, where string, args ...any) int {
	t.Helper()
	var n int
	q := "SELECT count(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	if err := s.r.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
