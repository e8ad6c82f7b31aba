package shell

import (
	"crypto/md5"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Programs that show the state of the fake host. Their figures come from host (see
// host.go) so that they agree with each other.

// commands are the programs of the host that have an implementation; args exclude the
// name.
var commands map[string]builtin

func init() {
	commands = map[string]builtin{
		"ls": cmdLs, "cat": cmdCat, "more": cmdCat, "less": cmdCat, "zcat": cmdCat, "head": cmdHead, "tail": cmdTail,
		"grep": cmdGrep, "egrep": cmdGrep, "fgrep": cmdGrep, "wc": cmdWc, "sort": cmdSort, "uniq": cmdUniq, "tee": cmdTee,
		"base64": cmdBase64, "tr": cmdTr, "cut": cmdCut, "xargs": cmdXargs, "sh": cmdSh, "dash": cmdSh, "bash": cmdSh,
		"touch": cmdTouch, "mkdir": cmdMkdir, "rm": cmdRm, "cp": cmdCp, "mv": cmdMv, "chmod": cmdChmod, "chown": cmdChown,
		"chgrp": cmdChown, "chattr": cmdChattr, "lsattr": cmdLsattr, "which": cmdWhich, "crontab": cmdCrontab, "file": cmdFile,
		"whoami": cmdWhoami, "id": cmdID, "uname": cmdUname, "hostname": cmdHostname, "ps": cmdPs, "w": cmdW,
		"who": cmdWho, "users": cmdUsers, "last": cmdLast, "uptime": cmdUptime, "free": cmdFree, "df": cmdDf,
		"mount": cmdMount, "lscpu": cmdLscpu, "nproc": cmdNproc, "date": cmdDate, "env": cmdEnv, "printenv": cmdPrintenv,
		"tty": cmdTty, "clear": cmdClear, "passwd": cmdPasswd, "sleep": cmdSleep, "seq": cmdSeq, "yes": cmdYes,
		"sudo": cmdSudo, "su": cmdSu, "nohup": cmdNohup, "timeout": cmdTimeout, "dpkg": cmdDpkg, "dpkg-query": cmdDpkg,
		"apt": cmdApt, "apt-get": cmdApt, "systemctl": cmdSystemctl, "service": cmdService, "perl": cmdPerl,
		"python3": cmdPython, "python3.11": cmdPython, "ifconfig": cmdIfconfig, "ip": cmdIP, "wget": cmdWget,
		"curl": cmdCurl, "ping": cmdPing, "echo": cmdEcho, "printf": cmdPrintf, "kill": cmdKill, "pwd": cmdPwd,
		"true":  func(*Session, []string) int { return 0 },
		"false": func(*Session, []string) int { return 1 },
		"test":  cmdTest, "groups": cmdGroups, "basename": cmdBasename, "dirname": cmdDirname,
		"md5sum": cmdMd5sum, "sha256sum": cmdSha256sum, "find": cmdFind, "reboot": cmdReboot, "shutdown": cmdReboot,
		"poweroff": cmdReboot, "halt": cmdReboot,
	}
}

// cmdNotRunnable stands for a program of the host without an implementation: it does its
// work without output, like most programs given nothing to say.
func cmdNotRunnable(*Session, []string) int { return 0 }

func cmdWhoami(s *Session, _ []string) int {
	s.print(s.opt.User, "\n")
	return 0
}

func (s *Session) idLine() string {
	if s.uid == 0 {
		return "uid=0(root) gid=0(root) groups=0(root)"
	}
	u := s.opt.User
	extra := ""
	if u == "debian" {
		extra = ",4(adm),27(sudo)"
	}
	return fmt.Sprintf("uid=%d(%s) gid=%d(%s) groups=%d(%s)%s,100(users)", s.uid, u, s.uid, u, s.uid, u, extra)
}

func cmdID(s *Session, args []string) int {
	f, _, _ := flags(args)
	switch {
	case f['u'] && f['n']:
		s.print(s.opt.User, "\n")
	case f['u'], f['g']:
		s.print(strconv.Itoa(s.uid), "\n")
	default:
		s.print(s.idLine(), "\n")
	}
	return 0
}

func cmdUname(s *Session, args []string) int {
	f, long, _ := flags(args)
	for _, l := range long {
		switch l {
		case "--all":
			f['a'] = true
		case "--kernel-release":
			f['r'] = true
		case "--machine":
			f['m'] = true
		}
	}
	for c := range f {
		if !strings.ContainsRune("asnrvmpio", rune(c)) {
			s.errorf("uname: invalid option -- '%c'\nTry 'uname --help' for more information.\n", c)
			return 1
		}
	}
	if f['a'] {
		s.printf("Linux %s %s %s x86_64 GNU/Linux\n", s.opt.Hostname, KernelRelease, kernelVersion)
		return 0
	}
	var parts []string
	add := func(c byte, v string) {
		if f[c] {
			parts = append(parts, v)
		}
	}
	if len(f) == 0 {
		f['s'] = true
	}
	add('s', "Linux")
	add('n', s.opt.Hostname)
	add('r', KernelRelease)
	add('v', kernelVersion)
	add('m', "x86_64")
	add('p', "unknown")
	add('i', "unknown")
	add('o', "GNU/Linux")
	s.print(strings.Join(parts, " "), "\n")
	return 0
}

func cmdFree(s *Session, args []string) int {
	f, _, _ := flags(args)
	vals := [][]int64{{4020456, 512340, 2801232, 1264, 932412, 3508116}, {1046524, 0, 1046524}}
	format := func(kb int64) string {
		switch {
		case f['h']:
			h := human(kb * 1024)
			if kb == 0 {
				return "0B"
			}
			return h + "i"
		case f['m']:
			return strconv.FormatInt(kb/1024, 10)
		case f['g']:
			return strconv.FormatInt(kb/1024/1024, 10)
		}
		return strconv.FormatInt(kb, 10)
	}
	s.print("               total        used        free      shared  buff/cache   available\n")
	s.print("Mem:   ")
	for _, v := range vals[0] {
		s.printf(" %11s", format(v))
	}
	s.print("\nSwap:  ")
	for _, v := range vals[1] {
		s.printf(" %11s", format(v))
	}
	s.print("\n")
	return 0
}

func cmdLscpu(s *Session, _ []string) int {
	s.print(`Architecture:            x86_64
  CPU op-mode(s):        32-bit, 64-bit
  Address sizes:         46 bits physical, 48 bits virtual
  Byte Order:            Little Endian
CPU(s):                  2
  On-line CPU(s) list:   0,1
Vendor ID:               GenuineIntel
  Model name:            Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz
    CPU family:          6
    Model:               85
    Thread(s) per core:  1
    Core(s) per socket:  2
    Socket(s):           1
Virtualization features: 
  Hypervisor vendor:     KVM
  Virtualization type:   full
`)
	return 0
}

func cmdHostname(s *Session, args []string) int {
	f, _, ops := flags(args)
	switch {
	case len(ops) > 0 && s.uid != 0:
		s.errorf("hostname: you must be root to change the host name\n")
		return 1
	case len(ops) > 0:
	case f['I'] || f['i']:
		s.print(s.localIP().String(), " \n")
	default:
		s.print(s.opt.Hostname, "\n")
	}
	return 0
}

func (s *Session) tty() string {
	if s.opt.Exec {
		return "?"
	}
	return "pts/0"
}

// process is one line of ps.
type process struct {
	user  string
	pid   int
	ppid  int
	vsz   int
	rss   int
	tty   string
	stat  string
	start time.Time
	cpu   time.Duration
	cmd   string
}

// processes lists the host's processes: system services since boot, then this session.
func (s *Session) processes(self string) []process {
	b := s.host.boot
	up := s.opt.Now().Sub(b)
	cpu := func(perDay time.Duration) time.Duration { return time.Duration(float64(perDay) * up.Hours() / 24) }
	ps := []process{
		{"root", 1, 0, 168700, 12124, "?", "Ss", b, cpu(time.Second), "/sbin/init"},
		{"root", 2, 0, 0, 0, "?", "S", b, 0, "[kthreadd]"},
		{"root", 3, 2, 0, 0, "?", "I<", b, 0, "[rcu_gp]"},
		{"root", 4, 2, 0, 0, "?", "I<", b, 0, "[rcu_par_gp]"},
		{"root", 5, 2, 0, 0, "?", "I<", b, 0, "[slub_flushwq]"},
		{"root", 6, 2, 0, 0, "?", "I<", b, 0, "[netns]"},
		{"root", 10, 2, 0, 0, "?", "I<", b, 0, "[mm_percpu_wq]"},
		{"root", 12, 2, 0, 0, "?", "S", b, cpu(200 * time.Millisecond), "[ksoftirqd/0]"},
		{"root", 13, 2, 0, 0, "?", "I", b, cpu(2 * time.Second), "[rcu_preempt]"},
		{"root", 14, 2, 0, 0, "?", "S", b, 0, "[migration/0]"},
		{"root", 16, 2, 0, 0, "?", "S", b, 0, "[cpuhp/0]"},
		{"root", 17, 2, 0, 0, "?", "S", b, 0, "[cpuhp/1]"},
		{"root", 18, 2, 0, 0, "?", "S", b, 0, "[migration/1]"},
		{"root", 19, 2, 0, 0, "?", "S", b, cpu(200 * time.Millisecond), "[ksoftirqd/1]"},
		{"root", 24, 2, 0, 0, "?", "S", b, 0, "[kdevtmpfs]"},
		{"root", 28, 2, 0, 0, "?", "S", b, cpu(100 * time.Millisecond), "[kcompactd0]"},
		{"root", 37, 2, 0, 0, "?", "S", b, 0, "[kswapd0]"},
		{"root", 201, 2, 0, 0, "?", "S", b, cpu(300 * time.Millisecond), "[jbd2/sda1-8]"},
		{"root", 240, 1, 48244, 20644, "?", "Ss", b.Add(2 * time.Second), cpu(500 * time.Millisecond), "/lib/systemd/systemd-journald"},
		{"root", 262, 1, 26208, 6584, "?", "Ss", b.Add(2 * time.Second), cpu(50 * time.Millisecond), "/lib/systemd/systemd-udevd"},
		{"systemd+", 391, 1, 90208, 6712, "?", "Ssl", b.Add(3 * time.Second), cpu(40 * time.Millisecond), "/lib/systemd/systemd-timesyncd"},
		{"root", 402, 1, 6612, 2664, "?", "Ss", b.Add(3 * time.Second), cpu(90 * time.Millisecond), "/usr/sbin/cron -f"},
		{"message+", 403, 1, 9108, 4632, "?", "Ss", b.Add(3 * time.Second), cpu(20 * time.Millisecond), "/usr/bin/dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only"},
		{"root", 407, 1, 222220, 4880, "?", "Ssl", b.Add(3 * time.Second), cpu(100 * time.Millisecond), "/usr/sbin/rsyslogd -n -iNONE"},
		{"root", 409, 1, 25356, 7780, "?", "Ss", b.Add(3 * time.Second), cpu(40 * time.Millisecond), "/lib/systemd/systemd-logind"},
		{"root", 432, 1, 5872, 1004, "tty1", "Ss+", b.Add(4 * time.Second), 0, "/sbin/agetty -o -p -- \\u --noclear - linux"},
		{"root", 441, 1, 16600, 5900, "?", "Ss", b.Add(4 * time.Second), cpu(10 * time.Millisecond), "dhclient -4 -v -i -pf /run/dhclient.eth0.pid -lf /var/lib/dhcp/dhclient.eth0.leases -I -df /var/lib/dhcp/dhclient6.eth0.leases eth0"},
		{"root", 503, 1, 15432, 9160, "?", "Ss", b.Add(5 * time.Second), cpu(3 * time.Second), "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"},
	}
	u := s.opt.User
	st := s.start
	if s.opt.Exec {
		ps = append(ps, process{"root", s.host.sshdPID, 503, 17712, 10964, "?", "Ss", st, 0, "sshd: " + u + " [priv]"},
			process{u, s.host.sshdPID + 6, s.host.sshdPID, 17972, 6844, "?", "S", st, 0, "sshd: " + u + "@notty"},
			process{u, s.host.shellPID, s.host.sshdPID + 6, 7200, 3840, "?", "Ss", st, 0, "bash -c " + s.execLine()})
	} else {
		ps = append(ps, process{"root", s.host.sshdPID, 503, 17712, 10964, "?", "Ss", st, 0, "sshd: " + u + " [priv]"},
			process{u, s.host.sshdPID + 6, s.host.sshdPID, 17972, 6844, "?", "S", st, 0, "sshd: " + u + "@pts/0"},
			process{u, s.host.shellPID, s.host.sshdPID + 6, 7200, 4120, "pts/0", "Ss", st, 0, "-bash"})
	}
	return append(ps, process{u, s.host.nextPID(), s.host.shellPID, 11084, 4372, s.tty(), "R+", s.opt.Now(), 0, self})
}

// execLine is the command of an exec session for ps (the last line run).
func (s *Session) execLine() string {
	if len(s.history) == 0 {
		return ""
	}
	return s.history[len(s.history)-1]
}

func cmdPs(s *Session, args []string) int {
	bsd, full := false, false
	for _, a := range args {
		switch {
		case a == "-ef" || a == "-e" || a == "-A" || a == "-eF" || a == "-aux":
			full = true
		case !strings.HasPrefix(a, "-") && strings.ContainsAny(a, "ax"):
			bsd = true
		}
	}
	self := strings.TrimSpace("ps " + strings.Join(args, " "))
	now := s.opt.Now()
	switch {
	case bsd:
		s.print("USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n")
		for _, p := range s.processes(self) {
			mem := float64(p.rss) / 4020456 * 100
			c := p.cpu.Round(time.Second)
			s.printf("%-8s %7d %4.1f %4.1f %6d %5d %-8s %-4s %5s %3d:%02d %s\n", p.user, p.pid, 0.0, mem, p.vsz, p.rss, p.tty, p.stat,
				psStart(p.start, now), int(c.Minutes()), int(c.Seconds())%60, p.cmd)
		}
	case full:
		s.print("UID          PID    PPID  C STIME TTY          TIME CMD\n")
		for _, p := range s.processes(self) {
			c := p.cpu.Round(time.Second)
			s.printf("%-8s %7d %7d  0 %5s %-8s %02d:%02d:%02d %s\n", p.user, p.pid, p.ppid, psStart(p.start, now), p.tty,
				int(c.Hours()), int(c.Minutes())%60, int(c.Seconds())%60, p.cmd)
		}
	default:
		s.print("    PID TTY          TIME CMD\n")
		s.printf("%7d %-8s 00:00:00 bash\n", s.host.shellPID, s.tty())
		s.printf("%7d %-8s 00:00:00 ps\n", s.host.nextPID(), s.tty())
	}
	return 0
}

func (s *Session) uptimeLine() string {
	now := s.opt.Now()
	return fmt.Sprintf(" %s up %s,  1 user,  load average: 0.08, 0.03, 0.01", now.UTC().Format("15:04:05"), uptimeText(now.Sub(s.host.boot)))
}

func cmdUptime(s *Session, args []string) int {
	f, _, _ := flags(args)
	switch {
	case f['p']:
		up := s.opt.Now().Sub(s.host.boot)
		var parts []string
		for _, u := range []struct {
			n    int
			name string
		}{{int(up.Hours()) / 24 / 7, "week"}, {int(up.Hours()) / 24 % 7, "day"}, {int(up.Hours()) % 24, "hour"}, {int(up.Minutes()) % 60, "minute"}} {
			if u.n == 1 {
				parts = append(parts, "1 "+u.name)
			} else if u.n > 1 {
				parts = append(parts, fmt.Sprintf("%d %ss", u.n, u.name))
			}
		}
		s.print("up ", strings.Join(parts, ", "), "\n")
	case f['s']:
		s.print(s.host.boot.UTC().Format("2006-01-02 15:04:05"), "\n")
	default:
		s.print(s.uptimeLine(), "\n")
	}
	return 0
}

func (s *Session) from() string {
	if s.opt.Client.IsValid() {
		return s.opt.Client.String()
	}
	return s.host.lastFrom
}

func cmdW(s *Session, _ []string) int {
	s.print(s.uptimeLine(), "\n")
	s.print("USER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\n")
	if !s.opt.Exec {
		s.printf("%-8.8s %-8s %-16.16s %s    0.00s  0.02s  0.00s w\n", s.opt.User, s.tty(), s.from(), s.start.UTC().Format("15:04"))
	}
	return 0
}

func cmdWho(s *Session, _ []string) int {
	if !s.opt.Exec {
		s.printf("%-8.8s %-12s %s (%s)\n", s.opt.User, s.tty(), s.start.UTC().Format("2006-01-02 15:04"), s.from())
	}
	return 0
}

func cmdUsers(s *Session, _ []string) int {
	if !s.opt.Exec {
		s.print(s.opt.User, "\n")
	}
	return 0
}

// cmdLast shows the login records: this session, the previous login, the boot, and the
// logins before it.
func cmdLast(s *Session, args []string) int {
	line := func(user, tty, from string, at time.Time, end string) {
		s.printf("%-8.8s %-12.12s %-16.16s %s %s\n", user, tty, from, at.UTC().Format("Mon Jan _2 15:04"), end)
	}
	span := func(d time.Duration) string {
		if d >= 24*time.Hour {
			return fmt.Sprintf("(%d+%02d:%02d)", int(d.Hours())/24, int(d.Hours())%24, int(d.Minutes())%60)
		}
		return fmt.Sprintf("(%02d:%02d)", int(d.Hours()), int(d.Minutes())%60)
	}
	h := s.host
	if !s.opt.Exec {
		line(s.opt.User, "pts/0", s.from(), s.start, "  still logged in")
	}
	prev := h.lastLogin
	if prev.After(h.boot) {
		line("root", "pts/0", h.lastFrom, prev, fmt.Sprintf("- %s  %s", prev.Add(23*time.Minute).UTC().Format("15:04"), span(23*time.Minute)))
	}
	line("reboot", "system boot", KernelRelease, h.boot, "  still running")
	// the login before the reboot, and the boot before (wtmp is rotated monthly)
	before := h.boot.Add(-(26*time.Hour + 41*time.Minute))
	line("root", "pts/0", h.lastFrom, before, fmt.Sprintf("- down   %s", span(h.boot.Sub(before)-2*time.Minute)))
	line("reboot", "system boot", KernelRelease, h.prevBoot, fmt.Sprintf("- %s  %s", h.boot.Add(-2*time.Minute).UTC().Format("15:04"), span(h.boot.Sub(h.prevBoot)-2*time.Minute)))
	s.printf("\nwtmp begins %s\n", h.prevBoot.Add(-(3*24*time.Hour + 4*time.Hour + 17*time.Second)).UTC().Format("Mon Jan _2 15:04:05 2006"))
	return 0
}

func cmdDf(s *Session, args []string) int {
	if f, _, _ := flags(args); f['h'] {
		s.print(`Filesystem      Size  Used Avail Use% Mounted on
udev            1.9G     0  1.9G   0% /dev
tmpfs           393M  620K  393M   1% /run
/dev/sda1        29G  2.9G   25G  11% /
tmpfs           1.9G     0  1.9G   0% /dev/shm
tmpfs           5.0M     0  5.0M   0% /run/lock
tmpfs           393M     0  393M   0% /run/user/0
`)
		return 0
	}
	s.print(`Filesystem     1K-blocks    Used Available Use% Mounted on
udev             1988544       0   1988544   0% /dev
tmpfs             402048     620    401428   1% /run
/dev/sda1       30297152 2967820  25763300  11% /
tmpfs            2010228       0   2010228   0% /dev/shm
tmpfs               5120       0      5120   0% /run/lock
tmpfs             402044       0    402044   0% /run/user/0
`)
	return 0
}

// mounts is /proc/mounts; mount prints the same table in its own format.
const mounts = `sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
udev /dev devtmpfs rw,nosuid,relatime,size=1988544k,nr_inodes=497136,mode=755,inode64 0 0
devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=000 0 0
tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=402048k,mode=755,inode64 0 0
/dev/sda1 / ext4 rw,relatime,errors=remount-ro 0 0
securityfs /sys/kernel/security securityfs rw,nosuid,nodev,noexec,relatime 0 0
tmpfs /dev/shm tmpfs rw,nosuid,nodev,inode64 0 0
tmpfs /run/lock tmpfs rw,nosuid,nodev,noexec,relatime,size=5120k,inode64 0 0
cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0
pstore /sys/fs/pstore pstore rw,nosuid,nodev,noexec,relatime 0 0
bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0
systemd-1 /proc/sys/fs/binfmt_misc autofs rw,relatime,fd=30,pgrp=1,timeout=0,minproto=5,maxproto=5,direct,pipe_ino=11873 0 0
mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime 0 0
hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0
debugfs /sys/kernel/debug debugfs rw,nosuid,nodev,noexec,relatime 0 0
tracefs /sys/kernel/tracing tracefs rw,nosuid,nodev,noexec,relatime 0 0
configfs /sys/kernel/config configfs rw,nosuid,nodev,noexec,relatime 0 0
fusectl /sys/fs/fuse/connections fusectl rw,nosuid,nodev,noexec,relatime 0 0
tmpfs /run/user/0 tmpfs rw,nosuid,nodev,relatime,size=402044k,nr_inodes=100511,mode=700,inode64 0 0
`

func cmdMount(s *Session, args []string) int {
	if len(args) > 0 {
		if s.uid != 0 {
			s.errorf("mount: only root can do that\n")
			return 1
		}
		s.errorf("mount: %s: can't find in /etc/fstab.\n", args[len(args)-1])
		return 1
	}
	for _, l := range strings.Split(strings.TrimSpace(mounts), "\n") {
		f := strings.Fields(l)
		s.printf("%s on %s type %s (%s)\n", f[0], f[1], f[2], f[3])
	}
	return 0
}

// procStatus is /proc/self/status of the cat that reads it.
func procStatus(s *Session) string {
	pid := s.host.nextPID()
	return fmt.Sprintf(`Name:	cat
Umask:	0022
State:	R (running)
Tgid:	%d
Ngid:	0
Pid:	%d
PPid:	%d
TracerPid:	0
Uid:	%d	%d	%d	%d
Gid:	%d	%d	%d	%d
FDSize:	64
Groups:	%s
NStgid:	%d
NSpid:	%d
NSpgid:	%d
NSsid:	%d
VmPeak:	    5512 kB
VmSize:	    5512 kB
VmLck:	       0 kB
VmPin:	       0 kB
VmHWM:	     896 kB
VmRSS:	     896 kB
RssAnon:	      88 kB
RssFile:	     808 kB
RssShmem:	       0 kB
VmData:	     360 kB
VmStk:	     132 kB
VmExe:	      20 kB
VmLib:	    1660 kB
VmPTE:	      48 kB
VmSwap:	       0 kB
HugetlbPages:	       0 kB
CoreDumping:	0
THP_enabled:	1
Threads:	1
SigQ:	0/15388
SigPnd:	0000000000000000
ShdPnd:	0000000000000000
SigBlk:	0000000000000000
SigIgn:	0000000000000000
SigCgt:	0000000000000000
CapInh:	0000000000000000
CapPrm:	%s
CapEff:	%s
CapBnd:	000001ffffffffff
CapAmb:	0000000000000000
NoNewPrivs:	0
Seccomp:	0
Seccomp_filters:	0
Speculation_Store_Bypass:	thread vulnerable
SpeculationIndirectBranch:	conditional enabled
Cpus_allowed:	3
Cpus_allowed_list:	0-1
Mems_allowed:	00000000,00000001
Mems_allowed_list:	0
voluntary_ctxt_switches:	0
nonvoluntary_ctxt_switches:	1
`, pid, pid, s.host.shellPID, s.uid, s.uid, s.uid, s.uid, s.uid, s.uid, s.uid, s.uid, s.groupIDs(), pid, pid, pid, s.host.shellPID,
		capSet(s.uid), capSet(s.uid))
}

func capSet(uid int) string {
	if uid == 0 {
		return "000001ffffffffff"
	}
	return "0000000000000000"
}

func (s *Session) groupIDs() string {
	if s.uid == 0 {
		return "0 "
	}
	if s.opt.User == "debian" {
		return "4 27 100 1000 "
	}
	return fmt.Sprintf("100 %d ", s.uid)
}

func cmdGroups(s *Session, _ []string) int {
	switch {
	case s.uid == 0:
		s.print("root\n")
	case s.opt.User == "debian":
		s.print("debian adm sudo users\n")
	default:
		s.print(s.opt.User, " users\n")
	}
	return 0
}

func cmdNproc(s *Session, _ []string) int {
	s.print("2\n")
	return 0
}

// cmdDate prints the date, with +FORMAT in strftime syntax.
func cmdDate(s *Session, args []string) int {
	now := s.opt.Now().UTC()
	for _, a := range args {
		if strings.HasPrefix(a, "+") {
			s.print(strftime(a[1:], now), "\n")
			return 0
		}
	}
	s.print(now.Format("Mon Jan _2 03:04:05 PM MST 2006"), "\n")
	return 0
}

func strftime(f string, t time.Time) string {
	var sb strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			sb.WriteByte(f[i])
			continue
		}
		i++
		layout := map[byte]string{'Y': "2006", 'm': "01", 'd': "02", 'H': "15", 'M': "04", 'S': "05", 'y': "06",
			'b': "Jan", 'h': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'e': "_2", 'Z': "MST", 'z': "-0700",
			'F': "2006-01-02", 'T': "15:04:05", 'D': "01/02/06", 'R': "15:04", 'I': "03", 'p': "PM", 'c': "Mon Jan _2 15:04:05 2006"}[f[i]]
		switch {
		case layout != "":
			sb.WriteString(t.Format(layout))
		case f[i] == 's':
			sb.WriteString(strconv.FormatInt(t.Unix(), 10))
		case f[i] == 'N':
			sb.WriteString(fmt.Sprintf("%09d", t.Nanosecond()))
		case f[i] == 'j':
			sb.WriteString(fmt.Sprintf("%03d", t.YearDay()))
		case f[i] == 'u':
			sb.WriteString(strconv.Itoa((int(t.Weekday())+6)%7 + 1))
		case f[i] == 'n':
			sb.WriteByte('\n')
		case f[i] == '%':
			sb.WriteByte('%')
		default:
			sb.WriteByte('%')
			sb.WriteByte(f[i])
		}
	}
	return sb.String()
}

func cmdEnv(s *Session, args []string) int {
	if len(args) > 0 && !strings.Contains(args[0], "=") && !strings.HasPrefix(args[0], "-") {
		s.exec(args)
		return s.status
	}
	for _, k := range s.exported {
		s.print(k, "=", s.vars[k], "\n")
	}
	s.print("_=/usr/bin/env\n")
	return 0
}

func cmdPrintenv(s *Session, args []string) int {
	if len(args) == 0 {
		return cmdEnv(s, nil)
	}
	st := 0
	for _, a := range args {
		if s.isExported(a) {
			s.print(s.vars[a], "\n")
		} else {
			st = 1
		}
	}
	return st
}

func cmdTty(s *Session, _ []string) int {
	if s.opt.Exec {
		s.print("not a tty\n")
		return 1
	}
	s.print("/dev/pts/0\n")
	return 0
}

func cmdClear(s *Session, _ []string) int {
	if s.opt.Exec {
		s.errorf("TERM environment variable not set.\n")
		return 1
	}
	s.print("\x1b[H\x1b[2J\x1b[3J")
	return 0
}

func cmdPasswd(s *Session, _ []string) int {
	s.errorf("Changing password for %s.\n", s.opt.User)
	if s.uid != 0 {
		s.errorf("Current password: passwd: Authentication token manipulation error\npasswd: password unchanged\n")
		return 10
	}
	s.errorf("New password: \nRetype new password: \nNo password has been supplied.\npasswd: Authentication token manipulation error\npasswd: password unchanged\n")
	return 10
}

// cmdSleep waits, within the session's bounds on waiting.
func cmdSleep(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("sleep: missing operand\nTry 'sleep --help' for more information.\n")
		return 1
	}
	var total time.Duration
	for _, a := range args {
		unit := time.Second
		num := a
		if n := len(a); n > 0 {
			switch a[n-1] {
			case 's':
				num = a[:n-1]
			case 'm':
				unit, num = time.Minute, a[:n-1]
			case 'h':
				unit, num = time.Hour, a[:n-1]
			case 'd':
				unit, num = 24*time.Hour, a[:n-1]
			}
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || v < 0 {
			s.errorf("sleep: invalid time interval ‘%s’\nTry 'sleep --help' for more information.\n", a)
			return 1
		}
		total += time.Duration(min(v*float64(unit), float64(24*time.Hour)))
	}
	s.pause(total)
	return 0
}

func cmdSeq(s *Session, args []string) int {
	nums := make([]int64, 0, 3)
	for _, a := range args {
		v, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			s.errorf("seq: invalid floating point argument: ‘%s’\nTry 'seq --help' for more information.\n", a)
			return 1
		}
		nums = append(nums, v)
	}
	first, step, last := int64(1), int64(1), int64(0)
	switch len(nums) {
	case 1:
		last = nums[0]
	case 2:
		first, last = nums[0], nums[1]
	case 3:
		first, step, last = nums[0], nums[1], nums[2]
	default:
		s.errorf("seq: missing operand\nTry 'seq --help' for more information.\n")
		return 1
	}
	if step == 0 {
		s.errorf("seq: invalid Zero increment value: ‘0’\nTry 'seq --help' for more information.\n")
		return 1
	}
	var sb strings.Builder
	for v := first; (step > 0 && v <= last || step < 0 && v >= last) && sb.Len() < maxOutput; v += step {
		sb.WriteString(strconv.FormatInt(v, 10))
		sb.WriteByte('\n')
	}
	s.print(sb.String())
	return 0
}

// cmdYes prints until its output is full (a real yes would until killed).
func cmdYes(s *Session, args []string) int {
	text := "y"
	if len(args) > 0 {
		text = strings.Join(args, " ")
	}
	line := text + "\n"
	s.print(strings.Repeat(line, maxOutput/len(line)+1))
	return 0
}

func cmdSudo(s *Session, args []string) int {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:]
	}
	if s.uid != 0 {
		if s.opt.Exec {
			s.errorf("sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\nsudo: a password is required\n")
		} else {
			s.errorf("[sudo] password for %s: \nsudo: no password was provided\nsudo: a password is required\n", s.opt.User)
		}
		return 1
	}
	if len(args) == 0 {
		s.errorf("usage: sudo -h | -K | -k | -V\n")
		return 1
	}
	s.exec(args)
	return s.status
}

func cmdSu(s *Session, _ []string) int {
	if s.uid != 0 {
		s.errorf("Password: \nsu: Authentication failure\n")
		return 1
	}
	return 0
}

func cmdNohup(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("nohup: missing operand\nTry 'nohup --help' for more information.\n")
		return 125
	}
	if s.io.tty {
		s.errorf("nohup: ignoring input and appending output to 'nohup.out'\n")
		out := s.openWrite("nohup.out", true)
		if out == nil {
			return 125
		}
		saved := s.io.out
		s.io.out, s.io.tty = out, false
		s.exec(args)
		if out.file != nil {
			s.store(out)
		}
		s.io.out, s.io.tty = saved, true
		return s.status
	}
	s.exec(args)
	return s.status
}

func cmdTimeout(s *Session, args []string) int {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:]
	}
	if len(args) < 2 {
		s.errorf("timeout: missing operand\nTry 'timeout --help' for more information.\n")
		return 125
	}
	s.exec(args[1:])
	return s.status
}

func cmdReboot(s *Session, _ []string) int {
	if s.uid != 0 {
		s.errorf("Call to Reboot failed: Interactive authentication required.\n")
		return 1
	}
	// the client sees the connection close, as on a real reboot
	s.exit = true
	return 0
}

func cmdBasename(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("basename: missing operand\nTry 'basename --help' for more information.\n")
		return 1
	}
	b := strings.TrimRight(args[0], "/")
	if i := strings.LastIndexByte(b, '/'); i >= 0 {
		b = b[i+1:]
	}
	if len(args) > 1 {
		b = strings.TrimSuffix(b, args[1])
	}
	s.print(b, "\n")
	return 0
}

func cmdDirname(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("dirname: missing operand\nTry 'dirname --help' for more information.\n")
		return 1
	}
	d := strings.TrimRight(args[0], "/")
	i := strings.LastIndexByte(d, '/')
	switch {
	case i < 0:
		d = "."
	case i == 0:
		d = "/"
	default:
		d = d[:i]
	}
	s.print(d, "\n")
	return 0
}

func cmdFind(s *Session, args []string) int {
	root := "."
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		root, args = args[0], args[1:]
	}
	namePat, kind := "", ""
	for i := 0; i+1 < len(args); i++ {
		switch args[i] {
		case "-name", "-iname":
			namePat = args[i+1]
		case "-type":
			kind = args[i+1]
		}
	}
	n, _ := s.resolve(root)
	if n == nil {
		s.errorf("find: ‘%s’: No such file or directory\n", root)
		return 1
	}
	st := 0
	var walk func(p string, n *node, depth int)
	walk = func(p string, n *node, depth int) {
		if !s.step() || depth > 16 {
			return
		}
		if (namePat == "" || matchGlob(namePat, n.name) || depth == 0 && matchGlob(namePat, p)) &&
			(kind == "" || kind == "d" && n.dir || kind == "f" && !n.dir && n.link == "" || kind == "l" && n.link != "") {
			s.print(p, "\n")
		}
		if !n.dir || n.link != "" {
			return
		}
		if !s.canRead(n) {
			s.errorf("find: ‘%s’: Permission denied\n", p)
			st = 1
			return
		}
		for _, k := range n.names() {
			walk(strings.TrimSuffix(p, "/")+"/"+k, n.kids[k], depth+1)
		}
	}
	walk(root, n, 0)
	return st
}

func cmdMd5sum(s *Session, args []string) int {
	return checksum(s, "md5sum", args, func(b []byte) string { return fmt.Sprintf("%x", md5.Sum(b)) })
}

func cmdSha256sum(s *Session, args []string) int {
	return checksum(s, "sha256sum", args, func(b []byte) string { return fmt.Sprintf("%x", sha256.Sum256(b)) })
}

func checksum(s *Session, prog string, args []string, sum func([]byte) string) int {
	_, _, ops := flags(args)
	if len(ops) == 0 {
		ops = []string{"-"}
	}
	st := 0
	for _, p := range ops {
		c, ok := s.readable(prog, p)
		if !ok {
			st = 1
			continue
		}
		s.charge(len(c))
		s.printf("%s  %s\n", sum([]byte(c)), p)
	}
	return st
}
