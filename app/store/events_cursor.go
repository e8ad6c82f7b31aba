package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"honeysens/app/model"
)

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

func direction(desc bool) string {
	if desc {
		return "DESC"
	}
	return "ASC"
}

// order renders the ORDER BY of a sort key.
func (k sortKey) order(desc bool) string {
	dir := direction(desc)
	switch k.column {
	case "id":
		return "id " + dir
	case "timestamp":
		return "timestamp " + dir + ", id " + dir
	}
	return k.column + " " + dir + ", timestamp " + dir + ", id " + dir
}

// after renders the condition for the rows after the cursor in the key's order. Each condition
// starts with a plain range on the order's first column, which is what lets SQLite seek the
// index to the cursor instead of filtering from the start.
func (k sortKey) after(c *cursor, desc bool) (string, []any) {
	cmp := ">"
	if desc {
		cmp = "<"
	}
	switch k.column {
	case "id":
		return " AND id " + cmp + " ?", []any{c.I}
	case "timestamp":
		return fmt.Sprintf(" AND timestamp %s= ? AND (timestamp %s ? OR id %s ?)", cmp, cmp, cmp), []any{c.T, c.T, c.I}
	}
	col := k.column
	cond := fmt.Sprintf(" AND %s %s= ? AND (%s %s ? OR timestamp %s ? OR (timestamp = ? AND id %s ?))",
		col, cmp, col, cmp, cmp, cmp)
	return cond, []any{c.V, c.V, c.T, c.T, c.I}
}

// sortValue reports whether the key's column must be read for the cursor: id and timestamp
// are read anyway.
func (k sortKey) sortValue() bool {
	return k.column != "id" && k.column != "timestamp"
}
