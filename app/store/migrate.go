package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
)

// upgrade brings a database from version to-1 to version to.
type upgrade struct {
	to  int
	sql string
}

// upgrades lists every schema change since version 1, oldest first. A change to schema.sql
// adds its step here with the same effect, so an appliance that was installed earlier reaches
// exactly the schema a fresh install gets.
var upgrades = []upgrade{}

var versionPattern = regexp.MustCompile(`(?m)^PRAGMA user_version\s*=\s*(\d+)\s*;`)

// SchemaVersion reads the version that schemaSQL stamps with its PRAGMA user_version line.
func SchemaVersion(schemaSQL string) (int, error) {
	m := versionPattern.FindStringSubmatch(schemaSQL)
	if m == nil {
		return 0, fmt.Errorf("store: schema.sql has no PRAGMA user_version line")
	}
	return strconv.Atoi(m[1])
}

// ErrTooNew is returned by Open for a database written by a newer release.
type ErrTooNew struct{ DB, Binary int }

func (e *ErrTooNew) Error() string {
	return fmt.Sprintf("store: the database has schema version %d, but this honeysens supports at most %d; "+
		"run the newer release again or restore a backup taken with this one", e.DB, e.Binary)
}

// migrate creates a fresh database from schemaSQL or upgrades an older one step by step, each
// step in its own transaction together with its version stamp.
func migrate(ctx context.Context, db *sql.DB, schemaSQL string, steps []upgrade) error {
	want, err := SchemaVersion(schemaSQL)
	if err != nil {
		return err
	}
	if len(steps) > 0 && steps[len(steps)-1].to != want {
		return fmt.Errorf("store: the last upgrade step reaches version %d, schema.sql is version %d", steps[len(steps)-1].to, want)
	}
	var have int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	switch {
	case have > want:
		return &ErrTooNew{DB: have, Binary: want}
	case have == want:
		return nil
	case have == 0:
		// auto_vacuum can only be chosen before the first table exists; incremental mode lets
		// retention give disk space back without a full VACUUM (which needs 2x the file size).
		// The DSN's journal_mode(WAL) has already written page 1, so the new mode only takes
		// effect through a VACUUM, which costs nothing on the still empty file.
		if _, err := db.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
			return fmt.Errorf("store: set auto_vacuum: %w", err)
		}
		if _, err := db.ExecContext(ctx, "VACUUM"); err != nil {
			return fmt.Errorf("store: set auto_vacuum: %w", err)
		}
		return inTx(ctx, db, schemaSQL, "create schema")
	}
	for _, st := range steps {
		if st.to <= have {
			continue
		}
		if st.to != have+1 {
			break
		}
		if err := inTx(ctx, db, st.sql+fmt.Sprintf("\nPRAGMA user_version = %d;", st.to), fmt.Sprintf("upgrade to version %d", st.to)); err != nil {
			return err
		}
		have = st.to
	}
	if have != want {
		return fmt.Errorf("store: no upgrade step from schema version %d to %d", have, have+1)
	}
	return nil
}

func inTx(ctx context.Context, db *sql.DB, script, what string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if _, err := tx.ExecContext(ctx, script); err != nil {
		tx.Rollback()
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}
