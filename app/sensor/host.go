// Package sensor runs the honeypot services of a sensor — the appliance's own in process, or a
// remote box in `honeysens sensor` mode — and keeps track of sensors' liveness.
package sensor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"sync"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// Factory builds a service from its JSON settings (missing keys take the service's defaults).
type Factory func(config json.RawMessage, lim honeypot.Limits, log *slog.Logger) (honeypot.Service, error)

// Host runs the services assigned to one sensor and reports each one's state.
type Host struct {
	factories map[string]Factory
	limits    honeypot.Limits
	rep       honeypot.Reporter
	log       *slog.Logger
	onState   func(name, state, reason string)

	mu      sync.Mutex
	running map[string]*running
}

type running struct {
	svc    honeypot.Service
	config json.RawMessage
}

// NewHost returns a host that builds services with factories and reports their events to rep.
// onState (may be nil) hears every state change: running, stopped, or error with the reason.
func NewHost(factories map[string]Factory, lim honeypot.Limits, rep honeypot.Reporter, log *slog.Logger,
	onState func(name, state, reason string)) *Host {
	if onState == nil {
		onState = func(string, string, string) {}
	}
	return &Host{factories: factories, limits: lim, rep: rep, log: log, onState: onState, running: map[string]*running{}}
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
}

func (h *Host) start(a *model.SensorService) error {
	f, ok := h.factories[a.Name]
	if !ok {
		return fmt.Errorf("unknown service %q", a.Name)
	}
	svc, err := f(a.Config, h.limits, h.log)
	if err != nil {
		return err
	}
	if err := svc.Start(h.rep); err != nil {
		return err
	}
	h.running[a.Name] = &running{svc: svc, config: append(json.RawMessage(nil), a.Config...)}
	return nil
}

// Stop stops every service (their open sessions are still reported).
func (h *Host) Stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
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
