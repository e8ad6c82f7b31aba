// Package jobs wires the appliance's periodic work into one gocron scheduler. Job bodies live
// in the packages that own the data; this package only names them and sets their schedules.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// Job is one periodic task.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Start schedules every job and starts the scheduler; call Shutdown on the result to stop it.
// Runs of one job never overlap: a slow run delays the next one instead.
func Start(ctx context.Context, log *slog.Logger, list ...Job) (gocron.Scheduler, error) {
	s, err := gocron.NewScheduler()
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	for _, j := range list {
		_, err := s.NewJob(gocron.DurationJob(j.Every), gocron.NewTask(func() {
			if err := j.Run(ctx); err != nil {
				log.Error("job failed", "component", "jobs", "job", j.Name, "err", err)
			}
		}), gocron.WithName(j.Name), gocron.WithSingletonMode(gocron.LimitModeReschedule))
		if err != nil {
			s.Shutdown()
			return nil, fmt.Errorf("jobs: schedule %s: %w", j.Name, err)
		}
	}
	s.Start()
	return s, nil
}
