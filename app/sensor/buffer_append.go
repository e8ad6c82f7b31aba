package sensor

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// appendRequest is an Append waiting for the commit of the queue.
type appendRequest struct {
	events [][]byte
	stored int
	err    error
	turn   chan bool // true: commit the queue; false: committed by another
}

// Append stores events (each one JSON object on one line, without the newline) and returns
// once they are on disk. Events that do not fit within the size bound are dropped and counted;
// stored says how many were kept. An error means nothing of this call was stored.
//
// Appends share commits: the one that finds nobody committing commits the queue; the appends
// that come meanwhile queue up, and the first of them commits them all once it is its turn.
func (b *Buffer) Append(events ...[]byte) (stored int, err error) {
	for _, ev := range events {
		if !validLine(ev) {
			return 0, errors.New("sensor buffer: an event must be one line of JSON")
		}
	}
	req := &appendRequest{events: events, turn: make(chan bool, 1)}
	b.queueMu.Lock()
	if b.closed {
		b.queueMu.Unlock()
		return 0, ErrBufferClosed
	}
	b.queue = append(b.queue, req)
	lead := !b.committing
	b.committing = true
	b.queueMu.Unlock()
	if lead || <-req.turn {
		b.commitQueue()
	}
	return req.stored, req.err
}

// commitQueue commits the queued appends, tells them, and hands the turn to the first append
// queued meanwhile.
func (b *Buffer) commitQueue() {
	b.queueMu.Lock()
	reqs := b.queue
	b.queue = nil
	b.queueMu.Unlock()
	b.writeMu.Lock()
	b.commitAppends(reqs)
	b.writeMu.Unlock()
	b.queueMu.Lock()
	defer b.queueMu.Unlock()
	for _, r := range reqs {
		r.turn <- false
	}
	if len(b.queue) > 0 {
		b.queue[0].turn <- true
	} else {
		b.committing = false
	}
}

// validLine reports whether ev is an event as the buffer takes it: one line of JSON.
func validLine(ev []byte) bool {
	return len(ev) > 0 && bytes.IndexByte(ev, '\n') < 0 && json.Valid(ev)
}

// commitAppends stores the requests' events in one commit. Call with writeMu held.
func (b *Buffer) commitAppends(reqs []*appendRequest) {
	stored, dropped := 0, 0
	err := b.write(func(tx *sql.Tx) error {
		ins, err := newInserter(tx, b.size.Load(), b.maxBytes)
		if err != nil {
			return err
		}
		for _, r := range reqs {
			n, err := ins.add(r.events)
			if err != nil {
				return err
			}
			r.stored = n
			stored += n
			dropped += len(r.events) - n
		}
		b.size.Store(ins.size)
		return b.countDrops(tx, dropped, stored == 0)
	})
	if err != nil {
		for _, r := range reqs {
			r.stored, r.err = 0, err
		}
		return
	}
	switch {
	case dropped > 0 && !b.full:
		b.full = true
		b.log.Warn("sensor buffer full: dropping new events until the server takes the buffered ones",
			"max_bytes", b.maxBytes, "dropped_total", b.dropped.Load())
	case dropped == 0 && stored > 0 && b.full:
		b.full = false
		b.log.Info("sensor buffer has room again", "dropped_total", b.dropped.Load())
	}
}

// countDrops adds n to the drop count and writes it in tx, unless lazy and it was written less
// than a second ago: a full buffer under a flood of events must not sync once per event.
func (b *Buffer) countDrops(tx *sql.Tx, n int, lazy bool) error {
	total := b.dropped.Add(int64(n))
	if lazy && time.Since(b.saved) < time.Second {
		return nil
	}
	b.saved = time.Now()
	return setCounter(tx, "dropped", total)
}

func setCounter(tx *sql.Tx, name string, value int64) error {
	_, err := tx.Exec(`INSERT INTO counters (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	return err
}

// inserter adds events to the table while they fit within the bound.
type inserter struct {
	stmt      *sql.Stmt // closed with its transaction
	size, max int64
}

func newInserter(tx *sql.Tx, size, max int64) (*inserter, error) {
	stmt, err := tx.Prepare(`INSERT INTO events (line) VALUES (?)`)
	return &inserter{stmt: stmt, size: size, max: max}, err
}

// add inserts the events that fit and reports how many.
func (ins *inserter) add(events [][]byte) (int, error) {
	stored := 0
	for _, ev := range events {
		n := int64(len(ev)) + 1
		if ins.size+n > ins.max {
			continue
		}
		if _, err := ins.stmt.Exec(ev); err != nil {
			return stored, err
		}
		ins.size += n
		stored++
	}
	return stored, nil
}
