// Package sensor runs the honeypot services of a sensor — the appliance's own in process, or a
// remote box in `honeysens sensor` mode — and keeps track of sensors' liveness.
package sensor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// DropsEvery is how often the host reports what the services' limits gave up, when it changed.
const DropsEvery = 30 * time.Second

// Factory builds a service from its JSON settings (missing keys take the service's defaults).
type Factory func(config json.RawMessage, lim honeypot.Limits, log *slog.Logger) (honeypot.Service, error)

// Host runs the services assigned to one sensor and reports each one's state. It gives each
// service its own Drops and, every DropsEvery while they grow, logs them and reports them as
// the reason of the running state (see DropsReason), which reaches the Sensors page the way
// the state does: the local sensor's store, or a remote sensor's heartbeat.
type Host struct {
	factories  map[string]Factory
	limits     honeypot.Limits
	rep        honeypot.Reporter
	log        *slog.Logger
	onState    func(name, state, reason string)
	dropsEvery time.Duration

	mu       sync.Mutex
	running  map[string]*running
	watching chan struct{} // closed to stop watchDrops; nil while it does not run
	watched  chan struct{} // closed when watchDrops returned
}

type running struct {
	svc    honeypot.Service
	config json.RawMessage
	drops  *honeypot.Drops
	shown  honeypot.DropCounts // the counts last reported
}

// NewHost returns a host that builds services with factories and reports their events to rep.
// onState (may be nil) hears every state change: running, stopped, or error with the reason.
func NewHost(factories map[string]Factory, lim honeypot.Limits, rep honeypot.Reporter, log *slog.Logger,
	onState func(name, state, reason string)) *Host {
	if onState == nil {
		onState = func(string, string, string) {}
	}
	return &Host{factories: factories, limits: lim, rep: rep, log: log, onState: onState, dropsEvery: DropsEvery,
		running: map[string]*running{}}
}

// Apply brings the running services in line with the assignment: it stops services that were
// removed, disabled or reconfigured, then starts what should run. A service that cannot start
// (bad settings, port in use) is reported as an error and the others run regardless.
func (h *Host) Apply(assigned []*model.SensorService) {
	h.mu.Lock()
	defer h.mu.Unlock()
	want := map[string]*model.SensorService{}
	for _, a := range assigned {
		if a.Enabled {
			want[a.Name] = a
		}
	}
	for name, r := range h.running {
		if w, ok := want[name]; !ok || !bytes.Equal(w.Config, r.config) {
			r.svc.Stop()
			delete(h.running, name)
			h.onState(name, model.ServiceStopped, "")
		}
	}
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := h.running[name]; ok {
			continue
		}
		if err := h.start(want[name]); err != nil {
			h.log.Warn("honeypot service not started", "service", name, "err", err)
			h.onState(name, model.ServiceError, err.Error())
			continue
		}
		h.onState(name, model.ServiceRunning, "")
	}
	for _, a := range assigned {
		if !a.Enabled {
			h.onState(a.Name, model.ServiceStopped, "")
		}
	}
	if len(h.running) > 0 && h.watching == nil {
		h.watching, h.watched = make(chan struct{}), make(chan struct{})
		go h.watchDrops(h.watching, h.watched)
	}
}

func (h *Host) start(a *model.SensorService) error {
	f, ok := h.factories[a.Name]
	if !ok {
		return fmt.Errorf("unknown service %q", a.Name)
	}
	drops := new(honeypot.Drops)
	lim := h.limits
	lim.Drops = drops
	svc, err := f(a.Config, lim, h.log)
	if err != nil {
		return err
	}
	if err := svc.Start(countedReporter{h.rep, drops}); err != nil {
		return err
	}
	h.running[a.Name] = &running{svc: svc, config: append(json.RawMessage(nil), a.Config...), drops: drops}
	return nil
}

// countedReporter counts the events its reporter did not take in the service's Drops.
type countedReporter struct {
	rep   honeypot.Reporter
	drops *honeypot.Drops
}

func (c countedReporter) Report(ctx context.Context, e *model.Event) error {
	err := c.rep.Report(ctx, e)
	if err != nil {
		c.drops.Reports.Add(1)
	}
	return err
}

// watchDrops reports the services' drops every dropsEvery until stop is closed.
func (h *Host) watchDrops(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(h.dropsEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			h.mu.Lock()
			h.reportDrops()
			h.mu.Unlock()
		}
	}
}

// reportDrops logs, and reports as the reason of the running state, the drops of each service
// that changed since the last report. The caller holds h.mu, so a state reported by Apply or
// Stop is never overtaken by an older one.
func (h *Host) reportDrops() {
	names := make([]string, 0, len(h.running))
	for name := range h.running {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r := h.running[name]
		c := r.drops.Counts()
		if c == r.shown {
			continue
		}
		r.shown = c
		h.log.Warn("honeypot limits gave up connections or events (totals since the service started)",
			"service", name, "refused", c.Refused, "untracked", c.Untracked, "reports_dropped", c.Reports)
		h.onState(name, model.ServiceRunning, DropsReason(c))
	}
}

// dropsFormat is the reason of a running service whose limits gave something up: readable as
// it is (older appliances and logs show it so), and read back by ParseDrops.
const dropsFormat = "dropped since start: %d connections refused by limits, %d connections not recorded one by one, %d events not delivered"

// DropsReason is the state reason that carries a running service's drop counts.
func DropsReason(c honeypot.DropCounts) string {
	return fmt.Sprintf(dropsFormat, c.Refused, c.Untracked, c.Reports)
}

// ParseDrops reads the drop counts from a state reason made by DropsReason.
func ParseDrops(reason string) (honeypot.DropCounts, bool) {
	var c honeypot.DropCounts
	if _, err := fmt.Sscanf(reason, dropsFormat, &c.Refused, &c.Untracked, &c.Reports); err != nil ||
		c.Refused < 0 || c.Untracked < 0 || c.Reports < 0 || DropsReason(c) != reason {
		return honeypot.DropCounts{}, false
	}
	return c, true
}

// Stop stops every service (their open sessions are still reported) and logs what their
// limits gave up since the last report.
func (h *Host) Stop() {
	h.mu.Lock()
	stop, done := h.watching, h.watched
	h.watching, h.watched = nil, nil
	h.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, r := range h.running {
		if c := r.drops.Counts(); c != r.shown {
			h.log.Warn("honeypot limits gave up connections or events (totals since the service started)",
				"service", name, "refused", c.Refused, "untracked", c.Untracked, "reports_dropped", c.Reports)
		}
	}
	for name, r := range h.running {
		r.svc.Stop()
		delete(h.running, name)
		h.onState(name, model.ServiceStopped, "")
	}
}

// Running lists the names of the services that run now.
func (h *Host) Running() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	names := make([]string, 0, len(h.running))
	for name := range h.running {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
