package ftp

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// node is one entry of the fake file system. Nothing here touches the real disk: content is
// generated, uploads keep only their size.
type node struct {
	dir     bool
	size    int64
	mod     time.Time
	content string // served by RETR when set; otherwise filler bytes of size
}

// maxNodes bounds what MKD and STOR can add to a session's tree.
const maxNodes = 200

// fakeFS is a session's private view; changes (uploads, MKD, DELE) live only as long as the session.
type fakeFS map[string]*node

func newFS(now time.Time) fakeFS {
	old := time.Date(now.Year()-1, time.March, 14, 9, 12, 0, 0, time.UTC)
	recent := now.AddDate(0, 0, -9).Truncate(time.Minute)
	return fakeFS{
		"/":                           {dir: true, mod: old},
		"/pub":                        {dir: true, mod: old},
		"/pub/README":                 {content: "Welcome to the FTP archive.\nPlease report problems to the administrator.\n", mod: old},
		"/pub/firmware":               {dir: true, mod: recent},
		"/pub/firmware/fw-2.1.7.bin":  {size: 7340032, mod: recent},
		"/backup":                     {dir: true, mod: recent},
		"/backup/config-20240301.tgz": {size: 18347, mod: recent},
		"/backup/db.sql.gz":           {size: 29113, mod: recent},
		"/notes.txt":                  {content: "- rotate backup every week\n- update firmware on cam-02\n", mod: recent},
	}
}

// resolve turns an argument into a clean absolute path relative to cwd.
func resolve(cwd, arg string) string {
	if arg == "" {
		return cwd
	}
	if !strings.HasPrefix(arg, "/") {
		arg = cwd + "/" + arg
	}
	return path.Clean(arg)
}

// children lists the names directly below dir, sorted.
func (fs fakeFS) children(dir string) []string {
	var names []string
	prefix := strings.TrimSuffix(dir, "/") + "/"
	for p := range fs {
		if p != "/" && strings.HasPrefix(p, prefix) && !strings.Contains(p[len(prefix):], "/") {
			names = append(names, p[len(prefix):])
		}
	}
	sort.Strings(names)
	return names
}

// size is what SIZE and RETR announce.
func (n *node) fileSize() int64 {
	if n.content != "" {
		return int64(len(n.content))
	}
	return n.size
}

// listLine formats one entry the way vsftpd's LIST does.
func listLine(name string, n *node, now time.Time) string {
	perm, links, size := "-rw-r--r--", 1, n.fileSize()
	if n.dir {
		perm, links, size = "drwxr-xr-x", 2, 4096
	}
	date := n.mod.Format("Jan 02 15:04")
	if now.Sub(n.mod) > 180*24*time.Hour || n.mod.After(now) {
		date = n.mod.Format("Jan 02  2006")
	}
	return fmt.Sprintf("%s %4d %-8s %-8s %8d %s %s\r\n", perm, links, "0", "0", size, date, name)
}

// listing renders LIST (long) or NLST (names) output for target.
func (fs fakeFS) listing(target string, long bool, now time.Time) (string, bool) {
	n, ok := fs[target]
	if !ok {
		return "", false
	}
	var sb strings.Builder
	if !n.dir {
		if long {
			sb.WriteString(listLine(path.Base(target), n, now))
		} else {
			sb.WriteString(path.Base(target) + "\r\n")
		}
		return sb.String(), true
	}
	for _, name := range fs.children(target) {
		if long {
			sb.WriteString(listLine(name, fs[path.Join(target, name)], now))
		} else {
			sb.WriteString(name + "\r\n")
		}
	}
	return sb.String(), true
}
