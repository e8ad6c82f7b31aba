package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"honeysens/app/model"
)

// Attacker is one source address and what its live events add up to.
type Attacker struct {
	Source         netip.Addr
	FirstSeen      time.Time
	LastSeen       time.Time
	Events         int64
	NewEvents      int64
	LoginsTried    int64
	LoginsAccepted int64
	Commands       int64
	Classes        map[model.Classification]int64
	Services       map[string]int64
	Ports          map[int]int64
	Sensors        map[int64]int64 // events per sensor id
}

// AttackerFilter selects attackers: by scope, by activity in a period (seen within [From, To])
// and by address or network.
type AttackerFilter struct {
	Groups   []int64 // nil: every group
	From, To *time.Time
	Source   *netip.Prefix
}

// AttackerPage asks for one page of attackers.
type AttackerPage struct {
	Sort   string // a key of AttackerSorts
	Desc   bool
	Limit  int
	Cursor string
}

// AttackerSorts are the attackers list's orders by API name: the column of the attackers table.
var AttackerSorts = map[string]string{"last_seen": "last_seen", "first_seen": "first_seen", "events": "events", "source": "source_key"}

// attackerColumns are read by scanAttacker; the multi-group scope sums the rows of its groups.
const attackerColumns = `source_key, source, first_seen, last_seen, events, new_events, logins, logins_ok, commands,
	classes, services, ports, sensors`

// Attackers returns one page of attackers and how many match. An admin's scope (every group)
// and a single group read their own rows in the order of an index; a scope of several groups
// adds up their rows first, which reads every row of those groups.
func (s *Store) Attackers(ctx context.Context, f AttackerFilter, p AttackerPage) ([]*Attacker, string, int64, error) {
	col, ok := AttackerSorts[p.Sort]
	if !ok {
		return nil, "", 0, &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.",
			Fields: map[string]string{"sort": "Sort by last_seen, first_seen, events or source."}}
	}
	from := "attackers"
	var conds []string
	var args []any
	switch {
	case f.Groups == nil:
		all, err := s.allGroupsRow(ctx)
		if err != nil {
			return nil, "", 0, err
		}
		conds, args = append(conds, "group_id = ?"), append(args, all)
	case len(f.Groups) == 1:
		conds, args = append(conds, "group_id = ?"), append(args, f.Groups[0])
	default:
		list, ids := idList(f.Groups)
		if len(f.Groups) == 0 {
			list = "(NULL)"
		}
		from = `(SELECT source_key, min(source) AS source, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
			sum(events) AS events, sum(new_events) AS new_events, sum(logins) AS logins, sum(logins_ok) AS logins_ok,
			sum(commands) AS commands, json_group_array(classes) AS classes, json_group_array(services) AS services,
			json_group_array(ports) AS ports, json_group_array(sensors) AS sensors
			FROM attackers WHERE group_id IN ` + list + ` GROUP BY source_key)`
		args = append(args, ids...)
	}
	if f.From != nil {
		conds, args = append(conds, "last_seen >= ?"), append(args, ms(*f.From))
	}
	if f.To != nil {
		conds, args = append(conds, "first_seen <= ?"), append(args, ms(*f.To))
	}
	if f.Source != nil {
		lo, hi := prefixKeys(*f.Source)
		conds, args = append(conds, "source_key BETWEEN ? AND ?"), append(args, lo, hi)
	}
	where := "1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	// The total is counted on a second reader while the page is read: counting every attacker
	// of the scope costs about as much as the page.
	type count struct {
		n   int64
		err error
	}
	counted := make(chan count, 1)
	go func() {
		var c count
		c.err = s.lists.queryRow(ctx, `SELECT count(*) FROM `+from+` WHERE `+where, args, &c.n)
		counted <- c
	}()
	list, next, err := s.attackerPage(ctx, from, where, args, col, p)
	c := <-counted
	if err == nil && c.err != nil {
		err = fmt.Errorf("store: count attackers: %w", c.err)
	}
	return list, next, c.n, err
}

// attackerPage reads one page of the attackers that where selects, in the order of col.
func (s *Store) attackerPage(ctx context.Context, from, where string, args []any, col string, p AttackerPage) ([]*Attacker, string, error) {

	cmp, dir := ">", "ASC"
	if p.Desc {
		cmp, dir = "<", "DESC"
	}
	order := col + " " + dir
	if col != "source_key" {
		order += ", source_key " + dir
	}
	pageWhere, pageArgs := where, append([]any{}, args...)
	if p.Cursor != "" {
		c, err := decodeAttackerCursor(p.Cursor, p.Sort)
		if err != nil {
			return nil, "", err
		}
		if col == "source_key" {
			pageWhere += " AND source_key " + cmp + " ?"
			pageArgs = append(pageArgs, c.key)
		} else {
			pageWhere += fmt.Sprintf(" AND %s %s= ? AND (%s %s ? OR source_key %s ?)", col, cmp, col, cmp, cmp)
			pageArgs = append(pageArgs, c.v, c.v, c.key)
		}
	}
	rows, err := s.lists.query(ctx, `SELECT `+attackerColumns+` FROM `+from+` WHERE `+pageWhere+` ORDER BY `+order+
		` LIMIT `+strconv.Itoa(p.Limit+1), pageArgs...)
	if err != nil {
		return nil, "", fmt.Errorf("store: list attackers: %w", err)
	}
	defer rows.Close()
	var list []*Attacker
	var keys [][]byte
	for rows.Next() {
		a, key, err := scanAttacker(rows)
		if err != nil {
			return nil, "", err
		}
		list, keys = append(list, a), append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: list attackers: %w", err)
	}
	next := ""
	if len(list) > p.Limit {
		list = list[:p.Limit]
		last := list[p.Limit-1]
		c := attackerCursor{K: p.Sort, S: base64.StdEncoding.EncodeToString(keys[p.Limit-1])}
		switch col {
		case "last_seen":
			c.V = ms(last.LastSeen)
		case "first_seen":
			c.V = ms(last.FirstSeen)
		case "events":
			c.V = last.Events
		}
		b, _ := json.Marshal(c)
		next = base64.RawURLEncoding.EncodeToString(b)
	}
	return list, next, nil
}

// attackerCursor is the last row of a page: the sort key's name and value and the address.
type attackerCursor struct {
	K string `json:"k"`
	V int64  `json:"v"`
	S string `json:"s"`
}

type decodedAttackerCursor struct {
	v   int64
	key []byte
}

func decodeAttackerCursor(s, sort string) (decodedAttackerCursor, error) {
	var c attackerCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	var key []byte
	if err == nil {
		key, err = base64.StdEncoding.DecodeString(c.S)
	}
	if err != nil || c.K != sort || len(key) != 16 {
		return decodedAttackerCursor{}, badCursor()
	}
	return decodedAttackerCursor{c.V, key}, nil
}

// scanAttacker reads one row of attackerColumns. The count maps are JSON objects, or for a
// scope of several groups a JSON array of the groups' objects, which are added up.
func scanAttacker(row interface{ Scan(...any) error }) (*Attacker, []byte, error) {
	a := &Attacker{Classes: map[model.Classification]int64{}, Services: map[string]int64{}, Ports: map[int]int64{},
		Sensors: map[int64]int64{}}
	var key []byte
	var source, classes, services, ports, sensors string
	var first, last int64
	if err := row.Scan(&key, &source, &first, &last, &a.Events, &a.NewEvents, &a.LoginsTried, &a.LoginsAccepted,
		&a.Commands, &classes, &services, &ports, &sensors); err != nil {
		return nil, nil, fmt.Errorf("store: read attacker: %w", err)
	}
	a.Source, _ = netip.ParseAddr(source)
	a.FirstSeen, a.LastSeen = fromMS(first), fromMS(last)
	for _, m := range []struct {
		text string
		add  func(k string, n int64)
	}{
		{classes, func(k string, n int64) { v, _ := strconv.Atoi(k); a.Classes[model.Classification(v)] += n }},
		{services, func(k string, n int64) { a.Services[k] += n }},
		{ports, func(k string, n int64) { v, _ := strconv.Atoi(k); a.Ports[v] += n }},
		{sensors, func(k string, n int64) { v, _ := strconv.ParseInt(k, 10, 64); a.Sensors[v] += n }},
	} {
		var objs []map[string]int64
		if strings.HasPrefix(m.text, "[") {
			var texts []string
			if err := json.Unmarshal([]byte(m.text), &texts); err != nil {
				return nil, nil, fmt.Errorf("store: read attacker: %w", err)
			}
			for _, t := range texts {
				o := map[string]int64{}
				if err := json.Unmarshal([]byte(t), &o); err != nil {
					return nil, nil, fmt.Errorf("store: read attacker: %w", err)
				}
				objs = append(objs, o)
			}
		} else {
			o := map[string]int64{}
			if err := json.Unmarshal([]byte(m.text), &o); err != nil {
				return nil, nil, fmt.Errorf("store: read attacker: %w", err)
			}
			objs = append(objs, o)
		}
		for _, o := range objs {
			for _, k := range slices.Sorted(maps.Keys(o)) {
				m.add(k, o[k])
			}
		}
	}
	return a, key, nil
}

// AttackerQuery asks for one attacker's details.
type AttackerQuery struct {
	Source   netip.Addr
	Groups   []int64 // nil: every group
	From, To time.Time
	Days     bool
	Location *time.Location
}

// AttackerDetail is one attacker: its summary over the live events, its timeline in the
// period and what it tried, from its newest events in the period.
type AttackerDetail struct {
	Attacker    *Attacker
	Timeline    []TimelineBucket
	Credentials []Credential
	Commands    []TopValue
	Paths       []TopValue
	// Sampled is how many of its events in the period the lists come from; Partial says they
	// are its newest maxDetailEvents, not all of them.
	Sampled int
	Partial bool
}

// Credential is a user name and password an attacker tried, how often, and whether it was
// accepted.
type Credential struct {
	User, Password string
	Accepted       bool
	Count          int64
}

// maxDetailEvents bounds the events whose facts an attacker's details read.
const maxDetailEvents = 5000

// detailListLen bounds each list of an attacker's details.
const detailListLen = 50

// AttackerDetails returns one attacker, or a not-found error when it has no live event in the
// scope.
func (s *Store) AttackerDetails(ctx context.Context, q AttackerQuery) (*AttackerDetail, error) {
	p := netip.PrefixFrom(q.Source, q.Source.BitLen())
	list, _, _, err := s.Attackers(ctx, AttackerFilter{Groups: q.Groups, Source: &p}, AttackerPage{Sort: "source", Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, model.Errorf(model.ErrNotFound, "No events from this address.")
	}
	d := &AttackerDetail{Attacker: list[0]}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	gc, gargs := groupCond("e.group_id", q.Groups)
	key := sourceKey(q.Source)
	if err := s.attackerTimeline(ctx, d, key, gc, gargs, q, loc); err != nil {
		return nil, err
	}
	return d, s.attackerFacts(ctx, d, key, gc, gargs, q)
}

// attackerTimeline fills the timeline of d: its events in the period per hour or day.
func (s *Store) attackerTimeline(ctx context.Context, d *AttackerDetail, key []byte, gc string, gargs []any, q AttackerQuery, loc *time.Location) error {
	rows, err := s.r.QueryContext(ctx, `SELECT e.timestamp, e.classification FROM events e INDEXED BY events_source
		WHERE e.source_key = ? AND e.timestamp >= ? AND e.timestamp < ? AND `+gc, append([]any{key, ms(q.From), ms(q.To)}, gargs...)...)
	if err != nil {
		return fmt.Errorf("store: attacker timeline: %w", err)
	}
	defer rows.Close()
	buckets := map[int64]*TimelineBucket{}
	for rows.Next() {
		var ts int64
		var class model.Classification
		if err := rows.Scan(&ts, &class); err != nil {
			return fmt.Errorf("store: attacker timeline: %w", err)
		}
		t := fromMS(ts).Truncate(time.Hour)
		if q.Days {
			l := t.In(loc)
			t = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).UTC()
		}
		b := buckets[ms(t)]
		if b == nil {
			b = &TimelineBucket{Start: t, Counts: map[model.Classification]int64{}}
			buckets[ms(t)] = b
		}
		b.Counts[class]++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: attacker timeline: %w", err)
	}
	d.Timeline = fillTimeline(buckets, q.From.Truncate(time.Hour), q.To, q.Days, loc)
	return nil
}

// attackerFacts fills what the attacker tried from the facts of its newest events in the period.
func (s *Store) attackerFacts(ctx context.Context, d *AttackerDetail, key []byte, gc string, gargs []any, q AttackerQuery) error {
	rows, err := s.r.QueryContext(ctx, `SELECT d.facts FROM events e INDEXED BY events_source JOIN event_data d ON d.event_id = e.id
		WHERE e.source_key = ? AND e.timestamp >= ? AND e.timestamp < ? AND `+gc+` ORDER BY e.source_key DESC, e.timestamp DESC LIMIT `+
		strconv.Itoa(maxDetailEvents+1), append([]any{key, ms(q.From), ms(q.To)}, gargs...)...)
	if err != nil {
		return fmt.Errorf("store: attacker facts: %w", err)
	}
	defer rows.Close()
	creds := map[model.Login]int64{}
	commands, paths := map[string]int64{}, map[string]int64{}
	for rows.Next() {
		if d.Sampled == maxDetailEvents {
			d.Partial = true
			break
		}
		d.Sampled++
		var text string
		if err := rows.Scan(&text); err != nil {
			return fmt.Errorf("store: attacker facts: %w", err)
		}
		var f eventFacts
		if err := json.Unmarshal([]byte(text), &f); err != nil {
			return fmt.Errorf("store: attacker facts: %w", err)
		}
		for _, l := range f.Logins {
			creds[l]++
		}
		for _, c := range f.Commands {
			commands[c]++
		}
		for _, p := range f.Paths {
			paths[p]++
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: attacker facts: %w", err)
	}
	for l, n := range creds {
		d.Credentials = append(d.Credentials, Credential{l.User, l.Password, l.Accepted, n})
	}
	slices.SortFunc(d.Credentials, func(a, b Credential) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.User+"\x00"+a.Password, b.User+"\x00"+b.Password)
	})
	d.Credentials = d.Credentials[:min(len(d.Credentials), detailListLen)]
	d.Commands, d.Paths = topOf(commands), topOf(paths)
	return nil
}

func topOf(m map[string]int64) []TopValue {
	out := []TopValue{}
	for v, n := range m {
		out = append(out, TopValue{v, n})
	}
	sortTop(out)
	return out[:min(len(out), detailListLen)]
}
