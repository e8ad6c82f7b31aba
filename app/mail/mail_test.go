package mail_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	hsmail "honeysens/app/mail"
	"honeysens/app/mail/mailtest"
	"honeysens/app/model"
)

const wait = 10 * time.Second // bound for anything the tests wait on

func mustKind(t *testing.T, err error, kind string) *hsmail.Error {
	t.Helper()
	var e *hsmail.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *mail.Error of kind %s, got %T %v", kind, err, err)
	}
	if e.Kind != kind {
		t.Fatalf("want kind %s, got %s: %s", kind, e.Kind, e.Message)
	}
	t.Logf("%s: %s", e.Kind, e.Message)
	return e
}

func TestDeliveredInEveryMode(t *testing.T) {
	longLine := strings.Repeat("0123456789", 200)
	body := "Grüße aus dem Honeypot – ein Ereignis ✓\n" + longLine + "\n.\nlast line\n"
	modes := []struct {
		name string
		mode mailtest.Mode
		tls  bool
	}{{"plain", mailtest.Plain, false}, {"starttls", mailtest.STARTTLS, true}, {"tls", mailtest.TLS, true}}
	for _, m := range modes {
		for _, user := range []string{"", "alice"} {
			t.Run(m.name+"/user="+user, func(t *testing.T) {
				opt := mailtest.Options{Mode: m.mode}
				if user != "" {
					opt.User, opt.Password = user, "s3cret pass"
				}
				srv := mailtest.Start(t, opt)
				s := &hsmail.Sender{RootCAs: srv.CA, Timeout: wait}
				msg := hsmail.Message{To: "ops@example.org", Subject: "Ereignis: SSH-Anmeldung auf Sensor ä", Body: body}
				if err := s.Send(t.Context(), srv.Settings(), msg); err != nil {
					t.Fatalf("send: %v", err)
				}
				got := srv.Wait(t, 1, wait)[0]
				if !slices.Equal(got.To, []string{"ops@example.org"}) || got.From != "honeysens@example.org" {
					t.Errorf("envelope from %q to %v", got.From, got.To)
				}
				if got.Subject != msg.Subject {
					t.Errorf("subject %q", got.Subject)
				}
				if got.Body != body {
					t.Errorf("body differs:\n got %q\nwant %q", got.Body, body)
				}
				if got.TLS != m.tls || got.AuthUser != user {
					t.Errorf("tls %v auth user %q", got.TLS, got.AuthUser)
				}
				if ct := got.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
					t.Errorf("content type %q", ct)
				}
				if _, err := got.Header.Date(); err != nil {
					t.Errorf("date: %v", err)
				}
				if id := got.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.org>") {
					t.Errorf("message id %q", id)
				}
				for _, line := range strings.Split(string(got.Raw), "\r\n") {
					if len(line) > 998 {
						t.Fatalf("raw line of %d bytes", len(line))
					}
				}
			})
		}
	}
}

func TestSTARTTLSNotOfferedSendsNothing(t *testing.T) {
	for _, user := range []string{"", "alice"} {
		t.Run("user="+user, func(t *testing.T) {
			srv := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain, User: user, Password: "hunter2-secret"})
			set := srv.Settings()
			set.Encryption = model.EncryptionSTARTTLS
			err := (&hsmail.Sender{Timeout: wait}).Send(t.Context(), set, hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"})
			e := mustKind(t, err, hsmail.KindNoSTARTTLS)
			if !strings.Contains(e.Message, "does not offer STARTTLS") || strings.Contains(e.Message, "hunter2") {
				t.Errorf("message %q", e.Message)
			}
			if cmds := srv.Commands(); len(cmds) != 0 {
				t.Errorf("the server saw %v", cmds)
			}
		})
	}
}

func TestWrongPassword(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Mode: mailtest.STARTTLS, User: "alice", Password: "right"})
	set := srv.Settings()
	set.Password = "wrong-Pa55word"
	err := (&hsmail.Sender{RootCAs: srv.CA, Timeout: wait}).Send(t.Context(), set, hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"})
	e := mustKind(t, err, hsmail.KindAuth)
	if !strings.Contains(e.Message, "535") || strings.Contains(e.Message, set.Password) || strings.Contains(err.Error(), set.Password) {
		t.Errorf("message %q", e.Message)
	}
	if slices.Contains(srv.Commands(), "MAIL") {
		t.Errorf("MAIL after a failed login: %v", srv.Commands())
	}
}

// A server that wants a login but does not offer AUTH: the library would skip the login silently.
func TestLoginRequiredButAUTHNotOffered(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain, User: "alice", Password: "pw", HideAuth: true})
	err := (&hsmail.Sender{Timeout: wait}).Send(t.Context(), srv.Settings(), hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"})
	e := mustKind(t, err, hsmail.KindAuth)
	if !strings.Contains(e.Message, "login") {
		t.Errorf("message %q", e.Message)
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	set := model.DefaultSMTPSettings()
	set.Host, set.Port, set.Encryption, set.From = "127.0.0.1", port, model.EncryptionNone, "honeysens@example.org"
	err = (&hsmail.Sender{Timeout: wait}).Send(t.Context(), set, hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"})
	e := mustKind(t, err, hsmail.KindConnect)
	if want := "Connection to 127.0.0.1:" + strconv.Itoa(port) + " refused."; e.Message != want {
		t.Errorf("message %q, want %q", e.Message, want)
	}
}

func TestUntrustedCertificate(t *testing.T) {
	for _, mode := range []mailtest.Mode{mailtest.TLS, mailtest.STARTTLS} {
		srv := mailtest.Start(t, mailtest.Options{Mode: mode, User: "alice", Password: "pw"})
		err := (&hsmail.Sender{Timeout: wait}).Send(t.Context(), srv.Settings(), hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"})
		e := mustKind(t, err, hsmail.KindTLS)
		if !strings.Contains(e.Message, "not trusted") || !strings.Contains(e.Message, "unknown authority") {
			t.Errorf("mode %d: message %q", mode, e.Message)
		}
		if cmds := srv.Commands(); len(cmds) != 0 {
			t.Errorf("mode %d: the server saw %v", mode, cmds)
		}
	}
}

func TestTLSAgainstPlainPort(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Mode: mailtest.Plain})
	set := srv.Settings()
	set.Encryption = model.EncryptionTLS
	err := (&hsmail.Sender{Timeout: wait}).Send(t.Context(), set, hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"})
	e := mustKind(t, err, hsmail.KindTLS)
	if !strings.Contains(e.Message, "choose STARTTLS") {
		t.Errorf("message %q", e.Message)
	}
}

func TestNoHeaderInjection(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	msg := hsmail.Message{To: "ops@example.org", Subject: "Alert\r\nBcc: evil@example.org\r\n\r\nbody?", Body: "b"}
	if err := (&hsmail.Sender{Timeout: wait}).Send(t.Context(), srv.Settings(), msg); err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(t, 1, wait)[0]
	if _, ok := got.Header["Bcc"]; ok || !slices.Equal(got.To, []string{"ops@example.org"}) {
		t.Errorf("bcc header %q, recipients %v", got.Header.Get("Bcc"), got.To)
	}
	if strings.ContainsAny(got.Subject, "\r\n") || !strings.HasPrefix(got.Subject, "Alert") || !strings.Contains(got.Subject, "Bcc: evil@example.org") {
		t.Errorf("subject %q", got.Subject)
	}
}

func TestLongSubjectIsCut(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	msg := hsmail.Message{To: "ops@example.org", Subject: strings.Repeat("ä", 200), Body: "b"}
	if err := (&hsmail.Sender{Timeout: wait}).Send(t.Context(), srv.Settings(), msg); err != nil {
		t.Fatal(err)
	}
	if got := srv.Wait(t, 1, wait)[0].Subject; got != strings.Repeat("ä", 125) {
		t.Errorf("subject %q (%d bytes)", got, len(got))
	}
}

func TestInvalidRecipientIsNotSent(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	for _, to := range []string{"", "no-at-sign", "a@example.org\r\nRCPT TO:<b@example.org>", "Name <a@example.org>"} {
		err := (&hsmail.Sender{Timeout: wait}).Send(t.Context(), srv.Settings(), hsmail.Message{To: to, Subject: "s", Body: "b"})
		mustKind(t, err, hsmail.KindRejected)
	}
	if cmds := srv.Commands(); len(cmds) != 0 {
		t.Errorf("the server saw %v", cmds)
	}
}

func TestStopAndRestart(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Mode: mailtest.STARTTLS})
	s := &hsmail.Sender{RootCAs: srv.CA, Timeout: wait}
	msg := hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"}
	srv.Stop()
	mustKind(t, s.Send(t.Context(), srv.Settings(), msg), hsmail.KindConnect)
	srv.Restart(t)
	if err := s.Send(t.Context(), srv.Settings(), msg); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	srv.Wait(t, 1, wait)
}

// script serves one connection with reply, which answers each command line ("" = no answer).
// It returns the settings pointing at it.
func script(t *testing.T, greeting string, reply func(line string) string) model.SMTPSettings {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if greeting != "" {
			c.Write([]byte(greeting + "\r\n"))
		}
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if out := reply(strings.TrimSpace(line)); out != "" {
				c.Write([]byte(out + "\r\n"))
			}
		}
	}()
	set := model.DefaultSMTPSettings()
	set.Host, set.Port, set.Encryption, set.From = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port, model.EncryptionNone, "honeysens@example.org"
	return set
}

func TestRecipientRejected(t *testing.T) {
	set := script(t, "220 fake ESMTP", func(line string) string {
		switch strings.ToUpper(strings.Fields(line)[0]) {
		case "EHLO", "MAIL":
			return "250 ok"
		case "RCPT":
			return "550 5.1.1 <ops@example.org>: Recipient address rejected: User unknown"
		}
		return "221 bye"
	})
	err := (&hsmail.Sender{Timeout: wait}).Send(t.Context(), set, hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"})
	e := mustKind(t, err, hsmail.KindRejected)
	if !strings.Contains(e.Message, "550 5.1.1") || !strings.Contains(e.Message, "User unknown") {
		t.Errorf("message %q", e.Message)
	}
}

func TestServerClosingIsNotARejection(t *testing.T) {
	set := script(t, "220 fake ESMTP", func(line string) string {
		if strings.HasPrefix(strings.ToUpper(line), "EHLO") {
			return "250 ok"
		}
		return "421 4.3.2 Service shutting down"
	})
	err := (&hsmail.Sender{Timeout: wait}).Send(t.Context(), set, hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"})
	mustKind(t, err, hsmail.KindConnect)
}

// A server that never greets, as an implicit-TLS port does for a client that waits for "220".
func TestTimeout(t *testing.T) {
	set := script(t, "", func(string) string { return "" })
	set.Encryption = model.EncryptionSTARTTLS
	err := (&hsmail.Sender{Timeout: 500 * time.Millisecond}).Send(t.Context(), set, hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"})
	e := mustKind(t, err, hsmail.KindTimeout)
	if !strings.Contains(e.Message, "choose TLS") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("message %q (%v)", e.Message, e.Err)
	}
}

func TestCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	// Cancel once the sender is connected and waits for a greeting that never comes.
	go func() {
		defer cancel()
		if c, err := ln.Accept(); err == nil {
			t.Cleanup(func() { c.Close() })
		}
	}()
	set := model.DefaultSMTPSettings()
	set.Host, set.Port, set.From = "127.0.0.1", ln.Addr().(*net.TCPAddr).Port, "honeysens@example.org"
	done := make(chan error, 1)
	go func() {
		done <- (&hsmail.Sender{Timeout: time.Hour}).Send(ctx, set, hsmail.Message{To: "ops@example.org", Subject: "s", Body: "b"})
	}()
	select {
	case err := <-done:
		mustKind(t, err, hsmail.KindTimeout)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("not context.Canceled: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Send did not return after cancel")
	}
}

func TestErrorUnwraps(t *testing.T) {
	inner := errors.New("inner")
	var err error = &hsmail.Error{Kind: hsmail.KindConnect, Message: "outer", Err: inner}
	if err.Error() != "outer" || !errors.Is(err, inner) {
		t.Errorf("%v", err)
	}
}
