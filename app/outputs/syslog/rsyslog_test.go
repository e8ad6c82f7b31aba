package syslog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"honeysens/app/model"
	"honeysens/app/tlscert"
)

// rsyslog is a real rsyslogd on loopback ports, writing every record it receives (over UDP,
// TCP and TLS) as one JSON line of the fields it parsed.
type rsyslog struct {
	udp, tcp, tls int
	out           string
	cert          string // PEM of the TLS listener's self-signed certificate
}

// received is one record as rsyslog parsed it.
type received struct {
	Facility string `json:"facility"`
	Severity string `json:"severity"`
	Host     string `json:"host"`
	App      string `json:"app"`
	MsgID    string `json:"msgid"`
	SD       string `json:"sd"`
	Msg      string `json:"msg"`
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startRsyslog(t *testing.T) *rsyslog {
	t.Helper()
	bin, err := exec.LookPath("rsyslogd")
	if err != nil {
		bin = "/usr/sbin/rsyslogd"
		if _, serr := os.Stat(bin); serr != nil {
			if os.Getenv("HONEYSENS_E2E") != "" {
				t.Fatal("rsyslogd is missing (Debian package rsyslog, with rsyslog-gnutls)")
			}
			t.Skip("rsyslogd not installed (Debian packages rsyslog and rsyslog-gnutls): syslog delivery not tested against it")
		}
	}
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := tlscert.GenerateSelfSigned(certPath, keyPath, time.Now()); err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	r := &rsyslog{udp: freePort(t), tcp: freePort(t), tls: freePort(t), out: filepath.Join(dir, "out.json"), cert: string(pem)}
	conf := fmt.Sprintf(`global(workDirectory=%[1]q
  defaultNetstreamDriverCAFile=%[2]q defaultNetstreamDriverCertFile=%[2]q defaultNetstreamDriverKeyFile=%[3]q)
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="%[4]d" ruleset="out")
input(type="imtcp" address="127.0.0.1" port="%[5]d" ruleset="out")
input(type="imtcp" address="127.0.0.1" port="%[6]d" ruleset="out"
  streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="fields" type="list" option.jsonf="on") {
  property(outname="facility" name="syslogfacility-text" format="jsonf")
  property(outname="severity" name="syslogseverity" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="structured-data" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
ruleset(name="out") { action(type="omfile" file=%[7]q template="fields") }
`, dir, certPath, keyPath, r.udp, r.tcp, r.tls, r.out)
	confPath := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "-n", "-f", confPath, "-i", filepath.Join(dir, "rsyslog.pid"))
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	for _, port := range []int{r.tcp, r.tls} {
		for {
			c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-exited:
				t.Fatalf("rsyslogd exited: %s", stderr.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return r
}

// wait returns the records once n have arrived, failing if more than n come or n never do.
func (r *rsyslog) wait(t *testing.T, n int) []received {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		list := r.read(t)
		if len(list) >= n || time.Now().After(deadline) {
			// A record that would arrive twice comes right behind the first: look once more.
			time.Sleep(200 * time.Millisecond)
			if list = r.read(t); len(list) != n {
				t.Fatalf("rsyslog got %d records, want %d: %+v", len(list), n, list)
			}
			return list
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *rsyslog) read(t *testing.T) []received {
	t.Helper()
	b, err := os.ReadFile(r.out)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var list []received
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec received
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("rsyslog wrote a line that is not its JSON: %q: %v", sc.Text(), err)
		}
		list = append(list, rec)
	}
	return list
}

// send delivers the events through an output with the settings, in order and in one batch.
func send(t *testing.T, cfg Config, events int, mk func(i int) *testEvent) {
	t.Helper()
	raw, _ := json.Marshal(cfg)
	k := Kind{Hostname: "honeysens-test", Version: "1.0|x"}
	checked, err := k.Config(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	snd, err := k.Open(checked)
	if err != nil {
		t.Fatal(err)
	}
	defer snd.Close()
	list := make([]*model.Event, events)
	for i := range list {
		list[i] = mk(i).event()
	}
	if res := snd.Send(context.Background(), list); len(res) != events || errors.Join(res...) != nil {
		t.Fatalf("sent %d of %d: %v", len(res), events, errors.Join(res...))
	}
}
