package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"honeysens/app/honeypot"
	"honeysens/app/honeypot/shell"
)

// Name is the service name events carry.
const Name = "ssh"

// What a connection may do, beyond the shared limits.
const (
	loginGrace     = 2 * time.Minute // OpenSSH's LoginGraceTime: time to authenticate
	maxAuthTries   = 6               // OpenSSH's MaxAuthTries
	maxChannels    = 10              // concurrent session channels per connection
	sniffLen       = 256             // bytes of the client's first input kept to name what it was
	readBufferSize = 1024
)

// The algorithms of OpenSSH 9.2 that x/crypto implements, in OpenSSH's order, so that the key
// exchange offer looks like Debian's sshd and not like a Go program.
var (
	kexAlgos = []string{gossh.KeyExchangeCurve25519, gossh.KeyExchangeECDHP256, gossh.KeyExchangeECDHP384,
		gossh.KeyExchangeECDHP521, gossh.KeyExchangeDHGEXSHA256, gossh.KeyExchangeDH16SHA512, gossh.KeyExchangeDH14SHA256}
	ciphers = []string{gossh.CipherChaCha20Poly1305, gossh.CipherAES128CTR, gossh.CipherAES192CTR, gossh.CipherAES256CTR,
		gossh.CipherAES128GCM, gossh.CipherAES256GCM}
	macs = []string{gossh.HMACSHA256ETM, gossh.HMACSHA512ETM, gossh.HMACSHA256, gossh.HMACSHA512, gossh.HMACSHA1}
	// the server-sig-algs extension: sshd 9.2's list without webauthn-sk-ecdsa-sha2-nistp256
	// and ssh-dss, which x/crypto cannot take (it drops them from the list). Every key is
	// refused anyway; the list only says which a client may offer.
	pubKeyAuthAlgos = []string{gossh.KeyAlgoED25519, gossh.KeyAlgoSKED25519, gossh.KeyAlgoECDSA256, gossh.KeyAlgoECDSA384,
		gossh.KeyAlgoECDSA521, gossh.KeyAlgoSKECDSA256, gossh.KeyAlgoRSA, gossh.KeyAlgoRSASHA256, gossh.KeyAlgoRSASHA512}
)

// Service is the ssh honeypot.
type Service struct {
	*honeypot.Base
	cfg    Config
	srv    *honeypot.TCPServer
	guard  *honeypot.Guard // srv's
	policy *shell.Policy
	now    func() time.Time
	// failDelay is how long a wrong password waits for its answer (tests shorten it).
	failDelay time.Duration
	// base is the server configuration every connection starts from: algorithms, banner
	// and host keys, set by Start before the first connection. Each connection copies it
	// and adds its own callbacks (serverConfig).
	base *gossh.ServerConfig
}

// New returns the service; zero limits take honeypot.DefaultLimits' values and empty settings
// their defaults. Nothing is bound until Start.
func New(cfg Config, lim honeypot.Limits, log *slog.Logger) *Service {
	cfg.fill()
	base := honeypot.NewBase(Name, lim, log)
	srv := honeypot.NewTCPServer(base.Limits, base.Log)
	return &Service{Base: base, cfg: cfg, srv: srv, guard: srv.Guard(), policy: shell.NewPolicy(cfg.Accept, cfg.AcceptAfter),
		now: time.Now, failDelay: passwordFailDelay}
}

// passwordFailDelay is pam_unix's delay after a wrong password, which Debian's sshd (UsePAM
// yes) waits before it answers: an answer at once would tell a timing-aware bot that this is
// no sshd. Only failures wait; the connection's handshake holds, no other.
const passwordFailDelay = 2 * time.Second

// Addr returns the bound address, or nil before Start.
func (s *Service) Addr() net.Addr { return s.srv.Addr() }

// Start loads (or creates) the host keys, binds the port and serves until Stop.
func (s *Service) Start(rep honeypot.Reporter) error {
	return s.Base.Start(rep, func(*honeypot.Sessions) error {
		if err := s.cfg.Validate(); err != nil {
			return err
		}
		signers, err := LoadHostKeys(s.cfg.HostKeyFile)
		if err != nil {
			return err
		}
		s.base = &gossh.ServerConfig{
			Config:                  gossh.Config{KeyExchanges: kexAlgos, Ciphers: ciphers, MACs: macs},
			ServerVersion:           s.cfg.Banner,
			MaxAuthTries:            maxAuthTries,
			PublicKeyAuthAlgorithms: pubKeyAuthAlgos,
		}
		for _, k := range signers {
			s.base.AddHostKey(k)
		}
		return s.ListenTCP(s.srv, s.cfg.Listen, s.handle)
	})
}

// Stop closes the listener and every connection and waits for their events to be reported.
func (s *Service) Stop() { s.Base.Stop(s.srv.Stop) }

// conn is one client connection.
type conn struct {
	s        *Service
	tr       *shell.Transcript
	src, dst netip.Addr
	start    time.Time
	infoOnce sync.Once
	user     string
	channels atomic.Int32
	// ctx is done when the connection has ended or the service stops: it ends the fake
	// shell's sleeps, which read nothing from the client that could notice.
	ctx context.Context
}

// sniffConn keeps the first bytes the client sends, to name a client that never completes
// the handshake (a scanner, a banner grabber, an HTTP request on the wrong port).
type sniffConn struct {
	net.Conn
	mu      sync.Mutex
	first   []byte
	checked bool // the client's version line was looked at
}

// Read also refuses a client whose first line sshd refuses, with sshd's message, once the
// line is complete: x/crypto skips lines before a version line and talks to any version, so
// an HTTP request or an SSH-1 client (nmap's ssh-hostkey probe, for one) would wait for
// half a minute where sshd closes at once.
func (c *sniffConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if room := sniffLen - len(c.first); room > 0 && n > 0 {
		c.first = append(c.first, p[:min(n, room)]...)
	}
	refusal := ""
	if !c.checked { // looked at once: not on every later read of the connection
		if line, _, complete := strings.Cut(string(c.first), "\n"); complete {
			c.checked = true
			refusal = identificationRefusal(strings.TrimSuffix(line, "\r"))
		}
	}
	c.mu.Unlock()
	if refusal != "" {
		_, _ = c.Conn.Write([]byte(refusal + "\r\n")) // the connection ends either way
		return 0, io.EOF
	}
	return n, err
}

// identificationRefusal returns what sshd answers to a client's first line before it closes
// the connection, or "" for a version line it takes: "SSH-<major>.<minor>-<software>" of
// protocol 2 (or 1.99, a client that also speaks 2). sshd reads the numbers as scanf's %d
// does, so spaces and a sign before them pass.
func identificationRefusal(line string) string {
	const invalid = "Invalid SSH identification string."
	rest, ok := strings.CutPrefix(line, "SSH-")
	if !ok || strings.IndexByte(line, 0) >= 0 {
		return invalid
	}
	major, rest, ok := scanInt(rest)
	if !ok {
		return invalid
	}
	if rest, ok = strings.CutPrefix(rest, "."); !ok {
		return invalid
	}
	minor, rest, ok := scanInt(rest)
	if !ok {
		return invalid
	}
	if rest, ok = strings.CutPrefix(rest, "-"); !ok || rest == "" {
		return invalid
	}
	if major == 2 || major == 1 && minor == 99 {
		return ""
	}
	return "Protocol major versions differ."
}

// scanInt reads a decimal number as scanf's %d does (spaces, a sign, digits) and returns it
// with the rest of s. Numbers too long to matter come back as -1.
func scanInt(s string) (int, string, bool) {
	s = strings.TrimLeft(s, " \t")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	i, n := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n >= 0 && n < 1e6 {
			n = n*10 + int(s[i]-'0')
		} else {
			n = -1
		}
	}
	if i == 0 {
		return 0, s, false
	}
	if neg && n > 0 {
		n = -n
	}
	return n, s[i:], true
}

func (c *sniffConn) firstLine() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, _, _ := strings.Cut(string(c.first), "\n")
	return strings.TrimRight(l, "\r")
}

func (s *Service) handle(raw, wrapped net.Conn) {
	start := s.now()
	c := &conn{s: s, tr: shell.NewTranscript("SSH", s.Sessions(), honeypot.NewEvent(Name, raw, start), start), start: start}
	src, dst := honeypot.Endpoints(raw)
	c.src, c.dst = src.Addr(), dst.Addr()
	sniff := &sniffConn{Conn: honeypot.WatchInput(wrapped, c.tr.Input)}
	var authed atomic.Bool
	var graceHit atomic.Bool
	grace := time.AfterFunc(loginGrace, func() {
		if !authed.Load() {
			graceHit.Store(true)
			wrapped.Close()
		}
	})
	if loginGrace >= s.Limits.TotalTimeout {
		grace.Stop() // the total limit comes first anyway
	}
	defer grace.Stop()
	var connErr error
	defer func() { c.tr.Close(c.closeReason(connErr, graceHit.Load())) }()

	sconn, chans, reqs, err := gossh.NewServerConn(sniff, c.serverConfig())
	if err != nil {
		connErr = err
		first := sniff.firstLine()
		switch {
		case first == "":
			c.tr.SetNote("connection closed before the SSH handshake")
		case strings.HasPrefix(first, "SSH-"):
			c.info(first, "")
			if c.tr.Failed() == 0 {
				c.tr.SetNote("handshake without login (" + first + ")")
			}
		default:
			c.tr.Info("client sent: " + first)
			c.tr.SetNote("not an SSH client")
		}
		return
	}
	authed.Store(true)
	grace.Stop()
	var cancel context.CancelFunc
	c.ctx, cancel = context.WithCancel(s.srv.Context())
	defer cancel()
	c.user = sconn.User()
	c.info(string(sconn.ClientVersion()), hostKeyAlgo(sconn.Conn))

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.globalRequests(reqs)
	}()
	for nc := range chans {
		switch nc.ChannelType() {
		case "session":
			if c.channels.Add(1) > maxChannels {
				c.channels.Add(-1)
				nc.Reject(gossh.ResourceShortage, "too many sessions")
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.channels.Add(-1)
				c.session(nc)
			}()
		case "direct-tcpip":
			// sshd with AllowTcpForwarding no
			c.tr.Note(describeForward(nc.ChannelType(), nc.ExtraData()))
			nc.Reject(gossh.Prohibited, "open failed")
		case "direct-streamlocal@openssh.com":
			// sshd's answer for a socket that is not there
			c.tr.Note(describeForward(nc.ChannelType(), nc.ExtraData()))
			nc.Reject(gossh.ConnectionFailed, "open failed")
		default:
			// sshd's answer to a channel type it does not open for clients
			c.tr.Note(fmt.Sprintf("channel %q refused", nc.ChannelType()))
			nc.Reject(gossh.ConnectionFailed, "open failed")
		}
	}
	connErr = sconn.Wait()
	sconn.Close()
	cancel()
	wg.Wait()
}

// closeReason names why the connection ended, for the close line.
func (c *conn) closeReason(err error, grace bool) string {
	switch {
	case c.s.srv.Stopping():
		return "service stopped"
	case grace:
		return "login grace time over"
	case err != nil && strings.Contains(err.Error(), "too many authentication failures"):
		return "too many authentication failures" // our disconnect at MaxAuthTries
	case err == nil || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "ssh: disconnect"):
		return "client disconnected"
	case errors.Is(err, os.ErrDeadlineExceeded):
		if c.s.now().Sub(c.start) >= c.s.Limits.TotalTimeout-min(time.Second, c.s.Limits.TotalTimeout/10) {
			return "total time limit"
		}
		return "idle timeout"
	case strings.Contains(err.Error(), "input limit"):
		return "input limit"
	case strings.Contains(err.Error(), "no auth passed yet"):
		return "authentication failed"
	}
	return "connection error"
}

func hostKeyAlgo(c gossh.Conn) string {
	if a, ok := c.(gossh.AlgorithmsConnMetadata); ok {
		return a.Algorithms().HostKey
	}
	return ""
}

// info records the client version and host key type once.
func (c *conn) info(version, hostKey string) {
	c.infoOnce.Do(func() {
		c.tr.Info("client version: " + version)
		if hostKey != "" {
			c.tr.Info("host key type: " + hostKey)
		}
	})
}

var errDenied = errors.New("permission denied")

// serverConfig is the service's base configuration with this connection's callbacks.
func (c *conn) serverConfig() *gossh.ServerConfig {
	cfg := *c.s.base
	cfg.AuthLogCallback = func(meta gossh.ConnMetadata, method string, err error) {
		hk := ""
		if a, ok := meta.(gossh.AlgorithmsConnMetadata); ok {
			hk = a.Algorithms().HostKey
		}
		c.info(string(meta.ClientVersion()), hk)
	}
	cfg.PasswordCallback = func(meta gossh.ConnMetadata, pw []byte) (*gossh.Permissions, error) {
		return c.login("password", meta.User(), string(pw))
	}
	cfg.PublicKeyCallback = func(meta gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
		// x/crypto caches the answer per key, so each key is recorded once
		c.tr.PublicKey(meta.User(), key.Type(), gossh.FingerprintSHA256(key))
		return nil, errDenied
	}
	return &cfg
}

func (c *conn) login(method, user, password string) (*gossh.Permissions, error) {
	ok := c.s.policy.Check(c.src, user, password)
	c.tr.Login(method, user, password, ok)
	if !ok {
		if c.s.failDelay > 0 {
			t := time.NewTimer(c.s.failDelay)
			select {
			case <-t.C:
			case <-c.s.srv.Context().Done(): // the service stops
				t.Stop()
			}
		}
		return nil, errDenied
	}
	return &gossh.Permissions{}, nil
}

func (c *conn) globalRequests(reqs <-chan *gossh.Request) {
	for req := range reqs {
		switch req.Type {
		case "tcpip-forward", "streamlocal-forward@openssh.com":
			var m struct {
				Addr string
				Port uint32
			}
			what := req.Type
			if gossh.Unmarshal(req.Payload, &m) == nil {
				what = fmt.Sprintf("remote port forwarding %s:%d", m.Addr, m.Port)
			}
			c.tr.Note(what + ": refused")
		}
		if req.WantReply {
			req.Reply(false, nil)
		}
	}
}

func describeForward(kind string, extra []byte) string {
	var m struct {
		Host     string
		Port     uint32
		OrigHost string
		OrigPort uint32
	}
	if kind == "direct-tcpip" && gossh.Unmarshal(extra, &m) == nil {
		return fmt.Sprintf("port forwarding to %s:%d (from %s:%d): refused", m.Host, m.Port, m.OrigHost, m.OrigPort)
	}
	return kind + " channel: refused"
}
