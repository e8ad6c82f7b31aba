package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"honeysens/app/model"
)

// EachEvent calls fn for every event matching the filter, in the given order, reading a part
// at a time: memory stays constant however many events match, and no read transaction stays
// open while a slow client downloads (it would stop WAL checkpoints). In id order (the CSV
// export without a sort key) and in time order the parts are read in parallel (see eachSpan);
// other orders page through the list's keyset cursor, planned once.
func (s *Store) EachEvent(ctx context.Context, f *EventFilter, sort string, desc bool, fn func(*model.Event) error) error {
	switch sort {
	case "id":
		return s.eachByID(ctx, f, desc, fn)
	case "timestamp":
		return s.eachByTime(ctx, f, desc, fn)
	}
	q, err := s.planEvents(ctx, f, &EventPage{Sort: sort, Desc: desc, Limit: 5000})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type page struct {
		list []*model.Event
		err  error
	}
	// Read the next page while the caller works through the current one: the database read
	// and the caller's formatting and writing then use two cores instead of taking turns.
	pages := make(chan page, 1)
	go func() {
		defer close(pages)
		for {
			list, next, err := s.listPage(ctx, q)
			select {
			case pages <- page{list, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || next == nil {
				return
			}
			q.after = next
		}
	}()
	for pg := range pages {
		if pg.err != nil {
			return pg.err
		}
		for _, e := range pg.list {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// part is one piece of an ordered walk: a range of ids or of timestamps (both ends included).
type part struct{ from, to int64 }

// nextPart returns the walk's next part; ok is false after the last.
type nextPart func(ctx context.Context) (p part, ok bool, err error)

// readPart reads at most limit rows of part p after the event `after` (nil: from the part's
// start). limit 0 means the part is small by construction and read whole.
type readPart func(ctx context.Context, p part, after *model.Event, limit int) ([]*model.Event, error)

// eachSpan walks the parts next yields, in order. Up to three parts are read at once, on
// separate connections, and handed to fn in order: reading rows is an export's bottleneck, and
// this way it uses every core. A part that fills limit rows is dense (a burst of events): its
// rest is read in turn, a chunk at a time, so memory stays bounded whatever the data looks like.
func eachSpan(ctx context.Context, next nextPart, limit int, read readPart, fn func(*model.Event) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		p    part
		list []*model.Event
		err  error
	}
	pending := make(chan chan result, 2) // parts being read, in output order
	go func() {
		defer close(pending)
		for {
			p, ok, err := next(ctx)
			if !ok && err == nil {
				return
			}
			out := make(chan result, 1)
			select {
			case pending <- out:
			case <-ctx.Done():
				return
			}
			if err != nil {
				out <- result{err: err}
				return
			}
			go func() {
				list, err := read(ctx, p, nil, limit)
				out <- result{p, list, err}
			}()
		}
	}()
	for out := range pending {
		r := <-out
		for {
			if r.err != nil {
				return r.err
			}
			for _, e := range r.list {
				if err := fn(e); err != nil {
					return err
				}
			}
			if limit == 0 || len(r.list) < limit {
				break
			}
			r.list, r.err = read(ctx, r.p, r.list[len(r.list)-1], limit)
		}
	}
	return ctx.Err()
}

// idSpan is how many consecutive ids one part of eachByID covers.
const idSpan = 4096

// eachByID is EachEvent in id order: parts of idSpan consecutive ids, read straight from the
// table.
func (s *Store) eachByID(ctx context.Context, f *EventFilter, desc bool, fn func(*model.Event) error) error {
	var lo, hi int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM `+f.table()).Scan(&lo, &hi); err != nil {
		return fmt.Errorf("store: export range: %w", err)
	}
	if hi == 0 {
		return nil
	}
	names, err := s.exportNames(ctx, f)
	if err != nil {
		return err
	}
	where, args := f.where()
	cols, table := liveColumns, "events e NOT INDEXED"
	if f.Archive {
		cols, table = archivedColumns, "archived_events NOT INDEXED"
	}
	q := `SELECT ` + cols + ` FROM ` + table + ` WHERE ` + where + ` AND id BETWEEN ? AND ? ORDER BY id ` + direction(desc)
	k := int64(0)
	next := func(context.Context) (part, bool, error) {
		p := part{lo + k*idSpan, lo + (k+1)*idSpan - 1}
		if desc {
			p = part{hi - (k+1)*idSpan + 1, hi - k*idSpan}
		}
		k++
		return p, p.from <= hi && p.to >= lo, nil
	}
	read := func(ctx context.Context, p part, _ *model.Event, _ int) ([]*model.Event, error) {
		return s.exportRows(ctx, f.Archive, names, q, append(args[:len(args):len(args)], p.from, p.to)...)
	}
	return eachSpan(ctx, next, 0, read, fn)
}

// timeSpanRows is how many events one part of eachByTime covers (counted in the timestamp
// index, before other filters), timeChunk how many rows one read of a dense part takes.
const (
	timeSpanRows = 4096
	timeChunk    = 4 * timeSpanRows
)

// eachByTime is EachEvent in time order (ties by id). The parts are time ranges of about
// timeSpanRows events each, their ends found in the timestamp index as the walk goes (events
// are rarely spread evenly over time). Events mostly arrive in time order, so a part's events
// usually sit in a narrow id range: that range is read straight from the table, as eachByID
// does, and sorted in memory, which is much faster than fetching each row through the index.
// A part whose events are scattered over many ids (a sensor delivered old events late) or that
// is denser than timeChunk (one instant) is read through the index.
func (s *Store) eachByTime(ctx context.Context, f *EventFilter, desc bool, fn func(*model.Event) error) error {
	where, args := f.where()
	cols, tbl, index := liveColumns, "events e", "events_timestamp"
	if f.Archive {
		cols, tbl, index = archivedColumns, "archived_events", "archived_timestamp"
	}
	indexed := tbl + " INDEXED BY " + index
	var lo, hi sql.NullInt64
	for _, b := range []struct {
		dst *sql.NullInt64
		dir string
	}{{&lo, "ASC"}, {&hi, "DESC"}} {
		err := s.r.QueryRowContext(ctx, `SELECT timestamp FROM `+indexed+` WHERE `+where+` ORDER BY timestamp `+b.dir+` LIMIT 1`, args...).Scan(b.dst)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: export range: %w", err)
		}
	}
	if !lo.Valid || !hi.Valid {
		return nil
	}
	names, err := s.exportNames(ctx, f)
	if err != nil {
		return err
	}
	op, dir := ">", "ASC"
	if desc {
		op, dir = "<", "DESC"
	}
	// The part's far end: the timestamp timeSpanRows index entries on from its near end.
	step := `SELECT timestamp FROM ` + indexed + ` WHERE timestamp >= ? ORDER BY timestamp LIMIT 1 OFFSET ?`
	if desc {
		step = `SELECT timestamp FROM ` + indexed + ` WHERE timestamp <= ? ORDER BY timestamp DESC LIMIT 1 OFFSET ?`
	}
	cur, done := lo.Int64, false
	if desc {
		cur = hi.Int64
	}
	next := func(ctx context.Context) (part, bool, error) {
		if done {
			return part{}, false, nil
		}
		var b int64
		err := s.r.QueryRowContext(ctx, step, cur, timeSpanRows).Scan(&b)
		switch {
		case errors.Is(err, sql.ErrNoRows): // the last part
			done = true
			if desc {
				return part{lo.Int64, cur}, true, nil
			}
			return part{cur, hi.Int64}, true, nil
		case err != nil:
			return part{}, false, fmt.Errorf("store: export: %w", err)
		case desc:
			p := part{min(b+1, cur), cur}
			cur = p.from - 1
			done = cur < lo.Int64
			return p, true, nil
		default:
			p := part{cur, max(b-1, cur)}
			cur = p.to + 1
			done = cur > hi.Int64
			return p, true, nil
		}
	}
	byIndex := `SELECT ` + cols + ` FROM ` + indexed + ` WHERE ` + where + ` AND timestamp BETWEEN ? AND ?`
	order := ` ORDER BY timestamp ` + dir + `, id ` + dir + ` LIMIT ?`
	// The ids of the part's events, whatever the other filters: the timestamp index alone
	// answers this without reading a row.
	idRange := `SELECT min(id), max(id), count(*) FROM ` + indexed + ` WHERE timestamp BETWEEN ? AND ?`
	byID := `SELECT ` + cols + ` FROM ` + tbl + ` NOT INDEXED WHERE ` + where + ` AND id BETWEEN ? AND ? AND timestamp BETWEEN ? AND ?`
	read := func(ctx context.Context, p part, after *model.Event, limit int) ([]*model.Event, error) {
		a := append(args[:len(args):len(args)], p.from, p.to)
		if after != nil {
			return s.exportRows(ctx, f.Archive, names, byIndex+` AND (timestamp, id) `+op+` (?, ?)`+order,
				append(a, ms(after.Timestamp), after.ID, limit)...)
		}
		var minID, maxID sql.NullInt64
		var count int64
		if err := s.r.QueryRowContext(ctx, idRange, p.from, p.to).Scan(&minID, &maxID, &count); err != nil {
			return nil, fmt.Errorf("store: export: %w", err)
		}
		if !minID.Valid {
			return nil, nil
		}
		if count > int64(limit) || maxID.Int64-minID.Int64+1 > 4*count {
			return s.exportRows(ctx, f.Archive, names, byIndex+order, append(a, limit)...)
		}
		list, err := s.exportRows(ctx, f.Archive, names, byID, append(args[:len(args):len(args)], minID.Int64, maxID.Int64, p.from, p.to)...)
		slices.SortFunc(list, func(x, y *model.Event) int {
			c := cmpEvent(x, y)
			if desc {
				return -c
			}
			return c
		})
		return list, err
	}
	return eachSpan(ctx, next, timeChunk, read, fn)
}

// cmpEvent orders events by time, then id.
func cmpEvent(x, y *model.Event) int {
	if c := x.Timestamp.Compare(y.Timestamp); c != 0 {
		return c
	}
	return cmp.Compare(x.ID, y.ID)
}

// exportNames reads the sensor and group names live events are shown with (archived events
// carry their own).
func (s *Store) exportNames(ctx context.Context, f *EventFilter) (*nameCache, error) {
	if f.Archive {
		return nil, nil
	}
	return s.names(ctx)
}

// exportRows runs one read of an export.
func (s *Store) exportRows(ctx context.Context, archive bool, names *nameCache, q string, args ...any) ([]*model.Event, error) {
	list, err := s.eventRows(ctx, q, archive, names, args...)
	if err != nil {
		return nil, fmt.Errorf("store: export: %w", err)
	}
	return list, nil
}
