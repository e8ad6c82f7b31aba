package store

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"honeysens/app/model"
)

// OverviewQuery asks for the overview of a period. The rollups count whole hours: From is
// rounded down and To up to the hour.
type OverviewQuery struct {
	From, To time.Time
	Groups   []int64 // nil: every group
	// Days makes the timeline count per day (in Location) instead of per hour.
	Days     bool
	Location *time.Location
}

// Overview is what happened in a period, from the rollups.
type Overview struct {
	From, To        time.Time // the period counted: whole hours
	PreviousFrom    time.Time // the period before, of the same length, ends at From
	ByClass         map[model.Classification]int64
	PreviousByClass map[model.Classification]int64
	ByStatus        map[model.Status]int64
	Timeline        []TimelineBucket
	Top             map[string][]TopValue // by TopLists
	RecentCritical  []*model.Event
}

// TimelineBucket is one hour or day of the timeline.
type TimelineBucket struct {
	Start  time.Time
	Counts map[model.Classification]int64
}

// TopValue is one row of a top list: a value and its events (or, for tried values, how often
// it was tried) in the period.
type TopValue struct {
	Value string
	Count int64
}

// TopLists are the overview's top lists.
var TopLists = []string{"sources", "ports", "services", "usernames", "passwords", "commands", "paths"}

// topN is the length of each top list.
const topN = 10

// groupCond is the condition on group_id for a scope (nil: every group) and its arguments.
func groupCond(col string, groups []int64) (string, []any) {
	if groups == nil {
		return "1", nil
	}
	list, args := idList(groups)
	return col + " IN " + list, args
}

// Overview answers the overview of a period from the rollups.
func (s *Store) Overview(ctx context.Context, q OverviewQuery) (*Overview, error) {
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	fromH := ms(q.From) / hourMS
	toH := (ms(q.To) + hourMS - 1) / hourMS
	if toH <= fromH {
		toH = fromH + 1
	}
	o := &Overview{From: fromMS(fromH * hourMS), To: fromMS(toH * hourMS), PreviousFrom: fromMS((2*fromH - toH) * hourMS),
		ByClass: map[model.Classification]int64{}, PreviousByClass: map[model.Classification]int64{},
		ByStatus: map[model.Status]int64{}, Top: map[string][]TopValue{}}
	if err := s.overviewHours(ctx, o, q, fromH, toH, loc); err != nil {
		return nil, err
	}
	gc, gargs := groupCond("group_id", q.Groups)
	var err error
	for _, t := range []struct {
		name, query string
	}{
		{"ports", `SELECT port, sum(n) AS c FROM port_hours WHERE hour >= ? AND hour < ? AND ` + gc + ` GROUP BY port`},
		{"services", `SELECT service, sum(n) AS c FROM event_hours WHERE hour >= ? AND hour < ? AND ` + gc + ` GROUP BY service`},
	} {
		list, err := s.topQuery(ctx, t.query+` ORDER BY c DESC, 1 LIMIT `+strconv.Itoa(topN), append([]any{fromH, toH}, gargs...)...)
		if err != nil {
			return nil, err
		}
		o.Top[t.name] = list
	}
	from, to := fromH*hourMS, toH*hourMS
	var periodEvents int64
	for _, n := range o.ByClass {
		periodEvents += n
	}
	if o.Top["sources"], err = s.topSources(ctx, q.Groups, from, to, periodEvents); err != nil {
		return nil, err
	}
	for name, kind := range map[string]int{"usernames": factUser, "passwords": factPassword, "commands": factCommand, "paths": factPath} {
		if o.Top[name], err = s.topFacts(ctx, kind, q.Groups, from, to); err != nil {
			return nil, err
		}
	}
	if o.RecentCritical, err = s.recentCritical(ctx, q.Groups, from, to); err != nil {
		return nil, err
	}
	return o, nil
}

// overviewHours fills the totals, the period before and the timeline of o: one pass over the
// period's hour rows.
func (s *Store) overviewHours(ctx context.Context, o *Overview, q OverviewQuery, fromH, toH int64, loc *time.Location) error {
	gc, gargs := groupCond("group_id", q.Groups)
	rows, err := s.r.QueryContext(ctx, `SELECT hour, classification, status, sum(n) FROM event_hours
		WHERE hour >= ? AND hour < ? AND `+gc+` GROUP BY hour, classification, status`, append([]any{2*fromH - toH, toH}, gargs...)...)
	if err != nil {
		return fmt.Errorf("store: overview: %w", err)
	}
	defer rows.Close()
	buckets := map[int64]*TimelineBucket{}
	for rows.Next() {
		var hour, n int64
		var class model.Classification
		var status model.Status
		if err := rows.Scan(&hour, &class, &status, &n); err != nil {
			return fmt.Errorf("store: overview: %w", err)
		}
		if hour < fromH {
			o.PreviousByClass[class] += n
			continue
		}
		o.ByClass[class] += n
		o.ByStatus[status] += n
		start := fromMS(hour * hourMS)
		if q.Days {
			t := start.In(loc)
			start = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).UTC()
		}
		b := buckets[ms(start)]
		if b == nil {
			b = &TimelineBucket{Start: start, Counts: map[model.Classification]int64{}}
			buckets[ms(start)] = b
		}
		b.Counts[class] += n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: overview: %w", err)
	}
	o.Timeline = fillTimeline(buckets, o.From, o.To, q.Days, loc)
	return nil
}

// fillTimeline returns the buckets from..to in order, with empty ones for quiet hours or days.
func fillTimeline(have map[int64]*TimelineBucket, from, to time.Time, days bool, loc *time.Location) []TimelineBucket {
	var out []TimelineBucket
	t := from
	if days {
		l := from.In(loc)
		t = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	}
	for t.Before(to) {
		b := have[ms(t)]
		if b == nil {
			b = &TimelineBucket{Start: t.UTC(), Counts: map[model.Classification]int64{}}
		}
		out = append(out, *b)
		if days {
			t = t.AddDate(0, 0, 1)
		} else {
			t = t.Add(time.Hour)
		}
	}
	return out
}

func (s *Store) topQuery(ctx context.Context, q string, args ...any) ([]TopValue, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: top list: %w", err)
	}
	defer rows.Close()
	out := []TopValue{}
	for rows.Next() {
		var v TopValue
		var value any
		if err := rows.Scan(&value, &v.Count); err != nil {
			return nil, fmt.Errorf("store: top list: %w", err)
		}
		switch x := value.(type) {
		case []byte:
			v.Value = string(x)
		default:
			v.Value = fmt.Sprint(x)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// recentCritical returns the newest Honeypot events of the period.
func (s *Store) recentCritical(ctx context.Context, groups []int64, from, to int64) ([]*model.Event, error) {
	names, err := s.names(ctx)
	if err != nil {
		return nil, err
	}
	gc, gargs := groupCond("e.group_id", groups)
	rows, err := s.r.QueryContext(ctx, `SELECT `+liveColumns+` FROM events e INDEXED BY events_classification
		WHERE e.classification = ? AND e.timestamp >= ? AND e.timestamp < ? AND `+gc+` ORDER BY e.timestamp DESC, e.id DESC LIMIT `+
		strconv.Itoa(topN), append([]any{model.ClassHoneypot, from, to}, gargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: recent critical events: %w", err)
	}
	defer rows.Close()
	out := []*model.Event{}
	sc := newEventScanner(false)
	for rows.Next() {
		e, err := sc.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: recent critical events: %w", err)
		}
		names.fill(e)
		out = append(out, e)
	}
	return out, rows.Err()
}

// A top list of values that are too many to sum per hour (sources, tried values) is found by a
// ranked walk (Fagin's threshold algorithm). Each group keeps its values ordered by their count
// over all live events (attackers.events, fact_totals.n). The walk reads each group's list from
// the top, a page at a time, and counts every new value exactly in the period through the value's
// own index (events_source, fact_hours). No value it has not read can have more events in the
// period than the sum of the counts where each list stands, so the walk stops as soon as the
// tenth best count reaches that sum. Attack traffic is skewed, and the period usually holds most
// of the live events: the walk then stops after a page or two. When it has to read too far (a
// short period long after the busiest attackers), the values of the period are counted directly.
const (
	walkPage = 32
	// defaultWalkBudget is how many values the walk counts before it gives way to counting the
	// period directly (a value costs about 10 µs, the direct count of a million events up to
	// 150 ms), and up to how many events or tried values a period is counted directly at once.
	// Store.walkBudget holds it (tests lower it to make the walk and its give-up run).
	defaultWalkBudget = 4096
)

// rankedList reads one group's values by descending all-time count.
type rankedList struct {
	// query selects key, text, count in descending order of (count, key); AFTER in it is
	// replaced by the cursor's condition on after, the row value (count, key).
	query string
	after string
	args  []any
	last  struct {
		n   int64
		key any
	}
	started, done bool
}

func (l *rankedList) next(ctx context.Context, s *Store) ([]rankedValue, error) {
	args := append([]any{}, l.args...)
	after := "1"
	if l.started {
		// A row-value comparison: SQLite seeks the index to the cursor (an OR of two
		// conditions would make it read the list from the top for every page).
		after = l.after + " < (?, ?)"
		args = append(args, l.last.n, l.last.key)
	}
	rows, err := s.lists.query(ctx, strings.Replace(l.query, "AFTER", after, 1)+` LIMIT `+strconv.Itoa(walkPage), args...)
	if err != nil {
		return nil, fmt.Errorf("store: top list: %w", err)
	}
	defer rows.Close()
	var out []rankedValue
	for rows.Next() {
		var v rankedValue
		if err := rows.Scan(&v.key, &v.text, &v.n); err != nil {
			return nil, fmt.Errorf("store: top list: %w", err)
		}
		out = append(out, v)
		l.last.n, l.last.key = v.n, v.key
	}
	l.started = true
	if len(out) < walkPage {
		l.done = true
	}
	return out, rows.Err()
}

type rankedValue struct {
	key  any // the value's key in its index (source_key, or the text)
	text string
	n    int64 // all-time count in its group
}

// walkTop runs the ranked walk over lists; count returns the exact counts in the period of a
// page of keys (at most walkPage; absent keys have none), direct the whole top list counted
// from the period (used when the walk gets too long).
func (s *Store) walkTop(ctx context.Context, lists []*rankedList, count func(keys []any) (map[string]int64, error),
	direct func() ([]TopValue, error)) ([]TopValue, error) {
	seen := map[string]bool{}
	var found []TopValue
	counted := 0
	for {
		var bound int64
		more := false
		for _, l := range lists {
			if l.done {
				continue
			}
			vals, err := l.next(ctx, s)
			if err != nil {
				return nil, err
			}
			var keys []any
			texts := map[string]string{}
			for _, v := range vals {
				id := keyString(v.key)
				if !seen[id] {
					seen[id] = true
					keys = append(keys, v.key)
					texts[id] = v.text
				}
			}
			if len(keys) > 0 {
				counted += len(keys)
				counts, err := count(keys)
				if err != nil {
					return nil, err
				}
				for id, n := range counts {
					if n > 0 {
						found = append(found, TopValue{texts[id], n})
					}
				}
			}
			if !l.done {
				bound += l.last.n
				more = true
			}
		}
		sortTop(found)
		if len(found) > topN {
			found = found[:topN]
		}
		if !more || (len(found) == topN && found[topN-1].Count >= bound) {
			return found, nil
		}
		if counted >= s.walkBudget {
			return direct()
		}
	}
}

// keyString is a list key as a map key ([]byte source keys, string values).
func keyString(k any) string {
	if b, ok := k.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(k)
}

// pageCounts runs a query that counts a page of keys, given as "IN (...)" of exactly
// walkPage places (the last key repeated: one query text for every page), and returns the
// counts by key.
func (s *Store) pageCounts(ctx context.Context, query string, keys []any, before, after []any) (map[string]int64, error) {
	in := make([]any, walkPage)
	for i := range in {
		in[i] = keys[min(i, len(keys)-1)]
	}
	args := append(append(append([]any{}, before...), in...), after...)
	rows, err := s.lists.query(ctx, strings.Replace(query, "KEYS", "("+strings.TrimSuffix(strings.Repeat("?,", walkPage), ",")+")", 1), args...)
	if err != nil {
		return nil, fmt.Errorf("store: top list: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k any
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("store: top list: %w", err)
		}
		out[keyString(k)] = n
	}
	return out, rows.Err()
}

func sortTop(list []TopValue) {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Count != list[j].Count {
			return list[i].Count > list[j].Count
		}
		return list[i].Value < list[j].Value
	})
}

// scopeGroups returns the group lists a walk reads: the groups of the scope, or every group.
func (s *Store) scopeGroups(ctx context.Context, groups []int64) ([]int64, error) {
	if groups != nil {
		return groups, nil
	}
	ids, err := queryIDs(ctx, s.r, `SELECT id FROM groups`)
	if err != nil {
		return nil, fmt.Errorf("store: groups: %w", err)
	}
	return ids, nil
}

// topSources is the top list of source addresses. For a period of up to eight days the walk
// reads each group's busiest addresses of each day of the period (source_days): an address that
// was busy long before the period does not hold it up. For longer periods it reads the busiest
// of all time (the attackers rows of the scope), which a long period holds most of, and a walk
// over a month of day lists would read 30 lists a round.
func (s *Store) topSources(ctx context.Context, groups []int64, from, to, periodEvents int64) ([]TopValue, error) {
	var lists []*rankedList
	if to-from <= 8*dayMS {
		gs, err := s.scopeGroups(ctx, groups)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			for day := from / dayMS; day <= (to-1)/dayMS; day++ {
				lists = append(lists, &rankedList{query: `SELECT source_key, source_key, n FROM source_days INDEXED BY source_days_count
					WHERE group_id = ? AND day = ? AND AFTER ORDER BY n DESC, source_key DESC`, after: "(n, source_key)", args: []any{g, day}})
			}
		}
	} else {
		listGroups := groups
		if groups == nil {
			all, err := s.allGroupsRow(ctx)
			if err != nil {
				return nil, err
			}
			listGroups = []int64{all}
		}
		for _, g := range listGroups {
			lists = append(lists, &rankedList{query: `SELECT source_key, source_key, events FROM attackers INDEXED BY attackers_events
				WHERE group_id = ? AND AFTER ORDER BY events DESC, source_key DESC`, after: "(events, source_key)", args: []any{g}})
		}
	}
	gc, gargs := groupCond("group_id", groups)
	count := func(keys []any) (map[string]int64, error) {
		return s.pageCounts(ctx, `SELECT source_key, count(*) FROM events INDEXED BY events_source
			WHERE source_key IN KEYS AND timestamp >= ? AND timestamp < ? AND `+gc+` GROUP BY source_key`, keys, nil,
			append([]any{from, to}, gargs...))
	}
	// Counted directly, the period's events are read in time order, a row each, or, when the
	// period holds more than a sixth of the live events, in one pass over events_source: it holds
	// every column the count needs and is in source order, so each address is counted as the
	// pass goes, at about a sixth of a row's cost per entry.
	total, err := s.CountEvents(ctx, &EventFilter{Groups: groups})
	if err != nil {
		return nil, err
	}
	index := "events_timestamp"
	if periodEvents*6 > total {
		index = "events_source"
	}
	direct := func() ([]TopValue, error) {
		return s.topQuery(ctx, `SELECT source_key, count(*) AS c FROM events INDEXED BY `+index+`
			WHERE timestamp >= ? AND timestamp < ? AND `+gc+` GROUP BY source_key ORDER BY c DESC, 1 LIMIT `+strconv.Itoa(topN),
			append([]any{from, to}, gargs...)...)
	}
	var list []TopValue
	if periodEvents <= int64(s.walkBudget) {
		list, err = direct() // a quiet period: counting it is cheaper than any walk
	} else {
		list, err = s.walkTop(ctx, lists, count, direct)
	}
	for i := range list { // the lists hold source keys: sorted as addresses, shown as text
		list[i].Value = addrOfKey([]byte(list[i].Value))
	}
	return list, err
}

// topFacts is the top list of one kind of tried value: a walk over each group's fact_totals.
func (s *Store) topFacts(ctx context.Context, kind int, groups []int64, from, to int64) ([]TopValue, error) {
	gs, err := s.scopeGroups(ctx, groups)
	if err != nil {
		return nil, err
	}
	var lists []*rankedList
	for _, g := range gs {
		lists = append(lists, &rankedList{query: `SELECT value, value, n FROM fact_totals INDEXED BY fact_totals_count
			WHERE kind = ? AND group_id = ? AND AFTER ORDER BY n DESC, value DESC`, after: "(n, value)", args: []any{kind, g}})
	}
	gc, gargs := groupCond("group_id", groups)
	fromH, toH := from/hourMS, to/hourMS
	count := func(keys []any) (map[string]int64, error) {
		// +hour: the values' own rows (the primary key), not every row of the period.
		return s.pageCounts(ctx, `SELECT value, sum(n) FROM fact_hours
			WHERE kind = ? AND value IN KEYS AND +hour >= ? AND +hour < ? AND `+gc+` GROUP BY value`, keys, []any{kind},
			append([]any{fromH, toH}, gargs...))
	}
	// Counted directly, the period's rows are read in fact_hours_period.
	direct := func() ([]TopValue, error) {
		return s.topQuery(ctx, `SELECT value, sum(n) AS c FROM fact_hours INDEXED BY fact_hours_period
			WHERE kind = ? AND hour >= ? AND hour < ? AND `+gc+` GROUP BY value ORDER BY c DESC, 1 LIMIT `+strconv.Itoa(topN),
			append([]any{kind, fromH, toH}, gargs...)...)
	}
	var rows int64
	if err := s.lists.queryRow(ctx, `SELECT count(*) FROM fact_hours INDEXED BY fact_hours_period WHERE kind = ? AND hour >= ? AND hour < ?`,
		[]any{kind, fromH, toH}, &rows); err != nil {
		return nil, fmt.Errorf("store: top list: %w", err)
	}
	if rows <= int64(s.walkBudget) {
		return direct() // few values tried in the period: counting them is cheaper than any walk
	}
	return s.walkTop(ctx, lists, count, direct)
}

// addrOfKey is the address of a source_key.
func addrOfKey(key []byte) string {
	if len(key) != 16 {
		return ""
	}
	return netip.AddrFrom16([16]byte(key)).Unmap().String()
}
