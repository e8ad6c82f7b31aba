package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// statements are the queries of the ingest hot path, parsed once at open instead of on every
// use: parsing SQL was a visible share of ingest time.
type statements struct {
	insertEvent *sql.Stmt // on the writer
	insertData  *sql.Stmt // on the writer
	countEvents *sql.Stmt // on the writer
	indexEvent  *sql.Stmt // on the writer
	sensor      *sql.Stmt // on the readers
}

func prepare(ctx context.Context, w, r *sql.DB) (*statements, error) {
	st := &statements{}
	for _, p := range []struct {
		db   *sql.DB
		dst  **sql.Stmt
		text string
	}{
		{w, &st.insertEvent, `INSERT INTO events (timestamp, sensor_id, group_id, service, classification,
			source, source_key, source_port, target, target_port, protocol, summary, status, details_count, packets_count)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`},
		{w, &st.insertData, `INSERT INTO event_data (event_id, details, packets) VALUES (?,?,?)`},
		{w, &st.countEvents, `INSERT INTO event_counts VALUES (0, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n`},
		{w, &st.indexEvent, `INSERT INTO events_fts (rowid, summary, comment) VALUES (?, ?, '')`},
		{r, &st.sensor, `SELECT ` + sensorColumns + ` FROM sensors WHERE id = ?`},
	} {
		stmt, err := p.db.PrepareContext(ctx, p.text)
		if err != nil {
			st.close()
			return nil, fmt.Errorf("store: prepare: %w", err)
		}
		*p.dst = stmt
	}
	return st, nil
}

func (st *statements) close() {
	for _, s := range []*sql.Stmt{st.insertEvent, st.insertData, st.countEvents, st.indexEvent, st.sensor} {
		if s != nil {
			s.Close()
		}
	}
}

// stmtCache keeps the event list's generated queries parsed. Their text depends on the shape
// of the filter (which filters, how many values, which order), not on its values, so a few
// texts serve every request; parsing the longer ones took a tenth of a search.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxCachedStatements bounds the cache; when full it starts over, so unusual filters cannot
// grow it.
const maxCachedStatements = 64

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// stmt returns the parsed query. It is prepared outside the lock: preparing waits for a free
// connection, which a caller holding the lock must never do.
func (c *stmtCache) stmt(ctx context.Context, text string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.m[text]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := c.m[text]; ok {
		st.Close() // prepared twice at the same time: keep the first
		return have, nil
	}
	if len(c.m) >= maxCachedStatements {
		c.closeLocked()
	}
	c.m[text] = st
	return st, nil
}

// query runs the query through its parsed statement. (A statement closed by a reset while
// its rows are still read stays alive until they are closed: database/sql counts them.)
func (c *stmtCache) query(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, text)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a one-row query through its parsed statement and scans the row into dest.
func (c *stmtCache) queryRow(ctx context.Context, text string, args []any, dest ...any) error {
	st, err := c.stmt(ctx, text)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

func (c *stmtCache) closeLocked() {
	for text, st := range c.m {
		st.Close()
		delete(c.m, text)
	}
}
