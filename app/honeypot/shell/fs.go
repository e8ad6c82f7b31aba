package shell

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// node is one entry of the fake filesystem. Each session owns its own small tree (a few dozen
// nodes), so files an attacker creates stay in that session only.
type node struct {
	name    string
	dir     bool
	link    string // symlink target, "" for none
	mode    string // "drwxr-xr-x" style
	owner   string
	group   string
	size    int // for files without content (binaries)
	content string
	mtime   time.Time
	private bool // readable by root only
	kids    map[string]*node

	gen       func(*Session) string // content made when read (/proc files)
	fixed     bool                  // size is what ls shows, also for directories (/proc: 0, /dev: 3180)
	nlink     int                   // link count ls shows for directories whose subdirectories are not modelled
	immutable bool                  // chattr +i
}

func (n *node) length() int {
	if n.fixed {
		return n.size
	}
	if n.dir {
		return 4096
	}
	if n.link != "" {
		return len(n.link)
	}
	if n.content != "" {
		return len(n.content)
	}
	return n.size
}

// blocks is the 1K-block count ls -l totals: 0 for virtual filesystems.
func (n *node) blocks() int {
	if n.fixed {
		return 0
	}
	return (n.length() + 4095) / 4096 * 4
}

func (n *node) links() int {
	if !n.dir {
		return 1
	}
	if n.nlink > 0 {
		return n.nlink
	}
	c := 2
	for _, k := range n.kids {
		if k.dir {
			c++
		}
	}
	return c
}

func (n *node) executable() bool {
	return !n.dir && n.link == "" && (n.mode[3] == 'x' || n.mode[6] == 'x' || n.mode[9] == 'x')
}

func (n *node) names() []string {
	out := make([]string, 0, len(n.kids))
	for k := range n.kids {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type fsBuilder struct {
	root *node
	base time.Time
}

func (b *fsBuilder) add(p string, n *node) *node {
	dir, name := path.Split(path.Clean(p))
	parent := b.mkdirAll(dir)
	n.name = name
	if n.owner == "" {
		n.owner, n.group = "root", "root"
	}
	if n.mtime.IsZero() {
		n.mtime = b.base
	}
	if n.mode == "" {
		switch {
		case n.dir:
			n.mode = "drwxr-xr-x"
		case n.link != "":
			n.mode = "lrwxrwxrwx"
		default:
			n.mode = "-rw-r--r--"
		}
	}
	if n.dir && n.kids == nil {
		n.kids = map[string]*node{}
	}
	parent.kids[name] = n
	return n
}

func (b *fsBuilder) mkdirAll(p string) *node {
	cur := b.root
	for _, part := range strings.Split(strings.Trim(p, "/"), "/") {
		if part == "" {
			continue
		}
		next, ok := cur.kids[part]
		if !ok {
			next = &node{name: part, dir: true, mode: "drwxr-xr-x", owner: "root", group: "root", mtime: b.base, kids: map[string]*node{}}
			cur.kids[part] = next
		}
		cur = next
	}
	return cur
}

func (b *fsBuilder) file(p, content string) *node { return b.add(p, &node{content: content}) }
func (b *fsBuilder) dir(p string) *node           { return b.add(p, &node{dir: true}) }
func (b *fsBuilder) bin(p string, size int) *node {
	return b.add(p, &node{size: size, mode: "-rwxr-xr-x"})
}

// programs are the executables of the fake host and the directory each is in; every one
// belongs to a package dpkg -l lists. Those without an implementation in commands run as
// cmdNotRunnable.
var programs = map[string]string{}

func init() {
	for dir, names := range map[string]string{
		"/usr/bin": "apt apt-cache apt-get awk base64 basename bash cat chattr chgrp chmod chown cp crontab curl cut " +
			"date dd df diff dirname dmesg dpkg dpkg-query du echo egrep env false fgrep file find free grep groups " +
			"gzip head hostname hostnamectl id ip journalctl kill last lastlog less ln ls lsattr lsblk lscpu lsof " +
			"md5sum mkdir mktemp more mount mv nano netstat nohup nproc passwd perl pgrep ping pkill printf ps pwd " +
			"python3 python3.11 readlink rm rmdir sed seq sh sha256sum sleep sort ss ssh ssh-keygen stat su sudo " +
			"systemctl tail tar tee test timeout top touch tr true tty umount uname uniq uptime users vi w wc wget " +
			"whereis which who whoami xargs yes zcat",
		"/usr/sbin": "adduser agetty arp chpasswd cron dmidecode fdisk halt ifconfig ip lsmod modprobe poweroff reboot " +
			"route rsyslogd service shutdown sshd useradd userdel usermod visudo",
	} {
		for _, n := range strings.Fields(names) {
			if _, ok := programs[n]; !ok || dir == "/usr/sbin" {
				programs[n] = dir
			}
		}
	}
	programs["ip"] = "/usr/bin"
}

// progSize is the plausible size of a program file, the same on every build.
func progSize(name string) int {
	h := uint64(2166136261) // 64-bit arithmetic: the same sizes on 32-bit ARM
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 16777619 & 0x7fffffff
	}
	return 14000 + int(h%240000)
}

// newFS builds the fake Debian 12 filesystem of a session: files date from the host's
// installation and last upgrade, /proc, /sys and /dev from its boot.
func newFS(o *Options, h *host, passwd, group string) *node {
	inst := h.installed.Truncate(time.Minute)
	b := &fsBuilder{root: &node{name: "/", dir: true, mode: "drwxr-xr-x", owner: "root", group: "root", kids: map[string]*node{}, nlink: 18}, base: inst}
	up := h.upgraded
	b.root.mtime = up
	for _, l := range [][2]string{{"bin", "usr/bin"}, {"lib", "usr/lib"}, {"lib64", "usr/lib64"}, {"sbin", "usr/sbin"}} {
		b.add("/"+l[0], &node{link: l[1]})
	}
	oldKernel := "6.1.0-21-amd64"
	kup := h.kernelInstalled
	b.add("/initrd.img", &node{link: "boot/initrd.img-" + KernelRelease, mtime: kup})
	b.add("/initrd.img.old", &node{link: "boot/initrd.img-" + oldKernel})
	b.add("/vmlinuz", &node{link: "boot/vmlinuz-" + KernelRelease, mtime: kup})
	b.add("/vmlinuz.old", &node{link: "boot/vmlinuz-" + oldKernel})
	b.add("/lost+found", &node{dir: true, mode: "drwx------", size: 16384, fixed: true, private: true})
	for _, d := range []string{"/home", "/media", "/mnt", "/opt", "/srv", "/usr/games", "/usr/include", "/usr/libexec", "/usr/lib", "/usr/lib64", "/usr/local/bin", "/usr/share", "/usr/src",
		"/var/backups", "/var/cache", "/var/lib", "/var/local", "/var/mail", "/var/opt", "/var/spool/cron/crontabs", "/var/www/html", "/etc/cron.d", "/etc/network", "/etc/ssh/sshd_config.d"} {
		b.dir(d)
	}
	b.add("/etc", &node{dir: true, nlink: 71, mtime: up})
	b.add("/usr", &node{dir: true, nlink: 12})
	b.add("/var", &node{dir: true, nlink: 12})
	b.add("/boot", &node{dir: true, nlink: 3, mtime: up})
	b.add("/dev", &node{dir: true, size: 3180, fixed: true, nlink: 17, mtime: h.boot.Add(4 * time.Second)})
	b.add("/proc", &node{dir: true, mode: "dr-xr-xr-x", fixed: true, nlink: 151, mtime: h.boot})
	b.add("/sys", &node{dir: true, mode: "dr-xr-xr-x", fixed: true, nlink: 13, mtime: h.boot})
	b.add("/run", &node{dir: true, size: 620, fixed: true, nlink: 22, mtime: h.boot.Add(41 * time.Second)})
	b.add("/tmp", &node{dir: true, mode: "drwxrwxrwt", nlink: 9, mtime: h.boot.Add(61 * time.Second)})
	b.add("/var/tmp", &node{dir: true, mode: "drwxrwxrwt", nlink: 8})
	b.add("/root", &node{dir: true, mode: "drwx------", private: true, mtime: h.lastLogin})
	b.add("/var/spool/cron/crontabs", &node{dir: true, mode: "drwx-wx--T", group: "crontab", private: true})
	for name, dir := range programs {
		b.add(dir+"/"+name, &node{size: progSize(name), mode: "-rwxr-xr-x", mtime: up})
	}
	b.add("/usr/bin/sh", &node{link: "dash"})
	b.add("/usr/bin/dash", &node{size: 125560, mode: "-rwxr-xr-x"})
	b.add("/usr/bin/python3", &node{link: "python3.11"})
	b.add("/usr/bin/awk", &node{link: "/etc/alternatives/awk"})
	b.add("/etc/alternatives/awk", &node{link: "/usr/bin/mawk"})
	b.add("/usr/bin/mawk", &node{size: 154872, mode: "-rwxr-xr-x"})
	b.add("/usr/bin/vi", &node{link: "/etc/alternatives/vi"})
	b.add("/etc/alternatives/vi", &node{link: "/usr/bin/vim.tiny"})
	b.add("/usr/bin/vim.tiny", &node{size: 1739872, mode: "-rwxr-xr-x"})
	b.add("/usr/bin/sudo", &node{size: 281624, mode: "-rwsr-xr-x"})
	b.add("/usr/bin/passwd", &node{size: 68248, mode: "-rwsr-xr-x"})
	b.add("/usr/bin/su", &node{size: 72000, mode: "-rwsr-xr-x"})
	b.add("/usr/bin/crontab", &node{size: 43568, mode: "-rwxr-sr-x", group: "crontab"})
	b.add("/boot/config-"+KernelRelease, &node{size: 260487, mtime: kup})
	b.add("/boot/vmlinuz-"+KernelRelease, &node{size: 8262496, mtime: kup})
	b.add("/boot/initrd.img-"+KernelRelease, &node{size: 34019283, mtime: kup})
	b.add("/boot/System.map-"+KernelRelease, &node{size: 83899, mtime: kup})
	b.add("/boot/config-"+oldKernel, &node{size: 260373})
	b.add("/boot/vmlinuz-"+oldKernel, &node{size: 8192864})
	b.add("/boot/initrd.img-"+oldKernel, &node{size: 33892154})
	b.add("/boot/grub", &node{dir: true, mtime: up})
	dev := h.boot.Add(4 * time.Second)
	for _, d := range []string{"null", "zero", "random", "urandom", "tty", "full"} {
		b.add("/dev/"+d, &node{mode: "crw-rw-rw-", mtime: dev})
	}
	b.add("/dev/sda", &node{mode: "brw-rw----", group: "disk", mtime: dev})
	b.add("/dev/sda1", &node{mode: "brw-rw----", group: "disk", mtime: dev})
	b.add("/dev/shm", &node{dir: true, mode: "drwxrwxrwt", fixed: true, size: 40, mtime: dev})
	b.add("/dev/pts", &node{dir: true, fixed: true, mtime: dev})

	b.file("/etc/hostname", o.Hostname+"\n")
	b.file("/etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\t"+o.Hostname+"\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n")
	b.add("/etc/issue", &node{content: "Debian GNU/Linux 12 \\n \\l\n\n", mtime: up})
	b.add("/etc/issue.net", &node{content: "Debian GNU/Linux 12\n", mtime: up})
	b.add("/etc/debian_version", &node{content: debianVersion + "\n", mtime: up})
	b.add("/usr/lib/os-release", &node{content: osRelease, mtime: up})
	b.add("/etc/os-release", &node{link: "../usr/lib/os-release"})
	b.file("/etc/passwd", passwd)
	b.file("/etc/group", group)
	b.add("/etc/shadow", &node{content: shadowFor(passwd), mode: "-rw-r-----", group: "shadow", private: true})
	// DHCP gave no name server: names do not resolve (see wget)
	b.file("/etc/resolv.conf", "domain localdomain\nsearch localdomain\n")
	b.file("/etc/motd", motd)
	b.file("/etc/crontab", crontab)
	b.file("/etc/shells", "# /etc/shells: valid login shells\n/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n/bin/rbash\n/usr/bin/rbash\n/bin/dash\n/usr/bin/dash\n")
	b.file("/etc/timezone", "Etc/UTC\n")
	b.file("/etc/fstab", "# /etc/fstab: static file system information.\n#\n# <file system> <mount point>   <type>  <options>       <dump>  <pass>\nUUID=4f1c2d9e-8a3b-4c55-9e61-0b2f7d3a9c10 /               ext4    errors=remount-ro 0       1\n")
	b.file("/etc/network/interfaces", "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\nallow-hotplug eth0\niface eth0 inet dhcp\n")
	// as the SSH honeypot behaves: no sftp subsystem, no forwarding, no X11
	b.file("/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding no\nAllowTcpForwarding no\nPrintMotd no\nAcceptEnv LANG LC_*\nPermitRootLogin yes\n")

	b.add("/root/.bashrc", &node{content: rootBashrc})
	b.add("/root/.profile", &node{content: profile})
	b.add("/root/.bash_history", &node{content: "apt update\napt -y upgrade\nreboot\n", mode: "-rw-------", private: true, mtime: h.lastLogin})
	b.add("/root/.ssh", &node{dir: true, mode: "drwx------", private: true})
	b.add("/root/.ssh/authorized_keys", &node{mode: "-rw-------", private: true})
	b.add("/home/debian", &node{dir: true, mode: "drwx------", owner: "debian", group: "debian", private: true})
	if o.User != "root" {
		home := "/home/" + o.User
		b.add(home, &node{dir: true, owner: o.User, group: o.User})
		b.add(home+"/.bashrc", &node{content: userBashrc, owner: o.User, group: o.User})
		b.add(home+"/.profile", &node{content: profile, owner: o.User, group: o.User})
		b.add(home+"/.bash_logout", &node{content: "# ~/.bash_logout: executed by bash(1) when login shell exits.\n\nif [ \"$SHLVL\" = 1 ]; then\n    [ -x /usr/bin/clear_console ] && /usr/bin/clear_console -q\nfi\n", owner: o.User, group: o.User})
	}

	proc := func(name string, gen func(*Session) string) {
		b.add("/proc/"+name, &node{gen: gen, fixed: true, mode: "-r--r--r--", mtime: h.boot})
	}
	proc("cpuinfo", func(*Session) string { return cpuinfo })
	proc("meminfo", func(*Session) string { return meminfo })
	proc("version", func(*Session) string {
		return "Linux version " + KernelRelease + " (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) " + kernelVersion + "\n"
	})
	proc("uptime", func(s *Session) string {
		up := s.opt.Now().Sub(s.host.boot).Seconds()
		return fmt.Sprintf("%.2f %.2f\n", up, up*1.93)
	})
	proc("loadavg", func(s *Session) string { return fmt.Sprintf("0.08 0.03 0.01 1/131 %d\n", s.host.nextPid) })
	proc("mounts", func(*Session) string { return mounts })
	// /proc/self is the process that reads it: cat, run by the session's user
	b.add("/proc/self", &node{dir: true, fixed: true, mode: "dr-xr-xr-x", owner: o.User, group: o.User, mtime: h.boot})
	b.add("/proc/self/status", &node{gen: procStatus, fixed: true, mode: "-r--r--r--", owner: o.User, group: o.User, mtime: h.boot})
	b.add("/proc/self/cmdline", &node{gen: func(s *Session) string { return "cat\x00/proc/self/cmdline\x00" }, fixed: true, mode: "-r--r--r--", owner: o.User, group: o.User, mtime: h.boot})

	b.add("/var/log", &node{dir: true, mtime: h.boot})
	b.add("/var/log/auth.log", &node{content: authLog(h, o.Hostname), mode: "-rw-r-----", group: "adm", private: true, mtime: h.lastLogin})
	b.add("/var/log/syslog", &node{mode: "-rw-r-----", group: "adm", private: true, size: 183422, mtime: h.lastLogin})
	b.file("/var/log/dpkg.log", h.upgraded.Format("2006-01-02 15:04:05")+" startup archives unpack\n"+h.upgraded.Add(time.Second).Format("2006-01-02 15:04:05")+" upgrade openssh-server:amd64 1:9.2p1-2+deb12u5 1:9.2p1-2+deb12u10\n")
	b.dir("/var/log/apt")
	b.file("/var/log/apt/history.log", "\nStart-Date: "+h.upgraded.Format("2006-01-02  15:04:05")+"\nCommandline: apt-get -y upgrade\nUpgrade: openssh-server:amd64 (1:9.2p1-2+deb12u5, 1:9.2p1-2+deb12u10), openssh-client:amd64 (1:9.2p1-2+deb12u5, 1:9.2p1-2+deb12u10), base-files:amd64 (12.4+deb12u6, 12.4+deb12u11)\nEnd-Date: "+h.upgraded.Add(94*time.Second).Format("2006-01-02  15:04:05")+"\n")
	b.add("/var/log/wtmp", &node{size: 38016, mode: "-rw-rw-r--", group: "utmp", mtime: h.lastLogin})
	b.add("/var/log/lastlog", &node{size: 292292, mode: "-rw-rw-r--", group: "utmp", mtime: h.lastLogin})
	b.file("/var/www/html/index.html", "<html><body><h1>It works!</h1></body></html>\n")
	return b.root
}

// abs makes p absolute against the working directory, with ~ expanded.
func (s *Session) abs(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		p = s.home + p[1:]
	}
	if !strings.HasPrefix(p, "/") {
		p = s.cwd + "/" + p
	}
	return path.Clean(p)
}

// resolve finds the node of p, following symlinks. It returns the node (nil when missing)
// and the canonical absolute path.
func (s *Session) resolve(p string) (*node, string) {
	return s.lookupPath(s.abs(p), 0)
}

// fs returns the root of the session's fake filesystem, building it on first use: most
// sessions (a bot's single exec, a login that runs echo or uname) never touch it, and
// building it costs tens of microseconds and ~60 KB. Its times derive from the host's
// facts, so the tree is the same whenever it is built.
func (s *Session) fs() *node {
	if s.root == nil {
		s.root = newFS(&s.opt, &s.host, s.passwd, s.group)
	}
	return s.root
}

func (s *Session) lookupPath(abs string, hops int) (*node, string) {
	cur := s.fs()
	curPath := "/"
	parts := strings.Split(strings.Trim(abs, "/"), "/")
	for i, part := range parts {
		if part == "" {
			continue
		}
		if !cur.dir {
			return nil, abs
		}
		next, ok := cur.kids[part]
		if !ok {
			return nil, abs
		}
		if next.link != "" && hops < 8 {
			target := next.link
			if !strings.HasPrefix(target, "/") {
				target = path.Join(curPath, target)
			}
			rest := strings.Join(parts[i+1:], "/")
			return s.lookupPath(path.Join(target, rest), hops+1)
		}
		cur = next
		curPath = path.Join(curPath, part)
	}
	return cur, curPath
}

func (s *Session) canRead(n *node) bool { return s.uid == 0 || !n.private }

func (s *Session) canWrite(dir *node, p string) bool {
	if s.uid == 0 {
		return !strings.HasPrefix(p, "/proc") && !strings.HasPrefix(p, "/sys")
	}
	return dir.mode == "drwxrwxrwt" || p == s.home || strings.HasPrefix(p, s.home+"/")
}

// create makes (or finds) a file at p for writing. It prints the error through fail and
// returns nil when that is not possible.
func (s *Session) create(p string, fail func(reason string)) *node {
	abs := s.abs(p)
	dirPath, name := path.Split(abs)
	dir, dirAbs := s.lookupPath(dirPath, 0)
	if name == "" || dir == nil || !dir.dir {
		fail("No such file or directory")
		return nil
	}
	if n, ok := dir.kids[name]; ok {
		if n.dir {
			fail("Is a directory")
			return nil
		}
		if s.uid != 0 && n.owner != s.opt.User || n.immutable || n.fixed {
			fail(map[bool]string{true: "Operation not permitted", false: "Permission denied"}[n.immutable])
			return nil
		}
		return n
	}
	if !s.canWrite(dir, dirAbs) {
		fail("Permission denied")
		return nil
	}
	if s.created >= maxCreated {
		fail("No space left on device")
		return nil
	}
	s.created++
	n := &node{name: name, mode: "-rw-r--r--", owner: s.opt.User, group: s.opt.User, mtime: s.opt.Now()}
	dir.kids[name] = n
	return n
}

func shadowFor(passwd string) string {
	var sb strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(passwd), "\n") {
		name, _, _ := strings.Cut(line, ":")
		hash := "*"
		switch name {
		case "root":
			hash = "$y$j9T$Qm4e0yJ1c5tYk8V2p3Lr0.$7b9mWzN1sXo6Qd3aHk2eP4rT8uVy0ZcF1gJ5lK9nB.C"
		case "debian":
			hash = "$y$j9T$3kD8fP0qR2sT4uV6wX8yZ/$Hq2wE4rT6yU8iO0pA1sD3fG5hJ7kL9zX1cV3bN5mQ.7"
		}
		fmt.Fprintf(&sb, "%s:%s:19947:0:99999:7:::\n", name, hash)
	}
	return sb.String()
}

func authLog(h *host, hostname string) string {
	var sb strings.Builder
	t := h.lastLogin.Add(-74 * time.Second)
	lines := []string{
		"sshd[1021]: Server listening on 0.0.0.0 port 22.",
		"sshd[1021]: Server listening on :: port 22.",
		"sshd[1873]: Accepted password for root from " + h.lastFrom + " port 52114 ssh2",
		"sshd[1873]: pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)",
		"systemd-logind[512]: New session 4 of user root.",
		"sshd[1873]: pam_unix(sshd:session): session closed for user root",
	}
	for i, l := range lines {
		fmt.Fprintf(&sb, "%s %s %s\n", t.Add(time.Duration(i)*37*time.Second).Format("2006-01-02T15:04:05.000000+00:00"), hostname, l)
	}
	return sb.String()
}

const (
	// KernelRelease is the running kernel ("uname -r"; telnetd's host line shows it too):
	// "apt-get upgrade" keeps linux-image-amd64 back, so the host still runs the kernel of its
	// first upgrade while the other packages are of Debian 12.11
	KernelRelease = "6.1.0-23-amd64"
	kernelVersion = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.99-1 (2024-07-15)"
	debianVersion = "12.11"
)

const osRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`

const motd = `
The programs included with the Debian GNU/Linux system are free software;
the exact distribution terms for each program are described in the
individual files in /usr/share/doc/*/copyright.

Debian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to the extent
permitted by applicable law.
`

const crontab = `# /etc/crontab: system-wide crontab
SHELL=/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin

# Example of job definition:
# .---------------- minute (0 - 59)
# |  .------------- hour (0 - 23)
# |  |  .---------- day of month (1 - 31)
# |  |  |  .------- month (1 - 12) OR jan,feb,mar,apr ...
# |  |  |  |  .---- day of week (0 - 6) (Sunday=0 or 7) OR sun,mon,tue,wed,thu,fri,sat
# |  |  |  |  |
# *  *  *  *  * user-name command to be executed
17 *	* * *	root	cd / && run-parts --report /etc/cron.hourly
25 6	* * *	root	test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }
47 6	* * 7	root	test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.weekly; }
52 6	1 * *	root	test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.monthly; }
#
`

const rootBashrc = `# ~/.bashrc: executed by bash(1) for non-login shells.

# Note: PS1 and umask are already set in /etc/profile. You should not
# need this unless you want different defaults for root.
# PS1='${debian_chroot:+($debian_chroot)}\h:\w\$ '
# umask 022

# You may uncomment the following lines if you want 'ls' to be colorized:
# export LS_OPTIONS='--color=auto'
# eval "$(dircolors)"
# alias ls='ls $LS_OPTIONS'
# alias ll='ls $LS_OPTIONS -l'
# alias l='ls $LS_OPTIONS -lA'
#
# Some more alias to avoid making mistakes:
# alias rm='rm -i'
# alias cp='cp -i'
# alias mv='mv -i'
`

const userBashrc = `# ~/.bashrc: executed by bash(1) for non-login shells.
# see /usr/share/doc/bash/examples/startup-files (in the package bash-doc)
# for examples

# If not running interactively, don't do anything
case $- in
    *i*) ;;
      *) return;;
esac

HISTCONTROL=ignoreboth
shopt -s histappend
HISTSIZE=1000
HISTFILESIZE=2000
`

const profile = `# ~/.profile: executed by Bourne-compatible login shells.

if [ "$BASH" ]; then
  if [ -f ~/.bashrc ]; then
    . ~/.bashrc
  fi
fi

mesg n 2> /dev/null || true
`

const meminfo = `MemTotal:        4020456 kB
MemFree:         2801232 kB
MemAvailable:    3508116 kB
Buffers:           61264 kB
Cached:           812044 kB
SwapCached:            0 kB
Active:           531120 kB
Inactive:         482716 kB
SwapTotal:       1046524 kB
SwapFree:        1046524 kB
Shmem:              1264 kB
`

var cpuinfo = func() string {
	var sb strings.Builder
	for i := 0; i < 2; i++ {
		fmt.Fprintf(&sb, `processor	: %d
vendor_id	: GenuineIntel
cpu family	: 6
model		: 85
model name	: Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz
stepping	: 7
microcode	: 0x5003604
cpu MHz		: 2394.374
cache size	: 14080 KB
physical id	: 0
siblings	: 2
core id		: %d
cpu cores	: 2
apicid		: %d
initial apicid	: %d
fpu		: yes
fpu_exception	: yes
cpuid level	: 22
wp		: yes
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch avx2 bmi1 bmi2 avx512f avx512dq avx512cd avx512bw avx512vl
bugs		: spectre_v1 spectre_v2 spec_store_bypass swapgs taa itlb_multihit mmio_stale_data retbleed eibrs_pbrsb gds bhi
bogomips	: 4788.74
clflush size	: 64
cache_alignment	: 64
address sizes	: 46 bits physical, 48 bits virtual
power management:

`, i, i, i, i)
	}
	return sb.String()
}()
