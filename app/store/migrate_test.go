package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	sqlite3 "modernc.org/sqlite/lib"
)

func TestSchemaVersion(t *testing.T) {
	tests := []struct {
		name    string
		sql     string
		want    int
		wantErr bool
	}{
		{"plain", "CREATE TABLE t (x);\nPRAGMA user_version = 7;\n", 7, false},
		{"no spaces", "PRAGMA user_version=12;", 12, false},
		{"missing", "CREATE TABLE t (x);\n", 0, true},
		{"not at line start", "-- PRAGMA user_version = 3;\n", 0, true},
		{"no semicolon", "PRAGMA user_version = 3\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SchemaVersion(tt.sql)
			if (err != nil) != tt.wantErr {
				t.Fatalf("SchemaVersion error = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("SchemaVersion = %d, want %d", got, tt.want)
			}
		})
	}

	t.Run("repo schema.sql", func(t *testing.T) {
		v, err := SchemaVersion(repoSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		if v < 1 {
			t.Errorf("schema.sql version = %d, want >= 1", v)
		}
	})
}

// pragma reads one pragma's value as text from q (a *sql.DB or *sql.Conn).
func pragma(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, name string) string {
	t.Helper()
	var v string
	if err := q.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpenFreshDatabase(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()

	want, err := SchemaVersion(repoSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := pragma(t, s.w, "user_version"); got != strconv.Itoa(want) {
		t.Errorf("user_version = %s, want %d", got, want)
	}

	for _, table := range []string{"groups", "users", "user_groups", "sessions", "api_tokens", "audit_log"} {
		var name string
		err := s.r.QueryRowContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&name)
		if err != nil {
			t.Errorf("table %s missing: %v", table, err)
		}
	}
	// auto_vacuum can only be chosen before the first table exists, so check migrate did it.
	if got := pragma(t, s.w, "auto_vacuum"); got != "2" {
		t.Errorf("auto_vacuum = %s, want 2 (incremental)", got)
	}
}

func TestOpenPragmas(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()

	t.Run("writer", func(t *testing.T) {
		checkPragmas(t, s.w, "0")
	})
	t.Run("every reader", func(t *testing.T) {
		// Hold all reader connections at once so that each one is checked, not one reused.
		var conns []*sql.Conn
		for range readers {
			c, err := s.r.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			checkPragmas(t, c, "1")
			c.Close()
		}
	})
}

func checkPragmas(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, queryOnly string) {
	t.Helper()
	want := map[string]string{
		"journal_mode": "wal",
		"busy_timeout": "5000",
		"foreign_keys": "1",
		"synchronous":  "2", // FULL on the writer: a commit survives a power cut
		"query_only":   queryOnly,
	}
	if queryOnly == "1" {
		want["synchronous"] = "1" // NORMAL: readers write nothing
	}
	for name, w := range want {
		if got := pragma(t, q, name); got != w {
			t.Errorf("PRAGMA %s = %q, want %q", name, got, w)
		}
	}
}

func TestReadPoolRefusesWrites(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()

	_, err := s.r.ExecContext(ctx, `INSERT INTO groups (name, created_at) VALUES ('sneaky', 0)`)
	if err == nil {
		t.Fatal("insert through the read pool succeeded, want an error")
	}
	if c := sqliteCode(err) & 0xff; c != sqlite3.SQLITE_READONLY {
		t.Errorf("error %v has primary code %d, want SQLITE_READONLY (%d)", err, c, sqlite3.SQLITE_READONLY)
	}
	if n := countRows(t, s, "groups", ""); n != 0 {
		t.Errorf("groups has %d rows after the refused insert, want 0", n)
	}
	// The writer still works.
	if _, err := s.w.ExecContext(ctx, `INSERT INTO groups (name, created_at) VALUES ('fine', 0)`); err != nil {
		t.Errorf("insert through the writer: %v", err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := tempDBPath(t)
	ctx := context.Background()

	s, err := Open(ctx, path, repoSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	u := addUser(t, s, "alice", 1)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Close checkpoints the WAL, so the main file alone holds the data.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("WAL file is %d bytes after Close, want it empty or gone", fi.Size())
	}

	s2 := openStoreAt(t, path)
	got, err := s2.User(ctx, u.ID)
	if err != nil {
		t.Fatalf("User after reopen: %v", err)
	}
	if got.Login != "alice" || got.Email != "alice@example.org" {
		t.Errorf("after reopen got %+v, want alice", got)
	}
	want, err := SchemaVersion(repoSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := pragma(t, s2.w, "user_version"); got != strconv.Itoa(want) {
		t.Errorf("user_version after reopen = %s, want %d", got, want)
	}
}

func TestOpenRefusesNewerDatabase(t *testing.T) {
	path := tempDBPath(t)
	ctx := context.Background()
	schema := repoSchema(t)
	binary, err := SchemaVersion(schema)
	if err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, path, schema)
	if err != nil {
		t.Fatal(err)
	}
	newer := binary + 5
	if _, err := s.w.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(newer)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(ctx, path, schema)
	if err == nil {
		s2.Close()
		t.Fatal("Open of a newer database succeeded, want *ErrTooNew")
	}
	var tooNew *ErrTooNew
	if !errors.As(err, &tooNew) {
		t.Fatalf("Open error = %v (%T), want *ErrTooNew", err, err)
	}
	if tooNew.DB != newer || tooNew.Binary != binary {
		t.Errorf("ErrTooNew = %+v, want DB %d, Binary %d", tooNew, newer, binary)
	}
	msg := err.Error()
	for _, part := range []string{
		"schema version " + strconv.Itoa(newer),
		"supports at most " + strconv.Itoa(binary),
		"newer release",
		"backup",
	} {
		if !strings.Contains(msg, part) {
			t.Errorf("error message %q does not mention %q", msg, part)
		}
	}

	// The refused database is left as it was.
	db := openRaw(t, path)
	if got := pragma(t, db, "user_version"); got != strconv.Itoa(newer) {
		t.Errorf("user_version after refusal = %s, want %d", got, newer)
	}
}

func TestOpenBadPath(t *testing.T) {
	path := t.TempDir() + "/no/such/dir/honeysens.db"
	s, err := Open(context.Background(), path, repoSchema(t))
	if err == nil {
		s.Close()
		t.Fatal("Open in a missing directory succeeded, want an error")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the path", err)
	}
}

// Schemas for the upgrade tests: version 1 has a table "things"; version 2 adds a column;
// version 3 adds another one.
const (
	schemaV1 = `CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
PRAGMA user_version = 1;`
	schemaV2 = `CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL, color TEXT NOT NULL DEFAULT 'none');
PRAGMA user_version = 2;`
	schemaV3 = `CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL, color TEXT NOT NULL DEFAULT 'none',
    size INTEGER NOT NULL DEFAULT 0);
PRAGMA user_version = 3;`
)

var (
	stepTo2 = upgrade{to: 2, sql: `ALTER TABLE things ADD COLUMN color TEXT NOT NULL DEFAULT 'none';`}
	stepTo3 = upgrade{to: 3, sql: `ALTER TABLE things ADD COLUMN size INTEGER NOT NULL DEFAULT 0;`}
)

// openRaw opens the writer-style connection Open uses, without migrating.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// dbAtV1 returns a database created from schemaV1 holding two things.
func dbAtV1(t *testing.T) *sql.DB {
	t.Helper()
	db := openRaw(t, tempDBPath(t))
	ctx := context.Background()
	if err := migrate(ctx, db, schemaV1, nil); err != nil {
		t.Fatalf("migrate to v1: %v", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO things (id, name) VALUES (1, 'one'), (2, 'two')`); err != nil {
		t.Fatal(err)
	}
	return db
}

func columns(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cols
}

func thingNames(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM things ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

func TestMigrateUpgrade(t *testing.T) {
	ctx := context.Background()
	db := dbAtV1(t)

	if err := migrate(ctx, db, schemaV2, []upgrade{stepTo2}); err != nil {
		t.Fatalf("migrate to v2: %v", err)
	}
	if got := pragma(t, db, "user_version"); got != "2" {
		t.Errorf("user_version = %s, want 2", got)
	}
	if cols := columns(t, db, "things"); !slices.Contains(cols, "color") {
		t.Errorf("columns after upgrade = %v, want a color column", cols)
	}
	if names := thingNames(t, db); !slices.Equal(names, []string{"one", "two"}) {
		t.Errorf("rows after upgrade = %v, want [one two]", names)
	}
	var color string
	if err := db.QueryRow(`SELECT color FROM things WHERE id = 1`).Scan(&color); err != nil || color != "none" {
		t.Errorf("color of an old row = %q, %v; want the default \"none\"", color, err)
	}

	// An upgraded database has the same columns as a fresh one.
	fresh := openRaw(t, tempDBPath(t))
	if err := migrate(ctx, fresh, schemaV2, []upgrade{stepTo2}); err != nil {
		t.Fatal(err)
	}
	if a, b := columns(t, db, "things"), columns(t, fresh, "things"); !slices.Equal(a, b) {
		t.Errorf("upgraded columns %v differ from fresh columns %v", a, b)
	}

	// Running migrate again at the current version changes nothing.
	if err := migrate(ctx, db, schemaV2, []upgrade{stepTo2}); err != nil {
		t.Errorf("second migrate at v2: %v", err)
	}
}

func TestMigrateSeveralSteps(t *testing.T) {
	ctx := context.Background()
	steps := []upgrade{stepTo2, stepTo3}

	t.Run("from 1 to 3", func(t *testing.T) {
		db := dbAtV1(t)
		if err := migrate(ctx, db, schemaV3, steps); err != nil {
			t.Fatal(err)
		}
		if got := pragma(t, db, "user_version"); got != "3" {
			t.Errorf("user_version = %s, want 3", got)
		}
		if cols := columns(t, db, "things"); !slices.Equal(cols, []string{"id", "name", "color", "size"}) {
			t.Errorf("columns = %v", cols)
		}
	})

	t.Run("from 2 skips the done step", func(t *testing.T) {
		db := dbAtV1(t)
		if err := migrate(ctx, db, schemaV2, steps[:1]); err != nil {
			t.Fatal(err)
		}
		// Re-running stepTo2 would fail with "duplicate column name: color".
		if err := migrate(ctx, db, schemaV3, steps); err != nil {
			t.Fatalf("migrate 2 -> 3: %v", err)
		}
		if got := pragma(t, db, "user_version"); got != "3" {
			t.Errorf("user_version = %s, want 3", got)
		}
	})
}

func TestMigrateFailedStepRollsBack(t *testing.T) {
	ctx := context.Background()
	db := dbAtV1(t)
	bad := upgrade{to: 2, sql: `ALTER TABLE things ADD COLUMN color TEXT NOT NULL DEFAULT 'none';
UPDATE no_such_table SET x = 1;`}

	err := migrate(ctx, db, schemaV2, []upgrade{bad})
	if err == nil {
		t.Fatal("migrate with a failing step succeeded")
	}
	if !strings.Contains(err.Error(), "upgrade to version 2") {
		t.Errorf("error %q does not name the step", err)
	}
	if got := pragma(t, db, "user_version"); got != "1" {
		t.Errorf("user_version after failed step = %s, want 1", got)
	}
	if cols := columns(t, db, "things"); slices.Contains(cols, "color") {
		t.Errorf("columns after failed step = %v, want the half-done step rolled back", cols)
	}
	if names := thingNames(t, db); !slices.Equal(names, []string{"one", "two"}) {
		t.Errorf("rows after failed step = %v, want [one two]", names)
	}
}

func TestMigrateStepsMustReachSchemaVersion(t *testing.T) {
	ctx := context.Background()

	t.Run("last step beyond the schema", func(t *testing.T) {
		db := dbAtV1(t)
		err := migrate(ctx, db, schemaV2, []upgrade{stepTo2, stepTo3})
		if err == nil || !strings.Contains(err.Error(), "last upgrade step reaches version 3") {
			t.Errorf("err = %v, want the step/schema mismatch", err)
		}
	})

	// schema.sql bumped without an upgrade step: the old database must not be left behind
	// silently at its old version.
	t.Run("no step for the new version", func(t *testing.T) {
		db := dbAtV1(t)
		err := migrate(ctx, db, schemaV2, nil)
		if err == nil {
			t.Fatal("migrate from 1 to 2 without a step succeeded")
		}
		if !strings.Contains(err.Error(), "no upgrade step") {
			t.Errorf("error %q does not say a step is missing", err)
		}
		if got := pragma(t, db, "user_version"); got != "1" {
			t.Errorf("user_version = %s, want 1", got)
		}
	})

	t.Run("gap in the steps", func(t *testing.T) {
		db := dbAtV1(t)
		err := migrate(ctx, db, schemaV3, []upgrade{stepTo3})
		if err == nil {
			t.Fatal("migrate from 1 to 3 with only a step to 3 succeeded")
		}
		if got := pragma(t, db, "user_version"); got != "1" {
			t.Errorf("user_version = %s, want 1", got)
		}
	})
}

func TestMigrateNewerDatabase(t *testing.T) {
	db := dbAtV1(t)
	if _, err := db.Exec(`PRAGMA user_version = 2`); err != nil {
		t.Fatal(err)
	}
	err := migrate(context.Background(), db, schemaV1, nil)
	var tooNew *ErrTooNew
	if !errors.As(err, &tooNew) || tooNew.DB != 2 || tooNew.Binary != 1 {
		t.Fatalf("migrate = %v, want *ErrTooNew{DB: 2, Binary: 1}", err)
	}
}

// Every "-- schema.sql:" line of the upgrade steps names statements schema.sql has, and a name
// takes its whole statement: a table with its columns, a trigger with its body.
func TestUpgradeStepsFindTheirSchemaStatements(t *testing.T) {
	schema := repoSchema(t)
	for _, st := range upgrades {
		script, err := withSchemaStatements(st.sql, schema)
		if err != nil {
			t.Fatalf("step to %d: %v", st.to, err)
		}
		if strings.Contains(script, "-- schema.sql:") {
			t.Errorf("step to %d keeps a schema.sql line:\n%s", st.to, script)
		}
	}
	step := "DROP TABLE old;\n-- schema.sql: notify_marks events_fts_delete mail_outbox_kind\nSELECT 1;\n"
	got, err := withSchemaStatements(step, schema)
	if err != nil {
		t.Fatal(err)
	}
	want := "DROP TABLE old;\n" +
		"CREATE TABLE IF NOT EXISTS notify_marks (\n    name  TEXT    PRIMARY KEY,\n    value INTEGER NOT NULL\n) WITHOUT ROWID;\n" +
		"CREATE TRIGGER IF NOT EXISTS events_fts_delete AFTER DELETE ON events BEGIN\n" +
		"    INSERT INTO events_fts (events_fts, rowid, summary, comment) VALUES ('delete', OLD.id, OLD.summary, OLD.comment);\nEND;\n" +
		"CREATE INDEX IF NOT EXISTS mail_outbox_kind ON mail_outbox(kind, created_at, recipient); -- the storm guard's count\n" +
		"\nSELECT 1;\n"
	if got != want {
		t.Errorf("expanded step:\n%s\nwant:\n%s", got, want)
	}
	if _, err := withSchemaStatements("-- schema.sql: notify_marks no_such_table\n", schema); err == nil ||
		!strings.Contains(err.Error(), "no_such_table") {
		t.Errorf("a name schema.sql lacks: err %v, want one naming it", err)
	}
}
