package sensor

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Buffer is the remote sensor's durable event queue: events wait in it until the server has
// committed them, across outages of the server and restarts of the sensor.
//
// On disk (in its directory) it is a run of append-only segment files, NNN.jsonl, holding one
// event per line in the wire form, plus state.json with the read position (segment and byte
// offset) and the count of events dropped because the buffer was full. Appends are fsynced
// before Append returns (concurrent appends share one fsync). Acknowledged segments are
// deleted. A crash can leave a torn last line in the newest segment: reopening cuts it off.
// The total size of the segments is bounded; when the next event would not fit it is dropped
// and counted, never blocking the honeypot that reports it.
//
// One process at a time: Open takes an exclusive lock on the directory.
type Buffer struct {
	dir      string
	maxBytes int64
	segMax   int64
	log      *slog.Logger
	lock     *os.File

	mu       sync.Mutex
	segs     []*segment // oldest first; the last is the tail appended to
	tailFile *os.File   // the tail, open for appending
	total    int64      // bytes of every segment file
	written  int64      // bytes appended since open (orders fsyncs)
	read     position   // the next event to hand out
	dropped  int64      // events dropped because the buffer was full (persisted)
	full     bool       // dropping now (for logging once per episode)
	closed   bool
	err      error // a write error: the buffer refuses appends after it

	synced int64 // written offset known to be on disk

	syncMu sync.Mutex // one fsync at a time; appends that wait share it

	stateMu   sync.Mutex // one state.json write at a time
	lastState time.Time
}

type segment struct {
	seq  int64
	size int64
}

type position struct {
	Seg    int64 `json:"segment"`
	Offset int64 `json:"offset"`
}

type bufferState struct {
	position
	Dropped int64 `json:"dropped"`
}

// Buffer defaults.
const (
	DefaultBufferMax = 64 << 20
	minSegment       = 64 << 10
	maxSegment       = 8 << 20
	stateFile        = "state.json"
	segSuffix        = ".jsonl"
)

// ErrBufferClosed is returned by a closed buffer.
var ErrBufferClosed = errors.New("sensor buffer: closed")

// OpenBuffer opens (or creates) the buffer in dir, bounded to maxBytes on disk (0: the default,
// 64 MiB), and continues from its saved read position.
func OpenBuffer(dir string, maxBytes int64, log *slog.Logger) (*Buffer, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultBufferMax
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sensor buffer: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sensor buffer: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("sensor buffer: %s is in use by another process: %w", dir, err)
	}
	segMax := min(max(maxBytes/16, minSegment), maxSegment)
	b := &Buffer{dir: dir, maxBytes: maxBytes, segMax: segMax, log: log, lock: lock}
	if err := b.load(); err != nil {
		lock.Close()
		return nil, err
	}
	return b, nil
}

// load reads the directory: segments, state, the tail's torn end.
func (b *Buffer) load() error {
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return fmt.Errorf("sensor buffer: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, segSuffix) {
			continue
		}
		seq, err := strconv.ParseInt(strings.TrimSuffix(name, segSuffix), 10, 64)
		if err != nil || seq < 0 {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return fmt.Errorf("sensor buffer: %w", err)
		}
		b.segs = append(b.segs, &segment{seq: seq, size: info.Size()})
	}
	sort.Slice(b.segs, func(i, j int) bool { return b.segs[i].seq < b.segs[j].seq })

	var st bufferState
	if raw, err := os.ReadFile(filepath.Join(b.dir, stateFile)); err == nil {
		if err := json.Unmarshal(raw, &st); err != nil {
			b.log.Warn("sensor buffer: state file unreadable, starting at the oldest event", "err", err)
			st = bufferState{}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sensor buffer: %w", err)
	}
	b.dropped = st.Dropped
	b.read = st.position

	// Segments wholly before the read position were consumed (a crash came before their removal).
	for len(b.segs) > 0 && b.segs[0].seq < b.read.Seg {
		os.Remove(b.segPath(b.segs[0].seq))
		b.segs = b.segs[1:]
	}
	if len(b.segs) == 0 {
		seq := max(b.read.Seg, 1)
		b.segs = []*segment{{seq: seq}}
	}
	if b.read.Seg < b.segs[0].seq {
		b.read = position{Seg: b.segs[0].seq}
	}

	// A crash may have left a partial line at the end of the newest segment: cut it off.
	tail := b.segs[len(b.segs)-1]
	f, err := os.OpenFile(b.segPath(tail.seq), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("sensor buffer: %w", err)
	}
	if cut, err := completeLength(f, tail.size); err != nil {
		f.Close()
		return fmt.Errorf("sensor buffer: %w", err)
	} else if cut != tail.size {
		b.log.Warn("sensor buffer: skipped a torn last line", "segment", tail.seq, "bytes", tail.size-cut)
		if err := f.Truncate(cut); err != nil {
			f.Close()
			return fmt.Errorf("sensor buffer: %w", err)
		}
		tail.size = cut
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("sensor buffer: %w", err)
		}
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return fmt.Errorf("sensor buffer: %w", err)
	}
	b.tailFile = f
	for _, s := range b.segs {
		b.total += s.size
	}
	if b.read.Seg == tail.seq && b.read.Offset > tail.size {
		b.read.Offset = tail.size
	}
	b.normalize()
	return nil
}

// completeLength is the length of f up to and including its last newline.
func completeLength(f *os.File, size int64) (int64, error) {
	const chunk = 64 << 10
	end := size
	buf := make([]byte, chunk)
	for end > 0 {
		start := max(end-chunk, 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

func (b *Buffer) segPath(seq int64) string {
	return filepath.Join(b.dir, fmt.Sprintf("%012d%s", seq, segSuffix))
}

// normalize moves the read position past the ends of finished segments and deletes the
// segments before it. Call with mu held.
func (b *Buffer) normalize() {
	for len(b.segs) > 1 {
		head := b.segs[0]
		if b.read.Seg == head.seq && b.read.Offset < head.size {
			break
		}
		if b.read.Seg > head.seq || b.read.Offset >= head.size {
			if err := os.Remove(b.segPath(head.seq)); err != nil && !errors.Is(err, os.ErrNotExist) {
				b.log.Warn("sensor buffer: segment not removed", "segment", head.seq, "err", err)
			}
			b.total -= head.size
			b.segs = b.segs[1:]
			if b.read.Seg <= head.seq {
				b.read = position{Seg: b.segs[0].seq}
			}
			continue
		}
		break
	}
}

// Append stores events (each one JSON object on one line, without the newline) and returns
// once they are on disk. Events that do not fit within the size bound are dropped and counted;
// stored says how many were kept. An error means the disk failed: nothing more is stored.
func (b *Buffer) Append(events ...[]byte) (stored int, err error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return 0, ErrBufferClosed
	}
	if b.err != nil {
		err := b.err
		b.mu.Unlock()
		return 0, err
	}
	dropped := 0
	for _, ev := range events {
		if len(ev) == 0 || bytes.IndexByte(ev, '\n') >= 0 || !json.Valid(ev) {
			b.mu.Unlock()
			return stored, errors.New("sensor buffer: an event must be one line of JSON")
		}
		n := int64(len(ev)) + 1
		if b.total+n > b.maxBytes {
			dropped++
			continue
		}
		if err := b.write(ev, n); err != nil {
			b.err = fmt.Errorf("sensor buffer: %w", err)
			b.mu.Unlock()
			return stored, b.err
		}
		stored++
	}
	if dropped > 0 {
		b.dropped += int64(dropped)
		if !b.full {
			b.full = true
			b.log.Warn("sensor buffer full: dropping new events until the server takes the buffered ones",
				"max_bytes", b.maxBytes, "dropped_total", b.dropped)
		}
	} else if stored > 0 && b.full {
		b.full = false
		b.log.Info("sensor buffer has room again", "dropped_total", b.dropped)
	}
	target := b.written
	b.mu.Unlock()

	if dropped > 0 {
		b.saveState(false)
	}
	if stored == 0 {
		return 0, nil
	}
	return stored, b.sync(target)
}

// write appends one line to the tail, starting a new segment when the tail is full. Call
// with mu held.
func (b *Buffer) write(ev []byte, n int64) error {
	tail := b.segs[len(b.segs)-1]
	if tail.size > 0 && tail.size+n > b.segMax {
		if err := b.rotate(); err != nil {
			return err
		}
		tail = b.segs[len(b.segs)-1]
	}
	line := make([]byte, 0, n)
	line = append(append(line, ev...), '\n')
	if _, err := b.tailFile.Write(line); err != nil {
		// A short write leaves a partial line; cut it so that the next line starts clean.
		b.tailFile.Truncate(tail.size)
		b.tailFile.Seek(tail.size, io.SeekStart)
		return err
	}
	tail.size += n
	b.total += n
	b.written += n
	return nil
}

// rotate starts a new tail segment. The finished one is synced before it is closed, so that a
// concurrent sync that finds its file closed knows the data is on disk. Call with mu held.
func (b *Buffer) rotate() error {
	tail := b.segs[len(b.segs)-1]
	if err := b.tailFile.Sync(); err != nil {
		return err
	}
	next := &segment{seq: tail.seq + 1}
	f, err := os.OpenFile(b.segPath(next.seq), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	b.tailFile.Close()
	b.synced = max(b.synced, b.written)
	b.tailFile = f
	b.segs = append(b.segs, next)
	b.syncDir()
	return nil
}

// sync makes sure everything appended up to target is on disk; appends waiting here together
// share one fsync.
func (b *Buffer) sync(target int64) error {
	b.syncMu.Lock()
	defer b.syncMu.Unlock()
	b.mu.Lock()
	if b.synced >= target {
		b.mu.Unlock()
		return nil
	}
	f, upto := b.tailFile, b.written
	b.mu.Unlock()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("sensor buffer: %w", err)
	}
	b.mu.Lock()
	b.synced = max(b.synced, upto)
	b.mu.Unlock()
	return nil
}

func (b *Buffer) syncDir() {
	if d, err := os.Open(b.dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Peek returns up to n events from the head of the queue without removing them.
func (b *Buffer) Peek(n int) ([][]byte, error) { return b.PeekLimit(n, 0) }

// PeekLimit is Peek that also stops before the events' total size passes maxBytes (0: no
// limit); it always returns at least one event when there is one.
func (b *Buffer) PeekLimit(n int, maxBytes int64) ([][]byte, error) {
	var out [][]byte
	var size int64
	_, err := b.scan(n, func(line []byte) bool {
		if maxBytes > 0 && len(out) > 0 && size+int64(len(line)) > maxBytes {
			return false
		}
		out = append(out, bytes.Clone(line))
		size += int64(len(line))
		return true
	})
	return out, err
}

// Ack removes the first n events (those a Peek returned) from the queue, persists the new read
// position and deletes the segments it has passed.
func (b *Buffer) Ack(n int) error {
	if n <= 0 {
		return nil
	}
	count := 0
	pos, err := b.scan(n, func([]byte) bool { count++; return true })
	if err != nil {
		return err
	}
	if count < n {
		return fmt.Errorf("sensor buffer: ack of %d events, only %d buffered", n, count)
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrBufferClosed
	}
	b.read = pos
	b.normalize()
	if tail := b.segs[len(b.segs)-1]; len(b.segs) == 1 && tail.size > 0 && b.read.Offset >= tail.size && b.err == nil {
		// Everything was delivered: start a fresh segment so that the space is freed even when
		// the bound is smaller than a segment.
		if err := b.rotate(); err != nil {
			b.log.Warn("sensor buffer: new segment not started", "err", err)
		} else {
			b.normalize()
		}
	}
	b.mu.Unlock()
	return b.saveState(true)
}

// scan walks the queue from the read position, calling fn with each complete event until n
// were taken or fn refuses one, and returns the position after the last taken. Lines that are
// not valid JSON (a damaged disk) are skipped.
func (b *Buffer) scan(n int, fn func([]byte) bool) (position, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return position{}, ErrBufferClosed
	}
	pos := b.read
	type segView struct{ seq, size int64 }
	views := make([]segView, 0, len(b.segs))
	for _, s := range b.segs {
		if s.seq >= pos.Seg {
			views = append(views, segView{s.seq, s.size})
		}
	}
	b.mu.Unlock()

	taken := 0
	for i, sv := range views {
		if taken >= n {
			break
		}
		if sv.seq > pos.Seg {
			pos = position{Seg: sv.seq}
		}
		if pos.Offset >= sv.size {
			continue
		}
		f, err := os.Open(b.segPath(sv.seq))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return pos, fmt.Errorf("sensor buffer: %w", err)
		}
		r := bufio.NewReaderSize(io.NewSectionReader(f, pos.Offset, sv.size-pos.Offset), 64<<10)
		last := i == len(views)-1
		for taken < n {
			line, err := r.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				// A line longer than the reader's buffer: read it whole.
				rest, err2 := r.ReadBytes('\n')
				line, err = append(bytes.Clone(line), rest...), err2
			}
			if err != nil {
				if len(line) > 0 && !last {
					// A torn line in a finished segment: skip it.
					pos.Offset += int64(len(line))
				}
				break
			}
			body := bytes.TrimRight(line, "\r\n")
			if len(body) == 0 || !json.Valid(body) {
				b.log.Warn("sensor buffer: skipped a damaged line", "segment", sv.seq, "offset", pos.Offset)
				pos.Offset += int64(len(line))
				continue
			}
			if !fn(body) {
				f.Close()
				return pos, nil
			}
			pos.Offset += int64(len(line))
			taken++
		}
		f.Close()
	}
	return pos, nil
}

// Empty reports whether every buffered event was acknowledged.
func (b *Buffer) Empty() bool { return b.Pending() == 0 }

// Pending is the size in bytes of the events not yet acknowledged.
func (b *Buffer) Pending() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var n int64
	for _, s := range b.segs {
		switch {
		case s.seq > b.read.Seg:
			n += s.size
		case s.seq == b.read.Seg:
			n += max(s.size-b.read.Offset, 0)
		}
	}
	return n
}

// Size is the bytes the buffer takes on disk (the bound applies to it).
func (b *Buffer) Size() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total
}

// Dropped is how many events were dropped because the buffer was full, over its lifetime.
func (b *Buffer) Dropped() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped
}

// saveState writes state.json atomically; unless force, at most once a second (the drop count
// may then lag by a second after a crash; the read position is always written with force).
func (b *Buffer) saveState(force bool) error {
	b.stateMu.Lock()
	defer b.stateMu.Unlock()
	if !force && time.Since(b.lastState) < time.Second {
		return nil
	}
	b.mu.Lock()
	st := bufferState{position: b.read, Dropped: b.dropped}
	b.mu.Unlock()
	raw, _ := json.Marshal(st)
	tmp := filepath.Join(b.dir, stateFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("sensor buffer: %w", err)
	}
	_, err = f.Write(raw)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(b.dir, stateFile))
	}
	if err != nil {
		return fmt.Errorf("sensor buffer: save state: %w", err)
	}
	b.syncDir()
	b.lastState = time.Now()
	return nil
}

// Close syncs and saves the state and releases the directory.
func (b *Buffer) Close() error {
	b.syncMu.Lock()
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.syncMu.Unlock()
		return nil
	}
	err := b.tailFile.Sync()
	b.synced = b.written
	b.mu.Unlock()
	b.syncMu.Unlock()
	err = errors.Join(err, b.saveState(true))
	b.mu.Lock()
	b.closed = true
	err = errors.Join(err, b.tailFile.Close())
	b.mu.Unlock()
	b.lock.Close() // releases the flock
	return err
}
