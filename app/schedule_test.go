package app

import (
	"context"
	"testing"
	"time"

	"honeysens/app/config"
	"honeysens/app/model"
)

// The jobs whose times are settings exist from the start, at the stored times, and the web
// layer moves them through its Deps.
func TestTimedJobsFollowTheirSettings(t *testing.T) {
	dir := t.TempDir()
	a := newTestApp(t, testResources(t), &config.Config{DataDir: dir}, nil)
	defer a.Close()
	set := model.DefaultArchiveSettings()
	set.RunAt = "05:15"
	if err := a.Store().SetSettings(context.Background(), "archive", set); err != nil {
		t.Fatal(err)
	}
	if err := a.Web().Schedule.Archive(set); err != nil {
		t.Fatal(err)
	}
	if err := a.sched.Start(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	var next time.Time
	for deadline := time.Now().Add(5 * time.Second); next.IsZero() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // gocron places the jobs it holds just after it starts
		next = a.sched.NextRun("archive")
	}
	if next.IsZero() || next.Hour() != 5 || next.Minute() != 15 || time.Until(next) > 24*time.Hour {
		t.Errorf("archive job next runs at %v, want the coming 05:15", next)
	}
	if a.sched.NextRun("weekly-summary").IsZero() || a.sched.NextRun("database-maintenance").IsZero() {
		t.Error("the weekly summary or the maintenance job is not scheduled")
	}
}
