package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Backup writes a consistent copy of the database at dbPath to dest, which must not exist, while
// the appliance may keep writing: VACUUM INTO on a connection of its own reads one snapshot of
// the database (WAL lets the writer go on meanwhile) and writes it as a single self-contained
// file, with every committed transaction in it and no -wal beside it. The copy is synced to
// disk before Backup returns.
func Backup(ctx context.Context, dbPath, dest string) error {
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("store: backup: %s already exists", dest)
	}
	db, err := openPlain(dbPath)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("store: backup: %w", err)
	}
	// SQLite does not sync the file VACUUM INTO wrote.
	f, err := os.OpenFile(dest, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dest)
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of this store's database to dest (see the function Backup).
func (s *Store) Backup(ctx context.Context, dest string) error { return Backup(ctx, s.path, dest) }

// openPlain opens one connection to an existing database file, without the store's pragmas:
// it neither creates a missing file nor changes the journal mode.
func openPlain(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Set("mode", "rw")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// requiredTables are the tables every HoneySens database has had since schema version 1.
var requiredTables = []string{"groups", "users", "sensors", "events", "event_data", "settings", "audit_log"}

// CheckBackup verifies that the file at path is an intact HoneySens database that this binary
// (whose schema is schemaSQL) can open, and returns its schema version. An older version is
// fine: Open upgrades it. The check may write the file (it completes a pending WAL), so run it
// on a copy.
func CheckBackup(ctx context.Context, path, schemaSQL string) (int, error) {
	want, err := SchemaVersion(schemaSQL)
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat(path); err != nil {
		return 0, err
	}
	db, err := openPlain(path)
	if err != nil {
		return 0, fmt.Errorf("not an SQLite database: %w", err)
	}
	defer db.Close()
	var have int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return 0, fmt.Errorf("not an SQLite database: %w", err)
	}
	var missing []string
	for _, t := range requiredTables {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", t).Scan(&n); err != nil {
			return 0, fmt.Errorf("not an SQLite database: %w", err)
		}
		if n == 0 {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 || have < 1 {
		return 0, fmt.Errorf("not a HoneySens database (schema version %d, missing tables: %s)", have, strings.Join(missing, ", "))
	}
	if have > want {
		return have, &ErrTooNew{DB: have, Binary: want}
	}
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return have, fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return have, fmt.Errorf("integrity check: %w", err)
		}
		if line != "ok" && len(problems) < 5 {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return have, fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		return have, errors.New("the database is damaged: " + strings.Join(problems, "; "))
	}
	return have, nil
}

// IntegrityCheck runs PRAGMA integrity_check on the database file at path and returns its
// first complaint, or nil when SQLite reports ok.
func IntegrityCheck(ctx context.Context, path string) error {
	db, err := openPlain(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return errors.New("integrity check: " + res)
	}
	return nil
}
