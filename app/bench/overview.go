package bench

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
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
	// An address of the generator's uniform 50,000, of the last 24 hours when any attacker
	// is (a small bench database holds only older events).
	addr, period, err := r.someAttacker(e, from)
	if err != nil {
		return err
	}
	med, worst, err = r.timed(e, "/api/attackers/"+addr+"?"+period, runs)
	if err != nil {
		return err
	}
	span := "24 h"
	if period == "" {
		span = "all time"
	}
	r.row("attacker details ("+addr+", "+span+")", ms(med)+" median, "+ms(worst)+" max", "-", "")
	return nil
}

// someAttacker returns the address of the generator's attacker (10.0.0.0/8) seen last within the 24 hours from `from`
// on and that period as a query, or of the attacker seen last of all and no period.
func (r *Runner) someAttacker(e *env, from string) (addr, period string, err error) {
	for _, period := range []string{"from=" + from, ""} {
		req := httptest.NewRequest("GET", "/api/attackers?limit=1&q=10.0.0.0%2F8&"+period, nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		res, err := e.srv.App().Test(req, -1)
		if err != nil {
			return "", "", err
		}
		var page struct {
			Items []struct {
				Source string `json:"source"`
			} `json:"items"`
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil {
			return "", "", err
		}
		if len(page.Items) > 0 {
			return page.Items[0].Source, period, nil
		}
	}
	return "", "", errors.New("bench: no attacker in the database")
}
