package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"honeysens/app/model"
)

// plainInsert is the baseline that owes nothing to the appliance's code: prepared INSERTs of the
// generator's rows into the same schema, 1000 per transaction, through database/sql and the
// same SQLite driver and pragmas, with the event row, its search index entry and its details,
// packets and tried values as JSON, and nothing else (no counters, no rollups, no sessions).
// The store's own write path is measured against it, so that a slowdown in that path shows as a
// ratio and cannot hide in its own baseline. Only the database and its sensors are created by
// the store (openStore), before the clock starts.
func (r *Runner) plainInsert(ctx context.Context, name string) (float64, error) {
	st, sensors, err := r.openStore(ctx, name)
	if err != nil {
		return 0, err
	}
	if err := st.Close(); err != nil {
		return 0, err
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "temp_store(MEMORY)", "cache_size(-32000)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(r.dir, name)+"?"+q.Encode())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	g := newGenerator(sensors, time.Now().Add(-30*24*time.Hour))
	start := time.Now()
	for done := 0; done < r.opt.Baseline; {
		n := min(1000, r.opt.Baseline-done)
		if err := plainTx(ctx, db, g, n); err != nil {
			return 0, err
		}
		done += n
	}
	return float64(r.opt.Baseline) / time.Since(start).Seconds(), nil
}

// plainTx inserts n generated events in one transaction.
func plainTx(ctx context.Context, db *sql.DB, g *generator, n int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }() // after Commit it only says the transaction is done
	event, err := tx.PrepareContext(ctx, `INSERT INTO events (timestamp, sensor_id, group_id, service, classification,
		source, source_key, source_port, target, target_port, protocol, summary, status, details_count, packets_count)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	defer event.Close()
	index, err := tx.PrepareContext(ctx, `INSERT INTO events_fts (rowid, summary, comment) VALUES (?, ?, '')`)
	if err != nil {
		return err
	}
	defer index.Close()
	data, err := tx.PrepareContext(ctx, `INSERT INTO event_data (event_id, details, packets, facts) VALUES (?,?,?,?)`)
	if err != nil {
		return err
	}
	defer data.Close()
	for range n {
		e := g.next()
		key := e.Source.As16()
		target := ""
		if e.Target.IsValid() {
			target = e.Target.String()
		}
		res, err := event.ExecContext(ctx, e.Timestamp.UnixMilli(), e.SensorID, e.GroupID, e.Service, e.Classification,
			e.Source.String(), key[:], e.SourcePort, target, e.TargetPort, e.Protocol, e.Summary, e.Status,
			len(e.Details), len(e.Packets))
		if err != nil {
			return fmt.Errorf("plain insert: %w", err)
		}
		id, _ := res.LastInsertId()
		if _, err := index.ExecContext(ctx, id, e.Summary); err != nil {
			return err
		}
		if len(e.Details) == 0 && len(e.Packets) == 0 && len(e.Logins)+len(e.Commands)+len(e.Paths) == 0 {
			continue
		}
		details, packets, facts, err := plainJSON(e)
		if err != nil {
			return err
		}
		if _, err := data.ExecContext(ctx, id, details, packets, facts); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// plainJSON encodes an event's details, packets and tried values with encoding/json.
func plainJSON(e *model.Event) (details, packets, facts []byte, err error) {
	if details, err = json.Marshal(e.Details); err != nil {
		return
	}
	if packets, err = json.Marshal(e.Packets); err != nil {
		return
	}
	facts, err = json.Marshal(map[string]any{"logins": e.Logins, "commands": e.Commands, "paths": e.Paths})
	return
}
