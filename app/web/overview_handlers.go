package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/auth"
	"honeysens/app/model"
	"honeysens/app/store"
)

// maxPeriod bounds the period of the overview and the attackers view (the rollups are hourly).
const maxPeriod = 400 * 24 * time.Hour

// period is a parsed from/to/group/bucket/tz query.
type period struct {
	from, to time.Time
	groups   []int64
	days     bool
	loc      *time.Location
}

// parsePeriod reads from and to (RFC 3339; default: the last 24 hours), group (within the
// caller's scope), bucket (hour or day; default: day beyond 3 days) and tz (an IANA zone that
// day buckets begin in; default UTC).
func parsePeriod(c *fiber.Ctx, now time.Time, p *auth.Principal) (period, error) {
	pd := period{to: now, from: now.Add(-24 * time.Hour), groups: p.GroupScope(), loc: time.UTC}
	for _, k := range []string{"from", "to"} {
		s := c.Query(k)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return pd, invalidField(k, "Use an RFC 3339 time such as 2026-11-29T08:00:00Z.")
		}
		if k == "from" {
			pd.from = t
			if c.Query("to") == "" {
				pd.to = now
			}
		} else {
			pd.to = t
			if c.Query("from") == "" {
				pd.from = t.Add(-24 * time.Hour)
			}
		}
	}
	if !pd.from.Before(pd.to) {
		return pd, invalidField("to", "The end of the period must come after its start.")
	}
	if pd.to.Sub(pd.from) > maxPeriod {
		return pd, invalidField("from", "Ask for at most 400 days.")
	}
	if s := c.Query("group"); s != "" {
		id, err := positiveID("group", s)
		if err != nil {
			return pd, err
		}
		pd.groups = []int64{}
		if p.InGroup(id) {
			pd.groups = []int64{id}
		}
	}
	switch c.Query("bucket") {
	case "":
		pd.days = pd.to.Sub(pd.from) > 3*24*time.Hour
	case "hour":
		if pd.to.Sub(pd.from) > 31*24*time.Hour {
			return pd, invalidField("bucket", "Hourly buckets for at most 31 days; use day.")
		}
	case "day":
		pd.days = true
	default:
		return pd, invalidField("bucket", "Use hour or day.")
	}
	if s := c.Query("tz"); s != "" {
		loc, err := time.LoadLocation(s)
		if err != nil || len(s) > 64 {
			return pd, invalidField("tz", "Use a time zone name such as Europe/Berlin.")
		}
		pd.loc = loc
	}
	return pd, nil
}

// classCounts renders counts by classification as {"0": n, ...}, every classification present.
func classCounts(m map[model.Classification]int64) map[string]int64 {
	out := map[string]int64{}
	for c := model.ClassUnknown; c <= model.ClassScan; c++ {
		out[strconv.Itoa(int(c))] = m[c]
	}
	return out
}

type topView struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

type bucketView struct {
	T      time.Time        `json:"t"`
	Counts map[string]int64 `json:"counts"`
}

func timelineView(list []store.TimelineBucket) []bucketView {
	out := make([]bucketView, len(list))
	for i, b := range list {
		out[i] = bucketView{T: b.Start, Counts: classCounts(b.Counts)}
	}
	return out
}

// overviewGet is GET /api/overview: everything the overview page shows, in one document.
func (s *Server) overviewGet(c *fiber.Ctx) error {
	p := principal(c)
	pd, err := parsePeriod(c, s.Now(), p)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	o, err := s.Store.Overview(ctx, store.OverviewQuery{From: pd.from, To: pd.to, Groups: pd.groups, Days: pd.days, Location: pd.loc})
	if err != nil {
		return err
	}
	byStatus := map[string]int64{}
	var total int64
	for st := model.StatusNew; st <= model.StatusIgnored; st++ {
		byStatus[strconv.Itoa(int(st))] = o.ByStatus[st]
		total += o.ByStatus[st]
	}
	top := map[string][]topView{}
	for _, name := range store.TopLists {
		list := make([]topView, len(o.Top[name]))
		for i, v := range o.Top[name] {
			list[i] = topView{v.Value, v.Count}
		}
		top[name] = list
	}
	recent := make([]eventView, len(o.RecentCritical))
	for i, e := range o.RecentCritical {
		recent[i] = newEventView(e)
	}
	sensors, err := s.sensorStates(c, pd.groups)
	if err != nil {
		return err
	}
	newLive, err := s.Store.CountEvents(ctx, &store.EventFilter{Groups: pd.groups, Status: []model.Status{model.StatusNew}})
	if err != nil {
		return err
	}
	var queues fiber.Map // admins only: the outbox is the whole appliance's
	if p.IsAdmin() {
		counts, err := s.Store.MailCounts(ctx)
		if err != nil {
			return err
		}
		queues = fiber.Map{"mail_queued": counts[model.MailQueued], "mail_failed": counts[model.MailFailed]}
	}
	bucket := "hour"
	if pd.days {
		bucket = "day"
	}
	return c.JSON(fiber.Map{
		"period": fiber.Map{"from": o.From, "to": o.To, "previous_from": o.PreviousFrom, "previous_to": o.From, "bucket": bucket},
		"totals": fiber.Map{"events": total, "by_classification": classCounts(o.ByClass),
			"previous_by_classification": classCounts(o.PreviousByClass), "by_status": byStatus, "new_live": newLive},
		"sensors":         sensors,
		"queues":          queues,
		"timeline":        timelineView(o.Timeline),
		"top":             top,
		"recent_critical": recent,
	})
}

// sensorStates counts the sensors of the scope by status.
func (s *Server) sensorStates(c *fiber.Ctx, groups []int64) (fiber.Map, error) {
	list, err := s.Store.Sensors(c.UserContext())
	if err != nil {
		return nil, err
	}
	counts := map[string]int{"online": 0, "offline": 0, "waiting": 0}
	now := s.Now()
	for _, sn := range list {
		if groups != nil && !containsID(groups, sn.GroupID) {
			continue
		}
		switch {
		case sn.LastContact == nil:
			counts["waiting"]++
		case sn.Online(now):
			counts["online"]++
		default:
			counts["offline"]++
		}
	}
	return fiber.Map{"online": counts["online"], "offline": counts["offline"], "waiting": counts["waiting"]}, nil
}

func containsID(list []int64, id int64) bool {
	for _, v := range list {
		if v == id {
			return true
		}
	}
	return false
}
