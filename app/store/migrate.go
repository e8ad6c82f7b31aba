package store

import (
	"context"
	"database/sql"
	"errors"
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
	{to: 4, sql: upgradeTo4},
	{to: 5, sql: upgradeTo5},
	{to: 6, sql: upgradeTo6},
	{to: 7, sql: upgradeTo7},
	{to: 8, sql: upgradeTo8},
	{to: 9, sql: upgradeTo9},
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

// upgradeTo4 adds the sessions of events that grow while an attacker stays, the structured facts
// of an event, and the read models of the overview and the attackers view, filled from the
// live events (events stored before have no facts: their top lists start empty). About ten
// seconds per million events, once.
const upgradeTo4 = `
ALTER TABLE events ADD COLUMN ongoing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_data ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE archived_events ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
-- Sessions a sensor reports while they last: every report of (sensor, session) with a higher
-- revision updates the one event. A row stays for a week after its last report, so that a late
-- repeat is recognised instead of becoming a second event; it outlives its event when an
-- operator removes or archives the event, and later reports of that session are then dropped.
CREATE TABLE IF NOT EXISTS event_sessions (
    sensor_id  INTEGER NOT NULL,
    session    TEXT    NOT NULL,
    event_id   INTEGER NOT NULL,
    revision   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (sensor_id, session)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS event_sessions_updated ON event_sessions(updated_at);
CREATE INDEX IF NOT EXISTS event_sessions_event ON event_sessions(event_id);
CREATE INDEX IF NOT EXISTS events_ongoing ON events(id) WHERE ongoing = 1;

-- Read models of the overview and the attackers view, kept exact for the live events by the
-- store: new events are added in the ingest writer's transaction; every change, removal and move
-- to the archive subtracts what the event had added, in the same transaction (see rollup.go).
--
-- event_hours: events per hour (Unix ms / 3600000, UTC) and group, sensor, service,
-- classification and status: the overview's totals and timeline.
CREATE TABLE IF NOT EXISTS event_hours (
    hour           INTEGER NOT NULL,
    group_id       INTEGER NOT NULL,
    sensor_id      INTEGER NOT NULL,
    service        TEXT    NOT NULL,
    classification INTEGER NOT NULL,
    status         INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (hour, group_id, sensor_id, service, classification, status)
) WITHOUT ROWID;

-- port_hours: events per hour, group and target port (events without a port are not counted).
CREATE TABLE IF NOT EXISTS port_hours (
    hour     INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    port     INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (hour, group_id, port)
) WITHOUT ROWID;

-- source_days: events per UTC day (Unix ms / 86400000), group and source address, in the order
-- of the count: for a period of up to eight days, the overview's top sources read the busiest
-- addresses of the period's days first instead of the busiest of all time (see overview.go).
CREATE TABLE IF NOT EXISTS source_days (
    group_id   INTEGER NOT NULL,
    day        INTEGER NOT NULL,
    source_key BLOB    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (group_id, day, source_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS source_days_count ON source_days(group_id, day, n);

-- event_facts: each user name, password, command and HTTP path an event holds (kind 1-4), with
-- how often it holds it. Its key finds the events of a value: the event list's filter on a value.
CREATE TABLE IF NOT EXISTS event_facts (
    kind      INTEGER NOT NULL,
    value     TEXT    NOT NULL,
    timestamp INTEGER NOT NULL,
    event_id  INTEGER NOT NULL,
    group_id  INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (kind, value, timestamp, event_id)
) WITHOUT ROWID;

-- fact_hours: how often each value was tried per hour and group: a value's count in a period
-- reads one row per hour, however often it was tried.
CREATE TABLE IF NOT EXISTS fact_hours (
    kind     INTEGER NOT NULL,
    value    TEXT    NOT NULL,
    hour     INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (kind, value, hour, group_id)
) WITHOUT ROWID;
-- The same rows in the order of time: a top list counted directly reads only its period.
CREATE INDEX IF NOT EXISTS fact_hours_period ON fact_hours(kind, hour, group_id, value, n);

-- fact_totals: the live events' count of each value per group, in the order of the count, so the
-- overview's top lists look at the most frequent values first and stop as soon as no value
-- further down can reach the top (see overview.go).
CREATE TABLE IF NOT EXISTS fact_totals (
    kind     INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    value    TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (kind, group_id, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fact_totals_count ON fact_totals(kind, group_id, n);

-- attackers: one row per source address and group, plus, while there are two groups or more,
-- one per address with group_id 0 for all groups together (what an admin sees), over the live
-- events. classes, services, ports
-- and sensors are JSON objects counting the events per value, so that removing an event takes
-- away exactly its part; first_seen and last_seen are looked up again in events_source when an
-- event at either edge goes.
CREATE TABLE IF NOT EXISTS attackers (
    group_id   INTEGER NOT NULL,
    source_key BLOB    NOT NULL,
    source     TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    events     INTEGER NOT NULL,
    new_events INTEGER NOT NULL,
    logins     INTEGER NOT NULL,
    logins_ok  INTEGER NOT NULL,
    commands   INTEGER NOT NULL,
    classes    TEXT    NOT NULL,
    services   TEXT    NOT NULL,
    ports      TEXT    NOT NULL,
    sensors    TEXT    NOT NULL,
    PRIMARY KEY (group_id, source_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS attackers_last_seen  ON attackers(group_id, last_seen);
CREATE INDEX IF NOT EXISTS attackers_first_seen ON attackers(group_id, first_seen);
CREATE INDEX IF NOT EXISTS attackers_events     ON attackers(group_id, events);

-- Archived events: read-only copies with sensor and group names frozen as text at archive
-- time, details and packets inline. sensor_id and group_id are kept for filtering but are not
-- foreign keys: the sensor or group may be gone.
CREATE TABLE IF NOT EXISTS archived_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    original_id    INTEGER NOT NULL,
    archived_at    INTEGER NOT NULL,
    timestamp      INTEGER NOT NULL,
    sensor_id      INTEGER NOT NULL,
    sensor_name    TEXT    NOT NULL,
    group_id       INTEGER NOT NULL,
    group_name     TEXT    NOT NULL,
    service        TEXT    NOT NULL,
    classification INTEGER NOT NULL,
    source         TEXT    NOT NULL,
    source_key     BLOB    NOT NULL,
    source_port    INTEGER NOT NULL DEFAULT 0,
    target         TEXT    NOT NULL DEFAULT '',
    target_port    INTEGER NOT NULL DEFAULT 0,
    protocol       INTEGER NOT NULL DEFAULT 0,
    summary        TEXT    NOT NULL,
    status         INTEGER NOT NULL,
    comment        TEXT    NOT NULL DEFAULT '',
    modified_at    INTEGER,
    details_count  INTEGER NOT NULL DEFAULT 0,
    packets_count  INTEGER NOT NULL DEFAULT 0,
    details        TEXT    NOT NULL DEFAULT '[]',
    packets        TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS archived_timestamp      ON archived_events(timestamp);
CREATE INDEX IF NOT EXISTS archived_archived_at    ON archived_events(archived_at);
CREATE INDEX IF NOT EXISTS archived_group          ON archived_events(group_id, timestamp);
CREATE INDEX IF NOT EXISTS archived_classification ON archived_events(classification, timestamp);
CREATE INDEX IF NOT EXISTS archived_status         ON archived_events(status, timestamp);

-- Event counts per (dataset, group, sensor, status, classification), so that list totals,
-- the new-events badge and the dashboard never count millions of rows. dataset: 0 live,
-- 1 archive. The triggers below keep them exact for every change except the hot path: new
-- live events are counted by the ingest writer, one upsert per distinct key per batch (a
-- trigger per inserted row made every insert a multi-row statement with its own journal).
CREATE TABLE IF NOT EXISTS event_counts (
    dataset        INTEGER NOT NULL,
    group_id       INTEGER NOT NULL,
    sensor_id      INTEGER NOT NULL,
    status         INTEGER NOT NULL,
    classification INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (dataset, group_id, sensor_id, status, classification)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS events_count_delete AFTER DELETE ON events BEGIN
    UPDATE event_counts SET n = n - 1 WHERE dataset = 0 AND group_id = OLD.group_id
        AND sensor_id = OLD.sensor_id AND status = OLD.status AND classification = OLD.classification;
END;
CREATE TRIGGER IF NOT EXISTS events_count_update AFTER UPDATE OF group_id, sensor_id, status, classification ON events BEGIN
    UPDATE event_counts SET n = n - 1 WHERE dataset = 0 AND group_id = OLD.group_id
        AND sensor_id = OLD.sensor_id AND status = OLD.status AND classification = OLD.classification;
    INSERT INTO event_counts VALUES (0, NEW.group_id, NEW.sensor_id, NEW.status, NEW.classification, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS archived_count_insert AFTER INSERT ON archived_events BEGIN
    INSERT INTO event_counts VALUES (1, NEW.group_id, NEW.sensor_id, NEW.status, NEW.classification, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS archived_count_delete AFTER DELETE ON archived_events BEGIN
    UPDATE event_counts SET n = n - 1 WHERE dataset = 1 AND group_id = OLD.group_id
        AND sensor_id = OLD.sensor_id AND status = OLD.status AND classification = OLD.classification;
END;

INSERT INTO event_hours SELECT timestamp / 3600000, group_id, sensor_id, service, classification, status, count(*)
    FROM events GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO port_hours SELECT timestamp / 3600000, group_id, target_port, count(*)
    FROM events WHERE target_port > 0 GROUP BY 1, 2, 3;
INSERT INTO source_days SELECT group_id, timestamp / 86400000, source_key, count(*) FROM events GROUP BY 1, 2, 3;
CREATE TEMP TABLE upgrade_sources AS
    SELECT group_id AS g, source_key AS k, min(source) AS source, min(timestamp) AS first, max(timestamp) AS last,
        count(*) AS n, sum(status = 0) AS new FROM events GROUP BY 1, 2;
INSERT INTO upgrade_sources SELECT 0, k, min(source), min(first), max(last), sum(n), sum(new) FROM upgrade_sources
    WHERE (SELECT count(*) FROM groups) >= 2 GROUP BY k;
CREATE TEMP TABLE upgrade_counts AS
    SELECT 'c' AS dim, group_id AS g, source_key AS k, CAST(classification AS TEXT) AS v, count(*) AS n FROM events GROUP BY 2, 3, 4
    UNION ALL SELECT 's', group_id, source_key, service, count(*) FROM events GROUP BY 2, 3, 4
    UNION ALL SELECT 'p', group_id, source_key, CAST(target_port AS TEXT), count(*) FROM events WHERE target_port > 0 GROUP BY 2, 3, 4
    UNION ALL SELECT 'n', group_id, source_key, CAST(sensor_id AS TEXT), count(*) FROM events GROUP BY 2, 3, 4;
INSERT INTO upgrade_counts SELECT dim, 0, k, v, sum(n) FROM upgrade_counts WHERE (SELECT count(*) FROM groups) >= 2
    GROUP BY dim, k, v;
CREATE TEMP TABLE upgrade_maps AS SELECT dim, g, k, json_group_object(v, n) AS j FROM upgrade_counts GROUP BY dim, g, k;
CREATE INDEX temp.upgrade_maps_key ON upgrade_maps(g, k, dim);
INSERT INTO attackers SELECT s.g, s.k, s.source, s.first, s.last, s.n, s.new, 0, 0, 0,
    coalesce((SELECT j FROM upgrade_maps m WHERE m.g = s.g AND m.k = s.k AND dim = 'c'), '{}'),
    coalesce((SELECT j FROM upgrade_maps m WHERE m.g = s.g AND m.k = s.k AND dim = 's'), '{}'),
    coalesce((SELECT j FROM upgrade_maps m WHERE m.g = s.g AND m.k = s.k AND dim = 'p'), '{}'),
    coalesce((SELECT j FROM upgrade_maps m WHERE m.g = s.g AND m.k = s.k AND dim = 'n'), '{}')
    FROM upgrade_sources s;
DROP TABLE temp.upgrade_sources;
DROP TABLE temp.upgrade_counts;
DROP TABLE temp.upgrade_maps;
`

// upgradeTo5 records the address of an API token's last use (unknown for earlier uses).
const upgradeTo5 = `
ALTER TABLE api_tokens ADD COLUMN last_used_ip TEXT NOT NULL DEFAULT '';
`

// upgradeTo6 records which sensors speak the original HoneySens 2.x protocol, whose heartbeat
// interval is counted in minutes.
const upgradeTo6 = `
ALTER TABLE sensors ADD COLUMN original INTEGER NOT NULL DEFAULT 0;
`

// upgradeTo7 adds the network settings of a sensor and the container services of original
// HoneySens sensors.
const upgradeTo7 = `
ALTER TABLE sensors ADD COLUMN network TEXT NOT NULL DEFAULT '{}';
CREATE TABLE IF NOT EXISTS sensor_containers (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    sensor_id          INTEGER NOT NULL REFERENCES sensors(id) ON DELETE CASCADE,
    label              TEXT    NOT NULL,
    registry           TEXT    NOT NULL,
    images             TEXT    NOT NULL,
    raw_network_access INTEGER NOT NULL DEFAULT 0,
    catch_all          INTEGER NOT NULL DEFAULT 0,
    port_assignment    TEXT    NOT NULL DEFAULT '{}',
    UNIQUE (sensor_id, label)
);
`

// upgradeTo8 adds the integrations (syslog, webhooks) and their outbox.
const upgradeTo8 = `
-- Integrations: syslog receivers and webhooks that get the selected events. selection is the
-- model's Selection as JSON, settings the kind's own (its package checks them).
CREATE TABLE IF NOT EXISTS outputs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL,
    name          TEXT    NOT NULL UNIQUE,
    enabled       INTEGER NOT NULL DEFAULT 1,
    selection     TEXT    NOT NULL,
    settings      TEXT    NOT NULL,
    last_error    TEXT    NOT NULL DEFAULT '',
    last_error_at INTEGER,
    last_success  INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- The outbox of the outputs: one row per output and event, written in the ingest transaction
-- that stores the event, so a crash neither loses nor repeats a delivery. The state columns
-- mean what they mean in mail_outbox; the event is read when it is sent.
CREATE TABLE IF NOT EXISTS output_outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    output_id    INTEGER NOT NULL REFERENCES outputs(id) ON DELETE CASCADE,
    event_id     INTEGER NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    next_attempt INTEGER NOT NULL,
    give_up_at   INTEGER NOT NULL,
    done_at      INTEGER
);
CREATE INDEX IF NOT EXISTS output_outbox_due ON output_outbox(output_id, status, next_attempt);
`

// upgradeTo9 gives every user a UI language and time zone; empty follows the browser.
const upgradeTo9 = `
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
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
		return fmt.Errorf("store: %s: %w", what, errors.Join(err, tx.Rollback()))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}
