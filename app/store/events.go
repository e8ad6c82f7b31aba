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
// conflict). The rollups take the events in the same transaction.
//
// An event with a session id is the report of a session that a sensor sends while it lasts:
// the first report of (sensor, session) is stored as a new event, a later one with a higher
// revision updates that event (see updateSession), an older or repeated one changes nothing.
// Every event gets the id of the event it is or updates.
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
		c := &commit{s: s, ctx: ctx, tx: tx, now: now, counts: map[countKey]int{}}
		if s.rollups {
			var err error
			if c.roll, err = newRollup(ctx, s.prepared(tx)); err != nil {
				return err
			}
		}
		for _, e := range events {
			if err := c.event(e); err != nil {
				return err
			}
		}
		if err := c.flushCounts(); err != nil {
			return err
		}
		if err := c.queueOutputs(c.fresh); err != nil {
			return err
		}
		if c.roll != nil {
			return c.roll.apply(ctx, s.prepared(tx))
		}
		return nil
	})
}

type countKey struct {
	group, sensor int64
	status        model.Status
	class         model.Classification
}

// commit is one CommitBatch transaction.
type commit struct {
	s      *Store
	ctx    context.Context
	tx     *sql.Tx
	now    int64
	counts map[countKey]int // new live events per event_counts key
	roll   *rollup          // nil when the store keeps no rollups (bench baseline)
	groups map[int64]int64  // sensor id → its group, as this transaction reads it
	fresh  []*model.Event   // the events inserted (not session updates): what outputs get
}

// exec runs one of the store's statements prepared at open in the commit's transaction.
func (c *commit) exec(st *sql.Stmt, args ...any) (sql.Result, error) {
	return c.tx.StmtContext(c.ctx, st).ExecContext(c.ctx, args...) //nolint:sqlclosecheck // closed with the transaction
}

// queryRow runs a one-row statement prepared at open in the commit's transaction.
func (c *commit) queryRow(st *sql.Stmt, args []any, dest ...any) error {
	return c.tx.StmtContext(c.ctx, st).QueryRowContext(c.ctx, args...).Scan(dest...) //nolint:sqlclosecheck // closed with the transaction
}

func (c *commit) event(e *model.Event) error {
	if err := c.currentGroup(e); err != nil {
		return err
	}
	if e.Session == "" {
		return c.insert(e)
	}
	var id, rev int64
	err := c.queryRow(c.s.stmts.findSession, []any{e.SensorID, e.Session}, &id, &rev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := c.insert(e); err != nil {
			return err
		}
		_, err = c.exec(c.s.stmts.addSession, e.SensorID, e.Session, e.ID, e.Revision, c.now)
	case err != nil:
	case int64(e.Revision) <= rev:
		e.ID = id // a repeat of a report already stored
		return nil
	default:
		e.ID = id
		if err = c.updateSession(e); err == nil {
			_, err = c.tx.ExecContext(c.ctx, `UPDATE event_sessions SET revision = ?, updated_at = ? WHERE sensor_id = ? AND session = ?`,
				e.Revision, c.now, e.SensorID, e.Session)
		}
	}
	if err != nil {
		return fmt.Errorf("store: event session: %w", err)
	}
	return nil
}

// currentGroup gives the event its sensor's group as this transaction reads it, not as the
// sensor was when the event arrived: moving a sensor changes its row first and then moves
// the events it finds, so an event on its way during the move would otherwise stay behind
// in the old group. (A sensor that is gone keeps the event's group; the insert fails.)
func (c *commit) currentGroup(e *model.Event) error {
	g, ok := c.groups[e.SensorID]
	if !ok {
		err := c.queryRow(c.s.stmts.sensorGroup, []any{e.SensorID}, &g)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			g = e.GroupID
		case err != nil:
			return fmt.Errorf("store: sensor group: %w", err)
		}
		if c.groups == nil {
			c.groups = map[int64]int64{}
		}
		c.groups[e.SensorID] = g
	}
	e.GroupID = g
	return nil
}

// insert stores a new live event.
func (c *commit) insert(e *model.Event) error {
	st := c.s.stmts
	c.counts[countKey{e.GroupID, e.SensorID, e.Status, e.Classification}]++
	res, err := c.exec(st.insertEvent, ms(e.Timestamp), e.SensorID, e.GroupID, e.Service,
		e.Classification, e.Source.String(), sourceKey(e.Source), e.SourcePort, addrText(e.Target), e.TargetPort, e.Protocol,
		e.Summary, e.Status, len(e.Details), len(e.Packets), e.Ongoing)
	if err != nil {
		return fmt.Errorf("store: insert event: %w", err)
	}
	e.ID, _ = res.LastInsertId()
	c.fresh = append(c.fresh, e)
	e.DetailsCount, e.PacketsCount = len(e.Details), len(e.Packets)
	if _, err := c.exec(st.indexEvent, e.ID, e.Summary); err != nil {
		return fmt.Errorf("store: index event: %w", err)
	}
	if c.roll != nil {
		con := contributionOf(e)
		c.roll.add(&con, 1)
	}
	if len(e.Details) == 0 && len(e.Packets) == 0 && factsOf(e).empty() {
		return nil
	}
	d, p, f, err := encodeEventData(e)
	if err != nil {
		return err
	}
	if _, err := c.exec(st.insertData, e.ID, d, p, f); err != nil {
		return fmt.Errorf("store: insert event data: %w", err)
	}
	return nil
}

// flushCounts adds the new events counted so far to event_counts.
func (c *commit) flushCounts() error {
	for k, n := range c.counts {
		if _, err := c.exec(c.s.stmts.countEvents, k.group, k.sensor, k.status, k.class, n); err != nil {
			return fmt.Errorf("store: count events: %w", err)
		}
	}
	clear(c.counts)
	return nil
}

// updateSession applies a later report of a session to its event: summary, classification,
// details, packets and facts become the report's; time, addresses, status and comment stay
// (an operator may have started on the event already). An event removed or archived by an
// operator stays gone.
func (c *commit) updateSession(e *model.Event) error {
	ctx, tx := c.ctx, c.tx
	// The trigger that moves an event's count to its new classification must find the count
	// of an event inserted earlier in this batch.
	if err := c.flushCounts(); err != nil {
		return err
	}
	old, err := loadContributions(ctx, tx, []int64{e.ID})
	if err != nil || len(old) == 0 {
		return err
	}
	var summary, comment string
	if err := tx.QueryRowContext(ctx, `SELECT summary, comment FROM events WHERE id = ?`, e.ID).Scan(&summary, &comment); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE events SET classification = ?, summary = ?, details_count = ?, packets_count = ?,
		ongoing = ? WHERE id = ?`, e.Classification, e.Summary, len(e.Details), len(e.Packets), e.Ongoing, e.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO events_fts (events_fts, rowid, summary, comment) VALUES ('delete', ?, ?, ?)`,
		e.ID, summary, comment); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO events_fts (rowid, summary, comment) VALUES (?, ?, ?)`, e.ID, e.Summary, comment); err != nil {
		return err
	}
	d, p, f, err := encodeEventData(e)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO event_data (event_id, details, packets, facts) VALUES (?,?,?,?)`,
		e.ID, d, p, f); err != nil {
		return err
	}
	if c.roll != nil {
		o := old[0]
		c.roll.add(&o, -1)
		o.class, o.facts = e.Classification, factsOf(e)
		c.roll.add(&o, 1)
	}
	return nil
}

func addrText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func encodeEventData(e *model.Event) (details, packets, facts string, err error) {
	d, p := e.Details, e.Packets
	if d == nil {
		d = []model.Detail{}
	}
	if p == nil {
		p = []model.Packet{}
	}
	db, err := json.Marshal(d)
	if err != nil {
		return "", "", "", fmt.Errorf("store: encode details: %w", err)
	}
	pb, err := json.Marshal(p)
	if err != nil {
		return "", "", "", fmt.Errorf("store: encode packets: %w", err)
	}
	fb, err := json.Marshal(factsOf(e))
	if err != nil {
		return "", "", "", fmt.Errorf("store: encode facts: %w", err)
	}
	return string(db), string(pb), string(fb), nil
}

// Event returns one live or archived event with its details and packets.
func (s *Store) Event(ctx context.Context, id int64, archive bool) (*model.Event, error) {
	var q string
	if archive {
		q = `SELECT ` + archivedColumns + `, details, packets, facts FROM archived_events WHERE id = ?`
	} else {
		q = `SELECT ` + liveColumns + `, coalesce(d.details, '[]'), coalesce(d.packets, '[]'), coalesce(d.facts, '{}')
			FROM events e LEFT JOIN event_data d ON d.event_id = e.id WHERE e.id = ?`
	}
	var details, packets, factsText string
	e, err := newEventScanner(archive, &details, &packets, &factsText).scan(s.r.QueryRowContext(ctx, q, id))
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
	if err := decodeEventData(e, details, packets, factsText); err != nil {
		return nil, err
	}
	return e, nil
}

// decodeEventData fills an event's details, packets and facts from their stored JSON.
func decodeEventData(e *model.Event, details, packets, factsText string) error {
	if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
		return fmt.Errorf("store: decode details of event %d: %w", e.ID, err)
	}
	if err := json.Unmarshal([]byte(packets), &e.Packets); err != nil {
		return fmt.Errorf("store: decode packets of event %d: %w", e.ID, err)
	}
	var facts eventFacts
	if err := json.Unmarshal([]byte(factsText), &facts); err != nil {
		return fmt.Errorf("store: decode facts of event %d: %w", e.ID, err)
	}
	e.Logins, e.Commands, e.Paths = facts.Logins, facts.Commands, facts.Paths
	return nil
}

// liveColumns and archivedColumns select the event fields from either table in the order
// eventScanner reads them; the archive adds the names it froze and its own fields. Live events
// get their sensor and group names afterwards from nameCache (a lookup per row in SQL cost a
// third of the CSV export's time). Every column costs the export time: the driver locks the
// connection twice for each one of every row.
const (
	liveColumns = `e.id, e.timestamp, e.sensor_id, e.group_id, e.service, e.classification, e.source, e.source_port,
		e.target, e.target_port, e.protocol, e.summary, e.status, e.comment, e.modified_at, e.details_count, e.packets_count,
		e.ongoing`
	archivedColumns = `id, timestamp, sensor_id, group_id, service, classification, source, source_port,
		target, target_port, protocol, summary, status, comment, modified_at, details_count, packets_count, 0,
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
		&e.PacketsCount, &e.Ongoing}
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
		if err := s.readNames(ctx, t.query, t.dst); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (s *Store) readNames(ctx context.Context, query string, dst map[int64]string) error {
	rows, err := s.r.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("store: names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		dst[id] = name
	}
	return rows.Err()
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
