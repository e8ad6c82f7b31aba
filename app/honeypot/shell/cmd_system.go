package shell

import (
	"fmt"
	"strconv"
	"strings"
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

func cmdPasswd(s *Session, _ []string) int {
	s.errorf("Changing password for %s.\n", s.opt.User)
	if s.uid != 0 {
		s.errorf("Current password: passwd: Authentication token manipulation error\npasswd: password unchanged\n")
		return 10
	}
	s.errorf("New password: \nRetype new password: \nNo password has been supplied.\npasswd: Authentication token manipulation error\npasswd: password unchanged\n")
	return 10
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
