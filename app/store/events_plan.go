package store

import (
	"context"
	"fmt"
	"strconv"

	"honeysens/app/model"
)

// eventQuery is one planned read of the event list: the filter as the caller set it and every
// decision about how to read it, all made by planEvents, so that a page and its total share
// them. Its methods render the SQL.
type eventQuery struct {
	f    EventFilter
	plan searchPlan // the search's plan; n is -1 (count them) without a search
	// total and list say how the total's and the page's statements read the search.
	total, list reading
	// The page: its order, its size and where it starts (after nil: at the start).
	sort  string
	key   sortKey
	desc  bool
	limit int
	after *cursor
	hint  string // how the page reads the live table (see indexHint)
}

// reading is how one statement reads the filter's search.
type reading struct {
	search searchMode
	// split reads a looked-up term that is both an address and text (10.0.1.) as one statement
	// per part. Asked for both at once, SQLite collects the row ids of both indexes and reads
	// every row to test the other filters and to sort; apart, the address part is tested,
	// counted and sorted in events_source (which holds the filtered columns) and the text part
	// reads only its few candidate rows.
	split bool
}

// searchPlan is how one search is answered.
type searchPlan struct {
	lookup bool  // the term is rare: find its matches through the indexes; else test each row
	n      int64 // the matches as far as the probe tells; -1: unknown, count them
	exact  bool  // n is exact, not an estimate
}

// filterQuery is the filter read without a plan: the search through its indexes, no index
// hint, the total counted.
func filterQuery(f *EventFilter) *eventQuery {
	return &eventQuery{f: *f, plan: searchPlan{n: -1}}
}

// planEvents plans a read of the list: the total only (p nil), or a page and the total. The
// search's plan is measured first (see planSearch).
func (s *Store) planEvents(ctx context.Context, f *EventFilter, p *EventPage) (*eventQuery, error) {
	plan := searchPlan{n: -1}
	if f.Query != "" {
		var err error
		if plan, err = s.planSearch(ctx, f); err != nil {
			return nil, err
		}
	}
	return s.planWith(ctx, f, p, plan)
}

// planWith makes every other decision of the read, given the search's plan.
func (s *Store) planWith(ctx context.Context, f *EventFilter, p *EventPage, plan searchPlan) (*eventQuery, error) {
	q := filterQuery(f)
	q.plan = plan
	if plan.lookup {
		q.total = q.reading(searchLookup)
	}
	if p == nil {
		return q, nil
	}
	key, ok := SortKeys[p.Sort]
	if !ok {
		return nil, &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"sort": "Unknown sort key."}}
	}
	if p.Limit < 1 {
		return nil, &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"limit": "Ask for at least one event."}}
	}
	q.sort, q.key, q.desc, q.limit = p.Sort, key, p.Desc, p.Limit
	if p.Cursor != "" {
		c, err := decodeCursor(p.Cursor, p.Sort, key.column)
		if err != nil {
			return nil, err
		}
		q.after = c
	}
	if !f.Archive {
		hint, search, err := s.indexHint(ctx, f, key, plan)
		if err != nil {
			return nil, err
		}
		q.hint, q.list = hint, q.reading(search)
	}
	return q, nil
}

// reading is how a statement reads the search in the given mode: a looked-up term that is both
// an address and text is split into its parts.
func (q *eventQuery) reading(search searchMode) reading {
	split := search == searchLookup && !q.f.Archive && isAddress(q.f.Query) && isText(q.f.Query)
	return reading{search, split}
}

// probeRows is how many of the newest rows matching the other filters a search first tests:
// enough to tell a common term from a rare one, cheap enough to do for every request.
const probeRows = 300

// pageRows is the page size the search plan assumes (the UI's).
const pageRows = 50

// indexEntriesPerRow is how many index entries cost as much to read as one table row.
const indexEntriesPerRow = 6

// planSearch tests the newest probeRows rows that pass the other filters (see search.go for
// what a term matches). When fewer rows than that pass them, the probe saw every candidate:
// its count is exact. Otherwise the probe's share of matches says what a page costs each way:
// walking the list's order tests about pageRows*rows/hits rows; looking the matches up reads
// every address match in events_source (an index entry, about a sixth of the cost of a row:
// the index holds the filtered columns) and every text match's row. The cheaper way wins.
// (Sorted by summary or target port, an address look-up reads its matches' rows too; the plan
// is made once for the page and the total, whatever the order.)
// A walked term's total is estimated from its share (counting every match would read the
// whole table); a looked-up term's total is counted exactly from the same indexes.
func (s *Store) planSearch(ctx context.Context, f *EventFilter) (searchPlan, error) {
	others := *f
	others.Query = ""
	hint := ""
	if !f.Archive {
		var err error
		if hint, _, err = s.indexHint(ctx, &others, SortKeys["timestamp"], searchPlan{}); err != nil {
			return searchPlan{}, err
		}
	}
	where, args := others.where()
	addr, addrArgs := addressCond(f.Query)
	text, textArgs := textCond(f.Query, false)
	if addr == "" {
		addr = "0"
	}
	if text == "" {
		text = "0"
	}
	var rows, addrHits, textHits, hits int64
	probeArgs := append(append(addrArgs, textArgs...), args...)
	err := s.queries(f).queryRow(ctx, `SELECT count(*), coalesce(sum(a), 0), coalesce(sum(t), 0), coalesce(sum(a OR t), 0)
		FROM (SELECT `+addr+` AS a, `+text+` AS t FROM `+f.table()+hint+` WHERE `+where+` ORDER BY timestamp DESC LIMIT `+
		strconv.Itoa(probeRows)+`)`, probeArgs, &rows, &addrHits, &textHits, &hits)
	if err != nil {
		return searchPlan{}, fmt.Errorf("store: search probe: %w", err)
	}
	if rows < probeRows {
		return searchPlan{n: hits, exact: true}, nil
	}
	total, err := s.CountEvents(ctx, &others)
	if err != nil {
		return searchPlan{}, err
	}
	estimate := total * hits / rows
	if f.Archive {
		return searchPlan{n: estimate}, nil // the archive has no search indexes
	}
	if hits == 0 {
		return searchPlan{lookup: true, n: -1}, nil
	}
	walk := pageRows * rows / hits
	lookup := total*addrHits/rows/indexEntriesPerRow + total*textHits/rows
	if lookup <= walk {
		return searchPlan{lookup: true, n: -1}, nil
	}
	return searchPlan{n: estimate}, nil
}

// indexHint chooses how SQLite reads the live table for a page, and with it how the page reads
// the search. SQLite's sampled statistics cannot tell how many rows a filter matches, but
// event_counts knows exactly, so the choice is made here:
//   - a filter on the order's own column, or the newest-first order with a filter on one
//     status, classification, group or sensor, seeks that column's (column, timestamp) index:
//     no row is read that is not shown;
//   - a filter matching few rows (under 5%) reads them by its index and sorts them;
//   - otherwise the sort column's index is walked and the rows that fail the filter are
//     skipped: a page is found after a few rows. (Several values of one column in its index
//     would read a page for each value and sort them.)
func (s *Store) indexHint(ctx context.Context, f *EventFilter, key sortKey, plan searchPlan) (string, searchMode, error) {
	if f.IDs != nil || f.From != nil || f.To != nil || f.ChangedBefore != nil || f.narrowed() {
		return "", searchIndexed, nil // few rows, or the timestamp range is the best index anyway
	}
	search := searchIndexed
	if f.Query != "" {
		if plan.lookup {
			return "", searchLookup, nil // a rare term: its few matches come from the indexes, then sorted
		}
		search = searchScan // walk the order below and test each row
	}
	type dim struct {
		index  string
		values int
		f      EventFilter
	}
	var dims []dim
	if f.Status != nil {
		dims = append(dims, dim{"events_status", len(f.Status), EventFilter{Status: f.Status}})
	}
	if f.Classification != nil {
		dims = append(dims, dim{"events_classification", len(f.Classification), EventFilter{Classification: f.Classification}})
	}
	if f.Groups != nil {
		dims = append(dims, dim{"events_group", len(f.Groups), EventFilter{Groups: f.Groups}})
	}
	if f.SensorID != 0 {
		dims = append(dims, dim{"events_sensor", 1, EventFilter{SensorID: f.SensorID}})
	}
	walk := " INDEXED BY " + key.index
	if key.index == "" {
		walk = " NOT INDEXED" // the table itself is in id order
	}
	if len(dims) == 0 {
		return walk, search, nil
	}
	var best *dim
	bestN := int64(-1)
	for i := range dims {
		n, err := s.CountEvents(ctx, &dims[i].f)
		if err != nil {
			return "", search, err
		}
		if bestN < 0 || n < bestN {
			best, bestN = &dims[i], n
		}
	}
	if best.index == key.index || (key.column == "timestamp" && best.values == 1) {
		return " INDEXED BY " + best.index, search, nil
	}
	all, err := s.CountEvents(ctx, &EventFilter{})
	if err != nil {
		return "", search, err
	}
	if f.countable() {
		if bestN, err = s.CountEvents(ctx, f); err != nil {
			return "", search, err
		}
	}
	if bestN*20 < all {
		return " INDEXED BY " + best.index, search, nil
	}
	return walk, search, nil
}
