package syslog

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
	"honeysens/app/tlscert"
)

// readFrame reads one octet-counted record ("LEN SP RECORD").
func readFrame(r *bufio.Reader) (string, error) {
	n, err := r.ReadString(' ')
	if err != nil {
		return "", err
	}
	size, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil {
		return "", fmt.Errorf("frame length %q: %w", n, err)
	}
	buf := make([]byte, size)
	_, err = io.ReadFull(r, buf)
	return string(buf), err
}

// TestReconnectAfterReceiverClosed: a record written after the receiver closed the connection
// goes out on a new one instead of being lost in the dead one. The receiver here reads one
// record per connection and closes it before it reports the record, so the close is known
// before the next record is sent (on loopback the end arrives with the close).
func TestReconnectAfterReceiverClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	records := make(chan string)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			rec, err := readFrame(bufio.NewReader(c))
			c.Close()
			if err != nil {
				rec = "unreadable: " + err.Error()
			}
			records <- rec
		}
	}()
	raw, err := Kind{}.Config([]byte(`{"host":"127.0.0.1","port":`+strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)+`,"transport":"tcp"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	snd, err := Kind{Hostname: "h"}.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer snd.Close()
	for i := range 3 {
		if err := errors.Join(snd.Send(context.Background(), []*model.Event{hostileEvent(i).event()})...); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		select {
		case got := <-records:
			if !strings.Contains(got, fmt.Sprintf(`id="%d"`, i+1)) {
				t.Errorf("record %d arrived as %q", i, got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("record %d never arrived: written to the closed connection", i)
		}
	}
}

// TestTLSChecksTheReceiver: a receiver whose certificate is not the pinned one, or not signed
// by a trusted root when nothing is pinned, gets no record.
func TestTLSChecksTheReceiver(t *testing.T) {
	dir := t.TempDir()
	gen := func(name string) (string, tls.Certificate) {
		cert, key := filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
		if err := tlscert.GenerateSelfSigned(cert, key, time.Now()); err != nil {
			t.Fatal(err)
		}
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			t.Fatal(err)
		}
		pem, _ := os.ReadFile(cert)
		return string(pem), pair
	}
	_, served := gen("receiver")
	other, _ := gen("other")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{served}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if rec, err := readFrame(bufio.NewReader(c)); err == nil {
					got <- rec
				}
			}()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	for _, ca := range []string{other, ""} {
		raw, err := Kind{}.Config(mustJSON(t, Config{Host: "127.0.0.1", Port: port, Transport: TLS, CA: ca}), nil)
		if err != nil {
			t.Fatal(err)
		}
		snd, err := Kind{Hostname: "h"}.Open(raw)
		if err != nil {
			t.Fatal(err)
		}
		err = errors.Join(snd.Send(context.Background(), []*model.Event{hostileEvent(0).event()})...)
		snd.Close()
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("CA %.30q: sent, err %v", ca, err)
		}
	}
	if len(got) != 0 {
		t.Errorf("the receiver got %d records", len(got))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
