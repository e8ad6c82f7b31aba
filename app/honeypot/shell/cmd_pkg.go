package shell

import (
	"fmt"
	"strings"
	"time"
)

// Packages, services and interpreters of the fake host: dpkg lists packages.go, apt cannot
// reach a mirror, systemctl shows the services ps shows, perl and python3 are installed but
// run nothing.

type pkg struct{ name, version, arch, summary string }

func installed() []pkg {
	var out []pkg
	for _, l := range strings.Split(strings.TrimSpace(packages), "\n") {
		f := strings.SplitN(l, "|", 4)
		if len(f) == 4 {
			out = append(out, pkg{f[0], f[1], f[2], f[3]})
		}
	}
	return out
}

func cmdDpkg(s *Session, args []string) int {
	if len(args) == 0 {
		s.errorf("dpkg: error: need an action option\n\nType dpkg --help for help about installing and deinstalling packages [*];\nUse 'apt' or 'aptitude' for user-friendly package management;\nType dpkg -Dhelp for a list of dpkg debug flag values;\nType dpkg --force-help for a list of forcing options;\nType dpkg-deb --help for help about manipulating *.deb files;\n\nOptions marked [*] produce a lot of output - pipe it through 'less' or 'more' !\n")
		return 2
	}
	switch args[0] {
	case "-l", "--list":
		return s.dpkgList(args[1:])
	case "-i", "--install", "-r", "--remove", "-P", "--purge", "--configure":
		if s.uid != 0 {
			s.errorf("dpkg: error: requested operation requires superuser privilege\n")
			return 2
		}
		if len(args) > 1 {
			s.errorf("dpkg: error: cannot access archive '%s': No such file or directory\n", args[len(args)-1])
		}
		return 2
	case "--version":
		s.print("Debian 'dpkg' package management program version 1.21.22 (amd64).\n")
		return 0
	}
	s.errorf("dpkg: error: unknown option %s\n\nType dpkg --help for help about installing and deinstalling packages [*];\n", args[0])
	return 2
}

// dpkgList prints dpkg -l: columns as wide as their longest entry, as dpkg-query does
// when not writing to a terminal.
func (s *Session) dpkgList(patterns []string) int {
	var list []pkg
	for _, p := range installed() {
		if len(patterns) == 0 {
			list = append(list, p)
			continue
		}
		for _, pat := range patterns {
			if matchGlob(pat, p.name) || matchGlob(pat, strings.TrimSuffix(p.name, ":amd64")) {
				list = append(list, p)
				break
			}
		}
	}
	if len(list) == 0 {
		s.errorf("dpkg-query: no packages found matching %s\n", strings.Join(patterns, " "))
		return 1
	}
	wn, wv, wd := 14, 12, 33
	for _, p := range list {
		wn, wv, wd = max(wn, len(p.name)), max(wv, len(p.version)), max(wd, len(p.summary))
	}
	wd = min(wd, 80)
	s.print("Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n")
	s.printf("||/ %-*s %-*s %-12s %s\n", wn, "Name", wv, "Version", "Architecture", "Description")
	s.printf("+++-%s-%s-%s-%s\n", strings.Repeat("=", wn), strings.Repeat("=", wv), strings.Repeat("=", 12), strings.Repeat("=", wd))
	for _, p := range list {
		sum := p.summary
		if len(sum) > wd {
			sum = sum[:wd]
		}
		s.printf("ii  %-*s %-*s %-12s %s\n", wn, p.name, wv, p.version, p.arch, sum)
	}
	return 0
}

const mirror = "http://deb.debian.org/debian"

// cmdApt is apt and apt-get: without root the lock cannot be taken; as root every download
// fails because deb.debian.org does not resolve.
func cmdApt(s *Session, args []string) int {
	_, _, ops := flags(args)
	if len(ops) == 0 {
		s.print("apt 2.6.1 (amd64)\nUsage: apt [options] command\n")
		return 1
	}
	if !s.io.tty {
		s.errorf("\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n")
	}
	sub := ops[0]
	switch sub {
	case "update", "upgrade", "install", "remove", "purge", "autoremove", "dist-upgrade", "full-upgrade", "reinstall":
	case "list", "search", "show", "policy":
		return 0
	default:
		s.errorf("E: Invalid operation %s\n", sub)
		return 100
	}
	if s.uid != 0 {
		if sub == "update" {
			s.errorf("Reading package lists... Done\nE: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)\nE: Unable to lock directory /var/lib/apt/lists/\n")
		} else {
			s.errorf("E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n")
		}
		return 100
	}
	s.pause(40 * time.Millisecond)
	switch sub {
	case "update":
		for i, suite := range []string{"bookworm", "bookworm-updates", "bookworm-security"} {
			base := mirror
			if suite == "bookworm-security" {
				base = "http://security.debian.org/debian-security"
			}
			s.printf("Ign:%d %s %s InRelease\n", i+1, base, suite)
		}
		for i, suite := range []string{"bookworm", "bookworm-updates", "bookworm-security"} {
			base, host := mirror, "deb.debian.org"
			if suite == "bookworm-security" {
				base, host = "http://security.debian.org/debian-security", "security.debian.org"
			}
			s.printf("Err:%d %s %s InRelease\n  Temporary failure resolving '%s'\n", i+1, base, suite, host)
		}
		s.print("Reading package lists... Done\n")
		s.errorf("W: Failed to fetch %s/dists/bookworm/InRelease  Temporary failure resolving 'deb.debian.org'\nW: Failed to fetch %s/dists/bookworm-updates/InRelease  Temporary failure resolving 'deb.debian.org'\nW: Failed to fetch http://security.debian.org/debian-security/dists/bookworm-security/InRelease  Temporary failure resolving 'security.debian.org'\nW: Some index files failed to download. They have been ignored, or old ones used instead.\n", mirror, mirror)
		return 0
	}
	s.print("Reading package lists... Done\nBuilding dependency tree... Done\nReading state information... Done\n")
	if sub != "install" && sub != "reinstall" {
		s.print("Calculating upgrade... Done\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
		return 0
	}
	have := map[string]pkg{}
	for _, p := range installed() {
		have[strings.TrimSuffix(p.name, ":amd64")] = p
	}
	var missing []string
	for _, name := range ops[1:] {
		if p, ok := have[name]; ok {
			s.printf("%s is already the newest version (%s).\n", name, p.version)
		} else {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		s.print("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
		return 0
	}
	s.printf("The following NEW packages will be installed:\n  %s\n0 upgraded, %d newly installed, 0 to remove and 0 not upgraded.\n", strings.Join(missing, " "), len(missing))
	size := 0
	for _, m := range missing {
		size += progSize(m) * 3
	}
	s.printf("Need to get %s kB of archives.\nAfter this operation, %s kB of additional disk space will be used.\n", thousands(size/1000), thousands(size*3/1000))
	for i, m := range missing {
		s.printf("Err:%d %s bookworm/main amd64 %s amd64\n  Temporary failure resolving 'deb.debian.org'\n", i+1, mirror, m)
	}
	for _, m := range missing {
		s.errorf("E: Failed to fetch %s/pool/main/%c/%s  Temporary failure resolving 'deb.debian.org'\n", mirror, m[0], m)
	}
	s.errorf("E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?\n")
	return 100
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// services are the units systemctl knows, with the process each runs (see processes).
var services = []struct{ unit, desc, cmd string }{
	{"cron.service", "Regular background program processing daemon", "/usr/sbin/cron -f"},
	{"dbus.service", "D-Bus System Message Bus", "/usr/bin/dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only"},
	{"getty@tty1.service", "Getty on tty1", "/sbin/agetty -o \"-p -- \\\\u\" --noclear - linux"},
	{"ifup@eth0.service", "ifup for eth0", "dhclient -4 -v -i -pf /run/dhclient.eth0.pid -lf /var/lib/dhcp/dhclient.eth0.leases -I -df /var/lib/dhcp/dhclient6.eth0.leases eth0"},
	{"rsyslog.service", "System Logging Service", "/usr/sbin/rsyslogd -n -iNONE"},
	{"ssh.service", "OpenBSD Secure Shell server", "\"sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups\""},
	{"systemd-journald.service", "Journal Service", "/lib/systemd/systemd-journald"},
	{"systemd-logind.service", "User Login Management", "/lib/systemd/systemd-logind"},
	{"systemd-timesyncd.service", "Network Time Synchronization", "/lib/systemd/systemd-timesyncd"},
	{"systemd-udevd.service", "Rule-based Manager for Device Events and Files", "/lib/systemd/systemd-udevd"},
}

// ago formats a time span like systemd: "1 month 13 days ago", "5h 12min ago".
func ago(d time.Duration) string {
	days := int(d.Hours() / 24)
	switch {
	case days >= 365:
		return fmt.Sprintf("%d years %d months ago", days/365, days%365*10/304)
	case days >= 61:
		return fmt.Sprintf("%d months %d days ago", days*10/304, days-days*10/304*304/10)
	case days >= 30:
		return fmt.Sprintf("1 month %d days ago", days-30)
	case days >= 14:
		return fmt.Sprintf("%d weeks %d days ago", days/7, days%7)
	case days >= 1:
		return fmt.Sprintf("%d days ago", days)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dmin ago", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dmin ago", int(d.Minutes()))
}

func cmdSystemctl(s *Session, args []string) int {
	_, _, ops := flags(args)
	sub := "list-units"
	if len(ops) > 0 {
		sub = ops[0]
	}
	since := s.host.boot.Add(5 * time.Second)
	sinceText := since.UTC().Format("Mon 2006-01-02 15:04:05 MST") + "; " + ago(s.opt.Now().Sub(since))
	pids := map[string]int{}
	for _, p := range s.processes("") {
		pids[p.cmd] = p.pid
	}
	find := func(name string) int {
		if !strings.Contains(name, ".") {
			name += ".service"
		}
		if name == "sshd.service" {
			name = "ssh.service"
		}
		for i, sv := range services {
			if sv.unit == name {
				return i
			}
		}
		return -1
	}
	switch sub {
	case "status":
		if len(ops) == 1 {
			s.printf("● %s\n    State: running\n    Units: 231 loaded (incl. loaded aliases)\n     Jobs: 0 queued\n   Failed: 0 units\n    Since: %s\n  systemd: 252.39-1~deb12u2\n   CGroup: /\n", s.opt.Hostname, sinceText)
			s.print("           ├─init.scope\n           │ └─1 /sbin/init\n           ├─system.slice\n")
			for i, sv := range services {
				branch, pipe := "├─", "│"
				if i == len(services)-1 {
					branch, pipe = "└─", " "
				}
				cmd := strings.Trim(strings.ReplaceAll(sv.cmd, "\\\\", "\\"), "\"")
				s.printf("           │ %s%s\n           │ %s └─%d %s\n", branch, sv.unit, pipe, pids[strings.ReplaceAll(cmd, "\"-p -- \\u\"", "-p -- \\u")], cmd)
			}
			s.printf("           └─user.slice\n             └─user-%d.slice\n               └─session-%d.scope\n                 ├─%d \"sshd: %s [priv]\"\n                 ├─%d \"sshd: %s@pts/0\"\n                 └─%d -bash\n",
				s.uid, s.host.sessionID, s.host.sshdPID, s.opt.User, s.host.sshdPID+6, s.opt.User, s.host.shellPID)
			return 0
		}
		st := 0
		for _, name := range ops[1:] {
			i := find(name)
			if i < 0 {
				s.errorf("Unit %s could not be found.\n", unitName(name))
				st = 4
				continue
			}
			sv := services[i]
			cmd := strings.Trim(strings.ReplaceAll(sv.cmd, "\\\\", "\\"), "\"")
			s.printf("● %s - %s\n     Loaded: loaded (/lib/systemd/system/%s; enabled; preset: enabled)\n     Active: active (running) since %s\n   Main PID: %d (%s)\n      Tasks: 1 (limit: 4644)\n     Memory: 2.1M\n        CPU: 1.210s\n     CGroup: /system.slice/%s\n             └─%d %s\n",
				sv.unit, sv.desc, sv.unit, sinceText, pids[strings.ReplaceAll(cmd, "\"-p -- \\u\"", "-p -- \\u")], strings.Fields(strings.TrimPrefix(cmd, "sshd: "))[0][strings.LastIndex(strings.Fields(strings.TrimPrefix(cmd, "sshd: "))[0], "/")+1:], sv.unit, pids[strings.ReplaceAll(cmd, "\"-p -- \\u\"", "-p -- \\u")], sv.cmd)
		}
		return st
	case "list-units", "list-unit-files":
		s.print("  UNIT                          LOAD   ACTIVE SUB     DESCRIPTION\n")
		for _, sv := range services {
			s.printf("  %-29s loaded active running %s\n", sv.unit, sv.desc)
		}
		s.printf("\nLOAD   = Reflects whether the unit definition was properly loaded.\nACTIVE = The high-level unit activation state, i.e. generalization of SUB.\nSUB    = The low-level unit activation state, values depend on unit type.\n%d loaded units listed.\n", len(services))
		return 0
	case "is-active":
		if len(ops) > 1 && find(ops[1]) >= 0 {
			s.print("active\n")
			return 0
		}
		s.print("inactive\n")
		return 3
	case "start", "stop", "restart", "reload", "enable", "disable", "daemon-reload", "mask":
		if s.uid != 0 {
			s.errorf("Failed to %s %s: Interactive authentication required.\nSee system logs and 'systemctl status %s' for details.\n", sub, unitName(strings.Join(ops[1:], " ")), unitName(strings.Join(ops[1:], " ")))
			return 1
		}
		for _, name := range ops[1:] {
			if find(name) < 0 {
				s.errorf("Failed to %s %s: Unit %s not found.\n", sub, unitName(name), unitName(name))
				return 5
			}
		}
		return 0
	}
	s.errorf("Unknown command verb %s.\n", sub)
	return 1
}

func unitName(n string) string {
	if n != "" && !strings.Contains(n, ".") {
		return n + ".service"
	}
	return n
}

// cmdService is the SysV wrapper: it hands over to systemctl.
func cmdService(s *Session, args []string) int {
	if len(args) < 2 {
		s.errorf("Usage: service < option > | --status-all | [ service_name [ command | --full-restart ] ]\n")
		return 1
	}
	return cmdSystemctl(s, []string{args[1], args[0]})
}

// cmdPerl answers versions; code that loads a module fails as if the module were missing,
// other code runs without output.
func cmdPerl(s *Session, args []string) int {
	for i, a := range args {
		switch {
		case a == "-v" || a == "--version":
			s.print("\nThis is perl 5, version 36, subversion 0 (v5.36.0) built for x86_64-linux-gnu-thread-multi\n(with 60 registered patches, see perl -V for more detail)\n\nCopyright 1987-2022, Larry Wall\n\nPerl may be copied only under the terms of either the Artistic License or the\nGNU General Public License, which may be found in the Perl 5 source kit.\n\nComplete documentation for Perl, including FAQ lists, should be found on\nthis system using \"man perl\" or \"perldoc perl\".  If you have access to the\nInternet, point your browser at https://www.perl.org/, the Perl Home Page.\n\n")
			return 0
		case (a == "-e" || a == "-E") && i+1 < len(args):
			code := args[i+1]
			if j := strings.Index(code, "use "); j >= 0 {
				mod := strings.FieldsFunc(code[j+4:], func(r rune) bool { return r == ';' || r == ' ' || r == '(' })
				if len(mod) > 0 && mod[0] != "strict" && mod[0] != "warnings" {
					file := strings.ReplaceAll(mod[0], "::", "/") + ".pm"
					s.errorf("Can't locate %s in @INC (you may need to install the %s module) (@INC contains: /etc/perl /usr/local/lib/x86_64-linux-gnu/perl/5.36.0 /usr/local/share/perl/5.36.0 /usr/lib/x86_64-linux-gnu/perl5/5.36 /usr/share/perl5 /usr/lib/x86_64-linux-gnu/perl-base /usr/lib/x86_64-linux-gnu/perl/5.36 /usr/share/perl/5.36 /usr/local/lib/site_perl) at -e line 1.\nBEGIN failed--compilation aborted at -e line 1.\n", file, mod[0])
					return 2
				}
			}
			return 0
		}
	}
	return 0
}

// cmdPython answers its version; anything else meets a Python whose standard library is
// broken (a half-finished upgrade), so nothing runs.
func cmdPython(s *Session, args []string) int {
	if len(args) > 0 && (args[0] == "-V" || args[0] == "--version") {
		s.print("Python 3.11.2\n")
		return 0
	}
	s.errorf("Fatal Python error: init_fs_encoding: failed to get the Python codec of the filesystem encoding\nPython runtime state: core initialized\nModuleNotFoundError: No module named 'encodings'\n\nCurrent thread 0x00007f3c1e5b7040 (most recent call first):\n  <no Python frame>\n")
	return 1
}
