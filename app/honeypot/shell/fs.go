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
}

func (n *node) length() int {
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

var binaries = []string{"bash", "cat", "chmod", "chown", "cp", "curl", "date", "df", "echo", "free", "grep",
	"hostname", "id", "ip", "kill", "less", "ls", "mkdir", "mv", "nano", "perl", "ping", "ps", "pwd",
	"python3", "rm", "sed", "sh", "sleep", "ssh", "tar", "top", "touch", "uname", "uptime", "vi", "w",
	"wget", "whoami"}

var sbinaries = []string{"ifconfig", "ip", "iptables", "reboot", "route", "shutdown", "sshd", "useradd"}

// newFS builds the fake Debian 12 filesystem for one session that started at start.
func newFS(o *Options, start time.Time, passwd, group string) *node {
	b := &fsBuilder{root: &node{name: "/", dir: true, mode: "drwxr-xr-x", owner: "root", group: "root", kids: map[string]*node{}}, base: start.Add(-97 * 24 * time.Hour).Truncate(time.Minute)}
	b.root.mtime = b.base
	for _, l := range [][2]string{{"bin", "usr/bin"}, {"lib", "usr/lib"}, {"lib64", "usr/lib64"}, {"sbin", "usr/sbin"}} {
		b.add("/"+l[0], &node{link: l[1]})
	}
	for _, d := range []string{"/boot", "/dev", "/home", "/media", "/mnt", "/opt", "/proc", "/run", "/srv", "/sys", "/usr/lib", "/usr/lib64", "/usr/local/bin", "/usr/share", "/var/backups", "/var/cache", "/var/lib", "/var/mail", "/var/spool/cron", "/var/www/html", "/etc/ssh", "/etc/cron.d", "/etc/network"} {
		b.dir(d)
	}
	b.add("/tmp", &node{dir: true, mode: "drwxrwxrwt"})
	b.add("/var/tmp", &node{dir: true, mode: "drwxrwxrwt"})
	b.add("/root", &node{dir: true, mode: "drwx------", private: true})
	for _, n := range binaries {
		b.bin("/usr/bin/"+n, 35000+len(n)*4211)
	}
	for _, n := range sbinaries {
		b.bin("/usr/sbin/"+n, 41000+len(n)*3109)
	}
	b.file("/boot/config-"+kernelRelease, "")
	b.add("/boot/vmlinuz-"+kernelRelease, &node{size: 7950272, mode: "-rw-r--r--"})
	b.add("/boot/initrd.img-"+kernelRelease, &node{size: 31415926, mode: "-rw-r--r--"})
	for _, d := range []string{"null", "zero", "random", "urandom", "tty"} {
		b.add("/dev/"+d, &node{mode: "crw-rw-rw-"})
	}
	b.add("/dev/sda", &node{mode: "brw-rw----", group: "disk"})
	b.add("/dev/sda1", &node{mode: "brw-rw----", group: "disk"})

	b.file("/etc/hostname", o.Hostname+"\n")
	b.file("/etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\t"+o.Hostname+"\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n")
	b.file("/etc/issue", "Debian GNU/Linux 12 \\n \\l\n\n")
	b.file("/etc/issue.net", "Debian GNU/Linux 12\n")
	b.file("/etc/debian_version", "12.7\n")
	b.file("/etc/os-release", osRelease)
	b.add("/usr/lib/os-release", &node{content: osRelease})
	b.file("/etc/passwd", passwd)
	b.file("/etc/group", group)
	b.add("/etc/shadow", &node{content: shadowFor(passwd), mode: "-rw-r-----", group: "shadow", private: true})
	b.file("/etc/resolv.conf", "nameserver 10.0.0.1\n")
	b.file("/etc/motd", motd)
	b.file("/etc/crontab", crontab)
	b.file("/etc/shells", "# /etc/shells: valid login shells\n/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n")
	b.file("/etc/timezone", "Etc/UTC\n")
	b.file("/etc/fstab", "# /etc/fstab: static file system information.\nUUID=4f1c2d9e-8a3b-4c55-9e61-0b2f7d3a9c10 /               ext4    errors=remount-ro 0       1\nUUID=A1B2-C3D4  /boot/efi       vfat    umask=0077      0       1\n")
	b.file("/etc/network/interfaces", "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\nallow-hotplug eth0\niface eth0 inet dhcp\n")
	b.file("/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem\tsftp\t/usr/lib/openssh/sftp-server\nPermitRootLogin yes\n")

	b.file("/root/.bashrc", rootBashrc)
	b.file("/root/.profile", profile)
	b.add("/root/.ssh", &node{dir: true, mode: "drwx------", private: true})
	b.add("/root/.ssh/authorized_keys", &node{mode: "-rw-------", private: true})
	if o.User != "root" {
		home := "/home/" + o.User
		b.add(home, &node{dir: true, owner: o.User, group: o.User})
		b.add(home+"/.bashrc", &node{content: userBashrc, owner: o.User, group: o.User})
		b.add(home+"/.profile", &node{content: profile, owner: o.User, group: o.User})
		b.add(home+"/.bash_logout", &node{content: "# ~/.bash_logout: executed by bash(1) when login shell exits.\n\nif [ \"$SHLVL\" = 1 ]; then\n    [ -x /usr/bin/clear_console ] && /usr/bin/clear_console -q\nfi\n", owner: o.User, group: o.User})
	}

	b.file("/proc/cpuinfo", cpuinfo)
	b.file("/proc/meminfo", meminfo)
	b.file("/proc/version", "Linux version "+kernelRelease+" (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) "+kernelVersion+"\n")
	b.file("/proc/loadavg", "0.08 0.03 0.01 1/131 2211\n")
	b.file("/proc/mounts", "/dev/sda1 / ext4 rw,relatime,errors=remount-ro 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\nsysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\ntmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=402048k,mode=755 0 0\n")

	b.add("/var/log", &node{dir: true, mode: "drwxr-xr-x"})
	b.add("/var/log/auth.log", &node{content: authLog(b.base, o.Hostname), mode: "-rw-r-----", group: "adm", private: true})
	b.add("/var/log/syslog", &node{content: "", mode: "-rw-r-----", group: "adm", private: true, size: 183422})
	b.file("/var/log/dpkg.log", "2024-08-12 09:41:17 startup archives unpack\n2024-08-12 09:41:18 upgrade openssh-server:amd64 1:9.2p1-2+deb12u2 1:9.2p1-2+deb12u3\n")
	b.dir("/var/log/apt")
	b.file("/var/log/apt/history.log", "\nStart-Date: 2024-08-12  09:41:12\nCommandline: apt-get -y upgrade\nUpgrade: openssh-server:amd64 (1:9.2p1-2+deb12u2, 1:9.2p1-2+deb12u3)\nEnd-Date: 2024-08-12  09:41:25\n")
	b.add("/var/log/wtmp", &node{size: 38016, mode: "-rw-rw-r--", group: "utmp"})
	b.add("/var/log/lastlog", &node{size: 292292, mode: "-rw-rw-r--", group: "utmp"})
	b.file("/var/www/html/index.html", "<html><body><h1>It works!</h1></body></html>\n")
	return b.root
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

func authLog(base time.Time, host string) string {
	var sb strings.Builder
	t := base.Add(96 * 24 * time.Hour)
	lines := []string{
		"sshd[1021]: Server listening on 0.0.0.0 port 22.",
		"sshd[1021]: Server listening on :: port 22.",
		"sshd[1873]: Accepted password for root from 10.0.0.5 port 52114 ssh2",
		"sshd[1873]: pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)",
		"systemd-logind[512]: New session 4 of user root.",
		"sshd[1873]: pam_unix(sshd:session): session closed for user root",
	}
	for i, l := range lines {
		fmt.Fprintf(&sb, "%s %s %s\n", t.Add(time.Duration(i)*37*time.Second).Format("2006-01-02T15:04:05.000000+00:00"), host, l)
	}
	return sb.String()
}

const (
	kernelRelease = "6.1.0-23-amd64"
	kernelVersion = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.99-1 (2024-07-15)"
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
fpu		: yes
fpu_exception	: yes
cpuid level	: 22
wp		: yes
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch avx2 bmi1 bmi2 avx512f avx512dq avx512cd avx512bw avx512vl
bogomips	: 4788.74
clflush size	: 64
cache_alignment	: 64
address sizes	: 46 bits physical, 48 bits virtual
power management:

`, i, i, i)
	}
	return sb.String()
}()
