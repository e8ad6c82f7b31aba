package shell

import (
	"fmt"
	"strings"
	"time"
)

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
