-- HoneySens appliance database: the full current schema.
--
-- A fresh database runs this file once; its last statement stamps the schema version into
-- PRAGMA user_version. Older databases are upgraded step by step by app/store/migrate.go, and
-- every change here needs a matching upgrade step there and a bump of the version below.
-- Timestamps are Unix milliseconds (UTC) in INTEGER columns.

-- Groups (HoneySens "divisions") scope sensors, filter rules and notification contacts.
CREATE TABLE IF NOT EXISTS groups (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
);

-- Users log in to the web UI and the API. role: 1 Observer, 2 Manager, 3 Admin.
-- first_admin marks the account created at first start: it can never be deleted or demoted.
CREATE TABLE IF NOT EXISTS users (
    id                   INTEGER PRIMARY KEY,
    login                TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    full_name            TEXT    NOT NULL DEFAULT '',
    email                TEXT    NOT NULL DEFAULT '',
    role                 INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),
    password_hash        TEXT    NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    first_admin          INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    password_changed_at  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS user_groups (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS user_groups_group ON user_groups(group_id);

-- Browser sessions. Only a SHA-256 of the cookie value is stored, so a copy of the database
-- does not let anyone take over a session.
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

-- Personal API tokens (Authorization: Bearer), stored hashed like sessions.
CREATE TABLE IF NOT EXISTS api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
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

PRAGMA user_version = 1;
