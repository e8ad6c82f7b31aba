// Package sensorproto is the HoneySens sensor protocol as this appliance speaks it: the wire
// form of events and heartbeats, their encoding (remote sensors) and decoding (the server), and
// the HMAC signature both sides put on every request and answer. It needs only the standard
// library and app/model, so that a remote sensor carries no server code.
package sensorproto

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"honeysens/app/model"
)

// Window is how far a signed request's timestamp may be from the server's clock.
const Window = 60 * time.Second

// Sign returns the hex HMAC-SHA256 of the HoneySens sensor protocol: the key is the sensor's
// secret, the message "<ts> <method> <body>" where method is "get" for GET and "create" for POST.
func Sign(secret string, ts int64, method string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10) + " " + method + " "))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// MethodWord maps an HTTP method to the word the signature covers.
func MethodWord(httpMethod string) string {
	if strings.EqualFold(httpMethod, "GET") {
		return "get"
	}
	return "create"
}

// Signed is what a sensor request carries in its X-HS-* headers.
type Signed struct {
	SensorID  string // X-HS-Sensor
	Timestamp string // X-HS-TS, Unix seconds
	Type      string // X-HS-Type, must be sha256
	Auth      string // X-HS-Auth, hex HMAC
}

// Verify checks a signed request against the sensor's secret.
func Verify(sig Signed, secret, method string, body []byte, now time.Time) error {
	if !strings.EqualFold(sig.Type, "sha256") {
		return model.Errorf(model.ErrForbidden, "Unsupported signature type; use X-HS-Type: sha256.")
	}
	ts, err := strconv.ParseInt(sig.Timestamp, 10, 64)
	if err != nil {
		return model.Errorf(model.ErrForbidden, "X-HS-TS is not a Unix timestamp.")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Window || d < -Window {
		return model.Errorf(model.ErrForbidden, "The request timestamp is outside the %s window; check the sensor's clock.", Window)
	}
	want := Sign(secret, ts, MethodWord(method), body)
	got := strings.ToLower(sig.Auth)
	if !hmac.Equal([]byte(want), []byte(got)) {
		return model.Errorf(model.ErrForbidden, "Bad request signature.")
	}
	return nil
}
