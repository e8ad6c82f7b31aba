package sensor

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"honeysens/app/model"
	"honeysens/app/sensorproto"
)

// revision is the event of session s at revision rev, encoded.
func revision(t *testing.T, s string, rev int, ongoing bool) (*model.Event, []byte) {
	t.Helper()
	e := testEvent(fmt.Sprintf("%s rev %d", s, rev), rev)
	e.Session, e.Revision, e.Ongoing = s, rev, ongoing
	line, err := sensorproto.EncodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	return e, line
}

// summariesOf decodes the summaries of buffered lines.
func summariesOf(t *testing.T, lines []string) []string {
	var out []string
	for _, l := range lines {
		var w struct{ Summary string }
		if err := json.Unmarshal([]byte(l), &w); err != nil {
			t.Fatal(err)
		}
		out = append(out, w.Summary)
	}
	return out
}

func TestRevisionHold(t *testing.T) {
	b := openBuf(t, t.TempDir(), 0)
	defer b.Close()
	h := newRevisionHold(b)
	now := time.Unix(1000, 0)
	h.now = func() time.Time { return now }
	appendEv := func(e *model.Event, line []byte) {
		if err := h.Append(e, line); err != nil {
			t.Fatal(err)
		}
	}
	// The server is away: an undelivered one-time event is in the buffer.
	appendEv(encoded(testEvent("one-time", 1)))
	// Revision 1 is written (the event must exist), later ones wait, the newest replacing the others.
	for rev := 1; rev <= 20; rev++ {
		appendEv(revision(t, "s1", rev, true))
		now = now.Add(2 * time.Second)
	}
	appendEv(revision(t, "s2", 1, true))
	appendEv(revision(t, "s2", 2, true))
	if got := summariesOf(t, mustPeek(t, b)); fmt.Sprint(got) != "[one-time s1 rev 1 s2 rev 1]" {
		t.Fatalf("buffered %q", got)
	}
	// s1's final replaces its held revision and is written at once
	appendEv(revision(t, "s1", 21, false))
	// s2 held a revision for longer than heldMax: the next one is written anyway
	now = now.Add(heldMax)
	appendEv(revision(t, "s2", 3, true))
	if got := summariesOf(t, drain(t, b, 100)); fmt.Sprint(got) != "[one-time s1 rev 1 s2 rev 1 s1 rev 21 s2 rev 3]" {
		t.Fatalf("buffered %q", got)
	}
	// Delivered: nothing is held back any more, and Release has nothing to write.
	appendEv(revision(t, "s2", 4, true))
	if n, err := h.Release(); n != 0 || err != nil {
		t.Fatalf("release: %d %v", n, err)
	}
	// A backlog again: s2's revision 6 waits and is written by Release once the buffer is delivered.
	appendEv(encoded(testEvent("one-time 2", 2)))
	appendEv(revision(t, "s2", 5, true))
	appendEv(revision(t, "s2", 6, true))
	if got := summariesOf(t, drain(t, b, 100)); fmt.Sprint(got) != "[s2 rev 4 one-time 2]" {
		t.Fatalf("buffered %q", got)
	}
	if n, err := h.Release(); n != 1 || err != nil {
		t.Fatalf("release: %d %v", n, err)
	}
	if got := summariesOf(t, drain(t, b, 100)); fmt.Sprint(got) != "[s2 rev 6]" {
		t.Fatalf("released %q", got)
	}
	if len(h.held) != 0 || len(h.written) != 1 {
		t.Errorf("held %d, open sessions %d", len(h.held), len(h.written))
	}
}

// encoded is e with its wire line.
func encoded(e *model.Event) (*model.Event, []byte) {
	line, _ := sensorproto.EncodeEvent(e)
	return e, line
}

func mustPeek(t *testing.T, b *Buffer) []string {
	t.Helper()
	lines, err := b.Peek(100)
	if err != nil {
		t.Fatal(err)
	}
	return asStrings(lines)
}
