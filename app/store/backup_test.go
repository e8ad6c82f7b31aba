package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"honeysens/app/model"
)

func TestBackupIsOneCheckedFile(t *testing.T) {
	ctx := context.Background()
	src := tempDBPath(t)
	st := openStoreAt(t, src)
	g := &model.Group{Name: "Branch"}
	if err := st.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := st.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dest + "-wal"); err == nil {
		t.Error("the copy has a WAL beside it")
	}
	if v, err := CheckBackup(ctx, dest, repoSchema(t)); err != nil || v < 1 {
		t.Fatalf("CheckBackup: %d %v", v, err)
	}
	cp := openStoreAt(t, dest)
	if _, err := cp.GroupByName(ctx, "Branch"); err != nil {
		t.Errorf("the copy lacks the group committed before the backup: %v", err)
	}
	// VACUUM INTO never overwrites; a missing database is not created.
	if err := st.Backup(ctx, dest); err == nil {
		t.Error("backup over an existing file succeeded")
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	if err := Backup(ctx, missing, filepath.Join(t.TempDir(), "x.db")); err == nil {
		t.Error("backup of a missing database succeeded")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("backup created the missing database")
	}
	if _, err := os.Stat(dest); err != nil {
		t.Fatalf("a refused backup removed the existing file: %v", err)
	}
	bin, err := SchemaVersion(repoSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	older := versionPattern.ReplaceAllString(repoSchema(t), fmt.Sprintf("PRAGMA user_version = %d;", bin-1))
	var tooNew *ErrTooNew
	if _, err := CheckBackup(ctx, dest, older); !errors.As(err, &tooNew) {
		t.Errorf("a backup newer than the binary: %v, want ErrTooNew", err)
	}
}
