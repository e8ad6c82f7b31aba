package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"honeysens/app/auth"
	"honeysens/app/bench"
	"honeysens/app/config"
	"honeysens/app/model"
	"honeysens/app/store"
	"honeysens/app/texts"
)

const usage = `HoneySens appliance: honeypot sensor host and management server in one binary.

Usage:
  honeysens [serve] [flags]                 run the appliance (web UI, API)
  honeysens user create --login NAME [...]  create a user (prints a generated password)
  honeysens user reset-password LOGIN       set a new generated password, to be changed at login
  honeysens token create --user LOGIN       print a new personal API token for a user
  honeysens bench [--events N] [--ssh-only] measure ingest, list, export, SSH honeypot speed and footprint here
  honeysens sensor --config FILE            run as a remote sensor reporting to a server
  honeysens backup FILE                     write a consistent copy of the database (while running)
  honeysens restore FILE                    replace the database by a backup (appliance stopped)
  honeysens healthcheck                     exit 0 when the running appliance answers /healthz
  honeysens version                         print the version

Every flag can also be set as an environment variable HONEYSENS_<FLAG> (--data: HONEYSENS_DATA).
Run "honeysens COMMAND -h" for the flags of a command.
`

// Main runs the command line and returns the process exit code.
func Main(args []string, res Resources, stdout, stderr io.Writer) int {
	cmd, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(rest, res, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "honeysens", res.Version)
	case "user":
		err = userCommand(rest, res, stdout, stderr)
	case "token":
		err = tokenCommand(rest, res, stdout, stderr)
	case "bench":
		err = benchCommand(rest, res, stdout, stderr)
	case "sensor":
		err = sensorCommand(rest, res, stderr)
	case "backup":
		err = backupCommand(rest, stdout, stderr)
	case "restore":
		err = restoreCommand(rest, res, stdout, stderr)
	case "healthcheck":
		err = healthcheckCommand(rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "honeysens: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "honeysens:", err)
		return 1
	}
	return 0
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // config checked the level; an unknown one stays info
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func serve(args []string, res Resources, stdout, stderr io.Writer) error {
	cfg, err := config.LoadServe(args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	cfg.Version = res.Version
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := New(ctx, cfg, res, newLogger(stderr, cfg.LogLevel), stdout)
	if err != nil {
		return err
	}
	return errors.Join(a.Run(ctx), a.Close())
}

// openStore opens the database of --data for the maintenance commands. They run beside a
// serving appliance safely: SQLite's locking orders their writes with the server's. On a fresh
// data directory they do the first start's work too and print the admin's first login.
func openStore(dataDir string, res Resources, stdout io.Writer) (*store.Store, error) {
	c := &config.Config{DataDir: dataDir}
	if err := c.EnsureDataDir(); err != nil {
		return nil, err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, c.DBPath(), res.Schema)
	if err != nil {
		return nil, err
	}
	first, err := bootstrap(ctx, st, os.Getenv("HONEYSENS_ADMIN_PASSWORD"))
	if err != nil {
		st.Close()
		return nil, err
	}
	if first != nil {
		fmt.Fprintln(stdout, "Created a new appliance database in", c.DBPath())
		first.print(stdout)
	}
	return st, nil
}

func userCommand(args []string, res Resources, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: want create or reset-password")
	}
	switch args[0] {
	case "create":
		return userCreate(args[1:], res, stdout, stderr)
	case "reset-password":
		return userResetPassword(args[1:], res, stdout, stderr)
	}
	return fmt.Errorf("user: unknown subcommand %q (want create or reset-password)", args[0])
}

func userCreate(args []string, res Resources, stdout, stderr io.Writer) error {
	var dataDir, login, fullName, email, role, group string
	fs := config.NewFlagSet("user create", stderr)
	config.AddDataFlag(fs, &dataDir)
	fs.StringVar(&login, "login", "", "login name (required)")
	fs.StringVar(&fullName, "full-name", "", "full name")
	fs.StringVar(&email, "email", "", "e-mail address")
	fs.StringVar(&role, "role", "observer", "observer, manager or admin")
	fs.StringVar(&group, "group", DefaultGroupName, "name of the group the user joins")
	if err := config.Parse(fs, args, os.Getenv); err != nil {
		return err
	}
	roles := map[string]model.Role{"observer": model.RoleObserver, "manager": model.RoleManager, "admin": model.RoleAdmin}
	u := &model.User{Login: login, FullName: fullName, Email: email, Role: roles[strings.ToLower(role)], MustChangePassword: true}
	st, err := openStore(dataDir, res, stdout)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	g, err := st.GroupByName(ctx, group)
	if err != nil {
		return fmt.Errorf("group %q: %w", group, err)
	}
	u.Groups = []int64{g.ID}
	password := auth.GeneratePassword()
	by, err := commandLine(res, model.Text{Key: "audit_detail.cli_user_created", Args: model.TextArgs{"role": texts.Role(u.Role)}})
	if err != nil {
		return err
	}
	if err := st.AddUser(ctx, u, password, by); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %s (%s). First password: %s (to be changed at first login)\n", u.Login, u.Role, password)
	return nil
}

func userResetPassword(args []string, res Resources, stdout, stderr io.Writer) error {
	var dataDir string
	fs := config.NewFlagSet("user reset-password", stderr)
	config.AddDataFlag(fs, &dataDir)
	if err := config.Parse(fs, args, os.Getenv); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("user reset-password: name exactly one LOGIN")
	}
	st, err := openStore(dataDir, res, stdout)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	u, err := st.UserByLogin(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	password := auth.GeneratePassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if err := st.SetPassword(ctx, u.ID, hash, true, ""); err != nil {
		return err
	}
	err = audit(st, res, model.AuditPasswordReset, u, model.Text{Key: "audit_detail.cli_password_reset"})
	fmt.Fprintf(stdout, "New password for %s: %s (to be changed at next login; all sessions ended)\n", u.Login, password)
	return err
}

func tokenCommand(args []string, res Resources, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("token: want create")
	}
	var dataDir, login, name string
	fs := config.NewFlagSet("token create", stderr)
	config.AddDataFlag(fs, &dataDir)
	fs.StringVar(&login, "user", "", "login of the user the token acts as (required)")
	fs.StringVar(&name, "name", "command line", "a name to recognise the token by")
	if err := config.Parse(fs, args[1:], os.Getenv); err != nil {
		return err
	}
	st, err := openStore(dataDir, res, stdout)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	u, err := st.UserByLogin(ctx, login)
	if err != nil {
		return fmt.Errorf("user %q: %w", login, err)
	}
	secret, hash := auth.NewAPIToken()
	tok := &model.APIToken{UserID: u.ID, Name: name}
	if err := st.CreateToken(ctx, tok, hash); err != nil {
		return err
	}
	err = audit(st, res, model.AuditTokenCreated, u, model.Text{Key: "audit_detail.cli_token_created", Args: model.TextArgs{"name": name}})
	fmt.Fprintln(stdout, secret)
	return err
}

// commandLine is the audit log's actor for a command, the local operator (so no user or IP),
// with the command's detail in the catalog's words.
func commandLine(res Resources, note model.Text) (model.AuditEntry, error) {
	english, err := texts.LoadEnglish(res.Assets)
	if err != nil {
		return model.AuditEntry{}, err
	}
	e := model.AuditEntry{User: "(command line)"}
	english.Describe(&e, note)
	return e, nil
}

// audit records a command-line change made by then, so its caller still prints the result
// before returning the failure.
func audit(st *store.Store, res Resources, action string, u *model.User, note model.Text) error {
	e, err := commandLine(res, note)
	if err == nil {
		e.Action, e.ObjectType, e.ObjectID, e.ObjectName = action, "user", &u.ID, u.Login
		err = st.AddAudit(context.Background(), &e)
	}
	if err != nil {
		return fmt.Errorf("the change is made, but its audit entry failed: %w", err)
	}
	return nil
}

// writeAllocProfile writes what the run allocated, by call site, to path.
func writeAllocProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "memprofile:", err)
	}
}

func benchCommand(args []string, res Resources, stdout, stderr io.Writer) error {
	opt := bench.Options{Schema: res.Schema, Assets: res.Assets}
	fs := config.NewFlagSet("bench", stderr)
	fs.IntVar(&opt.Events, "events", 1000000, "events in the database for the list, count and export figures")
	fs.IntVar(&opt.Ingest, "ingest", 50000, "events sent over HTTP for each ingest figure")
	fs.IntVar(&opt.Baseline, "baseline", 100000, "events inserted straight into SQLite for the baseline")
	fs.StringVar(&opt.Dir, "dir", "", "directory for the bench databases (default: a temp dir, removed after)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the whole run to this file (go tool pprof -sample_index=alloc_space)")
	sshOnly := fs.Bool("ssh-only", false, "run only the SSH honeypot phase (sessions/s against a bare x/crypto/ssh server)")
	scaleOnly := fs.Bool("scale-only", false, "run only the scale-out phases (delivery to syslog and webhook receivers during ingest; a fleet of remote sensors)")
	fs.IntVar(&opt.ScaleSensors, "scale-sensors", 200, "simulated remote sensors in the scale-out phase")
	fs.DurationVar(&opt.ScaleTime, "scale-time", time.Minute, "how long the simulated remote sensors run")
	if err := config.Parse(fs, args, os.Getenv); err != nil {
		return err
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		defer writeAllocProfile(*memProfile, stderr)
	}
	if *sshOnly {
		fmt.Fprintf(stdout, "honeysens %s bench, SSH phase only: %d CPUs, %s/%s\n\n", res.Version, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
		return bench.RunSSH(context.Background(), opt, stdout)
	}
	if opt.ScaleSensors < 1 || opt.ScaleTime <= 0 {
		return errors.New("bench: --scale-sensors and --scale-time must be positive")
	}
	if *scaleOnly {
		fmt.Fprintf(stdout, "honeysens %s bench, scale-out phases only: %d CPUs, %s/%s\n\n", res.Version, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
		return bench.RunScale(context.Background(), opt, stdout)
	}
	fmt.Fprintf(stdout, "honeysens %s bench: %d events, %d CPUs, %s/%s\n\n", res.Version, opt.Events, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	return bench.Run(context.Background(), opt, stdout)
}
