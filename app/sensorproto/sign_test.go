package sensorproto

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"honeysens/app/model"
)

// sigNow is the server clock of the signature tests.
var sigNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

// refMAC computes the HoneySens signature independently of Sign: HMAC-SHA256 keyed with the
// secret over "<ts> <method> <body>", as lower-case hex.
func refMAC(secret, msg string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func TestSignMatchesReferenceHMAC(t *testing.T) {
	body := []byte(`{"sensor":7,"events":"W10="}`)
	ts := sigNow.Unix()
	got := Sign("s3cret", ts, "create", body)
	want := refMAC("s3cret", strconv.FormatInt(ts, 10)+" create "+string(body))
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if len(got) != 64 || strings.ToLower(got) != got {
		t.Errorf("Sign = %q, want 64 lower-case hex digits", got)
	}
	// A GET signs the word "get" and the empty body.
	if got, want := Sign("s3cret", ts, "get", nil), refMAC("s3cret", strconv.FormatInt(ts, 10)+" get "); got != want {
		t.Errorf("Sign(get) = %s, want %s", got, want)
	}
	// Any change of key, time, method or body changes the MAC.
	for name, other := range map[string]string{
		"secret": Sign("s3creT", ts, "create", body),
		"ts":     Sign("s3cret", ts+1, "create", body),
		"method": Sign("s3cret", ts, "get", body),
		"body":   Sign("s3cret", ts, "create", append(body, ' ')),
	} {
		if other == got {
			t.Errorf("changing the %s does not change the MAC", name)
		}
	}
}

func TestMethodWord(t *testing.T) {
	for method, want := range map[string]string{"GET": "get", "get": "get", "POST": "create", "PUT": "create", "DELETE": "create"} {
		if got := MethodWord(method); got != want {
			t.Errorf("MethodWord(%q) = %q, want %q", method, got, want)
		}
	}
}

// signedAt returns a correctly signed POST of body at the given time.
func signedAt(secret string, at time.Time, body []byte) Signed {
	ts := at.Unix()
	return Signed{SensorID: "7", Timestamp: strconv.FormatInt(ts, 10), Type: "sha256",
		Auth: Sign(secret, ts, "create", body)}
}

func TestVerify(t *testing.T) {
	sensor := &model.Sensor{ID: 7, Name: "s7", Secret: "s3cret"}
	body := []byte(`{"sensor":7,"events":[]}`)
	good := signedAt(sensor.Secret, sigNow, body)

	accept := map[string]Signed{
		"current":           good,
		"59s old":           signedAt(sensor.Secret, sigNow.Add(-59*time.Second), body),
		"60s old":           signedAt(sensor.Secret, sigNow.Add(-60*time.Second), body),
		"59s ahead":         signedAt(sensor.Secret, sigNow.Add(59*time.Second), body),
		"60s ahead":         signedAt(sensor.Secret, sigNow.Add(60*time.Second), body),
		"upper-case hex":    func() Signed { s := good; s.Auth = strings.ToUpper(s.Auth); return s }(),
		"upper-case SHA256": func() Signed { s := good; s.Type = "SHA256"; return s }(),
	}
	for name, sig := range accept {
		if err := Verify(sig, sensor.Secret, "POST", body, sigNow); err != nil {
			t.Errorf("%s: Verify = %v, want nil", name, err)
		}
	}

	refuse := map[string]Signed{
		"type sha1":         func() Signed { s := good; s.Type = "sha1"; return s }(),
		"type empty":        func() Signed { s := good; s.Type = ""; return s }(),
		"ts not numeric":    func() Signed { s := good; s.Timestamp = "yesterday"; return s }(),
		"ts empty":          func() Signed { s := good; s.Timestamp = ""; return s }(),
		"ts fractional":     func() Signed { s := good; s.Timestamp += ".5"; return s }(),
		"61s old":           signedAt(sensor.Secret, sigNow.Add(-61*time.Second), body),
		"61s ahead":         signedAt(sensor.Secret, sigNow.Add(61*time.Second), body),
		"a day old":         signedAt(sensor.Secret, sigNow.Add(-24*time.Hour), body),
		"ts huge":           func() Signed { s := good; s.Timestamp = "9223372036854775807"; return s }(),
		"ts negative huge":  func() Signed { s := good; s.Timestamp = "-9223372036854775808"; return s }(),
		"wrong secret":      signedAt("other", sigNow, body),
		"mac empty":         func() Signed { s := good; s.Auth = ""; return s }(),
		"mac truncated":     func() Signed { s := good; s.Auth = s.Auth[:63]; return s }(),
		"mac one bit off":   func() Signed { s := good; s.Auth = flipLastHex(s.Auth); return s }(),
		"signed other body": signedAt(sensor.Secret, sigNow, []byte(`{"sensor":7,"events":[{}]}`)),
		// The MAC is over the timestamp: moving the header's ts without re-signing fails.
		"ts moved": func() Signed { s := good; s.Timestamp = strconv.FormatInt(sigNow.Unix()+1, 10); return s }(),
	}
	for name, sig := range refuse {
		err := Verify(sig, sensor.Secret, "POST", body, sigNow)
		if model.ErrorCode(err) != model.ErrForbidden {
			t.Errorf("%s: Verify = %v, want a forbidden error", name, err)
		}
	}

	// A POST signature is not valid for a GET of the same body.
	if err := Verify(good, sensor.Secret, "GET", body, sigNow); model.ErrorCode(err) != model.ErrForbidden {
		t.Errorf("POST signature on GET: Verify = %v, want forbidden", err)
	}
}

func flipLastHex(s string) string {
	last := s[len(s)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return s[:len(s)-1] + string(repl)
}
