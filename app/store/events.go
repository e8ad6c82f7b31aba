package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"honeysens/app/model"
)

// sourceKey is the 16-byte form of an address that sorts addresses numerically, IPv4 first.
func sourceKey(a netip.Addr) []byte {
	b := a.As16()
	return b[:]
}

// InsertEvents stores events with their details and packets in ONE transaction and sets
// their IDs.
func (s *Store) InsertEvents(ctx context.Context, events []*model.Event) error {
	return s.CommitBatch(ctx, events, nil, nil)
}

// BatchID names a batch of events a sensor delivered.
type BatchID struct {
	Sensor int64
	ID     string
}

// CommitBatch is the group commit of the ingest writer: the events of every queued request,
// the hits of the filter rules that dropped others (rule id → count) and the ids of the
// sensors' batches, in ONE transaction, so one commit serves many sensors' requests, a rule's
// counter is exact and a batch is stored at most once (a repeated id fails the commit with a
// conflict).
func (s *Store) CommitBatch(ctx context.Context, events []*model.Event, hits map[int64]int64, batches []BatchID) error {
	now := ms(s.now())
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, b := range batches {
			_, err := tx.ExecContext(ctx, `INSERT INTO ingest_batches (sensor_id, batch, time) VALUES (?,?,?)`, b.Sensor, b.ID, now)
			if isUnique(err) {
				return model.Errorf(model.ErrConflict, "Batch %s was delivered already.", b.ID)
			}
			if err != nil {
				return fmt.Errorf("store: record batch: %w", err)
			}
		}
		for id, n := range hits {
			if _, err := tx.ExecContext(ctx, `UPDATE filter_rules SET hits = hits + ? WHERE id = ?`, n, id); err != nil {
				return fmt.Errorf("store: count filter hits: %w", err)
			}
		}
		ins := tx.StmtContext(ctx, s.stmts.insertEvent)
		data := tx.StmtContext(ctx, s.stmts.insertData)
		count := tx.StmtContext(ctx, s.stmts.countEvents)
		index := tx.StmtContext(ctx, s.stmts.indexEvent)
		type countKey struct {
			group, sensor int64
			status        model.Status
			class         model.Classification
		}
		counts := map[countKey]int{}
		for _, e := range events {
			counts[countKey{e.GroupID, e.SensorID, e.Status, e.Classification}]++
			res, err := ins.ExecContext(ctx, ms(e.Timestamp), e.SensorID, e.GroupID, e.Service, e.Classification,
				e.Source.String(), sourceKey(e.Source), e.SourcePort, addrText(e.Target), e.TargetPort, e.Protocol,
				e.Summary, e.Status, len(e.Details), len(e.Packets))
			if err != nil {
				return fmt.Errorf("store: insert event: %w", err)
			}
			e.ID, _ = res.LastInsertId()
			e.DetailsCount, e.PacketsCount = len(e.Details), len(e.Packets)
			if _, err := index.ExecContext(ctx, e.ID, e.Summary); err != nil {
				return fmt.Errorf("store: index event: %w", err)
			}
			if len(e.Details) == 0 && len(e.Packets) == 0 {
				continue
			}
			d, p, err := encodeEventData(e)
			if err != nil {
				return err
			}
			if _, err := data.ExecContext(ctx, e.ID, d, p); err != nil {
				return fmt.Errorf("store: insert event data: %w", err)
			}
		}
		for k, n := range counts {
			if _, err := count.ExecContext(ctx, k.group, k.sensor, k.status, k.class, n); err != nil {
				return fmt.Errorf("store: count events: %w", err)
			}
		}
		return nil
	})
}

func addrText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func encodeEventData(e *model.Event) (string, string, error) {
	details, packets := e.Details, e.Packets
	if details == nil {
		details = []model.Detail{}
	}
	if packets == nil {
		packets = []model.Packet{}
	}
	d, err := json.Marshal(details)
	if err != nil {
		return "", "", fmt.Errorf("store: encode details: %w", err)
	}
	p, err := json.Marshal(packets)
	if err != nil {
		return "", "", fmt.Errorf("store: encode packets: %w", err)
	}
	return string(d), string(p), nil
}

// Event returns one live or archived event with its details and packets.
func (s *Store) Event(ctx context.Context, id int64, archive bool) (*model.Event, error) {
	var q string
	if archive {
		q = `SELECT ` + archivedColumns + `, details, packets FROM archived_events WHERE id = ?`
	} else {
		q = `SELECT ` + liveColumns + `, coalesce(d.details, '[]'), coalesce(d.packets, '[]')
			FROM events e LEFT JOIN event_data d ON d.event_id = e.id WHERE e.id = ?`
	}
	var details, packets string
	e, err := newEventScanner(archive, &details, &packets).scan(s.r.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No such event.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: get event: %w", err)
	}
	if !archive {
		names, err := s.names(ctx)
		if err != nil {
			return nil, err
		}
		names.fill(e)
	}
	if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
		return nil, fmt.Errorf("store: decode details of event %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(packets), &e.Packets); err != nil {
		return nil, fmt.Errorf("store: decode packets of event %d: %w", id, err)
	}
	return e, nil
}

// liveColumns and archivedColumns select the event fields from either table in the order
// eventScanner reads them; the archive adds the names it froze and its own fields. Live events
// get their sensor and group names afterwards from nameCache (a lookup per row in SQL cost a
// third of the CSV export's time). Every column costs the export time: the driver locks the
// connection twice for each one of every row.
const (
	liveColumns = `e.id, e.timestamp, e.sensor_id, e.group_id, e.service, e.classification, e.source, e.source_port,
		e.target, e.target_port, e.protocol, e.summary, e.status, e.comment, e.modified_at, e.details_count, e.packets_count`
	archivedColumns = `id, timestamp, sensor_id, group_id, service, classification, source, source_port,
		target, target_port, protocol, summary, status, comment, modified_at, details_count, packets_count,
		sensor_name, group_name, archived_at, original_id`
)

// eventScanner reads the rows of one query into events. Made once per query and reused for
// every row, so that a row costs the event and its strings, not a variable for every column.
type eventScanner struct {
	archive                          bool
	e                                model.Event
	ts                               int64
	source, target                   string
	modified, archivedAt, originalID sql.NullInt64
	dest                             []any
}

// newEventScanner reads liveColumns or archivedColumns, then the extra columns into extra.
func newEventScanner(archive bool, extra ...any) *eventScanner {
	sc := &eventScanner{archive: archive}
	e := &sc.e
	sc.dest = []any{&e.ID, &sc.ts, &e.SensorID, &e.GroupID, &e.Service, &e.Classification, &sc.source, &e.SourcePort,
		&sc.target, &e.TargetPort, &e.Protocol, &e.Summary, &e.Status, &e.Comment, &sc.modified, &e.DetailsCount,
		&e.PacketsCount}
	if archive {
		sc.dest = append(sc.dest, &e.SensorName, &e.GroupName, &sc.archivedAt, &sc.originalID)
	}
	sc.dest = append(sc.dest, extra...)
	return sc
}

// scan reads the current row into a new event.
func (sc *eventScanner) scan(row interface{ Scan(...any) error }) (*model.Event, error) {
	if err := row.Scan(sc.dest...); err != nil {
		return nil, err
	}
	e := sc.e
	e.Timestamp = fromMS(sc.ts)
	e.Source, _ = netip.ParseAddr(sc.source)
	e.Target, _ = netip.ParseAddr(sc.target)
	if sc.modified.Valid {
		t := fromMS(sc.modified.Int64)
		e.ModifiedAt = &t
	}
	if sc.archive {
		e.Archived = true
		t := fromMS(sc.archivedAt.Int64)
		e.ArchivedAt = &t
		e.OriginalID = sc.originalID.Int64
	}
	return &e, nil
}

// nameCache holds the names of all sensors and groups: few rows, read once per page.
type nameCache struct {
	sensors, groups map[int64]string
}

func (s *Store) names(ctx context.Context) (*nameCache, error) {
	n := &nameCache{sensors: map[int64]string{}, groups: map[int64]string{}}
	for _, t := range []struct {
		query string
		dst   map[int64]string
	}{{`SELECT id, name FROM sensors`, n.sensors}, {`SELECT id, name FROM groups`, n.groups}} {
		rows, err := s.r.QueryContext(ctx, t.query)
		if err != nil {
			return nil, fmt.Errorf("store: names: %w", err)
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, err
			}
			t.dst[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (n *nameCache) fill(e *model.Event) {
	e.SensorName, e.GroupName = n.sensors[e.SensorID], n.groups[e.GroupID]
}

// BatchDelivered reports whether the sensor's batch was stored already.
func (s *Store) BatchDelivered(ctx context.Context, b BatchID) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM ingest_batches WHERE sensor_id = ? AND batch = ?`, b.Sensor, b.ID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: batch delivered: %w", err)
	}
	return n > 0, nil
}

// DeleteOldBatches forgets batch ids recorded before the cutoff.
func (s *Store) DeleteOldBatches(ctx context.Context, cutoff time.Time) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM ingest_batches WHERE time < ?`, ms(cutoff))
	return err
}
