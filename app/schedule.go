package app

import (
	"context"
	"log/slog"
	"time"

	"honeysens/app/archive"
	"honeysens/app/jobs"
	"honeysens/app/model"
	"honeysens/app/notify"
	"honeysens/app/store"
)

// timedJobs places the jobs whose times operators set: the daily archive run and the weekly
// summary. It exists before the web server, which moves the jobs through its Deps when their
// settings change; the scheduler starts with Run.
type timedJobs struct {
	sched *jobs.Scheduler
	store *store.Store
	mail  *notify.Service
	log   *slog.Logger
}

// fromSettings places both jobs at the stored times.
func (t *timedJobs) fromSettings(ctx context.Context) error {
	archiveSet := model.DefaultArchiveSettings()
	if err := t.store.Settings(ctx, "archive", &archiveSet); err != nil {
		return err
	}
	if err := t.Archive(archiveSet); err != nil {
		return err
	}
	smtp := model.DefaultSMTPSettings()
	if err := t.store.Settings(ctx, "smtp", &smtp); err != nil {
		return err
	}
	return t.Weekly(smtp)
}

// Archive (re)schedules the daily archive job at the settings' time.
func (t *timedJobs) Archive(set model.ArchiveSettings) error {
	hour, minute, err := set.Clock()
	if err != nil {
		return err
	}
	return t.sched.Daily("archive", hour, minute, func(ctx context.Context) error {
		res, err := archive.Run(ctx, t.store, time.Now())
		if err == nil && (res.Archived > 0 || res.Deleted > 0) {
			t.log.Info("archive job", "component", "archive", "archived", res.Archived, "deleted", res.Deleted)
		}
		return err
	})
}

// Weekly (re)schedules the weekly summary at the settings' Monday time and zone.
func (t *timedJobs) Weekly(set model.SMTPSettings) error {
	hour, minute, err := set.WeeklyClock()
	if err != nil {
		return err
	}
	loc, err := set.Location()
	if err != nil {
		return err
	}
	return t.sched.Weekly("weekly-summary", time.Monday, hour, minute, loc, t.mail.Weekly)
}
