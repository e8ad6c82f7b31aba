package web

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"honeysens/app/ingest"
	"honeysens/app/model"
)

// defaultServiceNetwork is the original server's default network of the service containers.
const defaultServiceNetwork = "10.10.10.0/24"

// sensorConfigOriginal is the configuration archive of an original HoneySens 2.x sensor, as
// the original server builds it: honeysens.cfg (an INI file), the certificate the sensor
// trusts, server-cert.pem (empty over plain HTTP: the sensor then checks the server with its
// system's certificate authorities), and the EAPOL certificates and key when set. The server
// is named as the browser reached the appliance (see ingest.Endpoint) unless the sensor's
// settings name another endpoint. The first heartbeat comes after a minute; its answer then
// sets the interval. Network settings the operator has not set are the original's defaults:
// DHCP, the sensor's own MAC address, no proxy, no EAPOL.
func (s *Server) sensorConfigOriginal(c *fiber.Ctx, sn *model.Sensor) error {
	n, err := s.Store.SensorNetwork(c.UserContext(), sn.ID)
	if err != nil {
		return err
	}
	name, port := ingest.Endpoint(c)
	host := name
	if n.EndpointHost != "" {
		host, port = n.EndpointHost, n.EndpointPort
	}
	hostname := fmt.Sprintf("s%d", sn.ID)
	files := []archiveFile{{"server-cert.pem", s.Ingest.ServerCertPEM()}}
	file := func(name, pem string) string {
		if pem == "" {
			return ""
		}
		files = append(files, archiveFile{name, []byte(pem)})
		return name
	}
	serviceNetwork := n.ServiceNetwork
	if serviceNetwork == "" {
		serviceNetwork = defaultServiceNetwork
	}
	var cfg bytes.Buffer
	section := func(title string, kv ...string) {
		fmt.Fprintf(&cfg, "[%s]\n", title)
		for i := 0; i < len(kv); i += 2 {
			// A key without a value is read back as unset, as the original writes it.
			if kv[i+1] == "" {
				fmt.Fprintf(&cfg, "%s\n", kv[i])
			} else {
				fmt.Fprintf(&cfg, "%s = %s\n", kv[i], kv[i+1])
			}
		}
		cfg.WriteString("\n")
	}
	section("server", "host", host, "name", name, "port_https", strconv.Itoa(port), "interval", "1", "certfile", "server-cert.pem")
	section("general", "sensor_id", strconv.FormatInt(sn.ID, 10), "hostname", hostname, "secret", sn.Secret,
		"service_network", serviceNetwork)
	section("network", "mode", modeText(n.IPMode), "address", n.IPAddress, "netmask", n.IPNetmask, "gateway", n.IPGateway,
		"dns", n.IPDNS, "dhcp_hostname", n.DHCPHostname)
	section("mac", "mode", modeText(n.MACMode), "address", n.MACAddress)
	proxyPort := ""
	if n.ProxyPort > 0 {
		proxyPort = strconv.Itoa(n.ProxyPort)
	}
	section("proxy", "mode", modeText(n.ProxyMode), "host", n.ProxyHost, "port", proxyPort, "user", n.ProxyUser,
		"password", n.ProxyPassword)
	section("eapol", "mode", modeText(n.EAPOLMode), "identity", n.EAPOLIdentity, "password", n.EAPOLPassword,
		"anon_identity", n.EAPOLAnonIdentity, "ca_cert", file("eapol_ca.crt", n.EAPOLCACert),
		"client_cert", file("eapol_client.crt", n.EAPOLClientCert), "client_key", file("eapol_client.key", n.EAPOLClientKey),
		"client_key_password", n.EAPOLClientKeyPassword)
	files = append(files, archiveFile{"honeysens.cfg", cfg.Bytes()})
	archive, err := tarGz(files, s.Now())
	if err != nil {
		return err
	}
	s.auditNote(c, model.AuditSensorConfigDownloaded, "sensor", sn.ID, sn.Name, model.Text{Key: "audit_detail.original_archive"}, nil)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.tar.gz"`, hostname))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "application/gzip")
	return c.Send(archive)
}

// modeText is a mode as the configuration file holds it; unset is the original's default, 0.
func modeText(m *int) string {
	if m == nil {
		return "0"
	}
	return strconv.Itoa(*m)
}

type archiveFile struct {
	name string
	data []byte
}

// tarGz packs files (readable by their owner only: they hold the secret) into a gzip tarball.
func tarGz(files []archiveFile, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o600, Size: int64(len(f.data)), ModTime: mtime}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
