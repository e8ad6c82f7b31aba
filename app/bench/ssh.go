package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"honeysens/app/auth"
	"honeysens/app/honeypot"
	hpssh "honeysens/app/honeypot/ssh"
	"honeysens/app/ingest"
	"honeysens/app/model"
	"honeysens/app/sensor"
	"honeysens/app/store"
)

// The SSH phase's load: sshWorkers clients at once, each running sshPerWorker sessions per
// round (or until sshRoundLimit), sshRounds rounds per server taken in turns, after a warm-up
// round of sshWarmup sessions per client on each server.
const (
	sshWorkers    = 8
	sshPerWorker  = 100
	sshRounds     = 5
	sshWarmup     = 10
	sshRoundLimit = 30 * time.Second
	sshCommand    = "uname -a"
)

// RunSSH runs only the SSH phase (bench --ssh-only) on a database of its own.
func RunSSH(ctx context.Context, opt Options, w io.Writer) error {
	r, cleanup, err := newRunner(opt, w)
	if err != nil {
		return err
	}
	defer cleanup()
	st, sensors, err := r.openStore(ctx, "ssh.db")
	if err != nil {
		return err
	}
	commits := new(atomic.Int64)
	ing := ingest.New(st, slog.New(slog.DiscardHandler), func([]*model.Event) { commits.Add(1) })
	err = r.sshSpeed(ctx, &env{st: st, ing: ing, sensors: sensors, commits: commits})
	ing.Close()
	st.Close()
	if err != nil {
		return err
	}
	return r.out.Flush()
}

// sshSpeed measures connect + password login + exec "uname -a" + close against two servers
// with the same host keys and algorithms, driven by the same in-process x/crypto/ssh client:
// a bare x/crypto/ssh server that accepts the login, answers the exec with a fixed output and
// records nothing (the ceiling of the library on this machine), and the SSH honeypot started
// as the appliance starts it, reporting through the ingest service like the local sensor, a
// round being over only when every session of it is committed as an event. Target: 0.80 of
// the ceiling. Afterwards the store must hold exactly one event per honeypot session.
func (r *Runner) sshSpeed(ctx context.Context, e *env) error {
	sn := &model.Sensor{Name: "ssh-bench", GroupID: e.sensors[0].GroupID, UpdateInterval: 60, Secret: auth.NewSensorSecret()}
	if err := e.st.CreateSensor(ctx, sn); err != nil {
		return err
	}
	commitsBefore := e.commits.Load()
	keyFile := filepath.Join(r.dir, "ssh_host_keys")
	signers, err := hpssh.LoadHostKeys(keyFile)
	if err != nil {
		return err
	}
	cfg := hpssh.DefaultConfig()
	cfg.Listen, cfg.HostKeyFile = "127.0.0.1:0", keyFile
	user, pass, _ := strings.Cut(cfg.Accept[0], ":")

	// the goroutines of each side carry a profile label (bench --cpuprofile, pprof -tagfocus)
	var bare *bareSSH
	pprof.Do(ctx, pprof.Labels("ssh", "bare"), func(context.Context) { bare, err = startBareSSH(signers, cfg.Banner, user, pass) })
	if err != nil {
		return err
	}
	defer bare.close()

	// the local sensor's reporter (sensor.Local uses the same), which returns once the event
	// is committed
	local := sensor.NewLocalReporter(e.st, e.ing, sn.ID)
	defer local.Close()
	var finals, failed atomic.Int64
	rep := honeypot.ReporterFunc(func(ctx context.Context, ev *model.Event) error {
		err := local.Report(ctx, ev)
		switch {
		case err != nil:
			failed.Add(1)
		case !ev.Ongoing:
			finals.Add(1)
		}
		return err
	})
	svc := hpssh.New(cfg, honeypot.DefaultLimits, slog.New(slog.DiscardHandler))
	pprof.Do(ctx, pprof.Labels("ssh", "honeypot"), func(context.Context) { err = svc.Start(rep) })
	if err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			svc.Stop()
		}
	}()
	ours := svc.Addr().String()

	// committed waits until every honeypot session so far has its final report committed
	var sessions int64
	committed := func() error {
		deadline := time.Now().Add(sshRoundLimit)
		for finals.Load()+failed.Load() < sessions {
			if time.Now().After(deadline) {
				return fmt.Errorf("ssh bench: %d of %d sessions reported after %s", finals.Load(), sessions, sshRoundLimit)
			}
			time.Sleep(time.Millisecond)
		}
		if n := failed.Load(); n > 0 {
			return fmt.Errorf("ssh bench: %d reports failed", n)
		}
		return nil
	}

	// The rounds take the two servers in turns, each first in every other round, so that a
	// change in the machine's speed falls on both alike; the figure is the median of the
	// rounds' ratios (the range is shown next to it).
	var bareRun, oursRun sshResult
	var ratios []float64
	for round := 0; round <= sshRounds; round++ {
		per := sshPerWorker
		if round == 0 {
			per = sshWarmup
		}
		var b, o sshResult
		runBare := func() (err error) {
			if b, err = sshLoad(bare.addr, user, pass, per); err != nil {
				return fmt.Errorf("ssh bench, bare server: %w", err)
			}
			return nil
		}
		runOurs := func() (err error) {
			start := time.Now()
			if o, err = sshLoad(ours, user, pass, per); err != nil {
				return fmt.Errorf("ssh bench, honeypot: %w", err)
			}
			sessions += int64(o.sessions + o.failed)
			if err := committed(); err != nil {
				return err
			}
			o.elapsed = time.Since(start) // until the last event is committed
			return nil
		}
		order := []func() error{runBare, runOurs}
		if round%2 == 0 {
			order[0], order[1] = runOurs, runBare
		}
		for _, run := range order {
			if err := run(); err != nil {
				return err
			}
		}
		if round > 0 {
			bareRun.add(b)
			oursRun.add(o)
			ratios = append(ratios, o.rate()/b.rate())
		}
	}
	sort.Float64s(ratios)
	svc.Stop()
	stopped = true
	stored, err := e.st.CountEvents(ctx, &store.EventFilter{SensorID: sn.ID})
	if err != nil {
		return err
	}
	withExec, err := e.st.CountEvents(ctx, &store.EventFilter{SensorID: sn.ID, Fact: &store.Fact{Kind: "command", Value: sshCommand}})
	if err != nil {
		return err
	}

	ceiling, rate := bareRun.rate(), oursRun.rate()
	label := fmt.Sprintf("connect + password + exec + close, %d clients", sshWorkers)
	r.row("SSH ceiling: bare x/crypto/ssh server, "+label, fmt.Sprintf("%.0f sessions/s", ceiling), "-", "-")
	r.row("SSH honeypot, every session committed as an event, "+label, fmt.Sprintf("%.0f sessions/s", rate),
		fmt.Sprintf("%.0f sessions/s", ceiling), fmt.Sprintf("%.2f (target 0.80; median of %d rounds in turns, range %.2f-%.2f)",
			ratios[len(ratios)/2], len(ratios), ratios[0], ratios[len(ratios)-1]))
	r.row("SSH host key algorithm the Go client chose (ceiling / honeypot)", bareRun.hostKey+" / "+oursRun.hostKey, "-", "-")
	r.row("SSH events stored / honeypot sessions", fmt.Sprintf("%d / %d (%d with the exec %q; %d ingest commits)",
		stored, sessions, withExec, sshCommand, e.commits.Load()-commitsBefore), "-", "")
	for _, f := range []struct {
		name string
		res  sshResult
	}{{"ceiling", bareRun}, {"honeypot", oursRun}} {
		if f.res.failed > 0 {
			r.row("SSH sessions failed after login ("+f.name+")", fmt.Sprintf("%d, the first: %s", f.res.failed, f.res.failure), "-", "")
		}
	}
	r.row("RSS after the SSH phase (peak so far)", procStatus("VmRSS")+" ("+procStatus("VmHWM")+")", "-", "")
	if stored != sessions {
		return fmt.Errorf("ssh bench: %d events stored for %d honeypot sessions", stored, sessions)
	}
	return nil
}

// sshResult is what one or more rounds of load did.
type sshResult struct {
	sessions int // completed: logged in, exec answered with its output and exit status
	failed   int // logged in, but the exec failed (the session still exists on the server)
	failure  string
	elapsed  time.Duration
	hostKey  string // the host key algorithm the client negotiated
}

func (s *sshResult) add(o sshResult) {
	s.sessions += o.sessions
	s.failed += o.failed
	s.elapsed += o.elapsed
	if s.hostKey == "" {
		s.hostKey = o.hostKey
	}
	if s.failure == "" {
		s.failure = o.failure
	}
}

func (s *sshResult) rate() float64 { return float64(s.sessions) / s.elapsed.Seconds() }

// sshLoad runs per sessions on each of sshWorkers clients against addr: connect, password
// login, exec sshCommand, read its output and exit status, close.
func sshLoad(addr, user, pass string, per int) (sshResult, error) {
	cfg := &gossh.ClientConfig{User: user, Auth: []gossh.AuthMethod{gossh.Password(pass)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}
	var done, failed atomic.Int64
	var hostKey, failure atomic.Value
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(sshRoundLimit)
	for w := 0; w < sshWorkers; w++ {
		wg.Add(1)
		go pprof.Do(context.Background(), pprof.Labels("ssh", "client"), func(context.Context) {
			defer wg.Done()
			for i := 0; i < per && time.Now().Before(stop); i++ {
				algo, loggedIn, err := sshSession(addr, cfg)
				if err != nil && loggedIn {
					// counted and shown, not fatal: a server fault one session in many
					// must not cost the whole bench
					failure.CompareAndSwap(nil, err.Error())
					failed.Add(1)
					continue
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				hostKey.CompareAndSwap(nil, algo)
				done.Add(1)
			}
		})
	}
	wg.Wait()
	res := sshResult{sessions: int(done.Load()), failed: int(failed.Load()), elapsed: time.Since(start)}
	res.hostKey, _ = hostKey.Load().(string)
	res.failure, _ = failure.Load().(string)
	if firstErr == nil && res.failed*100 > res.sessions+res.failed {
		firstErr = fmt.Errorf("%d of %d sessions failed after login, the first: %s", res.failed, res.sessions+res.failed, res.failure)
	}
	return res, firstErr
}

// sshSession runs one session and returns the negotiated host key algorithm and whether the
// login succeeded (an error after it still leaves a session on the server).
func sshSession(addr string, cfg *gossh.ClientConfig) (algo string, loggedIn bool, err error) {
	conn, err := net.DialTimeout("tcp", addr, cfg.Timeout)
	if err != nil {
		return "", false, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(sshRoundLimit))
	c, chans, reqs, err := gossh.NewClientConn(conn, addr, cfg)
	if err != nil {
		return "", false, err
	}
	client := gossh.NewClient(c, chans, reqs)
	defer client.Close()
	if a, ok := c.(gossh.AlgorithmsConnMetadata); ok {
		algo = a.Algorithms().HostKey
	}
	s, err := client.NewSession()
	if err != nil {
		return algo, true, err
	}
	out, err := s.Output(sshCommand)
	if err != nil {
		return algo, true, fmt.Errorf("exec: %w", err)
	}
	if !strings.HasPrefix(string(out), "Linux ") {
		return algo, true, fmt.Errorf("exec answered %q", out)
	}
	return algo, true, nil
}

// bareSSH is the ceiling: an x/crypto/ssh server with the honeypot's host keys and algorithms
// that accepts one password, answers every exec with a fixed uname line and exit status 0, and
// records nothing.
type bareSSH struct {
	ln   net.Listener
	addr string
	wg   sync.WaitGroup
	mu   sync.Mutex
	open map[net.Conn]struct{}
}

const bareOutput = "Linux debian 6.1.0-23-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.99-1 (2024-07-15) x86_64 GNU/Linux\n"

func startBareSSH(signers []gossh.Signer, banner, user, pass string) (*bareSSH, error) {
	cfg := &gossh.ServerConfig{Config: hpssh.Algorithms(), ServerVersion: banner,
		PasswordCallback: func(meta gossh.ConnMetadata, pw []byte) (*gossh.Permissions, error) {
			if meta.User() == user && string(pw) == pass {
				return &gossh.Permissions{}, nil
			}
			return nil, errors.New("permission denied")
		}}
	for _, s := range signers {
		cfg.AddHostKey(s)
	}
	ln, err := netListen()
	if err != nil {
		return nil, err
	}
	b := &bareSSH{ln: ln, addr: ln.Addr().String(), open: map[net.Conn]struct{}{}}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.open[c] = struct{}{}
			b.mu.Unlock()
			b.wg.Add(1)
			go func() {
				defer b.wg.Done()
				b.serve(c, cfg)
				b.mu.Lock()
				delete(b.open, c)
				b.mu.Unlock()
			}()
		}
	}()
	return b, nil
}

func (b *bareSSH) serve(c net.Conn, cfg *gossh.ServerConfig) {
	defer c.Close()
	sconn, chans, reqs, err := gossh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	defer sconn.Close()
	go gossh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(gossh.UnknownChannelType, "unknown channel type")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go func() {
			for req := range creqs {
				if req.Type != "exec" {
					req.Reply(false, nil)
					continue
				}
				req.Reply(true, nil)
				ch.Write([]byte(bareOutput))
				ch.CloseWrite()
				ch.SendRequest("exit-status", false, gossh.Marshal(struct{ Status uint32 }{0}))
				ch.Close()
			}
		}()
	}
}

func (b *bareSSH) close() {
	b.ln.Close()
	b.mu.Lock()
	for c := range b.open {
		c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
}
