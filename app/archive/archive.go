// Package archive holds the body of the daily archive job: retention of archived events and
// the automatic move of settled events into the archive. Scheduling is app/jobs' business.
package archive

import (
	"context"
	"time"

	"honeysens/app/model"
	"honeysens/app/store"
)

// Result is what one run did.
type Result struct {
	Deleted  int64 `json:"deleted"`  // archived events removed by the retention period
	Archived int64 `json:"archived"` // Resolved and Ignored events moved to the archive
}

// Run applies the archive settings as of now: first it deletes archived events archived more
// than KeepDays ago, then moves Resolved and Ignored events last changed more than MoveDays
// ago (0 days = off). Both work in chunks, so ingest keeps flowing while a run moves millions.
func Run(ctx context.Context, st *store.Store, now time.Time) (Result, error) {
	set := model.DefaultArchiveSettings()
	if err := st.Settings(ctx, "archive", &set); err != nil {
		return Result{}, err
	}
	var res Result
	var err error
	if set.KeepDays > 0 {
		cutoff := now.AddDate(0, 0, -set.KeepDays)
		if res.Deleted, err = st.DeleteEvents(ctx, &store.EventFilter{Archive: true, ChangedBefore: &cutoff}); err != nil {
			return res, err
		}
	}
	if set.MoveDays > 0 {
		cutoff := now.AddDate(0, 0, -set.MoveDays)
		f := &store.EventFilter{Status: []model.Status{model.StatusResolved, model.StatusIgnored}, ChangedBefore: &cutoff}
		if res.Archived, err = st.ArchiveEvents(ctx, f); err != nil {
			return res, err
		}
	}
	return res, nil
}
