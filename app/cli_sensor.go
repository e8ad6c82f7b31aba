package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"honeysens/app/config"
	"honeysens/app/sensor"
)

// sensorCommand is `honeysens sensor`: run as a remote sensor that reports to a server.
func sensorCommand(args []string, res Resources, stderr io.Writer) error {
	var cfgPath, dataDir, logLevel string
	var bufferMB int
	fs := config.NewFlagSet("sensor", stderr)
	fs.StringVar(&cfgPath, "config", "", "the sensor's configuration file, as downloaded from the server's Sensors page (required)")
	fs.StringVar(&dataDir, "data", "./sensor-data", "data directory (event buffer, last received services)")
	fs.IntVar(&bufferMB, "buffer-max-mb", 64, "disk space for events buffered while the server is unreachable, in MiB; beyond it new events are dropped and counted")
	fs.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	if err := config.Parse(fs, args, os.Getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sensor: unexpected argument %q", fs.Arg(0))
	}
	if cfgPath == "" {
		return fmt.Errorf("sensor: --config FILE is required (download it from the server's Sensors page)")
	}
	if bufferMB < 1 {
		return fmt.Errorf("sensor: buffer-max-mb %d: want at least 1", bufferMB)
	}
	switch logLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("sensor: log-level %q: want debug, info, warn or error", logLevel)
	}
	cfg, err := sensor.LoadRemoteConfig(cfgPath)
	if err != nil {
		return err
	}
	r, err := sensor.NewRemote(sensor.RemoteOptions{Config: cfg, DataDir: dataDir, BufferMax: int64(bufferMB) << 20,
		Version: res.Version, Log: newLogger(stderr, logLevel).With("component", "sensor")})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return r.Run(ctx)
}
