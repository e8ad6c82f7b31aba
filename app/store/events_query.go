package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
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
	// Source keeps events from addresses in the prefix (one address: a /32 or /128).
	Source     *netip.Prefix
	Service    string
	TargetPort int
	// Fact keeps events whose attacker tried this value (FactKinds: a user name, password,
	// command or HTTP path).
	Fact *Fact
	// ChangedBefore keeps events last changed before the time (live: modified_at; archive:
	// archived_at), for the archive job.
	ChangedBefore *time.Time

	// scanSearch makes the search's text part a LIKE over each row instead of a look-up in
	// events_fts: cheaper when the term is so common that a page fills after a few rows (see
	// indexHint).
	scanSearch bool
	// lookupSearch says the search's own indexes find the matches (a rare term): the other
	// conditions are then written so that SQLite cannot pick their indexes instead, which
	// would test every row of, say, a group against the search.
	lookupSearch bool
	// plan is the search's plan, made once per filter: the list page and its total share it.
	plan *searchPlan
	// part narrows the search to one of its parts (see lookupParts).
	part searchPart
}

// Fact is one value of a kind the attacker tried.
type Fact struct {
	Kind  string // a key of FactKinds
	Value string
}

// sourceIndexHolds are the columns in events_source (the rowid is id): an address look-up
// is filtered, counted and, in these orders, sorted without reading a row.
var sourceIndexHolds = map[string]bool{"id": true, "timestamp": true, "source_key": true, "status": true,
	"classification": true, "group_id": true, "sensor_id": true}

// addressLookup reports whether the filter looks up matches of the source address only.
func (f *EventFilter) addressLookup() bool {
	if !f.lookupSearch || f.Archive {
		return false
	}
	return f.part == addressPart || (f.part == bothParts && !isText(f.Query))
}

// searchPart is the part of a search a filter asks for: a term can be an address and text.
type searchPart int

const (
	bothParts searchPart = iota
	addressPart
	textPart
)

// lookupParts splits a looked-up search whose term is both an address and text (10.0.1.) into
// a filter for each part. Asked for both at once, SQLite collects the row ids of both indexes
// and reads every row to test the other filters and to sort; apart, the address part is
// tested, counted and sorted in events_source (which holds the filtered columns) and the text
// part reads only its few candidate rows. nil when there is nothing to split.
func (f *EventFilter) lookupParts() []*EventFilter {
	if !f.lookupSearch || f.Archive || f.part != bothParts {
		return nil
	}
	if !isAddress(f.Query) || !isText(f.Query) {
		return nil
	}
	addr, text := *f, *f
	addr.part, text.part = addressPart, textPart
	return []*EventFilter{&addr, &text}
}

// probeRows is how many of the newest rows matching the other filters a search first tests:
// enough to tell a common term from a rare one, cheap enough to do for every request.
const probeRows = 300

// pageRows is the page size the search plan assumes (the UI's).
const pageRows = 50

// ftsSearch reports whether the search's text part uses the trigram index: live events and a
// term long enough for the text.
func (f *EventFilter) ftsSearch() bool {
	return !f.Archive && !f.scanSearch && isText(f.Query)
}

// sortKey is one order of the event list: a column and the index that walks it. Every order
// is (column, timestamp, id) in one direction, so equal values are ordered by time.
type sortKey struct {
	column string
	index  string // the live table's index in that order; "" for the rowid
}

// SortKeys are the list's sort keys, by API name.
var SortKeys = map[string]sortKey{
	"id":             {"id", ""},
	"timestamp":      {"timestamp", "events_timestamp"},
	"group":          {"group_id", "events_group"},
	"sensor":         {"sensor_id", "events_sensor"},
	"classification": {"classification", "events_classification"},
	"source":         {"source_key", "events_source"},
	"target_port":    {"target_port", "events_target_port"},
	"summary":        {"summary", "events_summary"},
	"status":         {"status", "events_status"},
}

// EventPage asks for one page of the list.
type EventPage struct {
	Sort   string // a key of SortKeys
	Desc   bool
	Limit  int
	Cursor string // from the previous page's NextCursor; "" for the first page
}

// cursor is the last row of a page in sort order: its sort value, timestamp and id, and the
// sort key it belongs to, so that a cursor of one order is refused in another (where its value
// would silently seek to a meaningless place).
type cursor struct {
	K string `json:"k"`
	V any    `json:"v,omitempty"`
	T int64  `json:"t"`
	I int64  `json:"i"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func badCursor() error {
	return &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
		Fields: map[string]string{"cursor": "Not a cursor from this list."}}
}

// decodeCursor reads a cursor of the sort key and converts its sort value back to the column's type.
func decodeCursor(s string, sort string, column string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.I <= 0 || c.K != sort {
		return nil, badCursor()
	}
	switch column {
	case "id", "timestamp":
	case "summary":
		if _, ok := c.V.(string); !ok {
			return nil, badCursor()
		}
	case "source_key":
		str, _ := c.V.(string)
		key, err := base64.StdEncoding.DecodeString(str)
		if err != nil || len(key) != 16 {
			return nil, badCursor()
		}
		c.V = key
	default:
		f, ok := c.V.(float64) // JSON numbers arrive as float64
		if !ok {
			return nil, badCursor()
		}
		c.V = int64(f)
	}
	return &c, nil
}

// where renders the filter as SQL conditions on the events or archived_events table.
func (f *EventFilter) where() (string, []any) {
	var conds []string
	var args []any
	col := func(name string) string {
		if f.lookupSearch {
			return "+" + name // unary plus: the column's value, but not through its index
		}
		return name
	}
	in := func(name string, n int) string {
		return col(name) + " IN (" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
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
		conds = append(conds, col("sensor_id")+" = ?")
		args = append(args, f.SensorID)
	}
	if f.From != nil {
		conds = append(conds, col("timestamp")+" >= ?")
		args = append(args, ms(*f.From))
	}
	if f.To != nil {
		conds = append(conds, col("timestamp")+" <= ?")
		args = append(args, ms(*f.To))
	}
	if f.Query != "" {
		var cond string
		var a []any
		switch f.part {
		case addressPart:
			cond, a = addressCond(f.Query)
		case textPart:
			cond, a = textCond(f.Query, f.ftsSearch())
		default:
			cond, a = searchCond(f.Query, f.ftsSearch())
		}
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if f.Source != nil {
		lo, hi := prefixKeys(*f.Source)
		conds = append(conds, col("source_key")+" BETWEEN ? AND ?")
		args = append(args, lo, hi)
	}
	if f.Service != "" {
		conds = append(conds, col("service")+" = ?")
		args = append(args, f.Service)
	}
	if f.TargetPort != 0 {
		conds = append(conds, col("target_port")+" = ?")
		args = append(args, f.TargetPort)
	}
	if f.Fact != nil {
		cond, a := f.Fact.cond(f.Archive)
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if f.ChangedBefore != nil {
		changed := "modified_at"
		if f.Archive {
			changed = "archived_at"
		}
		conds = append(conds, changed+" < ?")
		args = append(args, ms(*f.ChangedBefore))
	}
	if f.IDs != nil {
		list, ids := idList(f.IDs)
		conds = append(conds, "id IN "+list)
		args = append(args, ids...)
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
	return f.From == nil && f.To == nil && f.Query == "" && f.IDs == nil && f.ChangedBefore == nil && !f.narrowed()
}

// narrowed reports whether the filter has one of the keys that the overview and the attackers
// view link to (source, service, port, a tried value): these match few rows, through their
// own indexes, so the list leaves the choice of index to SQLite.
func (f *EventFilter) narrowed() bool {
	return f.Source != nil || f.Service != "" || f.TargetPort != 0 || f.Fact != nil
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
	parts := f.lookupParts()
	if parts != nil {
		// The address matches, counted in events_source alone, and the text matches that are
		// not address matches too.
		where1, args1 := parts[0].where()
		where2, args2 := parts[1].where()
		addr, addrArgs := addressCond(f.Query)
		q := `SELECT (SELECT count(*) FROM events WHERE ` + where1 + `) + (SELECT count(*) FROM events WHERE ` +
			where2 + ` AND NOT ` + addr + `)`
		return s.count(ctx, f, q, append(append(args1, args2...), addrArgs...))
	}
	where, args := f.where()
	if f.countable() {
		dataset := 0
		if f.Archive {
			dataset = 1
		}
		return s.count(ctx, f, `SELECT coalesce(sum(n), 0) FROM event_counts WHERE dataset = ? AND `+where, append([]any{dataset}, args...))
	}
	return s.count(ctx, f, `SELECT count(*) FROM `+f.table()+` WHERE `+where, args)
}

func (s *Store) count(ctx context.Context, f *EventFilter, q string, args []any) (int64, error) {
	var n int64
	if err := s.queries(f).queryRow(ctx, q, args, &n); err != nil {
		return 0, fmt.Errorf("store: count events: %w", err)
	}
	return n, nil
}

// CountMatches is CountEvents for the list. It is exact except for a search whose term is
// common: then counting every match would read the whole table, so the count is estimated from
// the share of matches among the newest rows (exact is false).
func (s *Store) CountMatches(ctx context.Context, f *EventFilter) (n int64, exact bool, err error) {
	if f.Query == "" {
		n, err = s.CountEvents(ctx, f)
		return n, true, err
	}
	plan, err := s.searchPlanFor(ctx, f)
	if err != nil || plan.n >= 0 {
		return plan.n, plan.exact, err
	}
	lf := *f
	lf.scanSearch, lf.lookupSearch = !plan.lookup, plan.lookup
	n, err = s.CountEvents(ctx, &lf)
	return n, true, err
}

// searchPlan is how one search is answered.
type searchPlan struct {
	lookup bool  // the term is rare: find its matches through the indexes; else test each row
	n      int64 // the matches as far as the probe tells; -1: unknown, count them
	exact  bool  // n is exact, not an estimate
}

// PlanSearch makes the filter's search plan now (a no-op without a search), so that the page
// and the total can then be read at the same time without planning twice.
func (s *Store) PlanSearch(ctx context.Context, f *EventFilter) error {
	if f.Query == "" {
		return nil
	}
	_, err := s.searchPlanFor(ctx, f)
	return err
}

// searchPlanFor returns the filter's search plan, making it on first use.
func (s *Store) searchPlanFor(ctx context.Context, f *EventFilter) (searchPlan, error) {
	if f.plan == nil {
		p, err := s.planSearch(ctx, f)
		if err != nil {
			return p, err
		}
		f.plan = &p
	}
	return *f.plan, nil
}

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
		if hint, err = s.indexHint(ctx, &others, SortKeys["timestamp"]); err != nil {
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

// indexEntriesPerRow is how many index entries cost as much to read as one table row.
const indexEntriesPerRow = 6

// PageWithTotal is what the event list shows: one page and the filter's total (exact is false
// when a common search term's total is estimated).
type PageWithTotal struct {
	Items []*model.Event
	Next  string
	Total int64
	Exact bool
}

// Page returns one page and the filter's total. They are read at the same time, on two
// connections.
func (s *Store) Page(ctx context.Context, f *EventFilter, p EventPage) (PageWithTotal, error) {
	if err := s.PlanSearch(ctx, f); err != nil {
		return PageWithTotal{}, err
	}
	type count struct {
		n     int64
		exact bool
		err   error
	}
	counted := make(chan count, 1)
	go func() {
		n, exact, err := s.CountMatches(ctx, f)
		counted <- count{n, exact, err}
	}()
	list, next, err := s.ListEvents(ctx, f, p)
	c := <-counted
	if err == nil {
		err = c.err
	}
	return PageWithTotal{list, next, c.n, c.exact}, err
}

// ListEvents returns one page of events in the requested order and the cursor of the next page
// ("" at the end). The page is found by seeking an index, never by skipping rows.
func (s *Store) ListEvents(ctx context.Context, f *EventFilter, p EventPage) ([]*model.Event, string, error) {
	key, ok := SortKeys[p.Sort]
	if !ok {
		return nil, "", &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"sort": "Unknown sort key."}}
	}
	if p.Limit < 1 {
		return nil, "", &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"limit": "Ask for at least one event."}}
	}
	// Planned on the caller's filter, so that CountMatches reuses the plan.
	if err := s.PlanSearch(ctx, f); err != nil {
		return nil, "", err
	}
	// A copy: the planner may switch this query's search to a row scan (see indexHint).
	lf := *f
	f = &lf
	hint := ""
	if !f.Archive {
		var err error
		if hint, err = s.indexHint(ctx, f, key); err != nil {
			return nil, "", err
		}
	}
	cmp, dir := ">", "ASC"
	if p.Desc {
		cmp, dir = "<", "DESC"
	}
	order := "id " + dir
	switch key.column {
	case "id":
	case "timestamp":
		order = "timestamp " + dir + ", id " + dir
	default:
		order = key.column + " " + dir + ", timestamp " + dir + ", id " + dir
	}
	var after string
	var afterArgs []any
	if p.Cursor != "" {
		c, err := decodeCursor(p.Cursor, p.Sort, key.column)
		if err != nil {
			return nil, "", err
		}
		// Each condition starts with a plain range on the order's first column, which is what
		// lets SQLite seek the index to the cursor instead of filtering from the start.
		switch key.column {
		case "id":
			after = " AND id " + cmp + " ?"
			afterArgs = []any{c.I}
		case "timestamp":
			after = fmt.Sprintf(" AND timestamp %s= ? AND (timestamp %s ? OR id %s ?)", cmp, cmp, cmp)
			afterArgs = []any{c.T, c.T, c.I}
		default:
			col := key.column
			after = fmt.Sprintf(" AND %s %s= ? AND (%s %s ? OR timestamp %s ? OR (timestamp = ? AND id %s ?))",
				col, cmp, col, cmp, cmp, cmp)
			afterArgs = []any{c.V, c.V, c.T, c.T, c.I}
		}
	}
	from := "events e"
	cols := liveColumns
	if f.Archive {
		cols, from = archivedColumns, "archived_events"
	}
	from += hint
	// The cursor needs the sort value; id and timestamp are read anyway.
	extra := ""
	if key.column != "id" && key.column != "timestamp" {
		extra = ", " + key.column
	}
	// The limit is written into the query, not bound: SQLite parses a query again whenever a
	// bound LIMIT changes its value, and with it every use of a kept statement.
	limit := strconv.Itoa(p.Limit + 1)
	page := func(f *EventFilter) (string, []any) {
		where, args := f.where()
		where += after
		args = append(args, afterArgs...)
		if f.addressLookup() && sourceIndexHolds[key.column] {
			// The page's ids first, sorted in events_source, which holds the filtered columns
			// and this order's: then only the page's rows are read, not every match's.
			where = "id IN (SELECT id FROM events WHERE " + where + " ORDER BY " + order + " LIMIT " + limit + ")"
		}
		return fmt.Sprintf(`SELECT %s%s FROM %s WHERE %s ORDER BY %s LIMIT %s`, cols, extra, from, where, order, limit), args
	}
	// The names first: read while the page's rows are open, they would need a second
	// connection, and lists waiting for one while holding another could take every reader.
	var names *nameCache
	if !f.Archive {
		var err error
		if names, err = s.names(ctx); err != nil {
			return nil, "", err
		}
	}
	q, args := page(f)
	if parts := f.lookupParts(); parts != nil {
		// The page of each part, merged (UNION also drops an event that both parts found).
		q1, args1 := page(parts[0])
		q2, args2 := page(parts[1])
		q = fmt.Sprintf(`SELECT * FROM (%s) UNION SELECT * FROM (%s) ORDER BY %s LIMIT %s`, q1, q2, order, limit)
		args = append(args1, args2...)
	}
	rows, err := s.queries(f).query(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list events: %w", err)
	}
	defer rows.Close()
	list := make([]*model.Event, 0, p.Limit)
	var sortVals []any
	var sv any
	sc := newEventScanner(f.Archive)
	if extra != "" {
		sc = newEventScanner(f.Archive, &sv) // the sort value, for the cursor
	}
	for rows.Next() {
		sv = nil
		e, err := sc.scan(rows)
		if err != nil {
			return nil, "", fmt.Errorf("store: list events: %w", err)
		}
		if names != nil {
			names.fill(e)
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
		c := cursor{K: p.Sort, T: last.Timestamp.UnixMilli(), I: last.ID}
		if key.column != "id" && key.column != "timestamp" {
			c.V = sortVals[p.Limit-1]
		}
		next = encodeCursor(c)
	}
	return list, next, nil
}

// indexHint chooses how SQLite reads the live table for a page. SQLite's sampled statistics
// cannot tell how many rows a filter matches, but event_counts knows exactly, so the choice is
// made here:
//   - a filter on the order's own column, or the newest-first order with a filter on one
//     status, classification, group or sensor, seeks that column's (column, timestamp) index:
//     no row is read that is not shown;
//   - a filter matching few rows (under 5%) reads them by its index and sorts them;
//   - otherwise the sort column's index is walked and the rows that fail the filter are
//     skipped: a page is found after a few rows. (Several values of one column in its index
//     would read a page for each value and sort them.)
func (s *Store) indexHint(ctx context.Context, f *EventFilter, key sortKey) (string, error) {
	if f.IDs != nil || f.From != nil || f.To != nil || f.ChangedBefore != nil || f.narrowed() {
		return "", nil // few rows, or the timestamp range is the best index anyway
	}
	if f.Query != "" {
		plan, err := s.searchPlanFor(ctx, f)
		if err != nil {
			return "", err
		}
		if plan.lookup {
			f.lookupSearch = true
			return "", nil // a rare term: its few matches come from the indexes, then sorted
		}
		f.scanSearch = true // walk the order below and test each row
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
		return walk, nil
	}
	var best *dim
	bestN := int64(-1)
	for i := range dims {
		n, err := s.CountEvents(ctx, &dims[i].f)
		if err != nil {
			return "", err
		}
		if bestN < 0 || n < bestN {
			best, bestN = &dims[i], n
		}
	}
	if best.index == key.index || (key.column == "timestamp" && best.values == 1) {
		return " INDEXED BY " + best.index, nil
	}
	all, err := s.CountEvents(ctx, &EventFilter{})
	if err != nil {
		return "", err
	}
	if f.countable() {
		if bestN, err = s.CountEvents(ctx, f); err != nil {
			return "", err
		}
	}
	if bestN*20 < all {
		return " INDEXED BY " + best.index, nil
	}
	return walk, nil
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
