package model

import (
	"fmt"
	"time"
)

// ArchiveSettings are System → Event archive.
type ArchiveSettings struct {
	// MoveDays: Resolved and Ignored events go to the archive this many days after their last
	// change (0 = never automatically).
	MoveDays int `json:"move_days"`
	// KeepDays: archived events are deleted this many days after they were archived (0 = kept).
	KeepDays int `json:"keep_days"`
	// Prefer pre-ticks "Move events to archive" in every remove dialog.
	Prefer bool `json:"prefer"`
	// RunAt is the daily time (HH:MM, appliance local time) of the archive job.
	RunAt string `json:"run_at"`
}

// DefaultArchiveSettings are the settings before an operator changed them: nothing automatic.
func DefaultArchiveSettings() ArchiveSettings { return ArchiveSettings{RunAt: "03:00"} }

// Validate checks the settings.
func (a *ArchiveSettings) Validate() error {
	f := FieldErrors{}
	if a.MoveDays < 0 || a.MoveDays > 3650 {
		f.Add("move_days", "Use 0 (off) to 3650 days.")
	}
	if a.KeepDays < 0 || a.KeepDays > 36500 {
		f.Add("keep_days", "Use 0 (keep) to 36500 days.")
	}
	if _, _, err := a.Clock(); err != nil {
		f.Add("run_at", "Use a time of day such as 03:00.")
	}
	return f.Err()
}

// Clock returns RunAt as hour and minute.
func (a *ArchiveSettings) Clock() (hour, minute int, err error) { return timeOfDay("run_at", a.RunAt) }

// timeOfDay reads a setting's time of day (HH:MM) as hour and minute.
func timeOfDay(field, s string) (hour, minute int, err error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, fmt.Errorf("%s %q: %w", field, s, err)
	}
	return t.Hour(), t.Minute(), nil
}
