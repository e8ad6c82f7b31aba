package sensor

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func ev(i int, pad int) []byte {
	return []byte(fmt.Sprintf(`{"n":%d,"pad":%q}`, i, strings.Repeat("x", pad)))
}

func openBuf(t *testing.T, dir string, max int64) *Buffer {
	t.Helper()
	b, err := OpenBuffer(filepath.Join(dir, bufferFile), max, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func asStrings(lines [][]byte) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, string(l))
	}
	return out
}

// drain peeks and acks everything, returning the events in order.
func drain(t *testing.T, b *Buffer, batch int) []string {
	t.Helper()
	var out []string
	for {
		lines, err := b.Peek(batch)
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) == 0 {
			return out
		}
		out = append(out, asStrings(lines)...)
		if err := b.Ack(len(lines)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBufferOrderAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	b := openBuf(t, dir, 4<<20)
	const n = 1200
	for i := 0; i < n; i++ {
		if stored, err := b.Append(ev(i, 500)); err != nil || stored != 1 {
			t.Fatalf("append %d: stored %d, %v", i, stored, err)
		}
	}
	// Take some, then "restart".
	lines, _ := b.Peek(300)
	if len(lines) != 300 || string(lines[0]) != string(ev(0, 500)) {
		t.Fatalf("peek: %d lines", len(lines))
	}
	if again, _ := b.Peek(1); string(again[0]) != string(lines[0]) {
		t.Fatal("peek consumed events")
	}
	if err := b.Ack(300); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = openBuf(t, dir, 4<<20)
	defer b.Close()
	got := drain(t, b, 77)
	if len(got) != n-300 {
		t.Fatalf("after reopen: %d events, want %d", len(got), n-300)
	}
	for i, g := range got {
		if g != string(ev(i+300, 500)) {
			t.Fatalf("event %d out of order: %.20s", i, g)
		}
	}
	if !b.Empty() {
		t.Fatal("not empty after draining")
	}
	if b.Pending() != 0 {
		t.Fatalf("size %d after draining", b.Pending())
	}
	if err := b.Ack(1); err == nil {
		t.Fatal("ack of more events than buffered accepted")
	}
}

// TestBufferImportsOldSegments opens a buffer beside a segment directory in the format of
// earlier versions, written here by hand: its undelivered events come first, in order, without
// the acknowledged ones, a damaged line or a line torn by a crash; its drop count is kept; the
// directory is gone, and a copy of it that a crash left behind after the import is not
// imported again.
func TestBufferImportsOldSegments(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "buffer")
	writeOld := func() {
		t.Helper()
		line := func(i int) string { return string(ev(i, 10)) + "\n" }
		files := map[string]string{
			"000000000001.jsonl": line(90) + line(91), // delivered, its removal cut short
			"000000000002.jsonl": line(92) + line(0) + "\x00\x00garbage\n" + line(1),
			"000000000003.jsonl": line(2) + line(3) + `{"n":99,"pad":"xx`, // a crash in the middle of a write
			"state.json":         fmt.Sprintf(`{"segment":2,"offset":%d,"dropped":7}`, len(line(92))),
			"lock":               "",
		}
		if err := os.MkdirAll(old, 0o700); err != nil {
			t.Fatal(err)
		}
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(old, name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeOld()
	b := openBuf(t, dir, 0)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("old directory still there: %v", err)
	}
	if b.Dropped() != 7 {
		t.Fatalf("dropped %d, want the old count 7", b.Dropped())
	}
	if _, err := b.Append(ev(4, 10)); err != nil {
		t.Fatal(err)
	}
	b.Close()

	writeOld() // as if a crash came between the import and the removal
	b = openBuf(t, dir, 0)
	defer b.Close()
	got := drain(t, b, 10)
	if len(got) != 5 {
		t.Fatalf("got %d events: %q", len(got), got)
	}
	for i, g := range got {
		if g != string(ev(i, 10)) {
			t.Fatalf("event %d: %s", i, g)
		}
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("old directory still there: %v", err)
	}
	if b.Dropped() != 7 {
		t.Fatalf("dropped %d after reopening, want 7", b.Dropped())
	}
}

func TestBufferBoundDropsAndCounts(t *testing.T) {
	dir := t.TempDir()
	const max = 20 << 10
	b := openBuf(t, dir, max)
	stored := 0
	for i := 0; i < 100; i++ {
		n, err := b.Append(ev(i, 1000))
		if err != nil {
			t.Fatal(err)
		}
		stored += n
	}
	if b.Pending() > max {
		t.Fatalf("size %d over the bound %d", b.Pending(), max)
	}
	if stored == 0 || b.Dropped() != int64(100-stored) {
		t.Fatalf("stored %d, dropped %d", stored, b.Dropped())
	}
	b.Close()

	b = openBuf(t, dir, max)
	defer b.Close()
	if b.Dropped() != int64(100-stored) {
		t.Fatalf("dropped count not persisted: %d", b.Dropped())
	}
	got := drain(t, b, 7)
	if len(got) != stored || got[0] != string(ev(0, 1000)) {
		t.Fatalf("drained %d, want the first %d", len(got), stored)
	}
	// Delivered events free their space.
	if n, _ := b.Append(ev(1000, 1000)); n != 1 {
		t.Fatal("no room after draining")
	}
	if b.Pending() > 2<<10 {
		t.Fatalf("space not freed: %d bytes", b.Pending())
	}
}

// TestBufferBatchStaysUntilAcked: the batch handed out for upload is handed out again, with the
// same events, until it is acknowledged, even when more events came and the sensor restarted;
// only a narrower request forms a new one.
func TestBufferBatchStaysUntilAcked(t *testing.T) {
	dir := t.TempDir()
	b := openBuf(t, dir, 0)
	for i := 0; i < 3; i++ {
		if _, err := b.Append(ev(i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	batch := func(n int) []string {
		t.Helper()
		lines, err := b.NextBatch(n, 0)
		if err != nil {
			t.Fatal(err)
		}
		return asStrings(lines)
	}
	if got := batch(500); len(got) != 3 {
		t.Fatalf("first batch: %d events", len(got))
	}
	if _, err := b.Append(ev(3, 10), ev(4, 10)); err != nil {
		t.Fatal(err)
	}
	b.Close()
	b = openBuf(t, dir, 0)
	defer b.Close()
	if got := batch(500); len(got) != 3 || got[0] != string(ev(0, 10)) || got[2] != string(ev(2, 10)) {
		t.Fatalf("batch after a restart: %.40q", got)
	}
	if got := batch(2); len(got) != 2 {
		t.Fatalf("narrowed batch: %d events", len(got))
	}
	if got := batch(500); len(got) != 2 {
		t.Fatalf("narrowed batch handed out again: %d events", len(got))
	}
	if err := b.Ack(2); err != nil {
		t.Fatal(err)
	}
	if got := batch(500); len(got) != 3 || got[0] != string(ev(2, 10)) {
		t.Fatalf("batch after the ack: %.40q", got)
	}
}

func TestBufferRefusesBadInputAndSecondOpener(t *testing.T) {
	dir := t.TempDir()
	b := openBuf(t, dir, 0)
	defer b.Close()
	if _, err := b.Append([]byte("{\"a\":\n1}")); err == nil {
		t.Fatal("multi-line event accepted")
	}
	if _, err := b.Append([]byte("not json")); err == nil {
		t.Fatal("non-JSON accepted")
	}
	if _, err := OpenBuffer(filepath.Join(dir, bufferFile), 0, nil); err == nil {
		t.Fatal("second opener got the buffer")
	}
}

func TestBufferPeekLimitBytes(t *testing.T) {
	b := openBuf(t, t.TempDir(), 0)
	defer b.Close()
	for i := 0; i < 10; i++ {
		if _, err := b.Append(ev(i, 1000)); err != nil {
			t.Fatal(err)
		}
	}
	lines, _ := b.PeekLimit(10, 3500)
	if len(lines) != 3 {
		t.Fatalf("got %d lines", len(lines))
	}
	lines, _ = b.PeekLimit(10, 10) // smaller than one event: still one
	if len(lines) != 1 {
		t.Fatalf("got %d lines", len(lines))
	}
}

func TestBufferConcurrentAppendAndDrain(t *testing.T) {
	dir := t.TempDir()
	b := openBuf(t, dir, 8<<20)
	const writers, each = 8, 300
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := b.Append(ev(w*each+i, 200)); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	seen := map[string]bool{}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		lines, err := b.Peek(50)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if seen[string(l)] {
				t.Fatalf("duplicate %.20s", l)
			}
			seen[string(l)] = true
		}
		if err := b.Ack(len(lines)); err != nil {
			t.Fatal(err)
		}
		if len(lines) == 0 {
			select {
			case <-done:
				if b.Empty() {
					goto end
				}
			default:
			}
		}
	}
end:
	if len(seen) != writers*each {
		t.Fatalf("saw %d events, want %d", len(seen), writers*each)
	}
	b.Close()
}
