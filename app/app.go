// Package app is the composition root: it builds every part of the appliance with explicit
// dependencies, runs them and shuts them down in order. Nothing else constructs long-lived parts.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"

	"honeysens/app/archive"
	"honeysens/app/auth"
	"honeysens/app/config"
	"honeysens/app/honeypot"
	"honeysens/app/ingest"
	"honeysens/app/jobs"
	"honeysens/app/model"
	"honeysens/app/sensor"
	"honeysens/app/store"
	"honeysens/app/web"
)

// Resources are the files main.go embeds into the binary.
type Resources struct {
	Schema  string // schema.sql
	Assets  fs.FS  // assets/
	Version string
}

// App is a running appliance.
type App struct {
	cfg    *config.Config
	log    *slog.Logger
	out    io.Writer
	store  *store.Store
	ingest *ingest.Service
	local  *sensor.Local
	sched  atomic.Pointer[jobs.Scheduler] // set once Run started the jobs
	web    *web.Server
	first  *firstLogin
}

// New opens the data directory and database, creates the first admin on a fresh install and
// builds the web server. It does not listen yet.
func New(ctx context.Context, cfg *config.Config, res Resources, log *slog.Logger, out io.Writer) (*App, error) {
	if err := cfg.EnsureDataDir(); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DBPath(), res.Schema)
	if err != nil {
		return nil, err
	}
	first, err := bootstrap(ctx, st, cfg.AdminPassword)
	if err != nil {
		st.Close()
		return nil, err
	}
	ing := ingest.New(st, log.With("component", "ingest"), nil)
	if err := ing.ReloadFilters(ctx); err != nil {
		ing.Close()
		st.Close()
		return nil, err
	}
	catalog := sensor.DefaultCatalog(cfg.DataDir)
	local, err := startLocal(ctx, st, ing, catalog, sensor.LocalOptions{Run: cfg.Honeypots, StandardPorts: cfg.StandardPorts,
		Version: res.Version}, log.With("component", "honeypot"))
	if err != nil {
		ing.Close()
		st.Close()
		return nil, err
	}
	srv, err := web.New(web.Deps{
		Store: st, Ingest: ing, Catalog: catalog, Limits: honeypot.DefaultLimits, ReloadLocal: local.Reload,
		Assets: res.Assets, Log: log.With("component", "web"), Version: res.Version,
		SessionIdle: cfg.SessionIdle, Limiter: auth.NewLoginLimiter(),
	})
	if err != nil {
		local.Stop()
		ing.Close()
		st.Close()
		return nil, err
	}
	a := &App{cfg: cfg, log: log, out: out, store: st, ingest: ing, local: local, web: srv, first: first}
	srv.ArchiveScheduled = a.scheduleArchive
	return a, nil
}

// Run serves until ctx is cancelled, then shuts down in order: stop accepting and finish
// in-flight requests, stop the jobs; Close then flushes ingest and closes the database.
func (a *App) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Listen, err)
	}
	sched, err := jobs.Start(ctx, a.log, []jobs.Job{
		{Name: "session-sweep", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
			_, err := a.store.DeleteIdleSessions(ctx, time.Now().Add(-a.cfg.SessionIdle))
			return err
		}},
		{Name: "local-sensor-heartbeat", Every: sensor.HeartbeatEvery, Run: a.local.Heartbeat},
		{Name: "forget-delivered-batches", Every: 6 * time.Hour, Run: func(ctx context.Context) error {
			return a.store.DeleteOldBatches(ctx, time.Now().Add(-7*24*time.Hour))
		}},
		{Name: "sensor-timeouts", Every: 15 * time.Second, Run: func(ctx context.Context) error {
			_, err := sensor.CheckStatus(ctx, a.store, time.Now())
			return err
		}},
	}, gocron.WithLocation(time.Local))
	if err != nil {
		ln.Close()
		return err
	}
	a.sched.Store(sched)
	set := model.DefaultArchiveSettings()
	if err := a.store.Settings(ctx, "archive", &set); err != nil {
		ln.Close()
		sched.Shutdown()
		return err
	}
	if err := a.scheduleArchive(set); err != nil {
		ln.Close()
		sched.Shutdown()
		return err
	}
	a.printBanner(ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- a.web.App().Listener(ln) }()
	select {
	case err = <-served: // the listener failed on its own
	case <-ctx.Done():
		a.log.Info("shutting down", "component", "app")
		// Listener returns as soon as the socket closes, while handlers may still run; only
		// ShutdownWithTimeout returning means they are done and the store may close.
		err = a.web.App().ShutdownWithTimeout(10 * time.Second)
		<-served
	}
	return errors.Join(err, sched.Shutdown())
}

// scheduleArchive (re)schedules the daily archive job at the settings' time; before Run has
// started the scheduler there is nothing to move.
func (a *App) scheduleArchive(set model.ArchiveSettings) error {
	sched := a.sched.Load()
	if sched == nil {
		return nil
	}
	hour, minute, err := set.Clock()
	if err != nil {
		return err
	}
	return sched.Daily("archive", hour, minute, func(ctx context.Context) error {
		res, err := archive.Run(ctx, a.store, time.Now())
		if err == nil && (res.Archived > 0 || res.Deleted > 0) {
			a.log.Info("archive job", "component", "archive", "archived", res.Archived, "deleted", res.Deleted)
		}
		return err
	})
}

// Web returns the HTTP server (tests drive it with app.Test).
func (a *App) Web() *web.Server { return a.web }

// Store returns the database.
func (a *App) Store() *store.Store { return a.store }

// Close stops the honeypots (their cut sessions are still reported), commits the events still
// queued, then checkpoints and closes the database.
func (a *App) Close() error {
	a.local.Stop()
	return errors.Join(a.ingest.Close(), a.store.Close())
}

// startLocal starts the appliance's own sensor; on first start it joins the oldest group.
func startLocal(ctx context.Context, st *store.Store, ing *ingest.Service, catalog sensor.Catalog, opt sensor.LocalOptions,
	log *slog.Logger) (*sensor.Local, error) {
	groups, err := st.Groups(ctx)
	if err != nil {
		return nil, err
	}
	var group int64
	for _, g := range groups {
		if group == 0 || g.ID < group {
			group = g.ID
		}
	}
	opt.Group = group
	return sensor.StartLocal(ctx, st, ing, catalog, opt, log)
}

// printBanner tells the operator where the UI is and, on first start, how to log in.
func (a *App) printBanner(addr string) {
	fmt.Fprintf(a.out, "HoneySens appliance %s is running.\n", a.cfg.Version)
	fmt.Fprintf(a.out, "  URL:      http://%s/\n", addr)
	a.first.print(a.out)
	fmt.Fprintf(a.out, "  Data:     %s\n", a.cfg.DBPath())
}
