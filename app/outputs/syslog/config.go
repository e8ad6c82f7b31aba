// Package syslog forwards events to a syslog receiver: RFC 5424 records with structured data
// and a JSON message, or ArcSight CEF, over UDP (RFC 5426), TCP or TLS (RFC 5425, octet-counting
// framing in both), with the app name honeysens.
package syslog

import (
	"crypto/x509"
	"encoding/json"
	"net"
	"slices"
	"strings"

	"honeysens/app/model"
	"honeysens/app/outputs"
)

// Transports and formats.
const (
	UDP     = "udp"
	TCP     = "tcp"
	TLS     = "tls"
	RFC5424 = "rfc5424"
	CEF     = "cef"
)

// facilities are the syslog facility names by code (RFC 5424 table 1).
var facilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7"}

// Config is a syslog output's settings.
type Config struct {
	Host      string `json:"host"`
	Port      int    `json:"port"`
	Transport string `json:"transport,omitempty"`
	// CA is PEM: the certificates a TLS receiver's chain must end in (pinning the site's own
	// CA or the receiver's self-signed certificate). Empty: the system's roots.
	CA       string `json:"ca,omitempty"`
	Facility string `json:"facility,omitempty"`
	Format   string `json:"format,omitempty"`
}

// Kind is the syslog output type for the outputs service.
type Kind struct {
	// Hostname is the HOSTNAME field of every record (the appliance's name).
	Hostname string
	// Version is the appliance's version (CEF's Device Version).
	Version string
}

func parse(raw json.RawMessage) (Config, error) {
	c := Config{Transport: UDP, Facility: "local0", Format: RFC5424}
	err := outputs.DecodeConfig(raw, &c, "The syslog settings are not valid JSON.")
	return c, err
}

// Config checks the settings; a syslog output has no secret to keep.
func (Kind) Config(raw, _ json.RawMessage) (json.RawMessage, error) {
	c, err := parse(raw)
	if err != nil {
		return nil, err
	}
	f := model.FieldErrors{}
	c.Host = strings.TrimSpace(c.Host)
	if c.Host == "" || len(c.Host) > 253 || strings.ContainsAny(c.Host, " /:@[]") && net.ParseIP(c.Host) == nil {
		f.Add("config.host", "Enter the receiver's host name or address.")
	}
	if c.Port == 0 {
		c.Port = map[string]int{UDP: 514, TCP: 514, TLS: 6514}[c.Transport]
	}
	if c.Port < 1 || c.Port > 65535 {
		f.Add("config.port", "Use a port from 1 to 65535.")
	}
	if !slices.Contains([]string{UDP, TCP, TLS}, c.Transport) {
		f.Add("config.transport", "Use udp, tcp or tls.")
	}
	if !slices.Contains(facilities, c.Facility) {
		f.Add("config.facility", "Use a syslog facility name such as local0 or authpriv.")
	}
	if c.Format != RFC5424 && c.Format != CEF {
		f.Add("config.format", "Use rfc5424 or cef.")
	}
	c.CA = strings.TrimSpace(c.CA)
	switch {
	case c.CA != "" && c.Transport != TLS:
		f.Add("config.ca", "A CA certificate only applies to TLS.")
	case c.CA != "" && !x509.NewCertPool().AppendCertsFromPEM([]byte(c.CA)):
		f.Add("config.ca", "Paste one or more PEM certificates (-----BEGIN CERTIFICATE-----).")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return json.Marshal(c)
}

// Public returns the settings as they are: a syslog output has no secret.
func (Kind) Public(raw json.RawMessage) json.RawMessage { return raw }
