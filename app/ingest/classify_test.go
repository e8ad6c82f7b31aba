package ingest

import (
	"testing"

	"honeysens/app/model"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		service, summary string
		want             model.Classification
	}{
		{"recon", "Scan", model.ClassScan},
		{"recon", "Einzelverbindung", model.ClassConnAttempt},
		{"recon", "", model.ClassConnAttempt},
		{"recon", "scan", model.ClassConnAttempt}, // HoneySens compares exactly
		{"honeypot", "Login attempt", model.ClassHoneypot},
		{"web-honeypot", "GET /admin", model.ClassHoneypot},
		{"ssh", "root/123456", model.ClassHoneypot},
		{"telnet", "", model.ClassHoneypot},
		{"http", "GET /", model.ClassHoneypot},
		{"cowrie", "", model.ClassHoneypot},
		{"dionaea", "", model.ClassHoneypot},
		{"icmp", "Echo request", model.ClassICMP},
		{"icmp", "Scan", model.ClassICMP},
		{"unknown-service", "Scan", model.ClassUnknown},
		{"", "", model.ClassUnknown},
		{"SSH", "", model.ClassUnknown}, // DecodeEvents lower-cases; Classify sees names as stored
	}
	for _, c := range cases {
		e := &model.Event{Service: c.service, Summary: c.summary}
		if got := Classify(e); got != c.want {
			t.Errorf("Classify(%q, %q) = %v, want %v", c.service, c.summary, got, c.want)
		}
	}
}
