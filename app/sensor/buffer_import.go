package sensor

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// importSegments moves the undelivered events of the buffer directory that versions before
// the SQLite file kept (dir) into the table, then removes the directory. There, segment files
// NNN.jsonl held one event per line and state.json the read position (segment and byte offset)
// and the drop count. A line cut short by a crash (no newline) or damaged (not JSON) is
// skipped, as the old reader did; events beyond the bound are dropped and counted. The import
// commits with a mark, so a crash before the directory is gone does not import it twice.
func (b *Buffer) importSegments(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var done int64
	if err := b.db.QueryRow(`SELECT count(*) FROM counters WHERE name = 'segments_imported'`).Scan(&done); err != nil {
		return err
	}
	if done == 0 {
		b.writeMu.Lock()
		err := b.write(func(tx *sql.Tx) error { return b.importFrom(tx, dir) })
		b.writeMu.Unlock()
		if err != nil {
			return err
		}
	}
	return os.RemoveAll(dir)
}

// importFrom inserts the directory's events in tx.
func (b *Buffer) importFrom(tx *sql.Tx, dir string) error {
	var st struct {
		Segment int64 `json:"segment"`
		Offset  int64 `json:"offset"`
		Dropped int64 `json:"dropped"`
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "state.json")); err == nil {
		if err := json.Unmarshal(raw, &st); err != nil {
			b.log.Warn("sensor buffer: old state file unreadable, importing from the oldest event", "err", err)
			st.Segment, st.Offset = 0, 0
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	ins, err := newInserter(tx, b.size.Load(), b.maxBytes)
	if err != nil {
		return err
	}
	dropped, imported := int(st.Dropped), 0
	for _, seg := range oldSegments(dir, st.Segment) {
		raw, err := os.ReadFile(filepath.Join(dir, seg.name))
		if err != nil {
			return err
		}
		if seg.seq == st.Segment {
			raw = raw[min(max(st.Offset, 0), int64(len(raw))):]
		}
		events := completeEvents(raw)
		n, err := ins.add(events)
		if err != nil {
			return err
		}
		imported += n
		dropped += len(events) - n
	}
	b.size.Store(ins.size)
	if _, err := tx.Exec(`INSERT INTO counters (name, value) VALUES ('segments_imported', 1)`); err != nil {
		return err
	}
	b.log.Info("sensor buffer: events of the old segment files imported", "events", imported, "dir", dir)
	return b.countDrops(tx, dropped, false)
}

type oldSegment struct {
	seq  int64
	name string
}

// oldSegments lists the segment files numbered from first on, oldest first.
func oldSegments(dir string, first int64) []oldSegment {
	names, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	var segs []oldSegment
	for _, p := range names {
		name := filepath.Base(p)
		seq, err := strconv.ParseInt(strings.TrimSuffix(name, ".jsonl"), 10, 64)
		if err == nil && seq >= first {
			segs = append(segs, oldSegment{seq, name})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].seq < segs[j].seq })
	return segs
}

// completeEvents splits raw into its lines, leaving out a last line without a newline and
// lines that are not JSON.
func completeEvents(raw []byte) [][]byte {
	var out [][]byte
	for {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			return out
		}
		if line := bytes.TrimRight(raw[:i], "\r"); validLine(line) {
			out = append(out, line)
		}
		raw = raw[i+1:]
	}
}
