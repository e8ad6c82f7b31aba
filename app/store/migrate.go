package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// upgrade brings a database from version to-1 to version to.
type upgrade struct {
	to  int
	sql string
}

// upgrades lists every schema change since version 1, oldest first. A change to schema.sql
// adds its step here with the same effect, so an appliance that was installed earlier reaches
// exactly the schema a fresh install gets (TestUpgradeFixtures upgrades a database of every
// release and compares). A step's line "-- schema.sql: name ..." runs the CREATE statements of
// those tables, indexes and triggers as schema.sql has them, so a new table is written once.
// That holds while schema.sql defines them as they were at that version: a later change to one
// of them writes the old statement into the older step instead (the fixtures of the versions
// before that step fail until it does).
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
-- schema.sql: events_fts events_fts_delete events_fts_comment
INSERT INTO events_fts (events_fts) VALUES ('rebuild');
ALTER TABLE sensor_status_log ADD COLUMN mailed INTEGER NOT NULL DEFAULT 0;
UPDATE sensor_status_log SET mailed = 1;
-- schema.sql: sensor_status_log_unmailed group_contacts group_contacts_group group_contacts_user
-- schema.sql: mail_templates mail_outbox mail_outbox_due mail_outbox_kind mail_storms notify_marks
`

// upgradeTo3 adds the filtered columns to events_source, so that a search for the start of an
// address tests and counts its matches in the index (a few seconds per million events, once).
const upgradeTo3 = `
DROP INDEX events_source;
-- schema.sql: events_source
`

// upgradeTo4 adds the sessions of events that grow while an attacker stays, the structured facts
// of an event, and the read models of the overview and the attackers view, filled from the
// live events (events stored before have no facts: their top lists start empty). About ten
// seconds per million events, once.
const upgradeTo4 = `
ALTER TABLE events ADD COLUMN ongoing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE event_data ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE archived_events ADD COLUMN facts TEXT NOT NULL DEFAULT '{}';
-- schema.sql: event_sessions event_sessions_updated event_sessions_event events_ongoing
-- schema.sql: event_hours port_hours source_days source_days_count
-- schema.sql: event_facts fact_hours fact_hours_period fact_totals fact_totals_count
-- schema.sql: attackers attackers_last_seen attackers_first_seen attackers_events
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
-- schema.sql: sensor_containers
`

// upgradeTo8 adds the integrations (syslog, webhooks) and their outbox.
const upgradeTo8 = `
-- schema.sql: outputs output_outbox output_outbox_due
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
		script, err := withSchemaStatements(st.sql, schemaSQL)
		if err != nil {
			return fmt.Errorf("store: upgrade to version %d: %w", st.to, err)
		}
		if err := inTx(ctx, db, script+fmt.Sprintf("\nPRAGMA user_version = %d;", st.to), fmt.Sprintf("upgrade to version %d", st.to)); err != nil {
			return err
		}
		have = st.to
	}
	if have != want {
		return fmt.Errorf("store: no upgrade step from schema version %d to %d", have, have+1)
	}
	return nil
}

var (
	schemaLine   = regexp.MustCompile(`(?m)^-- schema\.sql: (.+)$`)
	createLine   = regexp.MustCompile(`(?m)^CREATE (?:VIRTUAL )?(TABLE|INDEX|TRIGGER) IF NOT EXISTS (\w+)\b`)
	statementEnd = regexp.MustCompile(`(?m);[ \t]*(?:--.*)?$`)
	triggerEnd   = regexp.MustCompile(`(?m)^END;$`)
)

// withSchemaStatements replaces each "-- schema.sql: name ..." line of an upgrade step with the
// CREATE statements of those objects in schemaSQL, in the order named.
func withSchemaStatements(step, schemaSQL string) (string, error) {
	var missing []string
	script := schemaLine.ReplaceAllStringFunc(step, func(line string) string {
		var b strings.Builder
		for _, name := range strings.Fields(schemaLine.FindStringSubmatch(line)[1]) {
			stmt, ok := schemaStatement(schemaSQL, name)
			if !ok {
				missing = append(missing, name)
				continue
			}
			b.WriteString(stmt + "\n")
		}
		return b.String()
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("schema.sql has no CREATE ... IF NOT EXISTS statement for %s", strings.Join(missing, ", "))
	}
	return script, nil
}

// schemaStatement finds the statement that creates the table, index or trigger name: from its
// CREATE line to the first line ending in ";" (a trigger's body ends at a line "END;").
func schemaStatement(schemaSQL, name string) (string, bool) {
	for _, m := range createLine.FindAllStringSubmatchIndex(schemaSQL, -1) {
		if schemaSQL[m[4]:m[5]] != name {
			continue
		}
		end := statementEnd
		if schemaSQL[m[2]:m[3]] == "TRIGGER" {
			end = triggerEnd
		}
		loc := end.FindStringIndex(schemaSQL[m[0]:])
		if loc == nil {
			return "", false
		}
		return schemaSQL[m[0] : m[0]+loc[1]], true
	}
	return "", false
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
