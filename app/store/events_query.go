package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"honeysens/app/model"
)

// sourceIndexHolds are the columns in events_source (the rowid is id): an address look-up
// is filtered, counted and, in these orders, sorted without reading a row.
var sourceIndexHolds = map[string]bool{"id": true, "timestamp": true, "source_key": true, "status": true,
	"classification": true, "group_id": true, "sensor_id": true}

// countSQL renders the statement that counts the query's matches.
func (q *eventQuery) countSQL() (string, []any) {
	f := &q.f
	if q.total.split {
		// The address matches, counted in events_source alone, and the text matches that are
		// not address matches too.
		where1, args1 := f.whereFor(searchLookup, addressPart)
		where2, args2 := f.whereFor(searchLookup, textPart)
		addr, addrArgs := addressCond(f.Query)
		return `SELECT (SELECT count(*) FROM events WHERE ` + where1 + `) + (SELECT count(*) FROM events WHERE ` +
			where2 + ` AND NOT ` + addr + `)`, append(append(args1, args2...), addrArgs...)
	}
	where, args := f.whereFor(q.total.search, bothParts)
	if f.countable() {
		dataset := 0
		if f.Archive {
			dataset = 1
		}
		return `SELECT coalesce(sum(n), 0) FROM event_counts WHERE dataset = ? AND ` + where, append([]any{dataset}, args...)
	}
	return `SELECT count(*) FROM ` + f.table() + ` WHERE ` + where, args
}

// listSQL renders the statement that reads the query's page (one row more than the page, to
// tell whether another follows).
func (q *eventQuery) listSQL() (string, []any) {
	order := q.key.order(q.desc)
	var after string
	var afterArgs []any
	if q.after != nil {
		after, afterArgs = q.key.after(q.after, q.desc)
	}
	cols, from := liveColumns, "events e"
	if q.f.Archive {
		cols, from = archivedColumns, "archived_events"
	}
	from += q.hint
	if q.key.sortValue() {
		cols += ", " + q.key.column
	}
	// The limit is written into the query, not bound: SQLite parses a query again whenever a
	// bound LIMIT changes its value, and with it every use of a kept statement.
	limit := strconv.Itoa(q.limit + 1)
	page := func(part searchPart) (string, []any) {
		where, args := q.f.whereFor(q.list.search, part)
		where += after
		args = append(args, afterArgs...)
		if q.addressLookup(part) && sourceIndexHolds[q.key.column] {
			// The page's ids first, sorted in events_source, which holds the filtered columns
			// and this order's: then only the page's rows are read, not every match's.
			where = "id IN (SELECT id FROM events WHERE " + where + " ORDER BY " + order + " LIMIT " + limit + ")"
		}
		return fmt.Sprintf(`SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT %s`, cols, from, where, order, limit), args
	}
	if !q.list.split {
		return page(bothParts)
	}
	// The page of each part, merged (UNION also drops an event that both parts found).
	q1, args1 := page(addressPart)
	q2, args2 := page(textPart)
	return fmt.Sprintf(`SELECT * FROM (%s) UNION SELECT * FROM (%s) ORDER BY %s LIMIT %s`, q1, q2, order, limit),
		append(args1, args2...)
}

// addressLookup reports whether the page's statement for the part looks up matches of the
// source address only.
func (q *eventQuery) addressLookup(part searchPart) bool {
	if q.list.search != searchLookup || q.f.Archive {
		return false
	}
	return part == addressPart || (part == bothParts && !isText(q.f.Query))
}

// queries returns how the filter's queries are run: parsed once and kept, except for a list
// of ids, whose query text differs with every selection.
func (s *Store) queries(f *EventFilter) queryRunner {
	if f.IDs != nil {
		return plainQueries{s.r}
	}
	return s.lists
}

// CountEvents returns how many events match the filter.
func (s *Store) CountEvents(ctx context.Context, f *EventFilter) (int64, error) {
	return s.count(ctx, filterQuery(f))
}

func (s *Store) count(ctx context.Context, q *eventQuery) (int64, error) {
	stmt, args := q.countSQL()
	var n int64
	if err := s.queries(&q.f).queryRow(ctx, stmt, args, &n); err != nil {
		return 0, fmt.Errorf("store: count events: %w", err)
	}
	return n, nil
}

// CountMatches is CountEvents for the list. It is exact except for a search whose term is
// common: then counting every match would read the whole table, so the count is estimated from
// the share of matches among the newest rows (exact is false).
func (s *Store) CountMatches(ctx context.Context, f *EventFilter) (n int64, exact bool, err error) {
	q, err := s.planEvents(ctx, f, nil)
	if err != nil {
		return 0, false, err
	}
	return s.total(ctx, q)
}

// total returns the query's total: the search's probe's when it tells, else counted.
func (s *Store) total(ctx context.Context, q *eventQuery) (int64, bool, error) {
	if q.plan.n >= 0 {
		return q.plan.n, q.plan.exact, nil
	}
	n, err := s.count(ctx, q)
	return n, true, err
}

// PageWithTotal is what the event list shows: one page and the filter's total (exact is false
// when a common search term's total is estimated).
type PageWithTotal struct {
	Items []*model.Event
	Next  string
	Total int64
	Exact bool
}

// Page returns one page and the filter's total. They are planned once, then read at the same
// time, on two connections.
func (s *Store) Page(ctx context.Context, f *EventFilter, p EventPage) (PageWithTotal, error) {
	q, err := s.planEvents(ctx, f, &p)
	if err != nil {
		return PageWithTotal{}, err
	}
	type count struct {
		n     int64
		exact bool
		err   error
	}
	counted := make(chan count, 1)
	go func() {
		n, exact, err := s.total(ctx, q)
		counted <- count{n, exact, err}
	}()
	list, next, err := s.listPage(ctx, q)
	c := <-counted
	if err == nil {
		err = c.err
	}
	return PageWithTotal{list, encodeNext(next), c.n, c.exact}, err
}

// ListEvents returns one page of events in the requested order and the cursor of the next page
// ("" at the end). The page is found by seeking an index, never by skipping rows.
func (s *Store) ListEvents(ctx context.Context, f *EventFilter, p EventPage) ([]*model.Event, string, error) {
	q, err := s.planEvents(ctx, f, &p)
	if err != nil {
		return nil, "", err
	}
	list, next, err := s.listPage(ctx, q)
	return list, encodeNext(next), err
}

func encodeNext(c *cursor) string {
	if c == nil {
		return ""
	}
	return encodeCursor(*c)
}

// listPage reads the query's page and the cursor of the next page (nil at the end).
func (s *Store) listPage(ctx context.Context, q *eventQuery) ([]*model.Event, *cursor, error) {
	// The names first: read while the page's rows are open, they would need a second
	// connection, and lists waiting for one while holding another could take every reader.
	var names *nameCache
	if !q.f.Archive {
		var err error
		if names, err = s.names(ctx); err != nil {
			return nil, nil, err
		}
	}
	stmt, args := q.listSQL()
	rows, err := s.queries(&q.f).query(ctx, stmt, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("store: list events: %w", err)
	}
	defer rows.Close()
	list := make([]*model.Event, 0, q.limit)
	var sortVals []any
	var sv any
	sc := newEventScanner(q.f.Archive)
	if q.key.sortValue() {
		sc = newEventScanner(q.f.Archive, &sv) // the sort value, for the cursor
	}
	for rows.Next() {
		sv = nil
		e, err := sc.scan(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("store: list events: %w", err)
		}
		if names != nil {
			names.fill(e)
		}
		list = append(list, e)
		sortVals = append(sortVals, sv)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: list events: %w", err)
	}
	if len(list) <= q.limit {
		return list, nil, nil
	}
	list = list[:q.limit]
	last := list[q.limit-1]
	next := &cursor{K: q.sort, T: last.Timestamp.UnixMilli(), I: last.ID}
	if q.key.sortValue() {
		next.V = sortVals[q.limit-1]
	}
	return list, next, nil
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
