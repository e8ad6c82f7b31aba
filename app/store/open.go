// Package store is the only user of database/sql: it opens the SQLite file, keeps its schema
// current and holds one file of queries per entity.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
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
	// changes is the writer's total_changes() at the last ReleaseIdleMemory.
	changes atomic.Int64
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
	// The writer syncs the WAL at every commit (FULL): an event the sensor was told is stored
	// survives a power cut, not only a crash of the process, which NORMAL already covers.
	// Commits are grouped (one per ingest batch), so the sync is paid per batch; its cost is in
	// the README's bench figures. Readers write nothing.
	if readOnly {
		q.Add("_pragma", "synchronous(NORMAL)")
	} else {
		q.Add("_pragma", "synchronous(FULL)")
	}
	q.Add("_pragma", "foreign_keys(1)")
	// The event_counts triggers make every insert a multi-row change, for which SQLite keeps a
	// statement journal; in a temp file that costs a write syscall per page (a third of all
	// insert time, measured), in memory it costs nothing.
	q.Add("_pragma", "temp_store(MEMORY)")
	// Page cache per connection (the default is 2 MiB): 32 MiB for the writer keeps the index
	// pages that inserts touch in memory past a million events; 8 MiB for each reader, whose
	// pages the OS page cache holds anyway. At most 64 MiB in all, as SQLite counts, for a 1 GB
	// Raspberry Pi. In RSS a full cache costs nearly twice that: modernc's allocator puts each
	// page (4 KiB and ~300 bytes of headers) in an 8 KiB slot. Measured on a million events, a
	// login, the overview, a few lists and filters and one CSV export left 54-70 MB of page
	// cache in RSS, the idle appliance's whole budget twice over; ReleaseIdleMemory hands it
	// back once the writer is quiet, so the sizes only matter while the appliance works.
	// Measured there too (2-core VM, the file in the OS page cache): the batched insert with
	// rollups from 1.0 to 1.2 million events ran at 8.7-9.1k events/s with a writer cache of
	// 8, 16 or 32 MiB alike, at a peak RSS of 72, 88 and 119 MB; on a Pi whose page cache cannot
	// hold the file the writer's own cache may matter more, so it stays until measured there.
	// The readers' size shows only in filters that scan: the username filter took 143, 155 and
	// 169 ms with 8, 4 and 2 MiB; list pages, the overview and search did not change.
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

// quietChanges is how many rows the writer may change between two ReleaseIdleMemory calls
// (a minute apart) for the database to count as quiet. The heartbeat and status jobs change a
// few rows a minute and an event about eight (its row, data, counts, search index and read
// models; measured in the test), so up to about two events a second is quiet; ingest in
// earnest changes thousands of rows a second and keeps its cache.
const quietChanges = 1000

// ReleaseIdleMemory empties SQLite's page cache if the writer changed fewer than quietChanges
// rows since the last call, and reports whether it did. modernc builds SQLite with
// SQLITE_ENABLE_MEMORY_MANAGEMENT, so all connections share one page cache and
// PRAGMA shrink_memory on the writer frees the readers' unused pages too (measured: 68 MB in
// 18 ms after a session of lists and an export on a million events; closing the readers as
// well freed only 0.7 MB more). Pages come back from the OS page cache on their next use, so
// the cost is a few extra reads of the first queries after a quiet minute (measured on a
// million events: a list page 0.2-0.5 ms, the username filter 9%); under ingest the cache is
// left alone. Called once a minute by the appliance.
func (s *Store) ReleaseIdleMemory(ctx context.Context) (bool, error) {
	var n int64
	if err := s.w.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&n); err != nil {
		return false, err
	}
	if n-s.changes.Swap(n) >= quietChanges {
		return false, nil
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA shrink_memory`); err != nil {
		return false, err
	}
	return true, nil
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
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// ms converts a time to the Unix milliseconds stored in every timestamp column.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS converts stored Unix milliseconds back to a UTC time.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
