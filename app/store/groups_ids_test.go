package store

import (
	"context"
	"testing"

	"honeysens/app/model"
)

// Archived events keep the id of a deleted group: a new group must never get it.
func TestDeletedGroupIDsAreNotReused(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a := &model.Group{Name: "A"}
	if err := s.CreateGroup(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteGroup(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	b := &model.Group{Name: "B"}
	if err := s.CreateGroup(ctx, b); err != nil {
		t.Fatal(err)
	}
	if b.ID == a.ID {
		t.Errorf("group id %d was reused", a.ID)
	}
}
