package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"honeysens/app/model"
)

// The rollups (event_hours, port_hours, source_days, event_facts, fact_hours, fact_totals,
// attackers) are read models of the live events. Every change of the live table goes through a rollup: what an event adds is
// its contribution; an insert adds it, a removal (delete, move to the archive) subtracts it, a
// change (status, group, a session's later report) subtracts the old and adds the new one. The
// deltas of a whole batch or chunk are summed first and written once per key, in the same
// transaction as the change, so the read models are exact whenever the events are.

// Fact kinds in event_facts and fact_totals.
const (
	factUser     = 1
	factPassword = 2
	factCommand  = 3
	factPath     = 4
)

// FactKinds names the fact kinds as the API does.
var FactKinds = map[string]int{"username": factUser, "password": factPassword, "command": factCommand, "path": factPath}

// eventFacts is event_data.facts: what the attacker tried, as the event reported it.
type eventFacts struct {
	Logins   []model.Login `json:"logins,omitempty"`
	Commands []string      `json:"commands,omitempty"`
	Paths    []string      `json:"paths,omitempty"`
}

func factsOf(e *model.Event) eventFacts {
	return eventFacts{Logins: e.Logins, Commands: e.Commands, Paths: e.Paths}
}

func (f eventFacts) empty() bool { return len(f.Logins)+len(f.Commands)+len(f.Paths) == 0 }

type factKey struct {
	kind  int
	value string
}

// counts returns how often the event holds each value.
func (f eventFacts) counts() map[factKey]int64 {
	m := map[factKey]int64{}
	for _, l := range f.Logins {
		m[factKey{factUser, l.User}]++
		m[factKey{factPassword, l.Password}]++
	}
	for _, c := range f.Commands {
		m[factKey{factCommand, c}]++
	}
	for _, p := range f.Paths {
		m[factKey{factPath, p}]++
	}
	return m
}

func (f eventFacts) accepted() int64 {
	var n int64
	for _, l := range f.Logins {
		if l.Accepted {
			n++
		}
	}
	return n
}

// contribution is what one live event adds to the rollups.
type contribution struct {
	id        int64
	ts        int64 // Unix ms
	group     int64
	sensor    int64
	service   string
	class     model.Classification
	status    model.Status
	port      int
	source    string
	sourceKey []byte
	facts     eventFacts
}

func contributionOf(e *model.Event) contribution {
	return contribution{id: e.ID, ts: ms(e.Timestamp), group: e.GroupID, sensor: e.SensorID, service: e.Service,
		class: e.Classification, status: e.Status, port: e.TargetPort, source: e.Source.String(),
		sourceKey: sourceKey(e.Source), facts: factsOf(e)}
}

const (
	hourMS = 3600 * 1000
	dayMS  = 24 * hourMS
)

type hourKey struct {
	hour, group, sensor int64
	service             string
	class               model.Classification
	status              model.Status
}

type sourceDayKey struct {
	group, day int64
	key        string
}

type portHourKey struct {
	hour, group int64
	port        int
}

type totalKey struct {
	kind  int
	group int64
	value string
}

type factHourKey struct {
	kind        int
	value       string
	hour, group int64
}

type attackerKey struct {
	group int64 // 0: all groups
	key   string
}

// attackerDelta is the change of one attackers row.
type attackerDelta struct {
	source                                        string
	events, newEvents, logins, loginsOK, commands int64
	classes, services, ports, sensors             map[string]int64
	firstAdded, lastAdded                         int64 // edges of the added events; 0: none added
	firstRemoved, lastRemoved                     int64 // edges of the removed events; 0: none removed
	removed                                       bool
}

// rollup sums the deltas of one transaction.
type rollup struct {
	// allGroups says whether the attackers table keeps rows for all groups together (group 0):
	// only while there are two groups or more. With one group they would be a copy of its rows,
	// and writing them doubled the cost of the attackers view on most appliances.
	allGroups bool
	hours     map[hourKey]int64
	ports     map[portHourKey]int64
	days      map[sourceDayKey]int64
	totals    map[totalKey]int64
	factHours map[factHourKey]int64
	attackers map[attackerKey]*attackerDelta
	// facts are the event_facts rows to add (n > 0) or remove (n < 0).
	facts []factRow
}

type factRow struct {
	kind   int
	value  string
	ts, id int64
	group  int64
	n      int64
}

// newRollup starts the deltas of a transaction.
func newRollup(ctx context.Context, p prepared) (*rollup, error) {
	var groups int
	if err := p.queryRow(ctx, sqlGroupCount, nil, &groups); err != nil {
		return nil, fmt.Errorf("store: rollup: %w", err)
	}
	return &rollup{allGroups: groups >= 2, hours: map[hourKey]int64{}, ports: map[portHourKey]int64{}, days: map[sourceDayKey]int64{}, totals: map[totalKey]int64{},
		factHours: map[factHourKey]int64{},
		attackers: map[attackerKey]*attackerDelta{}}, nil
}

// add adds (sign 1) or subtracts (sign -1) an event's contribution.
func (r *rollup) add(c *contribution, sign int64) {
	hour := c.ts / hourMS
	r.hours[hourKey{hour, c.group, c.sensor, c.service, c.class, c.status}] += sign
	if c.port > 0 {
		r.ports[portHourKey{hour, c.group, c.port}] += sign
	}
	r.days[sourceDayKey{c.group, c.ts / dayMS, string(c.sourceKey)}] += sign
	counts := c.facts.counts()
	for k, n := range counts {
		r.totals[totalKey{k.kind, c.group, k.value}] += sign * n
		r.factHours[factHourKey{k.kind, k.value, hour, c.group}] += sign * n
		r.facts = append(r.facts, factRow{kind: k.kind, value: k.value, ts: c.ts, id: c.id, group: c.group, n: sign * n})
	}
	groups := []int64{c.group, 0}
	if !r.allGroups {
		groups = groups[:1]
	}
	for _, g := range groups {
		k := attackerKey{g, string(c.sourceKey)}
		d := r.attackers[k]
		if d == nil {
			d = &attackerDelta{source: c.source, classes: map[string]int64{}, services: map[string]int64{},
				ports: map[string]int64{}, sensors: map[string]int64{}}
			r.attackers[k] = d
		}
		d.events += sign
		if c.status == model.StatusNew {
			d.newEvents += sign
		}
		d.logins += sign * int64(len(c.facts.Logins))
		d.loginsOK += sign * c.facts.accepted()
		d.commands += sign * int64(len(c.facts.Commands))
		d.classes[strconv.Itoa(int(c.class))] += sign
		d.services[c.service] += sign
		if c.port > 0 {
			d.ports[strconv.Itoa(c.port)] += sign
		}
		d.sensors[strconv.FormatInt(c.sensor, 10)] += sign
		if sign > 0 {
			d.firstAdded, d.lastAdded = widen(d.firstAdded, d.lastAdded, c.ts)
		} else {
			d.removed = true
			d.firstRemoved, d.lastRemoved = widen(d.firstRemoved, d.lastRemoved, c.ts)
		}
	}
}

func widen(first, last, ts int64) (int64, int64) {
	if first == 0 || ts < first {
		first = ts
	}
	if ts > last {
		last = ts
	}
	return first, last
}

// attackerMerge adds an attackers row (excluded) to the one with its key.
const attackerMerge = `first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen),
	events = events + excluded.events, new_events = new_events + excluded.new_events, logins = logins + excluded.logins,
	logins_ok = logins_ok + excluded.logins_ok, commands = commands + excluded.commands,
	classes = honeysens_add_counts(classes, excluded.classes), services = honeysens_add_counts(services, excluded.services),
	ports = honeysens_add_counts(ports, excluded.ports), sensors = honeysens_add_counts(sensors, excluded.sensors)`

// The rollups' statements, prepared at open (see writerStatements).
const (
	sqlHourAdd      = `INSERT INTO event_hours VALUES (?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n`
	sqlHourDrop     = `DELETE FROM event_hours WHERE hour = ? AND group_id = ? AND sensor_id = ? AND service = ? AND classification = ? AND status = ? AND n <= 0`
	sqlPortAdd      = `INSERT INTO port_hours VALUES (?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n`
	sqlPortDrop     = `DELETE FROM port_hours WHERE hour = ? AND group_id = ? AND port = ? AND n <= 0`
	sqlDayAdd       = `INSERT INTO source_days VALUES (?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n`
	sqlDayDrop      = `DELETE FROM source_days WHERE group_id = ? AND day = ? AND source_key = ? AND n <= 0`
	sqlTotalAdd     = `INSERT INTO fact_totals VALUES (?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n`
	sqlTotalDrop    = `DELETE FROM fact_totals WHERE kind = ? AND group_id = ? AND value = ? AND n <= 0`
	sqlFactHourAdd  = `INSERT INTO fact_hours VALUES (?,?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n`
	sqlFactHourDrop = `DELETE FROM fact_hours WHERE kind = ? AND value = ? AND hour = ? AND group_id = ? AND n <= 0`
	sqlFactAdd      = `INSERT INTO event_facts (kind, value, timestamp, event_id, group_id, n) VALUES (?,?,?,?,?,?) ON CONFLICT DO UPDATE SET n = n + excluded.n, group_id = excluded.group_id`
	sqlFactSub      = `UPDATE event_facts SET n = n + ? WHERE kind = ? AND value = ? AND timestamp = ? AND event_id = ?`
	sqlFactDrop     = `DELETE FROM event_facts WHERE kind = ? AND value = ? AND timestamp = ? AND event_id = ? AND n <= 0`
	sqlAttackerRead = `SELECT source, first_seen, last_seen, events, new_events, logins, logins_ok, commands, classes, services, ports, sensors
		FROM attackers WHERE group_id = ? AND source_key = ?`
	sqlAttackerInsert = `INSERT INTO attackers (group_id, source_key, source, first_seen, last_seen, events, new_events, logins, logins_ok,
		commands, classes, services, ports, sensors) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`
	sqlAttackerUpdate = `UPDATE attackers SET first_seen = ?, last_seen = ?, events = ?, new_events = ?, logins = ?, logins_ok = ?,
		commands = ?, classes = ?, services = ?, ports = ?, sensors = ? WHERE group_id = ? AND source_key = ?`
	sqlAttackerDelete = `DELETE FROM attackers WHERE group_id = ? AND source_key = ?`
	// sqlAttackerAdd adds new events to an attacker in one statement, without reading its row
	// first: the count objects are merged by honeysens_add_counts (addCounts, see init).
	sqlAttackerAdd = `INSERT INTO attackers (group_id, source_key, source, first_seen, last_seen, events, new_events, logins,
		logins_ok, commands, classes, services, ports, sensors) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT DO UPDATE SET ` + attackerMerge
	sqlAttackerFirst = `SELECT timestamp FROM events INDEXED BY events_source WHERE source_key = ? ORDER BY source_key, timestamp LIMIT 1`
	sqlAttackerLast  = `SELECT timestamp FROM events INDEXED BY events_source WHERE source_key = ? ORDER BY source_key DESC, timestamp DESC LIMIT 1`
	sqlGroupFirst    = `SELECT timestamp FROM events INDEXED BY events_source WHERE source_key = ? AND group_id = ? ORDER BY source_key, timestamp LIMIT 1`
	sqlGroupLast     = `SELECT timestamp FROM events INDEXED BY events_source WHERE source_key = ? AND group_id = ? ORDER BY source_key DESC, timestamp DESC LIMIT 1`
	sqlGroupCount    = `SELECT count(*) FROM groups`
)

var rollupStatements = []string{sqlDayAdd, sqlDayDrop, sqlFactHourAdd, sqlFactHourDrop, sqlHourAdd, sqlHourDrop, sqlPortAdd, sqlPortDrop, sqlTotalAdd, sqlTotalDrop, sqlFactAdd,
	sqlFactSub, sqlFactDrop, sqlAttackerRead, sqlAttackerInsert, sqlAttackerUpdate, sqlAttackerDelete, sqlAttackerFirst,
	sqlAttackerLast, sqlGroupFirst, sqlGroupLast, sqlGroupCount, sqlAttackerAdd}

// apply writes the summed deltas. It runs after the change of the events table in the same
// transaction: an attacker's edges are looked up in what remains.
func (r *rollup) apply(ctx context.Context, p prepared) error {
	for k, n := range r.hours {
		if err := upsertCount(ctx, p, sqlHourAdd, sqlHourDrop, n, k.hour, k.group, k.sensor, k.service, k.class, k.status); err != nil {
			return err
		}
	}
	for k, n := range r.ports {
		if err := upsertCount(ctx, p, sqlPortAdd, sqlPortDrop, n, k.hour, k.group, k.port); err != nil {
			return err
		}
	}
	for k, n := range r.totals {
		if err := upsertCount(ctx, p, sqlTotalAdd, sqlTotalDrop, n, k.kind, k.group, k.value); err != nil {
			return err
		}
	}
	for k, n := range r.days {
		if err := upsertCount(ctx, p, sqlDayAdd, sqlDayDrop, n, k.group, k.day, []byte(k.key)); err != nil {
			return err
		}
	}
	for k, n := range r.factHours {
		if err := upsertCount(ctx, p, sqlFactHourAdd, sqlFactHourDrop, n, k.kind, k.value, k.hour, k.group); err != nil {
			return err
		}
	}
	if err := r.applyFacts(ctx, p); err != nil {
		return err
	}
	// In key order: the transaction then walks the attackers table's pages in order.
	keys := slices.SortedFunc(maps.Keys(r.attackers), func(a, b attackerKey) int {
		if a.group != b.group {
			return int(a.group - b.group)
		}
		return strings.Compare(a.key, b.key)
	})
	for _, k := range keys {
		if err := applyAttacker(ctx, p, k, r.attackers[k]); err != nil {
			return err
		}
	}
	return nil
}

// upsertCount adds n to the count of the row with the key (add), creating the row, and removes
// the row when the count reaches 0 (drop).
func upsertCount(ctx context.Context, p prepared, add, drop string, n int64, key ...any) error {
	if n == 0 {
		return nil
	}
	if _, err := p.exec(ctx, add, append(key, n)...); err != nil {
		return fmt.Errorf("store: rollup: %w", err)
	}
	if n < 0 {
		if _, err := p.exec(ctx, drop, key...); err != nil {
			return fmt.Errorf("store: rollup: %w", err)
		}
	}
	return nil
}

// applyFacts adds and removes event_facts rows: an event's rows are removed whole (its facts
// were read from event_data) and added whole.
func (r *rollup) applyFacts(ctx context.Context, p prepared) error {
	for _, f := range r.facts {
		var err error
		if f.n > 0 {
			_, err = p.exec(ctx, sqlFactAdd, f.kind, f.value, f.ts, f.id, f.group, f.n)
		} else if _, err = p.exec(ctx, sqlFactSub, f.n, f.kind, f.value, f.ts, f.id); err == nil {
			_, err = p.exec(ctx, sqlFactDrop, f.kind, f.value, f.ts, f.id)
		}
		if err != nil {
			return fmt.Errorf("store: event facts: %w", err)
		}
	}
	return nil
}

// loadContributions reads what the live events with these ids added to the rollups.
func loadContributions(ctx context.Context, tx *sql.Tx, ids []int64) ([]contribution, error) {
	list, args := idList(ids)
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.timestamp, e.group_id, e.sensor_id, e.service, e.classification,
		e.status, e.target_port, e.source, e.source_key, coalesce(d.facts, '{}')
		FROM events e LEFT JOIN event_data d ON d.event_id = e.id WHERE e.id IN `+list, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read events: %w", err)
	}
	defer rows.Close()
	out := make([]contribution, 0, len(ids))
	for rows.Next() {
		var c contribution
		var facts string
		if err := rows.Scan(&c.id, &c.ts, &c.group, &c.sensor, &c.service, &c.class, &c.status, &c.port, &c.source,
			&c.sourceKey, &facts); err != nil {
			return nil, fmt.Errorf("store: read events: %w", err)
		}
		if err := json.Unmarshal([]byte(facts), &c.facts); err != nil {
			return nil, fmt.Errorf("store: facts of event %d: %w", c.id, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// changeLive runs change, a change of the live events with these ids, in tx and moves their
// contributions to the rollups from what they were to what after makes of them (after nil: the
// events left the live table).
func (s *Store) changeLive(ctx context.Context, tx *sql.Tx, ids []int64, change func() error, after func(*contribution)) error {
	if !s.rollups {
		return change()
	}
	old, err := loadContributions(ctx, tx, ids)
	if err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	r, err := newRollup(ctx, s.prepared(tx))
	if err != nil {
		return err
	}
	for i := range old {
		r.add(&old[i], -1)
		if after != nil {
			after(&old[i])
			r.add(&old[i], 1)
		}
	}
	return r.apply(ctx, s.prepared(tx))
}

// querier is a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryIDs runs a query of ids.
func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
