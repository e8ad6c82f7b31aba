package sensor

import (
	"context"
	"log/slog"
	"os"
	"regexp"
	"time"

	"honeysens/app/auth"
	"honeysens/app/honeypot"
	"honeysens/app/model"
	"honeysens/app/store"
)

// Local is the appliance's own sensor: its honeypot services run in this process and report
// through the same ingest path as remote sensors, without HTTP.
type Local struct {
	st      *store.Store
	host    *Host          // nil when honeypots are switched off
	rep     *LocalReporter // the services' reporter, nil when honeypots are switched off
	id      int64
	version string
	log     *slog.Logger
}

// HeartbeatEvery is how often the local sensor records its contact.
const HeartbeatEvery = 30 * time.Second

// LocalOptions say how the appliance's own sensor runs.
type LocalOptions struct {
	Group         int64 // its group on first start
	Run           bool  // start its services (false: only the sensor record exists)
	StandardPorts bool  // on first start: standard ports on every interface instead of the defaults
	Version       string
}

// StartLocal creates the local sensor on first start (with every service of the catalog
// assigned) and, if asked, starts its services.
func StartLocal(ctx context.Context, st *store.Store, ing Submitter, catalog Catalog, opt LocalOptions,
	log *slog.Logger) (*Local, error) {
	sn, err := st.LocalSensor(ctx)
	if model.ErrorCode(err) == model.ErrNotFound {
		services := catalog.Defaults
		if opt.StandardPorts {
			services = catalog.StandardDefaults
		}
		sn, err = createLocal(ctx, st, services, opt.Group)
	}
	if err != nil {
		return nil, err
	}
	// Sessions of this sensor still open were cut when the appliance last stopped (a clean stop
	// reports them as ended; a crash could not): their events are final with what was seen.
	if _, err := st.EndSessions(ctx, sn.ID, time.Now()); err != nil {
		return nil, err
	}
	l := &Local{st: st, id: sn.ID, version: opt.Version, log: log}
	if err := l.Heartbeat(ctx); err != nil {
		return nil, err
	}
	if !opt.Run {
		return l, l.markOff(ctx)
	}
	// The services' events go through ingest in batches of the reports that arrive within
	// a few milliseconds; each report returns once its event is committed.
	l.rep = NewLocalReporter(st, ing, l.id)
	l.host = NewHost(catalog.Factories(), honeypot.DefaultLimits, l.rep, log, func(name, state, reason string) {
		if err := st.SetServiceState(context.Background(), l.id, name, state, reason); err != nil {
			log.Error("service state not stored", "service", name, "err", err)
		}
	})
	if err := l.Reload(ctx); err != nil {
		l.Stop()
		return l, err
	}
	return l, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9 ._-]`)

func createLocal(ctx context.Context, st *store.Store, services func(int64) []*model.SensorService, groupID int64) (*model.Sensor, error) {
	name, _ := os.Hostname()
	name = unsafeName.ReplaceAllString(name, "-")
	sn := &model.Sensor{Name: name, Location: "This appliance", GroupID: groupID, UpdateInterval: int(HeartbeatEvery / time.Second),
		Local: true, Secret: auth.NewSensorSecret()}
	if sn.Validate() != nil {
		sn.Name = "appliance"
	}
	if err := st.CreateSensor(ctx, sn); err != nil {
		return nil, err
	}
	for _, sv := range services(sn.ID) {
		if err := st.SetSensorService(ctx, sv); err != nil {
			return nil, err
		}
	}
	return sn, nil
}

// markOff records that the services do not run because honeypots are switched off.
func (l *Local) markOff(ctx context.Context) error {
	assigned, err := l.st.SensorServices(ctx, l.id)
	if err != nil {
		return err
	}
	for _, sv := range assigned {
		if err := l.st.SetServiceState(ctx, l.id, sv.Name, model.ServiceStopped, "honeypots are switched off (--honeypots=false)"); err != nil {
			return err
		}
	}
	return nil
}

// ID is the local sensor's id.
func (l *Local) ID() int64 { return l.id }

// Reload applies the stored service assignment (after an operator changed it).
func (l *Local) Reload(ctx context.Context) error {
	if l.host == nil {
		return nil // honeypots are switched off for this appliance (--honeypots=false)
	}
	assigned, err := l.st.SensorServices(ctx, l.id)
	if err != nil {
		return err
	}
	l.host.Apply(assigned)
	return nil
}

// Heartbeat records that the local sensor is alive (job body, every HeartbeatEvery).
func (l *Local) Heartbeat(ctx context.Context) error {
	now := time.Now()
	return l.st.RecordHeartbeat(ctx, l.id, store.Heartbeat{Timestamp: now.UnixNano(), At: now, IP: "127.0.0.1", Version: l.version})
}

// Stop stops the services; sessions cut short are still reported. The services' last reports
// are committed when it returns; the ingest service may be closed after it.
func (l *Local) Stop() {
	if l.host != nil {
		l.host.Stop() // returns once every session's final report is answered
	}
	if l.rep != nil {
		l.rep.Close()
	}
}
