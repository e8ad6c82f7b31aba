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
var upgrades = []upgrade{
	{to: 2, sql: upgradeTo2},
	{to: 3, sql: upgradeTo3},
}

// upgradeTo2 adds e-mail notifications: contacts, templates, the outbox, the storm guard and
// the marks; status changes recorded before it count as notified. The search index loses the
// source column and is rebuilt from the events (about a minute per million events, once).
const upgradeTo2 = `
DROP TRIGGER events_fts_delete;
DROP TRIGGER events_fts_comment;
DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5(summary, comment,
    content='events', content_rowid='id', tokenize='trigram', detail='none');
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, summary, comment) VALUES ('delete', OLD.id, OLD.summary, OLD.comment);
END;
CREATE TRIGGER events_fts_comment AFTER UPDATE OF comment ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, summary, comment) VALUES ('delete', OLD.id, OLD.summary, OLD.comment);
    INSERT INTO events_fts (rowid, summary, comment) VALUES (NEW.id, NEW.summary, NEW.comment);
END;
INSERT INTO events_fts (events_fts) VALUES ('rebuild');
ALTER TABLE sensor_status_log ADD COLUMN mailed INTEGER NOT NULL DEFAULT 0;
UPDATE sensor_status_log SET mailed = 1;
CREATE INDEX IF NOT EXISTS sensor_status_log_unmailed ON sensor_status_log(id) WHERE mailed = 0;
-- Notification contacts of a group: a registered user (mails go to the address the user has
-- when a mail is written) or any address, each with the kinds of mail it gets.
CREATE TABLE IF NOT EXISTS group_contacts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id        INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE,
    email           TEXT    NOT NULL DEFAULT '',
    all_events      INTEGER NOT NULL DEFAULT 0,
    critical_events INTEGER NOT NULL DEFAULT 0,
    weekly_summary  INTEGER NOT NULL DEFAULT 0,
    sensor_timeout  INTEGER NOT NULL DEFAULT 0,
    CHECK ((user_id IS NULL) <> (email = ''))
);
CREATE INDEX IF NOT EXISTS group_contacts_group ON group_contacts(group_id);
CREATE INDEX IF NOT EXISTS group_contacts_user  ON group_contacts(user_id);

-- The operator's own text of a notification template; no row means the built-in default.
CREATE TABLE IF NOT EXISTS mail_templates (
    type       TEXT    PRIMARY KEY,
    body       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The outbox: every mail is stored here before it is sent, and sent mails stay for a while so
-- that System shows what went out. status: 0 queued, 1 sent, 2 failed (gave up at give_up_at).
-- A queued mail is tried again at next_attempt after a failure.
CREATE TABLE IF NOT EXISTS mail_outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    recipient    TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    next_attempt INTEGER NOT NULL,
    give_up_at   INTEGER NOT NULL,
    done_at      INTEGER
);
CREATE INDEX IF NOT EXISTS mail_outbox_due       ON mail_outbox(status, next_attempt);
CREATE INDEX IF NOT EXISTS mail_outbox_kind ON mail_outbox(kind, created_at, recipient); -- the storm guard's count

-- The storm guard's open folds: events a recipient got no mail for because it had reached its
-- limit, summed up until the window that opened at opened_at ends and one summary mail goes out.
-- lines holds the first events, one line each.
CREATE TABLE IF NOT EXISTS mail_storms (
    recipient TEXT    PRIMARY KEY,
    opened_at INTEGER NOT NULL,
    events    INTEGER NOT NULL,
    critical  INTEGER NOT NULL,
    first_at  INTEGER NOT NULL,
    last_at   INTEGER NOT NULL,
    lines     TEXT    NOT NULL
) WITHOUT ROWID;

-- How far notifications got, by name: "events" is the id of the last event that was turned
-- into mails, "weekly" the end (Unix ms) of the last week summarised. Advanced in the same
-- transaction that queues the mails, so a restart neither loses nor repeats a mail.
CREATE TABLE IF NOT EXISTS notify_marks (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
`

// upgradeTo3 adds the filtered columns to events_source, so that a search for the start of an
// address tests and counts its matches in the index (a few seconds per million events, once).
const upgradeTo3 = `
DROP INDEX events_source;
CREATE INDEX events_source ON events(source_key, timestamp, status, classification, group_id, sensor_id);
`

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
