// Package backup copies the appliance's database while it runs and puts a copy back while it
// is stopped. The SQLite work itself is in the store; this package adds the files around it:
// the data directory's lock, temporary names and the swap on restore.
package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"honeysens/app/store"
)

// LockFile is the name of the lock file in the data directory.
const LockFile = "honeysens.lock"

// ErrInUse is returned by Lock while another process (a running appliance) holds the lock.
var ErrInUse = errors.New("the data directory is in use by a running honeysens serve")

// DirLock is a held lock on a data directory.
type DirLock struct{ f *os.File }

// WriteFile writes a consistent copy of the database at dbPath to dest, replacing dest only
// once the copy is complete and on disk: an interrupted backup never leaves a half file under
// the wanted name.
func WriteFile(ctx context.Context, dbPath, dest string) error {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	if same(abs, dbPath) {
		return errors.New("backup: the backup file must not be the database itself")
	}
	tmp, err := tempName(filepath.Dir(abs), filepath.Base(abs))
	if err != nil {
		return err
	}
	if err := store.Backup(ctx, dbPath, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return syncDir(filepath.Dir(abs))
}

// TempCopy writes a consistent copy of the database into a new file in dir and returns its
// path; the caller removes it.
func TempCopy(ctx context.Context, st *store.Store, dir string) (string, error) {
	tmp, err := tempName(dir, "backup")
	if err != nil {
		return "", err
	}
	if err := st.Backup(ctx, tmp); err != nil {
		return "", err
	}
	return tmp, nil
}

// tempName returns an unused file name in dir; the file does not exist (VACUUM INTO wants
// to create it).
func tempName(dir, base string) (string, error) {
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	return name, nil
}

// Restore replaces the database in dataDir by the backup file src. It refuses while the
// appliance runs (the data directory's lock is held) and when src is not an intact HoneySens
// database of this or an older schema version (Open upgrades an older one on the next start).
// The database it replaces stays beside it as honeysens.db.before-restore-<time>, with its WAL
// if it had one; the stale -shm is removed. It returns the name the old database was kept as
// ("" on a fresh data directory).
func Restore(ctx context.Context, dataDir, src, schemaSQL string, now time.Time) (kept string, err error) {
	if _, err := os.Stat(src); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	lock, err := Lock(dataDir)
	if err != nil {
		if errors.Is(err, ErrInUse) {
			return "", fmt.Errorf("restore: %w; stop it first (systemctl stop honeysens)", err)
		}
		return "", fmt.Errorf("restore: %w", err)
	}
	defer func() { err = errors.Join(err, lock.Unlock()) }()

	dbPath := filepath.Join(dataDir, "honeysens.db")
	if same(src, dbPath) {
		return "", errors.New("restore: the backup file is the database itself")
	}
	// Work on a copy in the data directory: the check may complete a WAL the file carries, the
	// backup file itself stays untouched, and the final rename stays on one file system.
	tmp, err := tempName(dataDir, "restore")
	if err != nil {
		return "", err
	}
	defer removeDB(tmp)
	if err := copyFile(src, tmp); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	for _, suffix := range []string{"-wal"} { // a copy of a live database may come with its WAL
		if _, err := os.Stat(src + suffix); err == nil {
			if err := copyFile(src+suffix, tmp+suffix); err != nil {
				return "", fmt.Errorf("restore: %w", err)
			}
		}
	}
	if _, err := store.CheckBackup(ctx, tmp, schemaSQL); err != nil {
		return "", fmt.Errorf("restore: %s: %w", src, err)
	}
	// CheckBackup's connection closed the file cleanly: its WAL, if any, is merged and gone.
	if _, err := os.Stat(tmp + "-wal"); err == nil {
		return "", fmt.Errorf("restore: %s: the WAL of the copy was not merged", src)
	}

	// The restored file belongs to whoever owns the database it replaces (or the directory).
	owner := dataDir
	if _, err := os.Stat(dbPath); err == nil {
		owner = dbPath
	}
	if err := chownLike(tmp, owner); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}

	if _, err := os.Stat(dbPath); err == nil {
		kept = dbPath + ".before-restore-" + now.UTC().Format("20060102T150405Z")
		if err := os.Rename(dbPath, kept); err != nil {
			return "", fmt.Errorf("restore: keep the old database: %w", err)
		}
		if _, err := os.Stat(dbPath + "-wal"); err == nil {
			// Committed transactions of the old database may still be only in its WAL: keep
			// it under the matching name, so that opening the kept file finds it.
			if err := os.Rename(dbPath+"-wal", kept+"-wal"); err != nil {
				return "", fmt.Errorf("restore: keep the old database's WAL: %w", err)
			}
		}
	}
	if err := os.Remove(dbPath + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("restore: remove stale %s-shm: %w", dbPath, err)
	}
	if err := os.Remove(dbPath + "-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("restore: remove stale %s-wal: %w", dbPath, err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return "", fmt.Errorf("restore: %w", err)
	}
	return kept, syncDir(dataDir)
}

// removeDB removes a database file and its WAL and shared-memory files, if they exist.
func removeDB(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		os.Remove(p)
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := out.ReadFrom(in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// same reports whether two paths name the same existing file.
func same(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// not every file system syncs directories (EINVAL); the rename itself is done there
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
