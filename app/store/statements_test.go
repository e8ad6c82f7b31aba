package store

import (
	"context"
	"fmt"
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
