package web

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/model"
	"honeysens/app/store"
)

// listKeys are the query keys that select events, shared by the list, the export and the bulk
// actions' {filter: {...}} so that "the current filters" mean the same everywhere.
var listKeys = []string{"dataset", "status", "classification", "group", "sensor", "from", "to", "q",
	"source", "service", "target_port", "username", "password", "command", "path"}

// queryOf adapts c.Query to the parsers (the app is Immutable, so the values are copies that
// may outlive the request, as the CSV export's filter does).
func queryOf(c *fiber.Ctx) func(string) string {
	return func(k string) string { return c.Query(k) }
}

func invalidField(field, msg string) error {
	return &model.Error{Code: model.ErrInvalid, Message: "Some fields are not valid.", Fields: map[string]string{field: msg}}
}

// intList reads a comma list of integers between lo and hi.
func intList(field, s string, lo, hi int) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || v < lo || v > hi {
			return nil, invalidField(field, "Use a comma list of numbers from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi)+".")
		}
		out = append(out, v)
	}
	return out, nil
}

func positiveID(field, s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, invalidField(field, "Use an id.")
	}
	return v, nil
}

// parseEventFilter reads the list keys (get returns "" for an absent key) and limits the
// result to the groups the principal may see.
func parseEventFilter(get func(string) string, p *auth.Principal) (*store.EventFilter, error) {
	f := &store.EventFilter{Groups: p.GroupScope()}
	switch get("dataset") {
	case "", "live":
	case "archive":
		f.Archive = true
	default:
		return nil, invalidField("dataset", "Use live or archive.")
	}
	if s := get("status"); s != "" {
		vals, err := intList("status", s, 0, 3)
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			f.Status = append(f.Status, model.Status(v))
		}
	}
	if s := get("classification"); s != "" {
		vals, err := intList("classification", s, 0, 4)
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			f.Classification = append(f.Classification, model.Classification(v))
		}
	}
	if s := get("group"); s != "" {
		id, err := positiveID("group", s)
		if err != nil {
			return nil, err
		}
		// A group outside the caller's scope simply matches nothing: ids of other groups are
		// neither confirmed nor denied.
		f.Groups = []int64{}
		if p.InGroup(id) {
			f.Groups = []int64{id}
		}
	}
	if s := get("sensor"); s != "" {
		id, err := positiveID("sensor", s)
		if err != nil {
			return nil, err
		}
		f.SensorID = id
	}
	for _, k := range []string{"from", "to"} {
		s := get(k)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, invalidField(k, "Use an RFC 3339 time such as 2026-11-29T08:00:00Z.")
		}
		if k == "from" {
			f.From = &t
		} else {
			f.To = &t
		}
	}
	if q := strings.TrimSpace(get("q")); q != "" {
		if utf8.RuneCountInString(q) > 200 {
			return nil, invalidField("q", "Search for at most 200 characters.")
		}
		if msg := store.SearchTermError(q); msg != "" {
			return nil, invalidField("q", msg)
		}
		f.Query = q
	}
	if s := strings.TrimSpace(get("source")); s != "" {
		p, err := parseSource(s)
		if err != nil {
			return nil, err
		}
		f.Source = &p
	}
	if s := get("service"); s != "" {
		if len(s) > model.MaxServiceLen {
			return nil, invalidField("service", "Use a service name.")
		}
		f.Service = s
	}
	if s := get("target_port"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 65535 {
			return nil, invalidField("target_port", "Use a port from 1 to 65535.")
		}
		f.TargetPort = n
	}
	for _, k := range []string{"username", "password", "command", "path"} {
		if s := get(k); s != "" {
			if f.Fact != nil {
				return nil, invalidField(k, "Filter by one of username, password, command and path at a time.")
			}
			if len(s) > model.MaxFactLen {
				return nil, invalidField(k, fmt.Sprintf("At most %d bytes.", model.MaxFactLen))
			}
			f.Fact = &store.Fact{Kind: k, Value: s}
		}
	}
	return f, nil
}

// parseSource reads an address or a network in CIDR notation.
func parseSource(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, invalidField("source", "Use an IP address or a network such as 192.0.2.0/24.")
	}
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
	}
	return p.Masked(), nil
}

// parsePage reads sort, order, limit and cursor.
func parsePage(get func(string) string) (store.EventPage, error) {
	p := store.EventPage{Sort: "timestamp", Desc: true, Limit: 50, Cursor: get("cursor")}
	if s := get("sort"); s != "" {
		if _, ok := store.SortKeys[s]; !ok {
			return p, invalidField("sort", "Sort by id, timestamp, group, sensor, classification, source, target_port, summary or status.")
		}
		p.Sort = s
	}
	switch get("order") {
	case "", "desc":
	case "asc":
		p.Desc = false
	default:
		return p, invalidField("order", "Use asc or desc.")
	}
	if s := get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return p, invalidField("limit", "Use 1 to 500.")
		}
		p.Limit = n
	}
	return p, nil
}

// bodyFilter adapts the {filter: {...}} object of a bulk action to parseEventFilter: values
// may be strings ("0,1"), numbers or lists of numbers.
func bodyFilter(m map[string]json.RawMessage) (func(string) string, error) {
	for k := range m {
		if !slices.Contains(listKeys, k) {
			return nil, invalidField("filter."+k, "Unknown filter key.")
		}
	}
	return func(k string) string {
		raw, ok := m[k]
		if !ok {
			return ""
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		var list []json.Number
		if json.Unmarshal(raw, &list) == nil {
			parts := make([]string, len(list))
			for i, n := range list {
				parts[i] = n.String()
			}
			return strings.Join(parts, ",")
		}
		return strings.TrimSpace(string(raw))
	}, nil
}
