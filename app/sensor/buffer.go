package sensor

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the CGO-free "sqlite" driver
)

// Buffer is the remote sensor's durable event queue: events wait in it until the server has
// committed them, across outages of the server and restarts or crashes of the sensor.
//
// It is one table in an SQLite file. The binary embeds SQLite anyway, and a commit gives what a
// queue on disk needs without code of its own: an event is stored whole or not at all (no torn
// line to repair after a crash), and synchronous=FULL syncs the write-ahead log before the
// commit returns. What it guarantees:
//   - Stored before acknowledged: Append returns once its events are committed and synced, so
//     an event a honeypot was told is stored survives kill -9 and a power cut. Appends that
//     arrive together share one commit.
//   - Bounded: the events held take at most maxBytes, counted as their wire lines plus a
//     newline. An event that does not fit is dropped and counted; Append never waits for room.
//     Delivered rows free their pages for new ones, so the file stays near the bound (SQLite's
//     page overhead, and a write-ahead log cut back to walLimit after each checkpoint).
//   - Drops counted: the count is kept in the file, in the commit of the events beside it (a
//     drop with nothing stored is written at most once a second and at Close).
//   - Delivered once: events leave only through Ack, which the uploader calls after the server
//     committed their batch. A batch's id is a hash of its events (see Remote.upload), and the
//     batch NextBatch handed out stays the next one until it is acknowledged, across restarts
//     too, so a batch sent again after a lost answer or a crash carries the same events and id,
//     and the server stores it once.
//
// One process at a time: the file is opened in exclusive locking mode.
type Buffer struct {
	db       *sql.DB
	maxBytes int64
	log      *slog.Logger

	writeMu sync.Mutex // one transaction at a time
	full    bool       // dropping now (logged once per episode); under writeMu
	saved   time.Time  // when the drop count was last written; under writeMu
	batch   int        // events of the batch handed out and not acknowledged; under writeMu

	queueMu    sync.Mutex
	queue      []*appendRequest // appends waiting for the next commit
	committing bool             // an append is committing the queue (see Append)
	closed     bool

	size    atomic.Int64 // bytes of the events held, as the bound counts them
	dropped atomic.Int64 // events dropped because the buffer was full, over its lifetime
}

// Buffer defaults.
const (
	DefaultBufferMax = 64 << 20
	walLimit         = 4 << 20 // bytes the write-ahead log keeps after a checkpoint
)

// ErrBufferClosed is returned by a closed buffer.
var ErrBufferClosed = errors.New("sensor buffer: closed")

const bufferSchema = `
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, line BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;`

// OpenBuffer opens (or creates) the buffer file at path, bounded to maxBytes of events (0: the
// default, 64 MiB). The segment directory an earlier version kept beside it (path without its
// extension) is moved into the file once and removed (see importSegments).
func OpenBuffer(path string, maxBytes int64, log *slog.Logger) (*Buffer, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultBufferMax
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sensor buffer: %w", err)
	}
	q := url.Values{}
	// Exclusive before WAL: the lock is held from the first access, so a second process fails
	// at once, and the WAL index lives in memory (no -shm file).
	q.Add("_pragma", "locking_mode(EXCLUSIVE)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", walLimit))
	// Appends touch the last pages and uploads the first: 256 KiB of page cache instead of the
	// default 2 MiB keeps the same append rate with 2 MB less peak RSS (BenchmarkBufferAppend).
	q.Add("_pragma", "cache_size(-256)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sensor buffer: %w", err)
	}
	// One connection: the lock is per connection, and the queue has one writer anyway.
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	b := &Buffer{db: db, maxBytes: maxBytes, log: log}
	if err := b.load(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sensor buffer %s: %w", path, err)
	}
	old := strings.TrimSuffix(path, filepath.Ext(path))
	if err := b.importSegments(old); err != nil {
		db.Close()
		return nil, fmt.Errorf("sensor buffer: import of %s: %w", old, err)
	}
	return b, nil
}

// load creates the tables (taking the file's lock) and reads the size and the drop count.
func (b *Buffer) load() error {
	if _, err := b.db.Exec(`BEGIN IMMEDIATE;` + bufferSchema + `COMMIT;`); err != nil {
		return err
	}
	var size, dropped int64
	err := b.db.QueryRow(`SELECT (SELECT coalesce(sum(length(line) + 1), 0) FROM events),
		coalesce((SELECT value FROM counters WHERE name = 'dropped'), 0),
		coalesce((SELECT value FROM counters WHERE name = 'batch'), 0)`).Scan(&size, &dropped, &b.batch)
	b.size.Store(size)
	b.dropped.Store(dropped)
	return err
}

// write runs fn in one transaction, refusing a closed buffer; the size and the drop count fn
// changed are restored when the commit fails. Call with writeMu held.
func (b *Buffer) write(fn func(tx *sql.Tx) error) error {
	if b.isClosed() {
		return ErrBufferClosed
	}
	size, dropped := b.size.Load(), b.dropped.Load()
	tx, err := b.db.Begin()
	if err == nil {
		if err = fn(tx); err == nil {
			err = tx.Commit()
		} else {
			err = errors.Join(err, tx.Rollback())
		}
	}
	if err != nil {
		b.size.Store(size)
		b.dropped.Store(dropped)
		return fmt.Errorf("sensor buffer: %w", err)
	}
	return nil
}

func (b *Buffer) isClosed() bool {
	b.queueMu.Lock()
	defer b.queueMu.Unlock()
	return b.closed
}

// Peek returns up to n events from the head of the queue without removing them.
func (b *Buffer) Peek(n int) ([][]byte, error) { return b.PeekLimit(n, 0) }

// PeekLimit is Peek that also stops before the events' total size passes maxBytes (0: no
// limit); it always returns at least one event when there is one.
func (b *Buffer) PeekLimit(n int, maxBytes int64) ([][]byte, error) {
	if b.isClosed() {
		return nil, ErrBufferClosed
	}
	rows, err := b.db.Query(`SELECT line FROM events ORDER BY seq LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("sensor buffer: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	var size int64
	for rows.Next() {
		var line []byte
		if err := rows.Scan(&line); err != nil {
			return nil, fmt.Errorf("sensor buffer: %w", err)
		}
		if maxBytes > 0 && len(out) > 0 && size+int64(len(line)) > maxBytes {
			break
		}
		out = append(out, line)
		size += int64(len(line))
	}
	return out, rows.Err()
}

// NextBatch returns the events to upload next: the batch handed out before if it was not
// acknowledged, else up to n events and maxBytes from the head (see PeekLimit), recorded as
// the batch in the same file. A smaller n than the batch handed out forms a new one: the
// uploader narrows a batch whose content the server refused, and so did not store.
func (b *Buffer) NextBatch(n int, maxBytes int64) ([][]byte, error) {
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if b.batch > 0 && b.batch <= n {
		return b.PeekLimit(b.batch, 0)
	}
	lines, err := b.PeekLimit(n, maxBytes)
	if err != nil || len(lines) == 0 {
		return lines, err
	}
	if err := b.write(func(tx *sql.Tx) error { return setCounter(tx, "batch", int64(len(lines))) }); err != nil {
		return nil, err
	}
	b.batch = len(lines)
	return lines, nil
}

// Ack removes the first n events (those a Peek or NextBatch returned) from the queue, in one
// commit; the batch handed out is then done.
func (b *Buffer) Ack(n int) error {
	if n <= 0 {
		return nil
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	err := b.write(func(tx *sql.Tx) error {
		var count, size int64
		err := tx.QueryRow(`SELECT count(*), coalesce(sum(length(line) + 1), 0)
			FROM (SELECT line FROM events ORDER BY seq LIMIT ?)`, n).Scan(&count, &size)
		if err != nil {
			return err
		}
		if count < int64(n) {
			return fmt.Errorf("ack of %d events, only %d buffered", n, count)
		}
		if _, err := tx.Exec(`DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?)`, n); err != nil {
			return err
		}
		b.size.Add(-size)
		return setCounter(tx, "batch", 0)
	})
	if err == nil {
		b.batch = 0
	}
	return err
}

// Empty reports whether every buffered event was acknowledged.
func (b *Buffer) Empty() bool { return b.Pending() == 0 }

// Pending is the size in bytes of the events not yet acknowledged (the bound applies to it).
func (b *Buffer) Pending() int64 { return b.size.Load() }

// Dropped is how many events were dropped because the buffer was full, over its lifetime.
func (b *Buffer) Dropped() int64 { return b.dropped.Load() }

// Close writes the drop count, folds the write-ahead log into the file and releases it.
func (b *Buffer) Close() error {
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if b.isClosed() {
		return nil
	}
	err := b.write(func(tx *sql.Tx) error { return b.countDrops(tx, 0, false) })
	b.queueMu.Lock()
	b.closed = true
	b.queueMu.Unlock()
	_, cerr := b.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	return errors.Join(err, cerr, b.db.Close())
}
