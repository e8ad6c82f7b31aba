package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestStmtCacheStartsOverWhenFull fills the list statement cache past its bound while the rows
// of one of its statements are still being read: the cache stays bounded, the open rows read
// on to their end, and every query answers correctly.
func TestStmtCacheStartsOverWhenFull(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	rows, err := s.lists.query(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100) SELECT x FROM c`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatal("no first row")
	}
	for i := 0; i < 3*maxCachedStatements; i++ {
		var n int
		if err := s.lists.queryRow(ctx, fmt.Sprintf(`SELECT %d + ?`, i), []any{1}, &n); err != nil || n != i+1 {
			t.Fatalf("query %d = %d, %v", i, n, err)
		}
		s.lists.mu.Lock()
		size := len(s.lists.m)
		s.lists.mu.Unlock()
		if size > maxCachedStatements {
			t.Fatalf("%d statements cached, bound %d", size, maxCachedStatements)
		}
	}
	read := 1
	for rows.Next() {
		read++
	}
	if err := rows.Err(); err != nil || read != 100 {
		t.Errorf("rows of a statement closed meanwhile: read %d of 100, %v", read, err)
	}
}

// TestStmtCacheUnderConcurrentResets runs more distinct queries than the cache holds from many
// goroutines at once, so that the cache starts over while other callers are about to use a
// statement it drops: every query must still answer.
func TestStmtCacheUnderConcurrentResets(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 8000; i++ {
				k := (i*8 + g) % (5 * maxCachedStatements)
				var n int
				if err := s.lists.queryRow(ctx, fmt.Sprintf(`SELECT %d + ?`, k), []any{1}, &n); err != nil || n != k+1 {
					errs <- fmt.Errorf("query %d = %d, %v", k, n, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
