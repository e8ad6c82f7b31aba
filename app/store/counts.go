package store

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"

	"modernc.org/sqlite"
)

// Count objects are the attackers table's JSON objects of counts per value ({"ssh":3,"http":1}).

func countsJSON(m map[string]int64) string {
	return string(appendCounts(nil, m))
}

func init() {
	// The writer merges count objects in SQL (sqlAttackerAdd); registered before any connection
	// opens, as the driver requires.
	err := sqlite.RegisterDeterministicScalarFunction("honeysens_add_counts", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		text, ok1 := args[0].(string)
		add, ok2 := args[1].(string)
		if !ok1 || !ok2 {
			return nil, errors.New("honeysens_add_counts: want two texts")
		}
		delta, err := readCounts(add)
		if err != nil {
			return nil, errors.New("honeysens_add_counts: not a count object")
		}
		return addCounts(text, delta), nil
	})
	if err != nil {
		panic(err)
	}
}

// addCounts adds delta to the counts of a JSON object such as {"ssh":3,"http":1} and returns
// the object, without the values whose count reaches 0. The objects are read and written by
// hand, keys in sorted order: encoding/json took most of an attacker row's update.
func addCounts(text string, delta map[string]int64) string {
	m, _ := readCounts(text)
	if m == nil {
		m = map[string]int64{}
	}
	for k, n := range delta {
		if m[k] += n; m[k] <= 0 {
			delete(m, k)
		}
	}
	return string(appendCounts(make([]byte, 0, len(text)+16), m))
}

// readCounts reads a count object: fast in the form appendCounts writes, through encoding/json
// in any other (the schema upgrade's objects are SQLite's).
func readCounts(text string) (map[string]int64, error) {
	if m, ok := parseCounts(text); ok {
		return m, nil
	}
	m := map[string]int64{}
	err := json.Unmarshal([]byte(text), &m)
	return m, err
}

func appendCounts(b []byte, m map[string]int64) []byte {
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = strconv.AppendInt(b, m[k], 10)
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string: quotes, backslashes and control characters
// escaped, everything else (valid UTF-8) as it is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// parseCounts reads what appendCounts writes; ok is false for anything else.
func parseCounts(s string) (map[string]int64, bool) {
	m := map[string]int64{}
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	i := 1
	for i < len(s)-1 {
		if s[i] != '"' {
			return nil, false
		}
		var key []byte
		i++
		for ; i < len(s) && s[i] != '"'; i++ {
			c := s[i]
			if c != '\\' {
				key = append(key, c)
				continue
			}
			if i+1 >= len(s) {
				return nil, false
			}
			switch s[i+1] {
			case '"', '\\':
				key, i = append(key, s[i+1]), i+1
			case 'u':
				if i+5 >= len(s) || s[i+2:i+4] != "00" {
					return nil, false
				}
				v, err := strconv.ParseUint(s[i+4:i+6], 16, 8)
				if err != nil {
					return nil, false
				}
				key, i = append(key, byte(v)), i+5
			default:
				return nil, false
			}
		}
		if i+1 >= len(s) || s[i+1] != ':' {
			return nil, false
		}
		i += 2
		j := i
		for j < len(s) && (s[j] == '-' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		n, err := strconv.ParseInt(s[i:j], 10, 64)
		if err != nil {
			return nil, false
		}
		m[string(key)] = n
		i = j
		if s[i] == ',' {
			i++
		}
	}
	return m, true
}
