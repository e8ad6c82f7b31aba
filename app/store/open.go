// Package store is the only user of database/sql: it opens the SQLite file, keeps its schema
// current and holds one file of queries per entity.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // registers the CGO-free "sqlite" driver
)

// Store holds two pools on one database file. All writes go through w, which has exactly one
// connection: SQLite allows one writer at a time anyway, and queueing in Go instead of in
// SQLite's busy handler keeps the worst write latency in milliseconds instead of seconds.
// Reads use r, a small query_only pool that runs beside the writer thanks to WAL.
type Store struct {
	w      *sql.DB
	r      *sql.DB
	path   string
	now    func() time.Time
	stmts  *statements
	lists  *stmtCache       // the event list's queries, on the readers
	wstmts writerStatements // the rollups' statements (see prepared)
	// rollups says whether event changes maintain the overview's and the attackers view's
	// read models; always, except in the bench's baseline that measures what they cost.
	rollups bool
	// walkBudget bounds the overview's ranked walks (see defaultWalkBudget).
	walkBudget int
}

// readers is the size of the read pool: enough for the UI and API on a 2-4 core Pi, small
// enough that each connection's page cache stays affordable.
const readers = 4

// dsn builds the modernc connection string. busy_timeout comes first so that the pragmas after
// it already wait for a lock instead of failing; _txlock=immediate makes every BEGIN take the
// write lock at once, so a read-then-write transaction can never fail half way with SQLITE_BUSY.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// The event_counts triggers make every insert a multi-row change, for which SQLite keeps a
	// statement journal; in a temp file that costs a write syscall per page (a third of all
	// insert time, measured), in memory it costs nothing.
	q.Add("_pragma", "temp_store(MEMORY)")
	// Page cache per connection (the default is 2 MiB): 32 MiB for the writer keeps the index
	// pages that inserts touch in memory past a million events; 8 MiB for each reader, whose
	// pages the OS page cache holds anyway. At most 64 MiB in all, for a 1 GB Raspberry Pi.
	if readOnly {
		q.Add("_pragma", "cache_size(-8000)")
	} else {
		q.Add("_pragma", "cache_size(-32000)")
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and brings its schema to the version of
// schemaSQL. A database newer than the binary is refused.
func Open(ctx context.Context, path, schemaSQL string) (*Store, error) {
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The driver reports a bad DSN or an unwritable file only at the first query, so fail here.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := migrate(ctx, w, schemaSQL, upgrades); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	st, err := prepare(ctx, w, r)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	ws, err := prepareWriter(ctx, w, rollupStatements)
	if err != nil {
		st.close()
		w.Close()
		r.Close()
		return nil, err
	}
	return &Store{w: w, r: r, path: path, now: time.Now, stmts: st, lists: newStmtCache(r), wstmts: ws,
		rollups: true, walkBudget: defaultWalkBudget}, nil
}

// WithoutRollups stops maintaining the read models of the overview and the attackers view, so
// that the bench can measure ingest with and without them on the same machine (and tests of
// other parts can fill a database faster). A store in this mode must never be used by the
// appliance: its overview would drift from its events.
func (s *Store) WithoutRollups() { s.rollups = false }

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close checkpoints the WAL into the main file, so that the database is one self-contained file
// while the appliance is down, and closes both pools.
func (s *Store) Close() error {
	s.stmts.close()
	s.lists.close()
	s.wstmts.close()
	_, cerr := s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	rerr := s.r.Close()
	werr := s.w.Close()
	return errors.Join(cerr, rerr, werr)
}

// write runs fn in one transaction on the writer connection.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// ms converts a time to the Unix milliseconds stored in every timestamp column.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS converts stored Unix milliseconds back to a UTC time.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
