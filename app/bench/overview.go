package bench

import (
	"net/url"
	"time"
)

// fillStart is where the filled events begin: ten days ago (the list's time range figure reads
// an hour of them). At 100 ms apart a million events then span the 28 hours up to about nine
// days ago; fillEnd is the end of that span.
func fillStart() time.Time { return time.Now().Add(-10 * 24 * time.Hour) }

func (r *Runner) fillEnd() time.Time {
	return fillStart().Add(time.Duration(r.opt.Events) * 100 * time.Millisecond)
}

// overview measures GET /api/overview for the overview page's periods, all ending where the
// filled events end, so that the last 24 hours hold most of them, and the attackers list.
// Target: 50 ms for the overview, 5 ms for a page of attackers.
func (r *Runner) overview(e *env) error {
	const runs = 11
	end := r.fillEnd()
	for _, p := range []struct {
		name string
		span time.Duration
	}{{"24 h", 24 * time.Hour}, {"7 days", 7 * 24 * time.Hour}, {"30 days", 30 * 24 * time.Hour}} {
		q := "to=" + url.QueryEscape(end.Format(time.RFC3339)) + "&from=" + url.QueryEscape(end.Add(-p.span).Format(time.RFC3339))
		med, worst, err := r.timed(e, "/api/overview?"+q, runs)
		if err != nil {
			return err
		}
		r.row("overview: last "+p.name, ms(med)+" median, "+ms(worst)+" max", "target 50 ms", "")
	}
	// The hardest case for the top sources: a day that holds half of the events, the 50,000
	// addresses all equally busy, so that no address stands out from its all-time count.
	mid := end.Add(-12 * time.Hour)
	q := "to=" + url.QueryEscape(mid.Format(time.RFC3339)) + "&from=" + url.QueryEscape(mid.Add(-24*time.Hour).Format(time.RFC3339))
	med, worst, err := r.timed(e, "/api/overview?"+q, runs)
	if err != nil {
		return err
	}
	r.row("overview: a day holding half of the events", ms(med)+" median, "+ms(worst)+" max", "target 50 ms", "")
	from := url.QueryEscape(end.Add(-24 * time.Hour).Format(time.RFC3339))
	for _, c := range []struct{ name, query string }{
		{"attackers: first page (last seen)", ""},
		{"attackers: first page by events", "sort=events"},
		{"attackers: first page, seen in the last 24 h", "from=" + from},
		{"attackers: network 10.0.1.0/24", "q=10.0.1.0/24"},
	} {
		med, worst, err := r.timed(e, "/api/attackers?"+c.query, runs)
		if err != nil {
			return err
		}
		r.row(c.name, ms(med)+" median, "+ms(worst)+" max", "target 5 ms", "")
	}
	med, worst, err = r.timed(e, "/api/attackers/10.0.1.2?from="+from, runs)
	if err != nil {
		return err
	}
	r.row("attacker details (10.0.1.2, 24 h)", ms(med)+" median, "+ms(worst)+" max", "-", "")
	return nil
}
