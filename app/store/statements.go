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
	sensorGroup *sql.Stmt // on the writer: the group an event joins (commit.currentGroup)
	outputs     *sql.Stmt // on the writer: the enabled outputs (commit.queueOutputs)
	queueOutput *sql.Stmt // on the writer
	findSession *sql.Stmt // on the writer: the event a session's earlier report made (commit.event)
	addSession  *sql.Stmt // on the writer
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
			source, source_key, source_port, target, target_port, protocol, summary, status, details_count, packets_count, ongoing)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`},
		{w, &st.insertData, `INSERT INTO event_data (event_id, details, packets, facts) VALUES (?,?,?,?)`},
		{w, &st.countEvents, `INSERT INTO event_counts VALUES (0, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n`},
		{w, &st.indexEvent, `INSERT INTO events_fts (rowid, summary, comment) VALUES (?, ?, '')`},
		{w, &st.sensorGroup, `SELECT group_id FROM sensors WHERE id = ?`},
		{w, &st.outputs, `SELECT id, selection FROM outputs WHERE enabled = 1`},
		{w, &st.queueOutput, `INSERT INTO output_outbox (output_id, event_id, created_at, next_attempt, give_up_at) VALUES (?,?,?,?,?)`},
		{w, &st.findSession, `SELECT event_id, revision FROM event_sessions WHERE sensor_id = ? AND session = ?`},
		{w, &st.addSession, `INSERT INTO event_sessions (sensor_id, session, event_id, revision, updated_at) VALUES (?,?,?,?,?)`},
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
	for _, s := range []*sql.Stmt{st.insertEvent, st.insertData, st.countEvents, st.indexEvent, st.sensorGroup, st.outputs,
		st.queueOutput, st.findSession, st.addSession, st.sensor} {
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
	m  map[string]*cachedStmt
}

// cachedStmt is one parsed query and how many callers are about to run it: a statement the
// cache drops is closed when its last caller is done with it, never under a caller.
type cachedStmt struct {
	st      *sql.Stmt
	users   int
	dropped bool
}

// maxCachedStatements bounds the cache; when full it starts over, so unusual filters cannot
// grow it.
const maxCachedStatements = 64

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*cachedStmt{}}
}

// acquire returns the parsed query for one use; release must follow. It is prepared outside
// the lock: preparing waits for a free connection, which a caller holding the lock must never
// do.
func (c *stmtCache) acquire(ctx context.Context, text string) (*cachedStmt, error) {
	c.mu.Lock()
	if cs, ok := c.m[text]; ok {
		cs.users++
		c.mu.Unlock()
		return cs, nil
	}
	c.mu.Unlock()
	st, err := c.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs, ok := c.m[text]; ok { // prepared twice at the same time: keep the first
		st.Close()
		cs.users++
		return cs, nil
	}
	if len(c.m) >= maxCachedStatements {
		c.dropAllLocked()
	}
	cs := &cachedStmt{st: st, users: 1}
	c.m[text] = cs
	return cs, nil
}

func (c *stmtCache) release(cs *cachedStmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs.users--
	if cs.dropped && cs.users == 0 {
		cs.st.Close()
	}
}

// query runs the query through its parsed statement. The rows keep the statement alive even
// if the cache drops it meanwhile (database/sql closes it after them).
func (c *stmtCache) query(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	cs, err := c.acquire(ctx, text)
	if err != nil {
		return nil, err
	}
	defer c.release(cs)
	return cs.st.QueryContext(ctx, args...)
}

// queryRow runs a one-row query through its parsed statement and scans the row into dest.
func (c *stmtCache) queryRow(ctx context.Context, text string, args []any, dest ...any) error {
	cs, err := c.acquire(ctx, text)
	if err != nil {
		return err
	}
	defer c.release(cs)
	return cs.st.QueryRowContext(ctx, args...).Scan(dest...)
}

// queryRunner runs read queries: through stmtCache, or parsed for one use (plainQueries).
type queryRunner interface {
	query(ctx context.Context, text string, args ...any) (*sql.Rows, error)
	queryRow(ctx context.Context, text string, args []any, dest ...any) error
}

// plainQueries parses each query for its one use.
type plainQueries struct{ db *sql.DB }

func (p plainQueries) query(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	return p.db.QueryContext(ctx, text, args...)
}

func (p plainQueries) queryRow(ctx context.Context, text string, args []any, dest ...any) error {
	return p.db.QueryRowContext(ctx, text, args...).Scan(dest...)
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropAllLocked()
}

// dropAllLocked empties the cache, closing each statement now or when its last user is done.
func (c *stmtCache) dropAllLocked() {
	for text, cs := range c.m {
		cs.dropped = true
		if cs.users == 0 {
			cs.st.Close()
		}
		delete(c.m, text)
	}
}

// writerStatements are statements of the writer that run many times per transaction (the
// rollups' upserts), parsed once at open: parsing each took longer than running it. They can
// only be prepared outside a transaction (the writer has one connection, which a transaction
// holds), so every text must be in the list given to prepareWriter.
type writerStatements map[string]*sql.Stmt

func prepareWriter(ctx context.Context, w *sql.DB, texts []string) (writerStatements, error) {
	ws := writerStatements{}
	for _, text := range texts {
		st, err := w.PrepareContext(ctx, text)
		if err != nil {
			ws.close()
			return nil, fmt.Errorf("store: prepare: %w", err)
		}
		ws[text] = st
	}
	return ws, nil
}

func (ws writerStatements) close() {
	for _, st := range ws {
		st.Close()
	}
}

// prepared runs writerStatements inside a transaction.
type prepared struct {
	ws writerStatements
	tx *sql.Tx
}

func (s *Store) prepared(tx *sql.Tx) prepared { return prepared{s.wstmts, tx} }

func (p prepared) stmt(ctx context.Context, text string) *sql.Stmt {
	st, ok := p.ws[text]
	if !ok {
		panic("store: statement not prepared at open: " + text)
	}
	return p.tx.StmtContext(ctx, st)
}

func (p prepared) exec(ctx context.Context, text string, args ...any) (sql.Result, error) {
	return p.stmt(ctx, text).ExecContext(ctx, args...)
}

func (p prepared) queryRow(ctx context.Context, text string, args []any, dest ...any) error {
	return p.stmt(ctx, text).QueryRowContext(ctx, args...).Scan(dest...)
}
