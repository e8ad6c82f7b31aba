package web

import (
	"maps"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
	"honeysens/app/store"
)

// attackerView is one attacker as the API shows it (SPEC §4).
type attackerView struct {
	Source          string           `json:"source"`
	FirstSeen       time.Time        `json:"first_seen"`
	LastSeen        time.Time        `json:"last_seen"`
	Events          int64            `json:"events"`
	NewEvents       int64            `json:"new_events"`
	Classifications map[string]int64 `json:"classifications"`
	Services        []topView        `json:"services"`
	Ports           []topView        `json:"ports"`
	Sensors         []sensorCount    `json:"sensors"`
	LoginsTried     int64            `json:"logins_tried"`
	LoginsAccepted  int64            `json:"logins_accepted"`
	Commands        int64            `json:"commands"`
}

type sensorCount struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Events int64  `json:"events"`
}

// byCount lists a count map with the largest count first.
func byCount[K comparable](m map[K]int64, label func(K) string) []topView {
	out := make([]topView, 0, len(m))
	for k, n := range m {
		out = append(out, topView{label(k), n})
	}
	slices.SortFunc(out, func(a, b topView) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}

func newAttackerView(a *store.Attacker, sensorNames map[int64]string) attackerView {
	v := attackerView{Source: a.Source.String(), FirstSeen: a.FirstSeen, LastSeen: a.LastSeen, Events: a.Events,
		NewEvents: a.NewEvents, Classifications: classCounts(a.Classes), LoginsTried: a.LoginsTried,
		LoginsAccepted: a.LoginsAccepted, Commands: a.Commands,
		Services: byCount(a.Services, func(s string) string { return s }),
		Ports:    byCount(a.Ports, strconv.Itoa)}
	for _, id := range slices.Sorted(maps.Keys(a.Sensors)) {
		v.Sensors = append(v.Sensors, sensorCount{id, sensorNames[id], a.Sensors[id]})
	}
	if v.Sensors == nil {
		v.Sensors = []sensorCount{}
	}
	return v
}

func (s *Server) sensorNames(c *fiber.Ctx) (map[int64]string, error) {
	list, err := s.Store.Sensors(c.UserContext())
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, sn := range list {
		names[sn.ID] = sn.Name
	}
	return names, nil
}

// attackerList is GET /api/attackers: one page of source addresses with what their live events
// add up to. from/to keep the attackers seen in that period; q an address or network.
func (s *Server) attackerList(c *fiber.Ctx) error {
	p := principal(c)
	f := store.AttackerFilter{Groups: p.GroupScope()}
	if s := c.Query("group"); s != "" {
		id, err := positiveID("group", s)
		if err != nil {
			return err
		}
		f.Groups = []int64{}
		if p.InGroup(id) {
			f.Groups = []int64{id}
		}
	}
	for _, k := range []string{"from", "to"} {
		v := c.Query(k)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return invalidField(k, "Use an RFC 3339 time such as 2026-11-29T08:00:00Z.")
		}
		if k == "from" {
			f.From = &t
		} else {
			f.To = &t
		}
	}
	if q := strings.TrimSpace(c.Query("q")); q != "" {
		pfx, err := parseSource(q)
		if err != nil {
			return invalidField("q", "Use an IP address or a network such as 192.0.2.0/24.")
		}
		f.Source = &pfx
	}
	page := store.AttackerPage{Sort: "last_seen", Desc: true, Limit: 50, Cursor: c.Query("cursor")}
	if v := c.Query("sort"); v != "" {
		if _, ok := store.AttackerSorts[v]; !ok {
			return invalidField("sort", "Sort by last_seen, first_seen, events or source.")
		}
		page.Sort = v
	}
	switch c.Query("order") {
	case "", "desc":
	case "asc":
		page.Desc = false
	default:
		return invalidField("order", "Use asc or desc.")
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return invalidField("limit", "Use 1 to 500.")
		}
		page.Limit = n
	}
	list, next, total, err := s.Store.Attackers(c.UserContext(), f, page)
	if err != nil {
		return err
	}
	names, err := s.sensorNames(c)
	if err != nil {
		return err
	}
	items := make([]attackerView, len(list))
	for i, a := range list {
		items[i] = newAttackerView(a, names)
	}
	var nextCursor *string
	if next != "" {
		nextCursor = &next
	}
	return c.JSON(fiber.Map{"items": items, "total": total, "next_cursor": nextCursor})
}

type credentialView struct {
	User     string `json:"user"`
	Password string `json:"password"`
	Accepted bool   `json:"accepted"`
	Count    int64  `json:"count"`
}

// attackerGet is GET /api/attackers/:address: the attacker, its timeline in the period and
// the credentials, commands and HTTP paths it tried.
func (s *Server) attackerGet(c *fiber.Ctx) error {
	// An IPv6 address may come with its colons escaped (%3A).
	raw, err := url.PathUnescape(c.Params("address"))
	if err != nil {
		return model.Errorf(model.ErrNotFound, "No events from this address.")
	}
	addr, err := netip.ParseAddr(raw)
	if err != nil || addr.Zone() != "" {
		return model.Errorf(model.ErrNotFound, "No events from this address.")
	}
	p := principal(c)
	pd, err := parsePeriod(c, s.Now(), p)
	if err != nil {
		return err
	}
	d, err := s.Store.AttackerDetails(c.UserContext(), store.AttackerQuery{Source: addr.Unmap(), Groups: pd.groups,
		From: pd.from, To: pd.to, Days: pd.days, Location: pd.loc})
	if err != nil {
		return err
	}
	names, err := s.sensorNames(c)
	if err != nil {
		return err
	}
	creds := make([]credentialView, len(d.Credentials))
	for i, cr := range d.Credentials {
		creds[i] = credentialView{cr.User, cr.Password, cr.Accepted, cr.Count}
	}
	tops := func(list []store.TopValue) []topView {
		out := make([]topView, len(list))
		for i, v := range list {
			out[i] = topView{v.Value, v.Count}
		}
		return out
	}
	return c.JSON(fiber.Map{
		"attacker":    newAttackerView(d.Attacker, names),
		"period":      fiber.Map{"from": pd.from, "to": pd.to},
		"timeline":    timelineView(d.Timeline),
		"credentials": creds,
		"commands":    tops(d.Commands),
		"paths":       tops(d.Paths),
		"sampled":     d.Sampled,
		"partial":     d.Partial,
	})
}
