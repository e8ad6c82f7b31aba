package shell

import (
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// The network as the fake host has it: one interface on a local subnet and no default
// route, and DHCP gave no name server. So names do not resolve (at once, as with glibc
// and no name server) and addresses off the subnet are unreachable (at once), which is
// what a server in a closed network segment shows. Addresses on the subnet take the ARP
// time-out before "No route to host". Nothing is ever sent.

// localIP is the address shown for eth0: the one the client connected to when it is a usable
// IPv4 address, else a private one.
func (s *Session) localIP() netip.Addr {
	if a := s.opt.Local.Unmap(); a.Is4() && !a.IsLoopback() && !a.IsUnspecified() {
		return a
	}
	return netip.MustParseAddr("10.0.0.23")
}

func (s *Session) bcast() (netip.Addr, netip.Prefix) {
	p, _ := s.localIP().Prefix(24)
	b := p.Addr().As4()
	b[3] = 255
	return netip.AddrFrom4(b), p
}

func cmdIfconfig(s *Session, _ []string) int {
	bc, _ := s.bcast()
	s.printf(`eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500
        inet %s  netmask 255.255.255.0  broadcast %s
        inet6 fe80::5054:ff:fe3a:91c4  prefixlen 64  scopeid 0x20<link>
        ether 52:54:00:3a:91:c4  txqueuelen 1000  (Ethernet)
        RX packets 4813527  bytes 1073482113 (1023.7 MiB)
        RX errors 0  dropped 1142  overruns 0  frame 0
        TX packets 2287104  bytes 389120431 (371.0 MiB)
        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0

lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536
        inet 127.0.0.1  netmask 255.0.0.0
        inet6 ::1  prefixlen 128  scopeid 0x10<host>
        loop  txqueuelen 1000  (Local Loopback)
        RX packets 11234  bytes 912874 (891.4 KiB)
        RX errors 0  dropped 0  overruns 0  frame 0
        TX packets 11234  bytes 912874 (891.4 KiB)
        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0

`, s.localIP(), bc)
	return 0
}

func cmdIP(s *Session, args []string) int {
	_, _, ops := flags(args)
	if len(ops) == 0 {
		s.print("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n       ip [ -force ] -batch filename\nwhere  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp | link |\n                   macsec | maddress | monitor | mptcp | mroute | mrule |\n                   neighbor | neighbour | netconf | netns | nexthop | ntable |\n                   ntbl | route | rule | sr | tap | tcpmetrics |\n                   token | tunnel | tuntap | vrf | xfrm }\n")
		return 255
	}
	bc, _ := s.bcast()
	switch {
	case strings.HasPrefix("address", ops[0]) || ops[0] == "addr":
		s.printf(`1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host noprefixroute 
       valid_lft forever preferred_lft forever
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000
    link/ether 52:54:00:3a:91:c4 brd ff:ff:ff:ff:ff:ff
    altname enp0s3
    inet %s/24 brd %s scope global dynamic eth0
       valid_lft 71254sec preferred_lft 71254sec
    inet6 fe80::5054:ff:fe3a:91c4/64 scope link 
       valid_lft forever preferred_lft forever
`, s.localIP(), bc)
	case strings.HasPrefix("route", ops[0]):
		_, p := s.bcast()
		s.printf("%s dev eth0 proto kernel scope link src %s \n", p, s.localIP())
	case strings.HasPrefix("link", ops[0]):
		s.print("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000\n    link/ether 52:54:00:3a:91:c4 brd ff:ff:ff:ff:ff:ff\n    altname enp0s3\n")
	default:
		s.errorf("Object \"%s\" is unknown, try \"ip help\".\n", ops[0])
		return 1
	}
	return 0
}

// target splits a URL argument into host and port the way wget and curl would.
func target(raw string) (u *url.URL, host, port string) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return nil, "", ""
	}
	port = u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
		if u.Scheme == "ftp" {
			port = "21"
		}
	}
	return u, u.Hostname(), port
}

// urlArgs picks the URLs from wget/curl arguments, skipping the values of options that take
// one.
func urlArgs(args []string, withValue string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "--") {
			if !strings.Contains(a, "=") && strings.Contains(withValue, "|"+a+"|") {
				i++
			}
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			if strings.Contains(withValue, "|"+a[len(a)-1:]+"|") && len(a) == 2 {
				i++
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

func (s *Session) recordURL(u string) {
	if len(s.dl) < 32 {
		s.dl = append(s.dl, u)
	}
}

// reach says what connecting to host:port does from the fake host, after how long.
func (s *Session) reach(host string) (resolved bool, err string, after time.Duration) {
	a, e := netip.ParseAddr(host)
	if e != nil {
		return false, "Temporary failure in name resolution", 3 * time.Millisecond
	}
	_, subnet := s.bcast()
	switch {
	case a.Unmap().IsLoopback():
		return true, "Connection refused", 0
	case a.Unmap() == s.localIP():
		return true, "Connection refused", 0
	case subnet.Contains(a.Unmap()):
		return true, "No route to host", 3 * time.Second
	}
	return true, "Network is unreachable", 0
}

func cmdWget(s *Session, args []string) int {
	urls := urlArgs(args, "|O|o|P|U|t|T|e|a|i|--output-document|--user-agent|--directory-prefix|--tries|--timeout|--header|")
	quiet := false
	for _, a := range args {
		if a == "-q" || a == "--quiet" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "q") {
			quiet = true
		}
	}
	if len(urls) == 0 {
		s.errorf("wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n")
		return 1
	}
	say := func(format string, a ...any) {
		if !quiet {
			s.errorf(format, a...)
		}
	}
	status := 0
	for _, raw := range urls {
		s.recordURL(raw)
		u, host, port := target(raw)
		if u == nil {
			s.errorf("%s: Invalid URL %s: Unsupported scheme\n", raw, raw)
			status = 1
			continue
		}
		say("--%s--  %s\n", s.opt.Now().UTC().Format("2006-01-02 15:04:05"), u.String())
		resolved, reason, after := s.reach(host)
		s.pause(after)
		if !resolved {
			say("Resolving %s (%s)... failed: %s.\n", host, host, reason)
			s.errorf("wget: unable to resolve host address ‘%s’\n", host)
		} else {
			say("Connecting to %s:%s... failed: %s.\n", host, port, reason)
		}
		status = 4
	}
	return status
}

func cmdCurl(s *Session, args []string) int {
	urls := urlArgs(args, "|o|u|H|d|X|A|e|m|x|b|c|T|F|w|--output|--user|--header|--data|--request|--user-agent|--referer|--max-time|--proxy|--cookie|--connect-timeout|--retry|")
	if len(urls) == 0 {
		s.errorf("curl: try 'curl --help' or 'curl --manual' for more information\n")
		return 2
	}
	status := 0
	for _, raw := range urls {
		s.recordURL(raw)
		u, host, port := target(raw)
		if u == nil {
			s.errorf("curl: (3) URL using bad/illegal format or missing URL\n")
			status = 3
			continue
		}
		resolved, _, after := s.reach(host)
		s.pause(after)
		if !resolved {
			s.errorf("curl: (6) Could not resolve host: %s\n", host)
			status = 6
			continue
		}
		s.errorf("curl: (7) Failed to connect to %s port %s after %d ms: Couldn't connect to server\n", host, port, after.Milliseconds())
		status = 7
	}
	return status
}

func cmdPing(s *Session, args []string) int {
	_, _, ops := flags(args)
	if len(ops) == 0 {
		s.errorf("ping: usage error: Destination address required\n")
		return 1
	}
	host := ops[len(ops)-1]
	resolved, reason, after := s.reach(host)
	s.pause(after)
	if !resolved {
		s.errorf("ping: %s: %s\n", host, reason)
		return 2
	}
	if reason == "Network is unreachable" {
		s.errorf("ping: connect: Network is unreachable\n")
		return 2
	}
	s.printf("PING %s (%s) 56(84) bytes of data.\n", host, host)
	s.printf("From %s icmp_seq=1 Destination Host Unreachable\n\n--- %s ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100%% packet loss, time 0ms\n\n", s.localIP(), host)
	return 1
}
