package store

import (
	"context"
	"database/sql"
	"fmt"
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
