package web

import (
	"fmt"
	"os"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/backup"
	"honeysens/app/model"
	"honeysens/app/texts"
)

// systemBackup streams a consistent copy of the database, taken now while ingest goes on, as a
// download. The copy is written to the data directory first (VACUUM INTO needs a file) and
// unlinked at once: the open descriptor keeps it readable until the download ends, and nothing
// is left behind however the download ends.
func (s *Server) systemBackup(c *fiber.Ctx) error {
	dir := s.DataDir
	if dir == "" {
		dir = os.TempDir()
	}
	path, err := backup.TempCopy(c.UserContext(), s.Store, dir)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	os.Remove(path)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	name := "honeysens-backup-" + s.Now().UTC().Format("20060102-150405") + ".db"
	s.auditNote(c, model.AuditBackupDownloaded, "system", 0, name, texts.Count("audit_detail.byte_count", fi.Size()), nil)
	c.Set(fiber.HeaderContentType, "application/vnd.sqlite3")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Set(fiber.HeaderCacheControl, "no-store")
	// fasthttp closes f once the body is sent (or the connection is gone).
	return c.SendStream(f, int(fi.Size()))
}
