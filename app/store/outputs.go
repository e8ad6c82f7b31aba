package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"honeysens/app/model"
)

const outputColumns = `o.id, o.kind, o.name, o.enabled, o.selection, o.settings, o.last_error, o.last_error_at, o.last_success,
	o.created_at, o.updated_at,
	(SELECT count(*) FROM output_outbox q WHERE q.output_id = o.id AND q.status = 0),
	(SELECT count(*) FROM output_outbox q WHERE q.output_id = o.id AND q.status = 2)`

func scanOutput(row interface{ Scan(...any) error }) (*model.Output, error) {
	var o model.Output
	var sel, settings string
	var errAt, success sql.NullInt64
	var created, updated int64
	if err := row.Scan(&o.ID, &o.Kind, &o.Name, &o.Enabled, &sel, &settings, &o.LastError, &errAt, &success,
		&created, &updated, &o.Queued, &o.Failed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(sel), &o.Selection); err != nil {
		return nil, fmt.Errorf("selection of output %d: %w", o.ID, err)
	}
	o.Config = json.RawMessage(settings)
	o.CreatedAt, o.UpdatedAt = fromMS(created), fromMS(updated)
	if errAt.Valid {
		t := fromMS(errAt.Int64)
		o.LastErrorAt = &t
	}
	if success.Valid {
		t := fromMS(success.Int64)
		o.LastSuccess = &t
	}
	return &o, nil
}

// Outputs lists every output with its delivery state, by name.
func (s *Store) Outputs(ctx context.Context) ([]*model.Output, error) {
	return queryAll(ctx, s, "outputs", scanOutput, `SELECT `+outputColumns+` FROM outputs o ORDER BY o.name, o.id`)
}

// Output returns one output with its delivery state.
func (s *Store) Output(ctx context.Context, id int64) (*model.Output, error) {
	o, err := scanOutput(s.r.QueryRowContext(ctx, `SELECT `+outputColumns+` FROM outputs o WHERE o.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.Errorf(model.ErrNotFound, "No such output.")
	}
	if err != nil {
		return nil, fmt.Errorf("store: output %d: %w", id, err)
	}
	return o, nil
}

func outputConflict(err error) error {
	if isUnique(err) {
		return &model.Error{Code: model.ErrConflict, Message: "An output of this name exists.",
			Fields: map[string]string{"name": "Choose another name."}}
	}
	return err
}

// CreateOutput stores a new output; it gets the events committed after it.
func (s *Store) CreateOutput(ctx context.Context, o *model.Output) error {
	sel, err := json.Marshal(o.Selection)
	if err != nil {
		return err
	}
	now := ms(s.now())
	return s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outputs`).Scan(&n); err != nil {
			return fmt.Errorf("store: count outputs: %w", err)
		}
		if n >= model.MaxOutputs {
			return model.Errorf(model.ErrConflict, "There are %d outputs already, the most there can be.", n)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO outputs (kind, name, enabled, selection, settings, created_at, updated_at)
			VALUES (?,?,?,?,?,?,?)`, o.Kind, o.Name, o.Enabled, string(sel), string(o.Config), now, now)
		if err != nil {
			return outputConflict(fmt.Errorf("store: create output: %w", err))
		}
		o.ID, _ = res.LastInsertId()
		o.CreatedAt, o.UpdatedAt = fromMS(now), fromMS(now)
		return nil
	})
}

// UpdateOutput saves an output's name, switch, selection and settings (not its kind).
func (s *Store) UpdateOutput(ctx context.Context, o *model.Output) error {
	sel, err := json.Marshal(o.Selection)
	if err != nil {
		return err
	}
	now := ms(s.now())
	res, err := s.w.ExecContext(ctx, `UPDATE outputs SET name = ?, enabled = ?, selection = ?, settings = ?, updated_at = ?
		WHERE id = ?`, o.Name, o.Enabled, string(sel), string(o.Config), now, o.ID)
	if err != nil {
		return outputConflict(fmt.Errorf("store: update output: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.Errorf(model.ErrNotFound, "No such output.")
	}
	o.UpdatedAt = fromMS(now)
	return nil
}

// DeleteOutput removes an output and its queue.
func (s *Store) DeleteOutput(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM outputs WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete output: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return model.Errorf(model.ErrNotFound, "No such output.")
	}
	return nil
}

// OutputMessage is one queued delivery of an event to an output.
type OutputMessage struct {
	ID       int64
	EventID  int64
	Attempts int
}

// DueOutputMessages returns an output's queued messages whose next attempt has come, oldest
// first.
func (s *Store) DueOutputMessages(ctx context.Context, output int64, now time.Time, limit int) ([]OutputMessage, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, event_id, attempts FROM output_outbox
		WHERE output_id = ? AND status = 0 AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?`, output, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due output messages: %w", err)
	}
	defer rows.Close()
	var list []OutputMessage
	for rows.Next() {
		var m OutputMessage
		if err := rows.Scan(&m.ID, &m.EventID, &m.Attempts); err != nil {
			return nil, err
		}
		list = append(list, m)
	}
	return list, rows.Err()
}

// DeliveredEvents reads the events to forward, with their details, by id: live, or from the
// archive if an operator archived one before it went out. One query reads them all (and one
// more those archived), so a batch costs the store about what one event did. An event removed
// in the meantime is missing from the map.
func (s *Store) DeliveredEvents(ctx context.Context, ids []int64) (map[int64]*model.Event, error) {
	found := make(map[int64]*model.Event, len(ids))
	if len(ids) == 0 {
		return found, nil
	}
	list, args := idList(ids)
	err := s.readEvents(ctx, false, `SELECT `+liveColumns+`, coalesce(d.details, '[]'), coalesce(d.packets, '[]'),
		coalesce(d.facts, '{}') FROM events e LEFT JOIN event_data d ON d.event_id = e.id WHERE e.id IN `+list, args,
		func(e *model.Event) { found[e.ID] = e })
	if err != nil || len(found) == len(ids) {
		return found, err
	}
	var missing []int64
	for _, id := range ids {
		if found[id] == nil {
			missing = append(missing, id)
		}
	}
	list, args = idList(missing)
	// Archived more than once (restored in between): the latest copy, which comes last.
	err = s.readEvents(ctx, true, `SELECT `+archivedColumns+`, details, packets, facts FROM archived_events
		WHERE original_id IN `+list+` ORDER BY id`, args, func(e *model.Event) { found[e.OriginalID] = e })
	return found, err
}

// readEvents runs a query of the event columns and the stored details, packets and facts,
// and hands every event to fn; live events get their sensor and group names.
func (s *Store) readEvents(ctx context.Context, archive bool, query string, args []any, fn func(*model.Event)) error {
	var names *nameCache
	if !archive {
		var err error
		if names, err = s.names(ctx); err != nil {
			return err
		}
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: delivered events: %w", err)
	}
	defer rows.Close()
	var details, packets, facts string
	sc := newEventScanner(archive, &details, &packets, &facts)
	for rows.Next() {
		e, err := sc.scan(rows)
		if err != nil {
			return fmt.Errorf("store: delivered events: %w", err)
		}
		if names != nil {
			names.fill(e)
		}
		if err := decodeEventData(e, details, packets, facts); err != nil {
			return err
		}
		fn(e)
	}
	return rows.Err()
}

// outputRoute is an enabled output's choice of events, read once per ingest commit.
type outputRoute struct {
	id  int64
	sel model.Selection
}

// queueOutputs writes, inside an ingest commit, one outbox row per enabled output for each
// new event it selects: the events and their deliveries become durable together.
func (c *commit) queueOutputs(events []*model.Event) error {
	if len(events) == 0 {
		return nil
	}
	routes, err := c.enabledOutputs()
	if err != nil || len(routes) == 0 {
		return err
	}
	giveUp := c.now + OutputGiveUpAfter.Milliseconds()
	for _, e := range events {
		for _, r := range routes {
			if !r.sel.Matches(e) {
				continue
			}
			if _, err := c.exec(c.s.stmts.queueOutput, r.id, e.ID, c.now, c.now, giveUp); err != nil {
				return fmt.Errorf("store: queue output message: %w", err)
			}
		}
	}
	return nil
}

// enabledOutputs reads the enabled outputs with their selections in the commit's transaction.
func (c *commit) enabledOutputs() ([]outputRoute, error) {
	rows, err := c.tx.StmtContext(c.ctx, c.s.stmts.outputs).QueryContext(c.ctx) //nolint:sqlclosecheck // closed with the transaction
	if err != nil {
		return nil, fmt.Errorf("store: enabled outputs: %w", err)
	}
	defer rows.Close()
	var routes []outputRoute
	for rows.Next() {
		var r outputRoute
		var sel string
		if err := rows.Scan(&r.id, &sel); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(sel), &r.sel); err != nil {
			return nil, fmt.Errorf("store: selection of output %d: %w", r.id, err)
		}
		routes = append(routes, r)
	}
	return routes, rows.Err()
}

// OutputGiveUpAfter is how long a message to an output is retried before it counts as failed:
// as long as a mail, so a receiver down over a weekend loses nothing.
const OutputGiveUpAfter = 48 * time.Hour
