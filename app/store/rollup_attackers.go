package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The attackers table's rows: new events are added in SQL (sqlAttackerAdd); anything else reads
// the row, changes it and writes it back, looking up its edges again when an event at one goes.

// attackerRow is one row of the attackers table, without its count maps.
type attackerRow struct {
	source                                        string
	first, last                                   int64
	events, newEvents, logins, loginsOK, commands int64
}

func applyAttacker(ctx context.Context, p prepared, k attackerKey, d *attackerDelta) error {
	if !d.removed { // new events only: merged in SQL
		_, err := p.exec(ctx, sqlAttackerAdd, k.group, []byte(k.key), d.source, d.firstAdded, d.lastAdded, d.events, d.newEvents,
			d.logins, d.loginsOK, d.commands, countsJSON(d.classes), countsJSON(d.services), countsJSON(d.ports), countsJSON(d.sensors))
		if err != nil {
			return fmt.Errorf("store: add to attacker: %w", err)
		}
		return nil
	}
	row := attackerRow{}
	var classes, services, ports, sensors string
	err := p.queryRow(ctx, sqlAttackerRead, []any{k.group, []byte(k.key)}, &row.source, &row.first, &row.last, &row.events,
		&row.newEvents, &row.logins, &row.loginsOK, &row.commands, &classes, &services, &ports, &sensors)
	exists := err == nil
	switch {
	case errors.Is(err, sql.ErrNoRows):
		row.source = d.source
	case err != nil:
		return fmt.Errorf("store: read attacker: %w", err)
	}
	row.events += d.events
	row.newEvents += d.newEvents
	row.logins += d.logins
	row.loginsOK += d.loginsOK
	row.commands += d.commands
	if row.events <= 0 {
		if exists {
			if _, err := p.exec(ctx, sqlAttackerDelete, k.group, []byte(k.key)); err != nil {
				return fmt.Errorf("store: remove attacker: %w", err)
			}
		}
		return nil
	}
	if d.removed && exists && (d.firstRemoved <= row.first || d.lastRemoved >= row.last) {
		// An event at an edge went: the edge is now the oldest or newest event that remains.
		if row.first, row.last, err = attackerEdges(ctx, p, k); err != nil {
			return err
		}
	}
	if d.firstAdded != 0 {
		if !exists || d.firstAdded < row.first {
			row.first = d.firstAdded
		}
		row.last = max(row.last, d.lastAdded)
	}
	classes, services = addCounts(classes, d.classes), addCounts(services, d.services)
	ports, sensors = addCounts(ports, d.ports), addCounts(sensors, d.sensors)
	if exists {
		_, err = p.exec(ctx, sqlAttackerUpdate, row.first, row.last, row.events, row.newEvents, row.logins, row.loginsOK,
			row.commands, classes, services, ports, sensors, k.group, []byte(k.key))
	} else {
		_, err = p.exec(ctx, sqlAttackerInsert, k.group, []byte(k.key), row.source, row.first, row.last, row.events,
			row.newEvents, row.logins, row.loginsOK, row.commands, classes, services, ports, sensors)
	}
	if err != nil {
		return fmt.Errorf("store: write attacker: %w", err)
	}
	return nil
}

// attackerEdges looks up the oldest and newest live event of an attacker in events_source.
func attackerEdges(ctx context.Context, p prepared, k attackerKey) (first, last int64, err error) {
	firstQ, lastQ, args := sqlAttackerFirst, sqlAttackerLast, []any{[]byte(k.key)}
	if k.group != 0 {
		firstQ, lastQ, args = sqlGroupFirst, sqlGroupLast, append(args, k.group)
	}
	if err := p.queryRow(ctx, firstQ, args, &first); err != nil {
		return 0, 0, fmt.Errorf("store: attacker edges: %w", err)
	}
	if err := p.queryRow(ctx, lastQ, args, &last); err != nil {
		return 0, 0, fmt.Errorf("store: attacker edges: %w", err)
	}
	return first, last, nil
}

// keepAllGroupsRows keeps the attackers table's all-groups rows (group 0) in step with the
// number of groups, in the transaction that created or deleted a group: the second group gets
// them, each address's rows of every group added up, the last but one group's deletion drops
// them.
func keepAllGroupsRows(ctx context.Context, tx *sql.Tx) error {
	var groups, all int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM groups), (SELECT count(*) FROM attackers WHERE group_id = 0)`).
		Scan(&groups, &all); err != nil {
		return fmt.Errorf("store: attackers of all groups: %w", err)
	}
	var err error
	switch {
	case groups >= 2 && all == 0:
		// Usually one group has rows; events of a sensor that moved meanwhile can leave an
		// address in two. The rows are merged as sqlAttackerAdd merges new events.
		_, err = tx.ExecContext(ctx, `INSERT INTO attackers SELECT 0, source_key, source, first_seen, last_seen, events,
			new_events, logins, logins_ok, commands, classes, services, ports, sensors FROM attackers WHERE group_id != 0
			ON CONFLICT DO UPDATE SET `+attackerMerge)
	case groups < 2 && all > 0:
		_, err = tx.ExecContext(ctx, `DELETE FROM attackers WHERE group_id = 0`)
	}
	if err != nil {
		return fmt.Errorf("store: attackers of all groups: %w", err)
	}
	return nil
}

// allGroupsRow returns the group id whose attackers rows stand for every group: 0 while there
// are two groups or more, else the one group's id.
func (s *Store) allGroupsRow(ctx context.Context) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT CASE WHEN count(*) >= 2 THEN 0 ELSE coalesce(max(id), 0) END FROM groups`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: groups: %w", err)
	}
	return id, nil
}
