package store

import (
	"net/netip"
	"strings"
	"time"

	"honeysens/app/model"
)

// EventFilter selects events for the list, the CSV export and the bulk actions: one meaning of
// "the events matching the current filters" everywhere. It is a plain value: how a filter is
// read is planned apart from it (see eventQuery).
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
}

// Fact is one value of a kind the attacker tried.
type Fact struct {
	Kind  string // a key of FactKinds
	Value string
}

// searchMode is how a statement finds the matches of the filter's search.
type searchMode int

const (
	// searchIndexed finds the address in events_source and the text through the trigram index
	// (the archive has no trigram index: its text is tested row by row). The other conditions
	// may use their own indexes. A statement that is not planned reads the search so.
	searchIndexed searchMode = iota
	// searchScan tests each row's text instead of looking it up in events_fts: cheaper when
	// the term is so common that a page fills after a few rows (see indexHint).
	searchScan
	// searchLookup says the search's own indexes find the matches (a rare term): the other
	// conditions are then written so that SQLite cannot pick their indexes instead, which
	// would test every row of, say, a group against the search.
	searchLookup
)

// searchPart is the part of a search a statement asks for: a term can be an address and text.
type searchPart int

const (
	bothParts searchPart = iota
	addressPart
	textPart
)

// where renders the filter as SQL conditions on the events or archived_events table, with the
// search read in the unplanned way (searchIndexed).
func (f *EventFilter) where() (string, []any) {
	return f.whereFor(searchIndexed, bothParts)
}

// whereFor renders the filter as SQL conditions, reading the search's part as mode says.
func (f *EventFilter) whereFor(mode searchMode, part searchPart) (string, []any) {
	var conds []string
	var args []any
	col := func(name string) string {
		if mode == searchLookup {
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
		// The trigram index holds live events only, and a term shorter than a trigram has
		// nothing to look up.
		fts := !f.Archive && mode != searchScan && isText(f.Query)
		var cond string
		var a []any
		switch part {
		case addressPart:
			cond, a = addressCond(f.Query)
		case textPart:
			cond, a = textCond(f.Query, fts)
		default:
			cond, a = searchCond(f.Query, fts)
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
