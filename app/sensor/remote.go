package sensor

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
	"honeysens/app/sensorproto"
	"honeysens/app/tlscert"
)

// RemoteConfig is a remote sensor's configuration file, as the server's Sensors page offers it
// for download: where the server is and the sensor's credentials.
type RemoteConfig struct {
	Server string `json:"server"` // base URL, e.g. http://appliance:8080
	// ServerCertSHA256 pins the server's HTTPS certificate (hex SHA-256 of its DER): when set,
	// exactly that certificate is accepted, whoever issued it; when empty, an https server
	// must present a certificate the system trusts.
	ServerCertSHA256 string `json:"server_cert_sha256"`
	Sensor           int64  `json:"sensor"`
	Secret           string `json:"secret"`
	Name             string `json:"name"`
}

// LoadRemoteConfig reads and checks a configuration file.
func LoadRemoteConfig(path string) (*RemoteConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sensor config: %w", err)
	}
	var in struct {
		Server string          `json:"server"`
		Pin    string          `json:"server_cert_sha256"`
		Sensor json.RawMessage `json:"sensor"`
		Secret string          `json:"secret"`
		Name   string          `json:"name"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("sensor config %s: not a JSON object {server, sensor, secret}: %w", path, err)
	}
	c := &RemoteConfig{Server: strings.TrimRight(strings.TrimSpace(in.Server), "/"), Secret: in.Secret, Name: in.Name,
		ServerCertSHA256: strings.ToLower(strings.TrimSpace(in.Pin))}
	c.Sensor, _ = strconv.ParseInt(strings.Trim(strings.TrimSpace(string(in.Sensor)), `"`), 10, 64)
	var errs []error
	u, err := url.Parse(c.Server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("server %q: want a URL such as http://appliance:8080", in.Server))
	} else if c.ServerCertSHA256 != "" && u.Scheme != "https" {
		errs = append(errs, errors.New("server_cert_sha256: a certificate pin needs an https server URL"))
	}
	if c.ServerCertSHA256 != "" && !tlscert.ValidPin(c.ServerCertSHA256) {
		errs = append(errs, errors.New("server_cert_sha256: want 64 hex digits"))
	}
	if c.Sensor <= 0 {
		errs = append(errs, errors.New("sensor: want the sensor's numeric id"))
	}
	if c.Secret == "" {
		errs = append(errs, errors.New("secret: missing"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("sensor config %s: %w", path, err)
	}
	return c, nil
}

// Remote timing and sizes.
const (
	HeartbeatRetry   = 10 * time.Second // heartbeat retry while the server is unreachable
	UploadBatch      = 500              // events per upload request
	uploadBatchBytes = 3 << 20          // and bytes (the server takes 4 MiB bodies)
	backoffMin       = time.Second
	backoffMax       = 30 * time.Second
	FlushTimeout     = 5 * time.Second // how long a stopping sensor tries to deliver what it holds
	requestTimeout   = 30 * time.Second
	servicesFile     = "services.json"
	rejectedFile     = "rejected.jsonl"
	bufferFile       = "buffer.db" // earlier versions: the directory "buffer" (see OpenBuffer)
)

// RemoteOptions configure a Remote.
type RemoteOptions struct {
	Config    *RemoteConfig
	DataDir   string // buffer, last received services, rejected events
	BufferMax int64  // bytes (0: DefaultBufferMax)
	Version   string
	Catalog   Catalog // nil: DefaultCatalog(DataDir)
	Limits    *honeypot.Limits
	Log       *slog.Logger
	Client    *http.Client // nil: NewClient(Config)
}

// NewClient is the HTTP client of a remote sensor: a 30 s timeout per request and, when the
// configuration pins the server's certificate, a check of that pin on every connection (a
// server presenting any other certificate is refused before a byte is sent).
func NewClient(cfg *RemoteConfig) *http.Client {
	c := &http.Client{Timeout: requestTimeout}
	if cfg.ServerCertSHA256 != "" {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tlscert.PinnedClientConfig(cfg.ServerCertSHA256)
		c.Transport = tr
	}
	return c
}

// Remote is `honeysens sensor`: it heartbeats to the server, runs the services the server
// assigns, buffers their events on disk and uploads them in signed batches.
type Remote struct {
	cfg     *RemoteConfig
	dataDir string
	version string
	log     *slog.Logger
	client  *http.Client
	buf     *Buffer
	hold    *revisionHold // keeps interim revisions of sessions out of a backlog
	host    *Host
	now     func() time.Time

	flushTimeout time.Duration

	wake      chan struct{} // an event was buffered
	recovered chan struct{} // a heartbeat got through after failures: cut the upload backoff short
	flush     chan struct{} // stop is flushing: retry at once

	interval   atomic.Int64 // heartbeat interval in seconds, from the server
	lastStatus atomic.Int64 // timestamp of the last status sent
	rejected   atomic.Int64

	stateMu sync.Mutex
	states  map[string]serviceState
}

type serviceState struct {
	State string `json:"state"`
	Error string `json:"error"`
}

// NewRemote opens the sensor's data directory (its buffer) and builds the service host.
func NewRemote(o RemoteOptions) (*Remote, error) {
	if o.Config == nil {
		return nil, errors.New("sensor: no configuration")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Catalog == nil {
		o.Catalog = DefaultCatalog(o.DataDir)
	}
	lim := honeypot.DefaultLimits
	if o.Limits != nil {
		lim = *o.Limits
	}
	if o.Client == nil {
		o.Client = NewClient(o.Config)
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("sensor data directory: %w", err)
	}
	buf, err := OpenBuffer(filepath.Join(o.DataDir, bufferFile), o.BufferMax, o.Log)
	if err != nil {
		return nil, err
	}
	r := &Remote{cfg: o.Config, dataDir: o.DataDir, version: o.Version, log: o.Log, client: o.Client, buf: buf,
		hold: newRevisionHold(buf), now: time.Now, flushTimeout: FlushTimeout, wake: make(chan struct{}, 1), recovered: make(chan struct{}, 1), flush: make(chan struct{}), states: map[string]serviceState{}}
	r.interval.Store(60)
	r.host = NewHost(o.Catalog.Factories(), lim, honeypot.ReporterFunc(r.report), o.Log, r.onState)
	return r, nil
}

// Buffer is the sensor's event queue.
func (r *Remote) Buffer() *Buffer { return r.buf }

// report is the services' Reporter: it buffers the event (see revisionHold) and wakes the
// uploader.
func (r *Remote) report(_ context.Context, e *model.Event) error {
	line, err := sensorproto.EncodeEvent(e)
	if err != nil {
		return err
	}
	if err := r.hold.Append(e, line); err != nil {
		r.log.Error("event not buffered", "err", err)
		return err
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return nil
}

func (r *Remote) onState(name, state, reason string) {
	r.stateMu.Lock()
	r.states[name] = serviceState{State: state, Error: reason}
	r.stateMu.Unlock()
}

// Run runs the sensor until ctx is cancelled: services from the last assignment at once, then
// heartbeats and uploads. On cancel it stops the services (their sessions are buffered), tries
// for FlushTimeout to deliver what is buffered, and closes the buffer; the rest waits for the
// next start.
func (r *Remote) Run(ctx context.Context) error {
	r.log.Info("remote sensor starting", "server", r.cfg.Server, "sensor", r.cfg.Sensor,
		"buffered_bytes", r.buf.Pending(), "dropped_total", r.buf.Dropped())
	if saved, err := r.loadServices(); err != nil {
		r.log.Warn("saved services not read", "err", err)
	} else if saved != nil {
		r.log.Info("running the last services received until the server answers", "services", len(saved))
		r.host.Apply(saved)
	}

	upCtx, cancelUp := context.WithCancel(context.Background())
	upDone := make(chan struct{})
	go func() {
		defer close(upDone)
		r.uploader(upCtx)
	}()

	r.heartbeatLoop(ctx)

	r.log.Info("remote sensor stopping")
	r.host.Stop()
	// The services' final reports replaced what was held; anything else is written now.
	if _, err := r.hold.Release(); err != nil {
		r.log.Error("held session reports not buffered", "err", err)
	}
	close(r.flush)
	deadline := time.NewTimer(r.flushTimeout)
	tick := time.NewTicker(50 * time.Millisecond)
wait:
	for !r.buf.Empty() {
		select {
		case <-deadline.C:
			break wait
		case <-tick.C:
		}
	}
	deadline.Stop()
	tick.Stop()
	cancelUp()
	<-upDone
	if n := r.buf.Pending(); n > 0 {
		r.log.Info("events stay buffered for the next start", "bytes", n)
	}
	return r.buf.Close()
}

// heartbeatLoop heartbeats at once, then every update interval (every HeartbeatRetry while it
// fails), until ctx ends.
func (r *Remote) heartbeatLoop(ctx context.Context) {
	failing := false
	for {
		var wait time.Duration
		if err := r.Heartbeat(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			if !failing {
				r.log.Warn("heartbeat failed; retrying every 10 s", "err", err)
			} else {
				r.log.Debug("heartbeat failed", "err", err)
			}
			failing = true
			wait = HeartbeatRetry
		} else {
			if failing {
				r.log.Info("server reachable again")
				select { // deliver at once rather than after the uploader's backoff
				case r.recovered <- struct{}{}:
				default:
				}
			}
			failing = false
			wait = time.Duration(r.interval.Load()) * time.Second
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// heartbeatReply is the server's answer to a heartbeat.
type heartbeatReply struct {
	ID             int64 `json:"id"`
	Name           string
	UpdateInterval int   `json:"update_interval"`
	ServerTime     int64 `json:"server_time"`
	Services       []struct {
		Name    string          `json:"name"`
		Enabled bool            `json:"enabled"`
		Config  json.RawMessage `json:"config"`
	} `json:"services"`
}

// Heartbeat sends one status report and applies the services of the answer.
func (r *Remote) Heartbeat(ctx context.Context) error {
	r.stateMu.Lock()
	states := make(map[string]serviceState, len(r.states))
	for k, v := range r.states {
		states[k] = v
	}
	r.stateMu.Unlock()
	now := r.now()
	// The server refuses a status not newer than the last (a replay): keep them increasing
	// even when two heartbeats fall into one second.
	ts := max(now.Unix(), r.lastStatus.Load()+1)
	r.lastStatus.Store(ts)
	status := map[string]any{"timestamp": ts, "status": 1, "ip": r.localIP(), "sw_version": r.version,
		"services": states, "dropped": r.buf.Dropped(), "rejected": r.rejected.Load(), "buffered_bytes": r.buf.Pending()}
	body, err := json.Marshal(map[string]any{"sensor": r.cfg.Sensor, "status": status})
	if err != nil {
		return err
	}
	reply, err := r.post(ctx, "/api/sensors/status", body)
	if err != nil {
		return err
	}
	var hb heartbeatReply
	if err := json.Unmarshal(reply, &hb); err != nil {
		return fmt.Errorf("heartbeat answer: %w", err)
	}
	if hb.ID != 0 && hb.ID != r.cfg.Sensor {
		return fmt.Errorf("heartbeat answer is for sensor %d, not %d", hb.ID, r.cfg.Sensor)
	}
	if hb.UpdateInterval > 0 {
		r.interval.Store(int64(hb.UpdateInterval))
	}
	if d := time.Duration(hb.ServerTime-now.Unix()) * time.Second; hb.ServerTime > 0 && (d > 30*time.Second || d < -30*time.Second) {
		r.log.Warn("this sensor's clock differs from the server's; signed requests fail beyond 60 s", "offset", d)
	}
	assigned := make([]*model.SensorService, 0, len(hb.Services))
	for _, s := range hb.Services {
		assigned = append(assigned, &model.SensorService{SensorID: r.cfg.Sensor, Name: s.Name, Enabled: s.Enabled, Config: s.Config})
	}
	r.host.Apply(assigned)
	if err := r.saveServices(assigned); err != nil {
		r.log.Warn("services not saved", "err", err)
	}
	return nil
}

// localIP is the address this host uses to reach the server (no packet is sent).
func (r *Remote) localIP() string {
	u, err := url.Parse(r.cfg.Server)
	if err != nil {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	c, err := net.Dial("udp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return ""
	}
	defer c.Close()
	if a, ok := c.LocalAddr().(*net.UDPAddr); ok {
		return a.IP.String()
	}
	return ""
}

// HTTPError is a non-200 answer of the server.
type HTTPError struct {
	Status  int
	Message string
}

func (e *HTTPError) Error() string { return fmt.Sprintf("server answered %d: %s", e.Status, e.Message) }

// post sends a signed request and returns the body of a 200 answer whose signature is valid.
func (r *Remote) post(ctx context.Context, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.cfg.Server+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts := r.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-HS-Sensor", strconv.FormatInt(r.cfg.Sensor, 10))
	req.Header.Set("X-HS-TS", strconv.FormatInt(ts, 10))
	req.Header.Set("X-HS-Type", "sha256")
	req.Header.Set("X-HS-Auth", sensorproto.Sign(r.cfg.Secret, ts, "create", body))
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(reply))
		var e model.Error
		if json.Unmarshal(reply, &e) == nil && e.Message != "" {
			msg = e.Message
			for field, m := range e.Fields {
				msg += " " + field + ": " + m
			}
		}
		return nil, &HTTPError{Status: resp.StatusCode, Message: model.Clip(msg, 300)}
	}
	if err := r.verifyReply(resp.Header, reply); err != nil {
		return nil, err
	}
	return reply, nil
}

// ErrUnsignedReply is an answer without a valid signature of the sensor's secret.
var ErrUnsignedReply = errors.New("the server's answer is not signed with this sensor's secret")

// verifyReply checks the server's X-HS-* signature over "<ts> create <body>".
func (r *Remote) verifyReply(h http.Header, body []byte) error {
	if !strings.EqualFold(h.Get("X-HS-Type"), "sha256") {
		return fmt.Errorf("%w (X-HS-Type %q)", ErrUnsignedReply, h.Get("X-HS-Type"))
	}
	ts, err := strconv.ParseInt(h.Get("X-HS-TS"), 10, 64)
	if err != nil {
		return fmt.Errorf("%w (no X-HS-TS)", ErrUnsignedReply)
	}
	if d := r.now().Sub(time.Unix(ts, 0)); d > sensorproto.Window || d < -sensorproto.Window {
		return fmt.Errorf("%w (timestamp %s away)", ErrUnsignedReply, d.Round(time.Second))
	}
	want := sensorproto.Sign(r.cfg.Secret, ts, "create", body)
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(h.Get("X-HS-Auth")))) {
		return fmt.Errorf("%w (bad X-HS-Auth)", ErrUnsignedReply)
	}
	return nil
}

// uploader sends the buffered events in batches until ctx ends. Events leave the buffer only
// after the server answered 200 with a valid signature; failures back off from 1 s to 30 s.
func (r *Remote) uploader(ctx context.Context) {
	backoff := time.Duration(0)
	limit := UploadBatch
	flushing := r.flush
	for ctx.Err() == nil {
		lines, err := r.buf.NextBatch(limit, uploadBatchBytes)
		if err != nil {
			r.log.Error("buffer not readable", "err", err)
			lines = nil
			backoff = nextBackoff(backoff)
		} else if len(lines) == 0 {
			if n, err := r.hold.Release(); err != nil {
				r.log.Error("held session reports not buffered", "err", err)
			} else if n > 0 {
				continue
			}
			select {
			case <-ctx.Done():
			case <-r.wake:
			case <-flushing:
				flushing = nil
			}
			continue
		} else {
			err = r.upload(ctx, lines)
			var he *HTTPError
			switch {
			case err == nil:
				if err := r.buf.Ack(len(lines)); err != nil {
					r.log.Error("buffer position not saved", "err", err)
				}
				if backoff > 0 {
					r.log.Info("uploading again", "events", len(lines))
				}
				backoff, limit = 0, UploadBatch
				continue
			case ctx.Err() != nil:
				return
			case errors.As(err, &he) && (he.Status == http.StatusBadRequest || he.Status == http.StatusRequestEntityTooLarge):
				// The server refuses the batch's content: narrow it down to the event at fault.
				if len(lines) > 1 {
					limit = max(len(lines)/2, 1)
					continue
				}
				r.reject(lines[0], err)
				continue
			}
			if backoff == 0 {
				r.log.Warn("upload failed; events stay buffered", "events", len(lines), "err", err)
			} else {
				r.log.Debug("upload failed", "err", err)
			}
			backoff = nextBackoff(backoff)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-flushing: // stopping: one more try at once
			flushing = nil
		case <-r.recovered: // the heartbeat got through again
		}
		t.Stop()
	}
}

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return backoffMin
	}
	return min(2*d, backoffMax)
}

// upload sends one batch. Its id is a hash of its events, and the buffer hands out the same
// events until they are acknowledged (see Buffer.NextBatch), so a batch sent again after a lost
// answer or a restart carries the same id and the server stores it only once.
func (r *Remote) upload(ctx context.Context, lines [][]byte) error {
	sum := sha256.New()
	for _, l := range lines {
		sum.Write(l)
		sum.Write([]byte{'\n'})
	}
	var body bytes.Buffer
	fmt.Fprintf(&body, `{"sensor":%d,"batch":"%x","events":[`, r.cfg.Sensor, sum.Sum(nil)[:16])
	for i, l := range lines {
		if i > 0 {
			body.WriteByte(',')
		}
		body.Write(l)
	}
	body.WriteString("]}")
	reply, err := r.post(ctx, "/api/events", body.Bytes())
	if err != nil {
		return err
	}
	var res struct {
		Accepted int `json:"accepted"`
		Dropped  int `json:"dropped"`
	}
	if err := json.Unmarshal(reply, &res); err != nil {
		return fmt.Errorf("events answer: %w", err)
	}
	if res.Dropped > 0 {
		r.log.Info("server dropped events by its rules", "accepted", res.Accepted, "dropped", res.Dropped)
	}
	r.log.Debug("events uploaded", "events", len(lines))
	return nil
}

// reject sets aside an event the server refuses as invalid (it would block the queue
// forever): it goes to rejected.jsonl in the data directory and is counted.
func (r *Remote) reject(line []byte, cause error) {
	f, err := os.OpenFile(filepath.Join(r.dataDir, rejectedFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err == nil {
		_, err = f.Write(append(bytes.Clone(line), '\n'))
		if err == nil {
			err = f.Sync()
		}
		f.Close()
	}
	if err != nil {
		r.log.Error("refused event not set aside; retrying later", "err", err)
		return
	}
	r.rejected.Add(1)
	r.log.Error("server refused an event; set aside in "+rejectedFile, "err", cause)
	if err := r.buf.Ack(1); err != nil {
		r.log.Error("buffer position not saved", "err", err)
	}
}

// loadServices reads the last assignment received (nil when there is none).
func (r *Remote) loadServices() ([]*model.SensorService, error) {
	raw, err := os.ReadFile(filepath.Join(r.dataDir, servicesFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var list []*model.SensorService
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// saveServices keeps the assignment so that a restart while the server is down runs it.
func (r *Remote) saveServices(list []*model.SensorService) error {
	raw, err := json.Marshal(list)
	if err != nil {
		return err
	}
	path := filepath.Join(r.dataDir, servicesFile)
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, raw) {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
