package ingest

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"maps"
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
// is outdated), the endpoint they already use unless the operator set another, and of the
// network settings (address, MAC, proxy, EAPOL, service network) only the parts the operator
// set for the sensor: a sensor moved over from an original server keeps its own until then.

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

// isOriginal tells an original sensor's heartbeat from this appliance's: only the original
// sends its certificate fingerprints (always, "invalid" when it lacks the file) and
// service_status with numeric service ids.
func isOriginal(srvCrtFp, serviceStatus json.RawMessage) bool {
	return srvCrtFp != nil || serviceStatus != nil
}

// originalFingerprints are the SHA-256 fingerprints of the certificates an original sensor
// holds, sent with its status (null for a file it lacks).
type originalFingerprints struct {
	SrvCrtFp         json.RawMessage `json:"srv_crt_fp"`
	EAPOLCACrtFp     *string         `json:"eapol_ca_crt_fp"`
	EAPOLClientCrtFp *string         `json:"eapol_client_crt_fp"`
}

// replyOriginal answers an original sensor's heartbeat. Its manager reads update_interval
// (minutes, an integer: it is written to its configuration and read back with getint),
// server_endpoint_host and _port_https, services (iterated with .items(), so always an
// object), firmware (looked up by platform name; empty means "keep the running firmware"),
// unhandledEvents (the BeagleBone's red light), server_crt (written as its trusted
// certificate) and the network keys (see originalNetwork). The other keys mirror the original
// server's sensor state.
func (s *Service) replyOriginal(c *fiber.Ctx, sensor *model.Sensor, fps originalFingerprints) error {
	ctx := c.UserContext()
	counts, err := s.store.NewEventCounts(ctx)
	if err != nil {
		return err
	}
	network, err := s.store.SensorNetwork(ctx, sensor.ID)
	if err != nil {
		return err
	}
	containers, err := s.store.ContainerServices(ctx, sensor.ID)
	if err != nil {
		return err
	}
	host, port := Endpoint(c)
	if network.EndpointHost != "" {
		host, port = network.EndpointHost, network.EndpointPort
	}
	r := originalNetwork(network, fps)
	maps.Copy(r, map[string]any{"id": sensor.ID, "hostname": "s" + strconv.FormatInt(sensor.ID, 10), "name": sensor.Name,
		"location": sensor.Location, "division": sensor.GroupID, "update_interval": sensor.OriginalMinutes(),
		"server_endpoint_host": host, "server_endpoint_port_https": port, "services": originalServices(containers),
		"firmware": map[string]any{}, "new_events": counts[sensor.ID], "unhandledEvents": counts[sensor.ID] > 0})
	var fp string
	if json.Unmarshal(fps.SrvCrtFp, &fp) == nil && s.certPin != "" && !strings.EqualFold(fp, s.certPin) {
		r["server_crt"] = string(s.certPEM)
	}
	return s.reply(c, r)
}

// originalServices is the services key: by service id (a string, as JSON keys are) and
// architecture, what the manager needs to pull and run the container. It prefixes uri with
// the server name and port from its configuration and decodes portAssignment, a JSON text,
// into the port mapping of its container.
func originalServices(list []*model.ContainerService) map[string]any {
	out := map[string]any{}
	for _, c := range list {
		ports, _ := json.Marshal(c.PortAssignment)
		archs := map[string]any{}
		for arch, image := range c.Images {
			archs[arch] = map[string]any{"label": c.Label, "uri": image, "rawNetworkAccess": c.RawNetworkAccess,
				"catchAll": c.CatchAll, "portAssignment": string(ports)}
		}
		out[strconv.FormatInt(c.ID, 10)] = archs
	}
	return out
}

// originalNetwork is the part of the answer that sets how the sensor connects, one group of
// keys for each part the operator set. Within a group the original's types: modes and ports
// as numbers, addresses and names as text, null for what the mode does not use (the manager
// then clears it, as after a mode change on the original server). The EAPOL certificates are
// sent only when the sensor's copy differs (null removes its copy); the original server does
// not send a CA certificate to a sensor that has none yet, this one does.
func originalNetwork(n *model.SensorNetwork, fps originalFingerprints) map[string]any {
	r := map[string]any{}
	text := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	number := func(v int) any {
		if v == 0 {
			return nil
		}
		return v
	}
	if n.ServiceNetwork != "" {
		r["service_network"] = n.ServiceNetwork
	}
	if n.IPMode != nil {
		maps.Copy(r, map[string]any{"network_ip_mode": *n.IPMode, "network_ip_address": text(n.IPAddress),
			"network_ip_netmask": text(n.IPNetmask), "network_ip_gateway": text(n.IPGateway), "network_ip_dns": text(n.IPDNS),
			"network_dhcp_hostname": text(n.DHCPHostname)})
	}
	if n.MACMode != nil {
		maps.Copy(r, map[string]any{"network_mac_mode": *n.MACMode, "network_mac_address": text(n.MACAddress)})
	}
	if n.ProxyMode != nil {
		maps.Copy(r, map[string]any{"proxy_mode": *n.ProxyMode, "proxy_host": text(n.ProxyHost), "proxy_port": number(n.ProxyPort),
			"proxy_user": text(n.ProxyUser), "proxy_password": text(n.ProxyPassword)})
	}
	if n.EAPOLMode == nil {
		return r
	}
	maps.Copy(r, map[string]any{"eapol_mode": *n.EAPOLMode, "eapol_identity": text(n.EAPOLIdentity),
		"eapol_password": text(n.EAPOLPassword), "eapol_anon_identity": text(n.EAPOLAnonIdentity),
		"eapol_client_key_password": text(n.EAPOLClientKeyPassword)})
	held := func(fp *string) string {
		if fp == nil {
			return ""
		}
		return strings.ToLower(*fp)
	}
	if model.CertFingerprint(n.EAPOLCACert) != held(fps.EAPOLCACrtFp) {
		r["eapol_ca_cert"] = text(n.EAPOLCACert)
	}
	if model.CertFingerprint(n.EAPOLClientCert) != held(fps.EAPOLClientCrtFp) {
		r["eapol_client_cert"], r["eapol_client_key"] = text(n.EAPOLClientCert), text(n.EAPOLClientKey)
	}
	return r
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
