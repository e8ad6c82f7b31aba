package store

import (
	"context"
	"database/sql"
	"errors"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"honeysens/app/model"
)

// EventFilter selects events for the list, the CSV export and the bulk actions: one meaning of
// "the events matching the current filters" everywhere.
type EventFilter struct {
	Archive        bool
	Status         []model.Status
	Classification []model.Classification
	// Groups limits the groups: nil means every group, an empty list means none (a user with no
	// group sees nothing).
	Groups   []int64
	SensorID int64
	From, To *time.Time
	Query    string  // substring of source, summary or comment
	IDs      []int64 // only these events (bulk actions on a selection)
}

// SortKeys maps the API's sort keys to columns. Every column has an index ending in the rowid,
// which makes (column, id) a keyset order that needs no OFFSET.
var SortKeys = map[string]string{
	"id": "id", "timestamp": "timestamp", "group": "group_id", "sensor": "sensor_id",
	"classification": "classification", "source": "source_key", "target_port": "target_port",
	"summary": "summary", "status": "status",
}

// EventPage asks for one page of the list.
type EventPage struct {
	Sort   string // a key of SortKeys
	Desc   bool
	Limit  int
	Cursor string // from the previous page's NextCursor; "" for the first page
}

// cursor is the last row of a page in sort order: its sort value and id.
type cursor struct {
	V any   `json:"v"`
	I int64 `json:"i"`
}

func encodeCursor(v any, id int64) string {
	b, _ := json.Marshal(cursor{V: v, I: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.I <= 0 {
		return nil, &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"cursor": "Not a cursor from this list."}}
	}
	// JSON numbers arrive as float64; source keys travel as base64 strings.
	if f, ok := c.V.(float64); ok {
		c.V = int64(f)
	}
	return &c, nil
}

// where renders the filter as SQL conditions on the events or archived_events table.
func (f *EventFilter) where() (string, []any) {
	var conds []string
	var args []any
	in := func(col string, n int) string {
		return col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
	}
	if f.Status != nil {
		conds = append(conds, in("status", len(f.Status)))
		for _, v := range f.Status {
			args = append(args, v)
		}
	}
	if f.Classification != nil {
		conds = append(conds, in("classification", len(f.Classification)))
		for _, v := range f.Classification {
			args = append(args, v)
		}
	}
	if f.Groups != nil {
		conds = append(conds, in("group_id", len(f.Groups)))
		for _, v := range f.Groups {
			args = append(args, v)
		}
	}
	if f.SensorID != 0 {
		conds = append(conds, "sensor_id = ?")
		args = append(args, f.SensorID)
	}
	if f.From != nil {
		conds = append(conds, "timestamp >= ?")
		args = append(args, ms(*f.From))
	}
	if f.To != nil {
		conds = append(conds, "timestamp <= ?")
		args = append(args, ms(*f.To))
	}
	if f.Query != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Query) + "%"
		conds = append(conds, `(source LIKE ? ESCAPE '\' OR summary LIKE ? ESCAPE '\' OR comment LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	if f.IDs != nil {
		conds = append(conds, in("id", len(f.IDs)))
		for _, v := range f.IDs {
			args = append(args, v)
		}
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

func (f *EventFilter) table() string {
	if f.Archive {
		return "archived_events"
	}
	return "events"
}

// countable reports whether the total can come from event_counts: only filters on the
// counted dimensions (status, classification, group, sensor) qualify.
func (f *EventFilter) countable() bool {
	return f.From == nil && f.To == nil && f.Query == "" && f.IDs == nil
}

// CountEvents returns how many events match the filter.
func (s *Store) CountEvents(ctx context.Context, f *EventFilter) (int64, error) {
	where, args := f.where()
	q := `SELECT count(*) FROM ` + f.table() + ` WHERE ` + where
	if f.countable() {
		dataset := 0
		if f.Archive {
			dataset = 1
		}
		q = `SELECT coalesce(sum(n), 0) FROM event_counts WHERE dataset = ? AND ` + where
		args = append([]any{dataset}, args...)
	}
	var n int64
	if err := s.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count events: %w", err)
	}
	return n, nil
}

// ListEvents returns one page of events in the requested order and the cursor of the next page
// ("" at the end). The page is found by seeking an index, never by skipping rows.
func (s *Store) ListEvents(ctx context.Context, f *EventFilter, p EventPage) ([]*model.Event, string, error) {
	col, ok := SortKeys[p.Sort]
	if !ok {
		return nil, "", &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"sort": "Unknown sort key."}}
	}
	where, args := f.where()
	cmp, dir := ">", "ASC"
	if p.Desc {
		cmp, dir = "<", "DESC"
	}
	if p.Cursor != "" {
		c, err := decodeCursor(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		if col == "id" {
			where += " AND id " + cmp + " ?"
			args = append(args, c.I)
		} else {
			v := c.V
			if col == "source_key" {
				b, err := base64.StdEncoding.DecodeString(fmt.Sprint(v))
				if err != nil {
					return nil, "", &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
						Fields: map[string]string{"cursor": "Not a cursor from this list."}}
				}
				v = b
			}
			where += fmt.Sprintf(" AND (%s %s ? OR (%s = ? AND id %s ?))", col, cmp, col, cmp)
			args = append(args, v, v, c.I)
		}
	}
	cols := liveColumns
	from := "events e"
	if f.Archive {
		cols, from = archivedColumns, "archived_events"
	}
	q := fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s ORDER BY %s %s, id %s LIMIT ?`,
		cols, col, from, where, col, dir, dir)
	args = append(args, p.Limit+1)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list events: %w", err)
	}
	defer rows.Close()
	list := make([]*model.Event, 0, p.Limit)
	var sortVals []any
	for rows.Next() {
		var sv any
		e, err := scanEvent(rows, f.Archive, &sv)
		if err != nil {
			return nil, "", fmt.Errorf("store: list events: %w", err)
		}
		list = append(list, e)
		sortVals = append(sortVals, sv)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: list events: %w", err)
	}
	next := ""
	if len(list) > p.Limit {
		list = list[:p.Limit]
		last := list[p.Limit-1]
		next = encodeCursor(sortVals[p.Limit-1], last.ID)
	}
	return list, next, nil
}

// EachEvent calls fn for every event matching the filter, in the given order, reading one page
// at a time: memory stays constant however many events match (CSV export).
func (s *Store) EachEvent(ctx context.Context, f *EventFilter, sort string, desc bool, fn func(*model.Event) error) error {
	p := EventPage{Sort: sort, Desc: desc, Limit: 1000}
	for {
		list, next, err := s.ListEvents(ctx, f, p)
		if err != nil {
			return err
		}
		for _, e := range list {
			if err := fn(e); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		p.Cursor = next
	}
}

// LatestEventID returns the highest live event id within the groups (nil = all), 0 if none.
func (s *Store) LatestEventID(ctx context.Context, groups []int64) (int64, error) {
	f := &EventFilter{Groups: groups}
	where, args := f.where()
	var id int64
	// ORDER BY id DESC LIMIT 1 walks the table backwards from the newest row: for recent
	// activity that is a handful of rows, where max(id) with a WHERE would read every match.
	err := s.r.QueryRowContext(ctx, `SELECT id FROM events WHERE `+where+` ORDER BY id DESC LIMIT 1`, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: latest event: %w", err)
	}
	return id, nil
}
