package sensor

import (
	"sync"
	"time"

	"honeysens/app/model"
)

// revisionHold keeps interim revisions of long sessions from filling the buffer while the
// server is unreachable. A honeypot reports an open session again every few seconds, each
// report carrying everything so far; while the buffer holds undelivered events, only the
// newest ongoing revision of a session is kept back in memory (replacing the one before) and
// written when the buffer has been delivered. The first report of a session, its final report
// and one-time events are always written at once, so the event exists on the server and ends
// right; a held revision is written anyway once one has waited heldMax, so a crash during an
// outage loses at most that much of a session's growth.
type revisionHold struct {
	buf     *Buffer
	heldMax time.Duration
	now     func() time.Time

	mu      sync.Mutex
	written map[string]bool // open sessions with a revision in the buffer
	held    map[string]heldRevision
}

type heldRevision struct {
	line  []byte
	since time.Time // when the oldest revision held since the last write came
}

// Bounds of the hold.
const (
	heldMax        = 5 * time.Minute
	maxOpenTracked = 10000 // sessions remembered; past it they are forgotten (and written again)
)

func newRevisionHold(buf *Buffer) *revisionHold {
	return &revisionHold{buf: buf, heldMax: heldMax, now: time.Now, written: map[string]bool{}, held: map[string]heldRevision{}}
}

// Append writes the encoded event line to the buffer, or holds it back (see revisionHold).
func (h *revisionHold) Append(e *model.Event, line []byte) error {
	if !h.keep(e, line) {
		return nil
	}
	stored, err := h.buf.Append(line)
	if stored > 0 && e.Ongoing {
		h.mu.Lock()
		if len(h.written) >= maxOpenTracked {
			clear(h.written)
		}
		h.written[e.Session] = true
		h.mu.Unlock()
	}
	return err
}

// keep decides whether line is written now (true) or held back.
func (h *revisionHold) keep(e *model.Event, line []byte) bool {
	if e.Session == "" {
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !e.Ongoing {
		delete(h.held, e.Session)
		delete(h.written, e.Session)
		return true
	}
	now := h.now()
	since := now
	if old, ok := h.held[e.Session]; ok {
		since = old.since
	}
	if h.written[e.Session] && !h.buf.Empty() && now.Sub(since) < h.heldMax {
		h.held[e.Session] = heldRevision{line: line, since: since}
		return false
	}
	delete(h.held, e.Session)
	return true
}

// Release writes the held revisions; the uploader calls it when it has delivered the buffer.
// It reports how many it wrote.
func (h *revisionHold) Release() (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock() // held across the writes: a newer report of a session waits for them
	if len(h.held) == 0 {
		return 0, nil
	}
	lines := make([][]byte, 0, len(h.held))
	for _, r := range h.held {
		lines = append(lines, r.line)
	}
	n, err := h.buf.Append(lines...)
	if err == nil { // kept on a failed write: the next release tries again
		clear(h.held)
	}
	return n, err
}
