package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
)

// staticFiles is the embedded UI, read once at start with a content-hash ETag per file. The
// browser revalidates on every load (no-cache) and gets a 304 without a body when nothing
// changed, so an upgraded appliance never serves a stale script.
type staticFiles struct {
	files map[string]staticFile
}

type staticFile struct {
	body  []byte
	etag  string
	ctype string
}

// notServed are assets the server uses itself (mail templates, the catalogs of its own
// messages) and never hands out.
var notServed = []string{"mail/", "i18n/server."}

func loadStatic(assets fs.FS) (*staticFiles, error) {
	sf := &staticFiles{files: map[string]staticFile{}}
	err := fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, prefix := range notServed {
			if strings.HasPrefix(p, prefix) {
				return nil
			}
		}
		body, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		sf.files["/"+p] = staticFile{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ctype}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: load assets: %w", err)
	}
	if _, ok := sf.files["/index.html"]; !ok {
		return nil, fmt.Errorf("web: assets have no index.html")
	}
	return sf, nil
}

// staticGet serves one embedded file; "/" is the UI's index page.
func (s *Server) staticGet(c *fiber.Ctx) error {
	p := c.Path()
	if strings.HasPrefix(p, "/api/") || p == "/api" {
		return model.Errorf(model.ErrNotFound, "No such API endpoint.")
	}
	if p == "/" {
		p = "/index.html"
	}
	f, ok := s.static.files[p]
	if !ok {
		return model.Errorf(model.ErrNotFound, "No such page.")
	}
	c.Set(fiber.HeaderETag, f.etag)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	if c.Get(fiber.HeaderIfNoneMatch) == f.etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, f.ctype)
	return c.Send(f.body)
}
