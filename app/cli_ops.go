package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"honeysens/app/backup"
	"honeysens/app/config"
	"honeysens/app/tlscert"
)

// parseWithFile parses flags around exactly one FILE argument, so that both
// "backup --data D FILE" and "backup FILE --data D" work.
func parseWithFile(fs *flag.FlagSet, args []string, name string) (string, error) {
	if err := config.Parse(fs, args, os.Getenv); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", fmt.Errorf("%s: name the FILE", name)
	}
	file := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	return file, nil
}

// backupCommand is `honeysens backup FILE`: a consistent copy of the database, taken while the
// appliance runs and ingests (it needs no stop).
func backupCommand(args []string, stdout, stderr io.Writer) error {
	var dataDir string
	fs := config.NewFlagSet("backup FILE", stderr)
	config.AddDataFlag(fs, &dataDir)
	file, err := parseWithFile(fs, args, "backup")
	if err != nil {
		return err
	}
	c := &config.Config{DataDir: dataDir}
	if _, err := os.Stat(c.DBPath()); err != nil {
		return fmt.Errorf("backup: no database at %s (check --data): %w", c.DBPath(), err)
	}
	start := time.Now()
	if err := backup.WriteFile(context.Background(), c.DBPath(), file); err != nil {
		return err
	}
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backup of %s written to %s (%d bytes, %s).\n", c.DBPath(), file, fi.Size(),
		time.Since(start).Round(time.Millisecond))
	return nil
}

// restoreCommand is `honeysens restore FILE`: put a backup back while the appliance is stopped.
func restoreCommand(args []string, res Resources, stdout, stderr io.Writer) error {
	var dataDir string
	fs := config.NewFlagSet("restore FILE", stderr)
	config.AddDataFlag(fs, &dataDir)
	file, err := parseWithFile(fs, args, "restore")
	if err != nil {
		return err
	}
	c := &config.Config{DataDir: dataDir}
	kept, err := backup.Restore(context.Background(), dataDir, file, res.Schema, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Restored %s into %s.\n", file, c.DBPath())
	if kept != "" {
		fmt.Fprintf(stdout, "The database it replaced is kept as %s (delete it when no longer needed).\n", kept)
	}
	fmt.Fprintln(stdout, "Start the appliance again (systemctl start honeysens); an older backup is upgraded on start.")
	return nil
}

// healthTimeout bounds the whole health check, connection and answer.
const healthTimeout = 5 * time.Second

// healthcheckCommand is `honeysens healthcheck`: exit 0 when the appliance's /healthz answers
// 200 with status ok within 5 s. It reads the serve settings (--listen, --tls, HONEYSENS_*) to
// find the appliance. Over HTTPS it accepts exactly the certificate the appliance serves, by
// pinning the certificate file (the generated one in the data directory, or --tls-cert):
// unlike skipping verification for localhost that stays safe for any --url, needs no CA, and
// does not depend on which names the certificate lists.
func healthcheckCommand(args []string, stdout, stderr io.Writer) error {
	c := &config.Config{}
	var rawURL string
	var wait time.Duration
	fs := config.NewFlagSet("healthcheck", stderr)
	fs.DurationVar(&wait, "wait", 0, "keep asking until healthy or this long has passed (for systemd's ExecStartPost)")
	config.AddDataFlag(fs, &c.DataDir)
	config.AddListenFlag(fs, &c.Listen)
	config.AddTLSFlags(fs, c)
	fs.StringVar(&rawURL, "url", "", "health URL (default: /healthz on --listen, https with --tls; 0.0.0.0 and :: mean loopback)")
	if err := config.Parse(fs, args, os.Getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("healthcheck: unexpected argument %q", fs.Arg(0))
	}
	if err := c.ValidateTLS(); err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	if rawURL == "" {
		u, err := healthURL(c.Listen, c.HTTPS())
		if err != nil {
			return err
		}
		rawURL = u
	}
	client := &http.Client{Timeout: healthTimeout}
	if u, err := url.Parse(rawURL); err == nil && u.Scheme == "https" && c.HTTPS() {
		certPath, _ := tlscert.CertPaths(c.TLS, c.DataDir, c.TLSCert, c.TLSKey)
		pin, err := tlscert.FingerprintFile(certPath)
		if err != nil {
			return fmt.Errorf("healthcheck: the appliance's certificate: %w", err)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tlscert.PinnedClientConfig(pin)
		client.Transport = tr
	}
	deadline := time.Now().Add(wait)
	status, err := checkHealth(client, rawURL)
	for err != nil && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond) // still starting: opening a big database takes a moment
		status, err = checkHealth(client, rawURL)
	}
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", rawURL, err)
	}
	fmt.Fprintf(stdout, "%s: %s\n", rawURL, status)
	return nil
}

// healthURL is the /healthz URL of an appliance listening on listen; a wildcard host is
// reached over loopback.
func healthURL(listen string, https bool) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("healthcheck: listen %q: want host:port", listen)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	scheme := "http"
	if https {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// checkHealth asks the URL and returns a short description of a healthy answer.
func checkHealth(client *http.Client, rawURL string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "", fmt.Errorf("no answer within %s", healthTimeout)
		}
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var h struct {
		Status  string `json:"status"`
		Version string `json:"version"`
	}
	jerr := json.Unmarshal(body, &h)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
	}
	if jerr != nil || h.Status != "ok" {
		return "", fmt.Errorf("unexpected answer: %.200s", body)
	}
	return "ok (version " + h.Version + ")", nil
}
