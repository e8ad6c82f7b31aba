package shell

import (
	"testing"
	"time"
)

// The fake filesystem is built on first use, from the session's start: a session that never
// touches it does not build it, and one that touches it late sees the tree it would have seen
// at once.
func TestFilesystemBuiltOnFirstUse(t *testing.T) {
	s := newTest("admin")
	for _, line := range []string{"uname -a", "echo hi", "id", "whoami", "hostname"} {
		s.Run(line)
	}
	if s.root != nil {
		t.Fatal("the filesystem was built for commands that do not touch it")
	}

	// the same session twice, one of them used two hours after its start
	now := fixedNow()
	late := NewSession(Options{User: "admin", Hostname: "web01", Now: func() time.Time { return now }})
	early := NewSession(Options{User: "admin", Hostname: "web01", Now: func() time.Time { return fixedNow() }})
	now = now.Add(2 * time.Hour)
	for _, line := range []string{"ls -la /", "ls -l /etc", "cat /etc/passwd /etc/group", "ls -la ~", "cat /var/log/auth.log", "cat /etc/shadow"} {
		if got, want := late.Run(line).Output, early.Run(line).Output; got != want {
			t.Errorf("%s used late:\n%s\nused at once:\n%s", line, got, want)
		}
	}
	if late.root == nil {
		t.Fatal("ls did not build the filesystem")
	}
}
