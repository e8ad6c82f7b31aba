-- HoneySens appliance database: the full current schema.
--
-- A fresh database runs this file once; its last statement stamps the schema version into
-- PRAGMA user_version. Older databases are upgraded step by step by app/store/migrate.go, and
-- every change here needs a matching upgrade step there and a bump of the version below.
-- Timestamps are Unix milliseconds (UTC) in INTEGER columns.

-- Ids of groups, users, sensors, tokens, filter rules and events are never reused
-- (AUTOINCREMENT): archived events keep the group and sensor ids of deleted ones, and the UI's
-- live update compares event ids.

-- Groups (HoneySens "divisions") scope sensors, filter rules and notification contacts.
CREATE TABLE IF NOT EXISTS groups (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
);

-- Users log in to the web UI and the API. role: 1 Observer, 2 Manager, 3 Admin.
-- first_admin marks the account created at first start: it can never be deleted or demoted.
CREATE TABLE IF NOT EXISTS users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    login                TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    full_name            TEXT    NOT NULL DEFAULT '',
    email                TEXT    NOT NULL DEFAULT '',
    role                 INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),
    password_hash        TEXT    NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    first_admin          INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    password_changed_at  INTEGER NOT NULL,
    language             TEXT    NOT NULL DEFAULT '', -- UI language (en, de); '' follows the browser
    time_zone            TEXT    NOT NULL DEFAULT ''  -- IANA zone for times in the UI; '' follows the browser
);

CREATE TABLE IF NOT EXISTS user_groups (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS user_groups_group ON user_groups(group_id);

-- Browser sessions. Only a SHA-256 of the cookie value is stored, so a copy of the database
-- does not let anyone take over a session. ip is the address the session was last seen from
-- (updated with last_seen), so that its owner notices a cookie used elsewhere.
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    ip         TEXT    NOT NULL DEFAULT '',
    user_agent TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);

-- Personal API tokens (Authorization: Bearer), stored hashed like sessions. last_used_ip is
-- the address of the last use.
CREATE TABLE IF NOT EXISTS api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    last_used_ip TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS api_tokens_user ON api_tokens(user_id);

-- Audit log: who did what to which object, when and from where. user_login is kept as text so
-- the trail survives the deletion of the user.
CREATE TABLE IF NOT EXISTS audit_log (
    id          INTEGER PRIMARY KEY,
    time        INTEGER NOT NULL,
    user_id     INTEGER,
    user_login  TEXT    NOT NULL DEFAULT '',
    ip          TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL DEFAULT '',
    object_id   INTEGER,
    object_name TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT ''
);

-- Settings an operator changes in the UI after install, one JSON object per section
-- (archive, smtp, ...). A missing section means its defaults.
CREATE TABLE IF NOT EXISTS settings (
    section    TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Sensors report events. The secret is the HMAC key of the HoneySens sensor protocol.
-- update_interval is in seconds; a sensor is offline once it is silent for longer than that
-- plus a tolerance. last_status_ts guards heartbeats against replays.
CREATE TABLE IF NOT EXISTS sensors (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    location        TEXT    NOT NULL DEFAULT '',
    group_id        INTEGER NOT NULL REFERENCES groups(id),
    secret          TEXT    NOT NULL,
    update_interval INTEGER NOT NULL DEFAULT 60,
    created_at      INTEGER NOT NULL,
    last_contact    INTEGER,
    last_ip         TEXT    NOT NULL DEFAULT '',
    sw_version      TEXT    NOT NULL DEFAULT '',
    last_status_ts  INTEGER NOT NULL DEFAULT 0,
    local           INTEGER NOT NULL DEFAULT 0, -- the appliance's own, built-in sensor
    dropped_events  INTEGER NOT NULL DEFAULT 0, -- events a remote sensor had to drop (buffer full)
    original        INTEGER NOT NULL DEFAULT 0, -- speaks the original HoneySens 2.x protocol (its last heartbeat did)
    network         TEXT    NOT NULL DEFAULT '{}' -- JSON model.SensorNetwork: address, proxy, EAPOL, endpoint overrides
);
CREATE INDEX IF NOT EXISTS sensors_group ON sensors(group_id);

-- The honeypot services assigned to each sensor with their settings (JSON, one object per
-- service kind) and their live state as the sensor last reported it: running, or error with
-- the reason (port in use, ...).
CREATE TABLE IF NOT EXISTS sensor_services (
    sensor_id  INTEGER NOT NULL REFERENCES sensors(id) ON DELETE CASCADE,
    service    TEXT    NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1,
    config     TEXT    NOT NULL DEFAULT '{}',
    state      TEXT    NOT NULL DEFAULT '',
    error      TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (sensor_id, service)
) WITHOUT ROWID;

-- Container services assigned to original HoneySens sensors: a label, the registry and the
-- image per architecture (JSON object), how the container is networked and its published ports
-- (JSON object). The id is the service id the sensor knows the container by.
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

-- Sensor status history: one row per change between online and offline (the first contact
-- included), written by the timeout check. The newest row per sensor says since when it is in
-- its current state.
CREATE TABLE IF NOT EXISTS sensor_status_log (
    id        INTEGER PRIMARY KEY,
    sensor_id INTEGER NOT NULL REFERENCES sensors(id) ON DELETE CASCADE,
    time      INTEGER NOT NULL,
    online    INTEGER NOT NULL,
    mailed    INTEGER NOT NULL DEFAULT 0 -- 1 once the notifications for this change are queued
);
CREATE INDEX IF NOT EXISTS sensor_status_log_sensor ON sensor_status_log(sensor_id, id);
CREATE INDEX IF NOT EXISTS sensor_status_log_unmailed ON sensor_status_log(id) WHERE mailed = 0;

-- Batches of events the remote sensors of this appliance delivered, by the id the sensor gave
-- them, committed together with their events: a batch sent again because the answer was lost
-- (server crash, network cut) is recognised and not stored twice. Kept for a week.
CREATE TABLE IF NOT EXISTS ingest_batches (
    sensor_id INTEGER NOT NULL REFERENCES sensors(id) ON DELETE CASCADE,
    batch     TEXT    NOT NULL,
    time      INTEGER NOT NULL,
    PRIMARY KEY (sensor_id, batch)
) WITHOUT ROWID;

-- Filter rules drop incoming events of their group's sensors that match ALL conditions
-- (a JSON list of {attribute, value}). hits counts the events each rule dropped; it is raised
-- in the same transaction that commits the batch the events came in.
CREATE TABLE IF NOT EXISTS filter_rules (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT    NOT NULL DEFAULT '',
    enabled     INTEGER NOT NULL DEFAULT 1,
    hits        INTEGER NOT NULL DEFAULT 0,
    conditions  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Live events. group_id is the sensor's group, copied at ingest so that scoping, filtering and
-- sorting by group need no join. classification: 0 Unknown, 1 ICMP, 2 Connection attempt,
-- 3 Honeypot, 4 Scan; status: 0 New, 1 In progress, 2 Resolved, 3 Ignored; protocol: 0 unknown,
-- 1 TCP, 2 UDP, 3 ICMP. source_key is the source address as 16 bytes (IPv4 mapped into IPv6),
-- so that sorting by source orders addresses, not strings. Ports are 0 when unknown.
CREATE TABLE IF NOT EXISTS events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp      INTEGER NOT NULL,
    sensor_id      INTEGER NOT NULL REFERENCES sensors(id),
    group_id       INTEGER NOT NULL,
    service        TEXT    NOT NULL,
    classification INTEGER NOT NULL,
    source         TEXT    NOT NULL,
    source_key     BLOB    NOT NULL,
    source_port    INTEGER NOT NULL DEFAULT 0,
    target         TEXT    NOT NULL DEFAULT '',
    target_port    INTEGER NOT NULL DEFAULT 0,
    protocol       INTEGER NOT NULL DEFAULT 0,
    summary        TEXT    NOT NULL,
    status         INTEGER NOT NULL DEFAULT 0,
    comment        TEXT    NOT NULL DEFAULT '',
    modified_at    INTEGER,
    details_count  INTEGER NOT NULL DEFAULT 0,
    packets_count  INTEGER NOT NULL DEFAULT 0,
    ongoing        INTEGER NOT NULL DEFAULT 0 -- 1 while the attacker's session is still open
);
-- Indexes for the event list. Every sort orders by (column, timestamp, id), all in the
-- chosen direction: equal values are ordered by time. Each index (column, timestamp) ends with
-- the rowid, so it serves that whole order for keyset paging, AND a filter on the column with
-- the default newest-first order. The store picks the index per query (see events_query.go).
CREATE INDEX IF NOT EXISTS events_timestamp      ON events(timestamp);
CREATE INDEX IF NOT EXISTS events_status         ON events(status, timestamp);
CREATE INDEX IF NOT EXISTS events_group          ON events(group_id, timestamp);
CREATE INDEX IF NOT EXISTS events_sensor         ON events(sensor_id, timestamp);
CREATE INDEX IF NOT EXISTS events_classification ON events(classification, timestamp);
-- events_source also holds the filtered columns: a search for the start of an address
-- (10.0.) reads thousands of its entries, and tests and counts them against the list's
-- filters without reading a single row.
CREATE INDEX IF NOT EXISTS events_source         ON events(source_key, timestamp, status, classification, group_id, sensor_id);
CREATE INDEX IF NOT EXISTS events_target_port    ON events(target_port, timestamp);
CREATE INDEX IF NOT EXISTS events_summary        ON events(summary, timestamp);

-- Full-text index for the event list's search in summaries and comments: trigrams, so any
-- substring of three or more characters is found through the index. It keeps no copy of the
-- text (content is the events table) and no positions (detail=none), which costs about 40 bytes
-- per event. A look-up asks for the rows holding every trigram of the term and tests the term
-- on those; the daily maintenance merges the index into one segment, so that a trigram costs
-- one seek instead of one per segment. Source addresses are not in it: a search for an
-- address, or the start of one, seeks the events_source index instead (address trigrams are
-- so common that their lists made every lookup slow). New events are indexed by the ingest
-- writer; deletions and comment changes by the triggers below.
CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(summary, comment,
    content='events', content_rowid='id', tokenize='trigram', detail='none');
CREATE TRIGGER IF NOT EXISTS events_fts_delete AFTER DELETE ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, summary, comment) VALUES ('delete', OLD.id, OLD.summary, OLD.comment);
END;
CREATE TRIGGER IF NOT EXISTS events_fts_comment AFTER UPDATE OF comment ON events BEGIN
    INSERT INTO events_fts (events_fts, rowid, summary, comment) VALUES ('delete', OLD.id, OLD.summary, OLD.comment);
    INSERT INTO events_fts (rowid, summary, comment) VALUES (NEW.id, NEW.summary, NEW.comment);
END;

-- The details ("Additional information", "Sensor interaction") and packets of an event as JSON
-- arrays: read only when one event is opened, so they stay out of the list's table and pages.
-- facts is what the attacker tried as structured values, {"logins": [...], "commands": [...],
-- "paths": [...]}: shown with the event, and read back when the event leaves the live table
-- so that the rollups below lose exactly what it added.
CREATE TABLE IF NOT EXISTS event_data (
    event_id INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
    details  TEXT NOT NULL DEFAULT '[]',
    packets  TEXT NOT NULL DEFAULT '[]',
    facts    TEXT NOT NULL DEFAULT '{}'
);

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
    packets        TEXT    NOT NULL DEFAULT '[]',
    facts          TEXT    NOT NULL DEFAULT '{}'
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

PRAGMA user_version = 9;
