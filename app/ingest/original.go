package ingest

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/model"
)

// Sensors of the original HoneySens (2.x) speak the same signed protocol as this appliance's
// remote sensors but read another heartbeat answer: their manager applies every key it knows
// from the answer to its configuration file, and a key that is missing leaves that setting as
// it is. So the answer carries what the appliance decides for them (interval in minutes,
// container services, firmware, the unhandled-events light, the server certificate when theirs
// is outdated) and the endpoint they already use; settings the appliance does not keep for them
// (network, proxy, EAPOL, service network) are left out, so that they keep their own.

// SetServerCert gives the heartbeat of original sensors the certificate the appliance serves
// (nil over plain HTTP): a sensor whose copy differs receives it. Call before serving.
func (s *Service) SetServerCert(cert *tls.Certificate) {
	s.certPEM, s.certPin = nil, ""
	if cert == nil || len(cert.Certificate) == 0 {
		return
	}
	for _, der := range cert.Certificate {
		s.certPEM = append(s.certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	sum := sha256.Sum256(cert.Certificate[0])
	s.certPin = hex.EncodeToString(sum[:])
}

// ServerCertPEM is the certificate chain set by SetServerCert, as PEM (nil over plain HTTP).
func (s *Service) ServerCertPEM() []byte { return s.certPEM }

// originalReply is the heartbeat answer for an original sensor. Its manager reads
// update_interval (minutes, an integer: it is written to its configuration and read back with
// getint), server_endpoint_host and _port_https, services (iterated with .items(), so always an
// object), firmware (looked up by platform name; empty means "keep the running firmware"),
// unhandledEvents (the BeagleBone's red light) and server_crt (written as its trusted
// certificate). The other keys mirror the original server's sensor state.
type originalReply struct {
	ID              int64          `json:"id"`
	Hostname        string         `json:"hostname"`
	Name            string         `json:"name"`
	Location        string         `json:"location"`
	Division        int64          `json:"division"`
	UpdateInterval  int            `json:"update_interval"`
	EndpointHost    string         `json:"server_endpoint_host"`
	EndpointPort    int            `json:"server_endpoint_port_https"`
	Services        map[string]any `json:"services"`
	Firmware        map[string]any `json:"firmware"`
	NewEvents       int64          `json:"new_events"`
	UnhandledEvents bool           `json:"unhandledEvents"`
	ServerCert      string         `json:"server_crt,omitempty"`
}

// isOriginal tells an original sensor's heartbeat from this appliance's: only the original
// sends its certificate fingerprints (always, "invalid" when it lacks the file) and
// service_status with numeric service ids.
func isOriginal(srvCrtFp, serviceStatus json.RawMessage) bool {
	return srvCrtFp != nil || serviceStatus != nil
}

// replyOriginal answers an original sensor's heartbeat.
func (s *Service) replyOriginal(c *fiber.Ctx, sensor *model.Sensor, srvCrtFp json.RawMessage) error {
	counts, err := s.store.NewEventCounts(c.UserContext())
	if err != nil {
		return err
	}
	host, port := Endpoint(c)
	r := originalReply{ID: sensor.ID, Hostname: "s" + strconv.FormatInt(sensor.ID, 10), Name: sensor.Name,
		Location: sensor.Location, Division: sensor.GroupID, UpdateInterval: sensor.OriginalMinutes(),
		EndpointHost: host, EndpointPort: port, Services: map[string]any{}, Firmware: map[string]any{},
		NewEvents: counts[sensor.ID], UnhandledEvents: counts[sensor.ID] > 0}
	var fp string
	if json.Unmarshal(srvCrtFp, &fp) == nil && s.certPin != "" && !strings.EqualFold(fp, s.certPin) {
		r.ServerCert = string(s.certPEM)
	}
	return s.reply(c, r)
}

// Endpoint is the server name and HTTPS port a request was sent to (the Host header; 443 when
// it names no port, as original sensors speak HTTPS). The heartbeat answers it as the sensor's
// endpoint and the configuration archive names the server by it, so both agree and the
// sensor's configuration stays as it is.
func Endpoint(c *fiber.Ctx) (string, int) {
	host, port := c.Hostname(), 443
	if h, p, err := net.SplitHostPort(host); err == nil {
		host = h
		if n, err := strconv.Atoi(p); err == nil {
			port = n
		}
	}
	return strings.Trim(host, "[]"), port
}

// FirmwareGet is GET /api/sensors/firmware: the firmware download of every platform, by
// platform name. The appliance distributes no sensor firmware, so the answer is empty: the
// sensor keeps the firmware it runs.
func (s *Service) FirmwareGet(c *fiber.Ctx) error {
	return s.reply(c, fiber.Map{})
}

// FirmwareDownload is the firmware download route of the original server; it answers a signed
// not_found, so that a sensor that asks sees the reason rather than a signature error.
func (s *Service) FirmwareDownload(c *fiber.Ctx) error {
	c.Status(fiber.StatusNotFound)
	return s.reply(c, model.Error{Code: model.ErrNotFound,
		Message: "This appliance distributes no sensor firmware; sensors keep the firmware they run."})
}

// Registry answers the container registry path of the original server: the appliance runs no
// registry. The error is in the registry's own format, so that docker pull shows the message.
func (s *Service) Registry(c *fiber.Ctx) error {
	c.Set("Docker-Distribution-API-Version", "registry/2.0")
	return c.Status(fiber.StatusNotFound).JSON(fiber.Map{"errors": []fiber.Map{{"code": "UNSUPPORTED",
		"message": "This appliance runs no container registry: assign service images from a registry of your own.",
		"detail":  nil}}})
}
