package app

import (
	"runtime/debug"
	"testing"
	"time"
)

// The idle footprint (SPEC §5: idle RSS ≤ 30 MB) rests on this configuration; the
// measured figures are in the README (Performance). RSS itself is not asserted here.

func TestMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })

	applyMemoryLimit(func(string) string { return "" })
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Errorf("memory limit = %d, want %d", got, memoryLimit)
	}
	if memoryLimit > 256<<20 || memoryLimit < 64<<20 {
		t.Errorf("memoryLimit = %d MiB: too high to matter on a 1 GB Pi, or low enough to make the collector run constantly", memoryLimit>>20)
	}

	// An operator's GOMEMLIMIT (applied by the runtime at start) is left alone.
	debug.SetMemoryLimit(300 << 20)
	applyMemoryLimit(func(k string) string {
		if k == "GOMEMLIMIT" {
			return "300MiB"
		}
		return ""
	})
	if got := debug.SetMemoryLimit(-1); got != 300<<20 {
		t.Errorf("with GOMEMLIMIT set, the limit became %d", got)
	}
}

// TestIdleMemoryJob: the job that hands SQLite's page cache and the Go heap's garbage back to
// the OS runs every minute while serving.
func TestIdleMemoryJob(t *testing.T) {
	var found bool
	for _, j := range (&App{}).intervalJobs() {
		if j.Name == "release-idle-memory" {
			found = true
			if j.Every > time.Minute {
				t.Errorf("release-idle-memory runs every %v; memory would stay for longer than a minute", j.Every)
			}
		}
	}
	if !found {
		t.Error("no release-idle-memory job: SQLite's page cache would stay in RSS for the life of the process")
	}
}
