package ingest

import (
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
	"honeysens/app/sensorproto"
	"honeysens/app/store"
)

// sensorKey is where VerifySensor leaves the authenticated sensor for the handlers.
const sensorKey = "sensor"

// VerifySensor authenticates a request of the HoneySens sensor protocol. The web guard calls
// it for every route of access level Sensor: unknown sensor, wrong algorithm, bad MAC, a
// timestamp outside the ±60 s window and a replay of an accepted request are all refused.
func (s *Service) VerifySensor(c *fiber.Ctx) error {
	sig := sensorproto.Signed{SensorID: c.Get("X-HS-Sensor"), Timestamp: c.Get("X-HS-TS"), Type: c.Get("X-HS-Type"), Auth: c.Get("X-HS-Auth")}
	id, err := strconv.ParseInt(sig.SensorID, 10, 64)
	if err != nil || id <= 0 {
		return model.Errorf(model.ErrUnauthorized, "Sign sensor requests with X-HS-Sensor, X-HS-TS, X-HS-Type and X-HS-Auth.")
	}
	sensor, err := s.store.Sensor(c.UserContext(), id)
	if model.ErrorCode(err) == model.ErrNotFound {
		return model.Errorf(model.ErrForbidden, "Unknown sensor.")
	}
	if err != nil {
		return err
	}
	now := s.now()
	if err := sensorproto.Verify(sig, sensor.Secret, c.Method(), c.Body(), now); err != nil {
		return err
	}
	if !s.replay.claim(strings.ToLower(sig.Auth), now) {
		return model.Errorf(model.ErrForbidden, "This signed request was accepted already (replay).")
	}
	c.Locals(sensorKey, sensor)
	return nil
}

// releaseOnError gives the request's signature back when the request failed, so that the
// sensor may send the same request again.
func (s *Service) releaseOnError(c *fiber.Ctx, err *error) {
	if *err != nil {
		s.replay.release(strings.ToLower(c.Get("X-HS-Auth")))
	}
}

// reply answers a sensor with a JSON body signed like its request, so that HoneySens sensors
// can check that the answer comes from the server that knows their secret.
func (s *Service) reply(c *fiber.Ctx, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sensor := c.Locals(sensorKey).(*model.Sensor)
	ts := s.now().Unix()
	c.Set("X-HS-TS", strconv.FormatInt(ts, 10))
	c.Set("X-HS-Type", "sha256")
	c.Set("X-HS-Auth", sensorproto.Sign(sensor.Secret, ts, sensorproto.MethodWord(c.Method()), body))
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(body)
}

// sensorMatches checks the body's "sensor" field (a number or numeric string) against the
// signed header, so one sensor's key cannot report in another's name.
func sensorMatches(raw json.RawMessage, sensor *model.Sensor) error {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s != strconv.FormatInt(sensor.ID, 10) {
		return &model.Error{Code: model.ErrInvalid, Message: "The body's sensor does not match X-HS-Sensor.",
			Fields: map[string]string{"sensor": "Must equal the X-HS-Sensor header."}}
	}
	return nil
}

// EventsCreate is POST /api/events: a batch of events from a remote sensor. The answer comes
// after the events are committed.
func (s *Service) EventsCreate(c *fiber.Ctx) (err error) {
	defer s.releaseOnError(c, &err)
	var body sensorproto.EventsBody
	if err := json.Unmarshal(c.Body(), &body); err != nil {
		return model.Errorf(model.ErrInvalid, "The body is not a JSON object {sensor, events}.")
	}
	sensor := c.Locals(sensorKey).(*model.Sensor)
	if err := sensorMatches(body.Sensor, sensor); err != nil {
		return err
	}
	events, err := sensorproto.DecodeEvents(body.Events, s.now())
	if err != nil {
		return err
	}
	var batch *store.BatchID
	if body.Batch != "" {
		if len(body.Batch) > 64 {
			return invalidBatch()
		}
		batch = &store.BatchID{Sensor: sensor.ID, ID: body.Batch}
		done, err := s.store.BatchDelivered(c.UserContext(), *batch)
		if err != nil {
			return err
		}
		if done {
			return s.reply(c, fiber.Map{"accepted": 0, "dropped": 0, "duplicate": true})
		}
	}
	n, err := s.submit(c.UserContext(), sensor, events, batch)
	if model.ErrorCode(err) == model.ErrConflict && batch != nil {
		// The same batch arrived twice at once and the other copy won: it is stored.
		return s.reply(c, fiber.Map{"accepted": 0, "dropped": 0, "duplicate": true})
	}
	if err != nil {
		return err
	}
	return s.reply(c, fiber.Map{"accepted": n, "dropped": len(events) - n})
}

// heartbeat is the status a sensor reports (HoneySens sends it base64-encoded).
type heartbeat struct {
	Timestamp int64  `json:"timestamp"`
	Status    int    `json:"status"`
	IP        string `json:"ip"`
	SWVersion string `json:"sw_version"`
	// Dropped is how many events a remote sensor of this appliance had to drop so far because
	// its disk buffer was full: shown on the Sensors page, so nothing is lost silently.
	Dropped int64 `json:"dropped"`
	// Services is this appliance's remote sensor's report of each service: running, or error
	// with the reason.
	Services map[string]struct {
		State string `json:"state"`
		Error string `json:"error"`
	} `json:"services"`
	// ServiceStatus is what original HoneySens sensors send instead: numeric service ids. It
	// marks the sensor as an original one; the states of its container services are not kept.
	ServiceStatus json.RawMessage `json:"service_status"`
}

// StatusCreate is POST /api/sensors/status, the heartbeat. It records the contact and answers
// the sensor's configuration.
func (s *Service) StatusCreate(c *fiber.Ctx) (err error) {
	defer s.releaseOnError(c, &err)
	var body struct {
		Sensor json.RawMessage `json:"sensor"`
		Status json.RawMessage `json:"status"`
		// Only original sensors send the fingerprints of the certificates they hold.
		originalFingerprints
	}
	if err := json.Unmarshal(c.Body(), &body); err != nil {
		return model.Errorf(model.ErrInvalid, "The body is not a JSON object {sensor, status}.")
	}
	sensor := c.Locals(sensorKey).(*model.Sensor)
	if err := sensorMatches(body.Sensor, sensor); err != nil {
		return err
	}
	raw := []byte(body.Status)
	var encoded string
	if json.Unmarshal(raw, &encoded) == nil {
		if raw, err = base64.StdEncoding.DecodeString(encoded); err != nil {
			return model.Errorf(model.ErrInvalid, "status: not valid base64.")
		}
	}
	var hb heartbeat
	if err := json.Unmarshal(raw, &hb); err != nil {
		return model.Errorf(model.ErrInvalid, "status: want {timestamp, status, ip, sw_version}.")
	}
	now := s.now()
	if d := now.Unix() - hb.Timestamp; d > 120 || d < -60 {
		return model.Errorf(model.ErrInvalid, "status: timestamp is not current; check the sensor's clock.")
	}
	ip := c.IP()
	if a, err := netip.ParseAddr(hb.IP); err == nil {
		ip = a.String()
	}
	version := model.OneLine(model.Clip(hb.SWVersion, 64))
	if hb.Dropped < 0 {
		hb.Dropped = 0
	}
	original := isOriginal(body.SrvCrtFp, hb.ServiceStatus)
	err = s.store.RecordHeartbeat(c.UserContext(), sensor.ID, store.Heartbeat{Timestamp: hb.Timestamp, At: now, IP: ip,
		Version: version, Dropped: hb.Dropped, Original: original})
	if err != nil {
		return err
	}
	if original {
		return s.replyOriginal(c, sensor, body.originalFingerprints)
	}
	ctx := c.UserContext()
	for name, st := range hb.Services {
		state := st.State
		if state != model.ServiceRunning && state != model.ServiceError && state != model.ServiceStopped {
			continue
		}
		if err := s.store.SetServiceState(ctx, sensor.ID, model.Clip(name, model.MaxServiceLen), state, model.OneLine(model.Clip(st.Error, 255))); err != nil {
			return err
		}
	}
	services, err := s.store.SensorServices(ctx, sensor.ID)
	if err != nil {
		return err
	}
	assigned := make([]fiber.Map, 0, len(services))
	for _, sv := range services {
		assigned = append(assigned, fiber.Map{"name": sv.Name, "enabled": sv.Enabled, "config": sv.Config})
	}
	return s.reply(c, fiber.Map{"id": sensor.ID, "name": sensor.Name, "update_interval": sensor.UpdateInterval,
		"server_time": now.Unix(), "services": assigned})
}

func invalidBatch() error {
	return &model.Error{Code: model.ErrInvalid, Message: "The batch id is too long.",
		Fields: map[string]string{"batch": "Use at most 64 characters."}}
}
