package ingest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
	"honeysens/app/sensorproto"
	"honeysens/app/sensorproto/prototest"
)

// sensorApp serves the two sensor routes the way the web guard does: VerifySensor first, then
// the handler. Errors answer 400 with the model error code as the body.
func sensorApp(svc *Service) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		return c.Status(fiber.StatusBadRequest).SendString(model.ErrorCode(err))
	}})
	guard := func(c *fiber.Ctx) error {
		if err := svc.VerifySensor(c); err != nil {
			return err
		}
		return c.Next()
	}
	app.Post("/api/events", guard, svc.EventsCreate)
	app.Post("/api/sensors/status", guard, svc.StatusCreate)
	return app
}

// post sends body signed with secret at ts and returns status, body and the answer's headers.
func post(t *testing.T, app *fiber.App, path string, sensorID int64, secret string, ts int64, body []byte) (int, string, map[string]string) {
	t.Helper()
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-HS-Sensor", strconv.FormatInt(sensorID, 10))
	req.Header.Set("X-HS-TS", strconv.FormatInt(ts, 10))
	req.Header.Set("X-HS-Type", "sha256")
	req.Header.Set("X-HS-Auth", sensorproto.Sign(secret, ts, "create", body))
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	h := map[string]string{}
	for _, k := range []string{"X-HS-TS", "X-HS-Type", "X-HS-Auth"} {
		h[k] = res.Header.Get(k)
	}
	return res.StatusCode, string(b), h
}

func TestEventsCreateOverHTTP(t *testing.T) {
	env := newEnv(t, nil)
	now := prototest.Now
	env.svc.now = func() time.Time { return now }
	app := sensorApp(env.svc)
	sn := env.sensor
	ts := now.Unix()

	events := base64.StdEncoding.EncodeToString(prototest.ArrayJSON(t, prototest.HoneySensScan(), prototest.OwnSSH()))
	body, _ := json.Marshal(map[string]any{"sensor": sn.ID, "events": events})
	status, reply, h := post(t, app, "/api/events", sn.ID, sn.Secret, ts, body)
	if status != 200 {
		t.Fatalf("POST /api/events = %d %s", status, reply)
	}
	var got struct{ Accepted, Dropped int }
	if err := json.Unmarshal([]byte(reply), &got); err != nil || got.Accepted != 2 || got.Dropped != 0 {
		t.Errorf("answer %s, want accepted 2, dropped 0", reply)
	}
	// The answer is signed like the request, so the sensor can check it.
	replyTS, _ := strconv.ParseInt(h["X-HS-TS"], 10, 64)
	if h["X-HS-Type"] != "sha256" || h["X-HS-Auth"] != sensorproto.Sign(sn.Secret, replyTS, "create", []byte(reply)) {
		t.Errorf("answer signature headers %v do not sign the body", h)
	}
	if n := env.count(t, `SELECT count(*) FROM events WHERE sensor_id = ?`, sn.ID); n != 2 {
		t.Fatalf("%d events stored, want 2", n)
	}

	// The same signed request again is a replay, also within the same second.
	if status, reply, _ := post(t, app, "/api/events", sn.ID, sn.Secret, ts, body); status != 400 || reply != model.ErrForbidden {
		t.Errorf("replay = %d %s, want forbidden", status, reply)
	}
	// ... and still after 59 s, but the next second the timestamp itself is stale.
	now = prototest.Now.Add(59 * time.Second)
	if _, reply, _ := post(t, app, "/api/events", sn.ID, sn.Secret, ts, body); reply != model.ErrForbidden {
		t.Errorf("replay after 59 s = %s, want forbidden", reply)
	}
	if n := env.count(t, `SELECT count(*) FROM events`); n != 2 {
		t.Errorf("%d events after replays, want 2", n)
	}
	// A fresh signature of the same events is a new request.
	if status, reply, _ := post(t, app, "/api/events", sn.ID, sn.Secret, ts+1, body); status != 200 {
		t.Errorf("new signature = %d %s, want 200", status, reply)
	}

	refusals := []struct {
		name   string
		id     int64
		secret string
		body   []byte
		want   string
	}{
		{"unknown sensor", sn.ID + 100, sn.Secret, body, model.ErrForbidden},
		{"wrong secret", sn.ID, "guess", body, model.ErrForbidden},
		{"sensor id 0", 0, sn.Secret, body, model.ErrUnauthorized},
		{"body names another sensor", sn.ID, sn.Secret, []byte(`{"sensor":99,"events":[]}`), model.ErrInvalid},
		{"body not an object", sn.ID, sn.Secret, []byte(`[1]`), model.ErrInvalid},
		{"bad event", sn.ID, sn.Secret, []byte(`{"sensor":"` + strconv.FormatInt(sn.ID, 10) + `","events":[{"source":"x"}]}`), model.ErrInvalid},
	}
	for i, c := range refusals {
		status, reply, _ := post(t, app, "/api/events", c.id, c.secret, now.Unix()+int64(i), c.body)
		if status != 400 || reply != c.want {
			t.Errorf("%s: %d %s, want %s", c.name, status, reply, c.want)
		}
	}
	if n := env.count(t, `SELECT count(*) FROM events`); n != 4 {
		t.Errorf("%d events at the end, want 4", n)
	}
}

func TestStatusCreateOverHTTP(t *testing.T) {
	env := newEnv(t, nil)
	now := prototest.Now
	env.svc.now = func() time.Time { return now }
	app := sensorApp(env.svc)
	sn := env.sensor

	heartbeat := func(ts int64, ip string) []byte {
		hb, _ := json.Marshal(map[string]any{"timestamp": ts, "status": 1, "ip": ip, "sw_version": "2.6.1\n"})
		b, _ := json.Marshal(map[string]any{"sensor": sn.ID, "status": base64.StdEncoding.EncodeToString(hb)})
		return b
	}
	status, reply, _ := post(t, app, "/api/sensors/status", sn.ID, sn.Secret, now.Unix(), heartbeat(now.Unix(), "10.1.2.3"))
	if status != 200 {
		t.Fatalf("heartbeat = %d %s", status, reply)
	}
	var cfg struct {
		ID             int64  `json:"id"`
		Name           string `json:"name"`
		UpdateInterval int    `json:"update_interval"`
		ServerTime     int64  `json:"server_time"`
	}
	if err := json.Unmarshal([]byte(reply), &cfg); err != nil || cfg.ID != sn.ID || cfg.Name != sn.Name ||
		cfg.UpdateInterval != 60 || cfg.ServerTime != now.Unix() {
		t.Errorf("heartbeat answer %s", reply)
	}
	got, err := env.store.Sensor(t.Context(), sn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LastIP != "10.1.2.3" || got.SWVersion != "2.6.1 " || got.LastContact == nil || !got.LastContact.Equal(now) {
		t.Errorf("sensor after heartbeat: ip %q, version %q, contact %v", got.LastIP, got.SWVersion, got.LastContact)
	}

	// A heartbeat with the same status timestamp, freshly signed, is a replay of its content.
	now = now.Add(time.Second)
	if _, reply, _ := post(t, app, "/api/sensors/status", sn.ID, sn.Secret, now.Unix(), heartbeat(prototest.Now.Unix(), "10.9.9.9")); reply != model.ErrInvalid {
		t.Errorf("stale heartbeat = %s, want invalid", reply)
	}
	// A status timestamp far from the clock is refused.
	if _, reply, _ := post(t, app, "/api/sensors/status", sn.ID, sn.Secret, now.Unix()+1, heartbeat(now.Unix()-3600, "10.9.9.9")); reply != model.ErrInvalid {
		t.Errorf("old heartbeat = %s, want invalid", reply)
	}
	if got, _ := env.store.Sensor(t.Context(), sn.ID); got.LastIP != "10.1.2.3" {
		t.Errorf("a refused heartbeat changed the sensor: ip %q", got.LastIP)
	}
}
