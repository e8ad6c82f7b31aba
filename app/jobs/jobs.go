// Package jobs wires the appliance's periodic work into one gocron scheduler. Job bodies live
// in the packages that own the data; this package only names them and sets their schedules.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// Job is one task run at a fixed interval.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Scheduler runs the jobs between Start and Shutdown. It exists before it starts, so that
// the jobs whose times operators set can be placed (and moved) from the start.
type Scheduler struct {
	s     gocron.Scheduler
	log   *slog.Logger
	mu    sync.Mutex
	ctx   context.Context       // the jobs' context, set by Start
	named map[string]gocron.Job // the jobs Daily and Weekly placed, by name
}

// New returns a scheduler that runs nothing until Start. Extra gocron options (a fake clock
// in tests, a time zone) go to gocron.
func New(log *slog.Logger, opts ...gocron.SchedulerOption) (*Scheduler, error) {
	s, err := gocron.NewScheduler(opts...)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Scheduler{s: s, log: log, ctx: context.Background(), named: map[string]gocron.Job{}}, nil
}

// Start schedules the interval jobs and starts running every job with ctx. Runs of one job
// never overlap: a slow run delays the next one instead.
func (s *Scheduler) Start(ctx context.Context, list []Job) error {
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	for _, j := range list {
		_, err := s.s.NewJob(gocron.DurationJob(j.Every), s.task(j.Name, j.Run),
			gocron.WithName(j.Name), gocron.WithSingletonMode(gocron.LimitModeReschedule))
		if err != nil {
			return fmt.Errorf("jobs: schedule %s: %w", j.Name, err)
		}
	}
	s.s.Start()
	return nil
}

func (s *Scheduler) task(name string, run func(context.Context) error) gocron.Task {
	return gocron.NewTask(func() {
		s.mu.Lock()
		ctx := s.ctx
		s.mu.Unlock()
		if err := run(ctx); err != nil {
			s.log.Error("job failed", "component", "jobs", "job", name, "err", err)
		}
	})
}

// Daily runs a job every day at hour:minute (the scheduler's time zone). Called again for the
// same name, it moves the job to the new time.
func (s *Scheduler) Daily(name string, hour, minute int, run func(ctx context.Context) error) error {
	return s.schedule(name, gocron.DailyJob(1, gocron.NewAtTimes(gocron.NewAtTime(uint(hour), uint(minute), 0))), run)
}

// Weekly runs a job every week on the weekday at hour:minute in the time zone loc. Called
// again for the same name, it moves the job.
func (s *Scheduler) Weekly(name string, day time.Weekday, hour, minute int, loc *time.Location, run func(ctx context.Context) error) error {
	// A cron line is the one gocron schedule that carries its own time zone.
	spec := fmt.Sprintf("CRON_TZ=%s %d %d * * %d", loc.String(), minute, hour, int(day))
	return s.schedule(name, gocron.CronJob(spec, false), run)
}

// schedule adds the named job, or replaces its schedule if it exists.
func (s *Scheduler) schedule(name string, def gocron.JobDefinition, run func(ctx context.Context) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	opts := []gocron.JobOption{gocron.WithName(name), gocron.WithSingletonMode(gocron.LimitModeReschedule)}
	var j gocron.Job
	var err error
	if old, ok := s.named[name]; ok {
		j, err = s.s.Update(old.ID(), def, s.task(name, run), opts...)
	} else {
		j, err = s.s.NewJob(def, s.task(name, run), opts...)
	}
	if err != nil {
		return fmt.Errorf("jobs: schedule %s: %w", name, err)
	}
	s.named[name] = j
	return nil
}

// NextRun returns when the named daily or weekly job runs next (zero if unknown).
func (s *Scheduler) NextRun(name string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.named[name]
	if !ok {
		return time.Time{}
	}
	t, _ := j.NextRun()
	return t
}

// Shutdown stops the scheduler and waits for running jobs to finish.
func (s *Scheduler) Shutdown() error { return s.s.Shutdown() }
