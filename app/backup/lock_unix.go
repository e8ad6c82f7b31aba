//go:build unix

package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Lock takes the data directory's lock file without waiting. `honeysens serve` holds it while
// it runs, restore while it replaces the database; the kernel drops it when the process ends,
// however it ends, so a crash leaves no stale lock behind.
func Lock(dataDir string) (*DirLock, error) {
	path := filepath.Join(dataDir, LockFile)
	// Read-only is enough for flock, and mode 0644 plus the directory's owner keep the file
	// usable by the service user when root (sudo honeysens restore) created it.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := chownLike(path, dataDir); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s is locked)", ErrInUse, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &DirLock{f: f}, nil
}

// Unlock releases the lock.
func (l *DirLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor releases the flock
	l.f = nil
	return err
}

// chownLike gives path the owner of ref (when run as root, e.g. `sudo honeysens restore`, so
// that the service user can still write the restored database). Others cannot chown and
// need not: their files are theirs already.
func chownLike(path, ref string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := os.Stat(ref)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	return os.Chown(path, int(st.Uid), int(st.Gid))
}
