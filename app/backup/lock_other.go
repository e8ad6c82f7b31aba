//go:build !unix

package backup

// Lock is not enforced on this platform: restore trusts the operator to stop the appliance.
func Lock(dataDir string) (*DirLock, error) { return &DirLock{}, nil }

// Unlock releases the lock.
func (l *DirLock) Unlock() error { return nil }

func chownLike(path, ref string) error { return nil }
