package ftp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// The data side of a session: passive and active data connections and the commands that
// use them (LIST, NLST, RETR, STOR).

// closeDataLocked closes the passive listener and the data connection, and forgets the
// active target.
func (s *session) closeDataLocked() {
	if s.pasv != nil {
		s.pasv.Close()
		s.pasv = nil
	}
	if s.data != nil {
		s.data.Close()
		s.data = nil
	}
	s.active = ""
}

// passive opens a listener for one data connection. Only the control connection's peer may
// connect to it; it is closed after one connection, after a timeout, or with the session.
func (s *session) passive(extended bool, arg string) {
	if extended && strings.EqualFold(strings.TrimSpace(arg), "ALL") {
		s.reply(200, "EPSV ALL ok.")
		return
	}
	_, local := honeypot.Endpoints(s.raw)
	announce := local.Addr()
	if ip := s.svc.cfg.PassiveIP; ip != "" {
		if a, err := netip.ParseAddr(ip); err == nil && a.Is4() {
			announce = a
		}
	}
	if !extended && !announce.Is4() {
		s.reply(425, "Use EPSV with IPv6.")
		return
	}
	ln, err := s.listen(local.Addr().String())
	if err != nil {
		s.reply(425, "Failed to enter passive mode.")
		return
	}
	s.mu.Lock()
	if s.aborted {
		s.mu.Unlock()
		ln.Close()
		return
	}
	s.closeDataLocked()
	s.pasv = ln
	s.mu.Unlock()
	port := ln.Addr().(*net.TCPAddr).Port
	if extended {
		s.reply(229, fmt.Sprintf("Entering Extended Passive Mode (|||%d|)", port))
		return
	}
	b := announce.As4()
	s.reply(227, fmt.Sprintf("Entering Passive Mode (%d,%d,%d,%d,%d,%d).", b[0], b[1], b[2], b[3], port>>8, port&0xff))
}

func (s *session) listen(host string) (net.Listener, error) {
	lo, hi, ok := parseRange(s.svc.cfg.PassivePorts)
	if !ok {
		return net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	var err error
	for range 20 {
		var ln net.Listener
		p := lo + rand.IntN(hi-lo+1)
		if ln, err = net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p))); err == nil {
			return ln, nil
		}
	}
	return nil, err
}

// port records an active-mode request the way vsftpd checks it: the address must be the
// client's own and the port unprivileged, so a bounce to a third host is refused with vsftpd's
// words. Even an allowed one is never connected to (the honeypot makes no outgoing
// connections), so the following transfer fails like a firewalled client would.
func (s *session) port(cmd, arg string) {
	var msg string
	if cmd == "PORT" {
		msg = s.checkPORT(arg)
	} else {
		msg = s.checkEPRT(arg)
	}
	if msg != "" {
		s.reply(500, msg)
		return
	}
	s.mu.Lock()
	s.closeDataLocked()
	s.active = arg
	s.mu.Unlock()
	if cmd == "PORT" {
		s.reply(200, "PORT command successful. Consider using PASV.")
	} else {
		s.reply(200, "EPRT command successful. Consider using EPSV.")
	}
}

// checkPORT returns vsftpd's refusal of "h1,h2,h3,h4,p1,p2", or "" when it is allowed.
func (s *session) checkPORT(arg string) string {
	const illegal = "Illegal PORT command."
	parts := strings.Split(strings.TrimSpace(arg), ",")
	if len(parts) != 6 {
		return illegal
	}
	var b [6]byte
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 {
			return illegal
		}
		b[i] = byte(n)
	}
	addr := netip.AddrFrom4([4]byte{b[0], b[1], b[2], b[3]})
	if !s.allowedTarget(addr, int(b[4])<<8|int(b[5])) {
		return illegal
	}
	return ""
}

// checkEPRT returns vsftpd's refusal of "|1|address|port|", or "" when it is allowed.
func (s *session) checkEPRT(arg string) string {
	before, rest, _ := strings.Cut(arg, "|")
	if before != "" {
		return "Bad EPRT command."
	}
	proto, rest, _ := strings.Cut(rest, "|")
	if proto != "1" && !(proto == "2" && s.src().Is6() && !s.src().Is4In6()) {
		return "Bad EPRT protocol."
	}
	host, rest, _ := strings.Cut(rest, "|")
	addr, err := netip.ParseAddr(host)
	if err != nil || (proto == "1") != addr.Is4() {
		return "Bad EPRT command."
	}
	portText, _, _ := strings.Cut(rest, "|")
	port, err := strconv.Atoi(portText)
	if err != nil {
		port = 0 // vsftpd reads a bad number as 0: a privileged port
	}
	if port > 65535 {
		return "Bad EPRT command."
	}
	if !s.allowedTarget(addr, port) {
		return "Illegal EPRT command."
	}
	return ""
}

// allowedTarget says whether vsftpd (port_promiscuous off) would connect to addr:port.
func (s *session) allowedTarget(addr netip.Addr, port int) bool {
	return addr == s.src().Unmap() && port >= 1024
}

// openData waits for the client's data connection; it answers 425 itself when there is none.
func (s *session) openData() net.Conn {
	s.mu.Lock()
	ln, active := s.pasv, s.active
	s.active = ""
	s.mu.Unlock()
	if ln == nil {
		if active != "" {
			s.note("active mode data connection to " + active + " not made")
			s.reply(425, "Failed to establish connection.")
		} else {
			s.reply(425, "Use PORT or PASV first.")
		}
		return nil
	}
	// The listener stays in s.pasv while waiting, so that abort (Stop) can close it.
	defer func() {
		s.mu.Lock()
		if s.pasv == ln {
			s.pasv = nil
		}
		s.mu.Unlock()
		ln.Close()
	}()
	src, _ := honeypot.Endpoints(s.raw)
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(dataAcceptTimeout))
	for {
		c, err := ln.Accept()
		if err != nil {
			s.reply(425, "Failed to establish connection.")
			return nil
		}
		from, _ := honeypot.Endpoints(c)
		if from.Addr() != src.Addr() {
			s.note("data connection from other address " + from.String() + " refused")
			c.Close()
			continue
		}
		s.mu.Lock()
		if s.aborted {
			s.mu.Unlock()
			c.Close()
			return nil
		}
		s.data = c
		s.mu.Unlock()
		c.SetDeadline(time.Now().Add(dataTransferTimeout))
		return c
	}
}

func (s *session) closeData() {
	s.mu.Lock()
	if s.data != nil {
		s.data.Close()
		s.data = nil
	}
	s.mu.Unlock()
}

func (s *session) list(long bool, arg string) {
	// Skip ls-style flags ("LIST -la", "LIST -a /pub").
	fields := strings.Fields(arg)
	for len(fields) > 0 && strings.HasPrefix(fields[0], "-") {
		fields = fields[1:]
	}
	target := resolve(s.cwd, strings.Join(fields, " "))
	text, ok := s.fs.listing(target, long, time.Now())
	dc := s.openData()
	if dc == nil {
		return
	}
	s.reply(150, "Here comes the directory listing.")
	if ok {
		_, _ = io.WriteString(dc, text) // as with every reply, a failed write means the client is gone
	}
	s.closeData()
	s.reply(226, "Directory send OK.")
}

func (s *session) retr(arg string) {
	p := resolve(s.cwd, arg)
	n, ok := s.fs[p]
	if !ok || n.dir {
		s.reply(550, "Failed to open file.")
		return
	}
	dc := s.openData()
	if dc == nil {
		return
	}
	mode := "ASCII"
	if s.binary {
		mode = "BINARY"
	}
	size := n.fileSize()
	s.reply(150, fmt.Sprintf("Opening %s mode data connection for %s (%d bytes).", mode, path.Base(p), size))
	var err error
	if n.content != "" {
		_, err = io.WriteString(dc, n.content)
	} else {
		_, err = io.CopyN(dc, filler{}, min(size, maxRetr))
	}
	s.closeData()
	if err != nil || size > maxRetr {
		s.reply(426, "Failure writing network stream.")
		return
	}
	s.reply(226, "Transfer complete.")
}

// filler yields the bytes of fake files that have no content.
type filler struct{}

func (filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*131 + 7)
	}
	return len(p), nil
}

// stor reads (and discards) up to MaxUpload bytes, recording name, size and SHA-256.
func (s *session) stor(cmd, arg string) {
	p := resolve(s.cwd, arg)
	if cmd == "STOU" {
		p = resolve(s.cwd, fmt.Sprintf("file%d", time.Now().UnixNano()%100000))
	}
	parent, ok := s.fs[path.Dir(p)]
	existing := s.fs[p]
	if (arg == "" && cmd != "STOU") || !ok || !parent.dir || (existing != nil && existing.dir) {
		s.reply(553, "Could not create file.")
		return
	}
	dc := s.openData()
	if dc == nil {
		return
	}
	if cmd == "STOU" {
		s.reply(150, "FILE: "+path.Base(p))
	} else {
		s.reply(150, "Ok to send data.")
	}
	h := sha256.New()
	limit := s.svc.cfg.MaxUpload
	n, err := io.Copy(h, io.LimitReader(dc, limit+1))
	s.closeData()
	capped := n > limit
	if capped {
		n = limit
	}
	text := fmt.Sprintf("%s %s: %d bytes received, sha256 %s", cmd, p, n, hex.EncodeToString(h.Sum(nil)))
	if capped {
		text = fmt.Sprintf("%s %s: more than %d bytes sent, cut off (sha256 of the first %d bytes %s)", cmd, p, limit, limit+1, hex.EncodeToString(h.Sum(nil)))
	}
	s.sess.Update(func(e *model.Event) {
		s.nUploads++
		if len(s.uploads) < maxUploads {
			s.uploads = append(s.uploads, upload{name: p, size: n, capped: capped})
		}
		honeypot.Interaction(e, time.Now(), text)
	})
	if len(s.fs) < maxNodes {
		s.fs[p] = &node{size: n, mod: time.Now()}
	}
	switch {
	case capped:
		s.reply(552, "Exceeded storage allocation.")
	case err != nil:
		s.reply(426, "Failure reading network stream.")
	default:
		s.reply(226, "Transfer complete.")
	}
}
