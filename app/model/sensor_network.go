package model

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Modes of a sensor's network settings, with the values of the original HoneySens.
const (
	IPModeDHCP   = 0
	IPModeStatic = 1
	IPModeNone   = 2 // left to the host (Docker sensors)

	MACModeOriginal = 0
	MACModeCustom   = 1

	ProxyDisabled = 0
	ProxyEnabled  = 1

	EAPOLDisabled = 0
	EAPOLMD5      = 1
	EAPOLTLS      = 2
	EAPOLPEAP     = 3
	EAPOLTTLS     = 4
)

// SensorNetwork is how a sensor connects: its address, MAC address, proxy, IEEE 802.1X (EAPOL),
// the server address it uses and the network its service containers run in. A nil mode (and an
// empty endpoint host or service network) means the operator has not set that part: the
// sensor keeps what it has. The JSON names are the original HoneySens sensor's, which reads
// them from its heartbeat answer. The password, key and passphrase fields are secrets: they
// are stored and sent to the sensor, never shown (see SensorNetworkView).
type SensorNetwork struct {
	EndpointHost   string `json:"server_endpoint_host"`
	EndpointPort   int    `json:"server_endpoint_port_https"`
	ServiceNetwork string `json:"service_network"`

	IPMode       *int   `json:"network_ip_mode"`
	IPAddress    string `json:"network_ip_address"`
	IPNetmask    string `json:"network_ip_netmask"`
	IPGateway    string `json:"network_ip_gateway"`
	IPDNS        string `json:"network_ip_dns"`
	DHCPHostname string `json:"network_dhcp_hostname"`

	MACMode    *int   `json:"network_mac_mode"`
	MACAddress string `json:"network_mac_address"`

	ProxyMode     *int   `json:"proxy_mode"`
	ProxyHost     string `json:"proxy_host"`
	ProxyPort     int    `json:"proxy_port"`
	ProxyUser     string `json:"proxy_user"`
	ProxyPassword string `json:"proxy_password"`

	EAPOLMode              *int   `json:"eapol_mode"`
	EAPOLIdentity          string `json:"eapol_identity"`
	EAPOLPassword          string `json:"eapol_password"`
	EAPOLAnonIdentity      string `json:"eapol_anon_identity"`
	EAPOLCACert            string `json:"eapol_ca_cert"`     // PEM
	EAPOLClientCert        string `json:"eapol_client_cert"` // PEM
	EAPOLClientKey         string `json:"eapol_client_key"`  // PEM
	EAPOLClientKeyPassword string `json:"eapol_client_key_password"`
}

// SensorNetworkView is SensorNetwork as the UI and the API show it: secrets only say whether
// they are set; certificates by their SHA-256 fingerprint.
type SensorNetworkView struct {
	SensorNetwork
	ProxyPassword          bool   `json:"proxy_password"`
	EAPOLPassword          bool   `json:"eapol_password"`
	EAPOLClientKey         bool   `json:"eapol_client_key"`
	EAPOLClientKeyPassword bool   `json:"eapol_client_key_password"`
	EAPOLCAFingerprint     string `json:"eapol_ca_cert_sha256"`
	EAPOLClientFP          string `json:"eapol_client_cert_sha256"`
}

// View hides the secrets of n.
func (n *SensorNetwork) View() SensorNetworkView {
	v := SensorNetworkView{SensorNetwork: *n, ProxyPassword: n.ProxyPassword != "", EAPOLPassword: n.EAPOLPassword != "",
		EAPOLClientKey: n.EAPOLClientKey != "", EAPOLClientKeyPassword: n.EAPOLClientKeyPassword != "",
		EAPOLCAFingerprint: CertFingerprint(n.EAPOLCACert), EAPOLClientFP: CertFingerprint(n.EAPOLClientCert)}
	v.SensorNetwork.ProxyPassword, v.SensorNetwork.EAPOLPassword = "", ""
	v.SensorNetwork.EAPOLClientKey, v.SensorNetwork.EAPOLClientKeyPassword = "", ""
	return v
}

// KeepSecrets takes the secrets that n leaves empty from the stored settings, as far as n's
// modes still use them: a form that shows no password must not erase it.
func (n *SensorNetwork) KeepSecrets(stored *SensorNetwork) {
	if n.ProxyPassword == "" && n.ProxyUser != "" && n.ProxyUser == stored.ProxyUser {
		n.ProxyPassword = stored.ProxyPassword
	}
	if n.EAPOLMode != nil && stored.EAPOLMode != nil {
		if n.EAPOLPassword == "" {
			n.EAPOLPassword = stored.EAPOLPassword
		}
		if n.EAPOLClientKey == "" && n.EAPOLClientCert == stored.EAPOLClientCert {
			n.EAPOLClientKey = stored.EAPOLClientKey
		}
		if n.EAPOLClientKeyPassword == "" && n.EAPOLClientCert == stored.EAPOLClientCert {
			n.EAPOLClientKeyPassword = stored.EAPOLClientKeyPassword
		}
	}
}

var (
	dhcpHostnamePattern = regexp.MustCompile(`^[a-z0-9.-]{1,253}$`)
	macPattern          = regexp.MustCompile(`^[0-9a-f]{2}(:[0-9a-f]{2}){5}$`)
	proxyHostPattern    = regexp.MustCompile(`^[A-Za-z0-9.:\[\]-]{1,255}$`)
)

// Normalize clears what the chosen modes do not use (as the original does when the mode
// changes) and writes the MAC address in lower case.
func (n *SensorNetwork) Normalize() {
	mode := func(m *int) int {
		if m == nil {
			return -1
		}
		return *m
	}
	if n.EndpointHost == "" {
		n.EndpointPort = 0
	}
	if mode(n.IPMode) != IPModeStatic {
		n.IPAddress, n.IPNetmask, n.IPGateway, n.IPDNS = "", "", "", ""
	}
	if mode(n.IPMode) != IPModeDHCP {
		n.DHCPHostname = ""
	}
	// PEM text ends with a line break, however it was pasted: the sensor writes it to a file.
	for _, p := range []*string{&n.EAPOLCACert, &n.EAPOLClientCert, &n.EAPOLClientKey} {
		if *p = strings.TrimSpace(*p); *p != "" {
			*p += "\n"
		}
	}
	n.MACAddress = strings.ToLower(n.MACAddress)
	if mode(n.MACMode) != MACModeCustom {
		n.MACAddress = ""
	}
	if mode(n.ProxyMode) != ProxyEnabled {
		n.ProxyHost, n.ProxyPort, n.ProxyUser = "", 0, ""
	}
	if n.ProxyUser == "" {
		n.ProxyPassword = ""
	}
	m := mode(n.EAPOLMode)
	if m <= EAPOLDisabled {
		n.EAPOLIdentity = ""
	}
	if m != EAPOLMD5 && m != EAPOLPEAP && m != EAPOLTTLS {
		n.EAPOLPassword = ""
	}
	if m != EAPOLPEAP && m != EAPOLTTLS {
		n.EAPOLAnonIdentity = ""
	}
	if m != EAPOLTLS && m != EAPOLPEAP && m != EAPOLTTLS {
		n.EAPOLCACert = ""
	}
	if m != EAPOLTLS {
		n.EAPOLClientCert, n.EAPOLClientKey, n.EAPOLClientKeyPassword = "", "", ""
	}
}

// Validate checks n after Normalize; messages are keyed by the JSON names.
func (n *SensorNetwork) Validate() error {
	f := FieldErrors{}
	ipv4 := func(key, s string, required bool) {
		if s == "" {
			if required {
				f.Add(key, "Required.")
			}
			return
		}
		if a, err := netip.ParseAddr(s); err != nil || !a.Is4() {
			f.Add(key, "Use an IPv4 address such as 192.0.2.10.")
		}
	}
	text := func(key, s string, max int, required bool) {
		switch {
		case s == "" && required:
			f.Add(key, "Required.")
		case utf8.RuneCountInString(s) > max || strings.ContainsAny(s, "\r\n\x00"):
			f.Add(key, "At most "+strconv.Itoa(max)+" characters on one line.")
		case strings.Contains(s, "%"):
			// The original sensor's configuration parser takes % for a reference to another
			// setting and refuses to store the value: it would stop polling.
			f.Add(key, "The sensor cannot store '%' in its configuration.")
		}
	}
	inModes := func(key string, m *int, last int) bool {
		if m != nil && (*m < 0 || *m > last) {
			f.Add(key, "Unknown mode.")
			return false
		}
		return m != nil
	}
	// The original sensor maps its server name to a custom endpoint in /etc/hosts: an address.
	ipv4("server_endpoint_host", n.EndpointHost, false)
	if n.EndpointHost != "" && (n.EndpointPort < 1 || n.EndpointPort > 65535) {
		f.Add("server_endpoint_port_https", "Use a port from 1 to 65535.")
	}
	if n.ServiceNetwork != "" {
		if p, err := netip.ParsePrefix(n.ServiceNetwork); err != nil || !p.Addr().Is4() || p.Bits() > 30 || p.Masked() != p {
			f.Add("service_network", "Use an IPv4 network such as 10.10.10.0/24 (prefix at most /30).")
		}
	}
	if inModes("network_ip_mode", n.IPMode, IPModeNone) {
		ipv4("network_ip_address", n.IPAddress, *n.IPMode == IPModeStatic)
		ipv4("network_ip_netmask", n.IPNetmask, *n.IPMode == IPModeStatic)
		ipv4("network_ip_gateway", n.IPGateway, false)
		ipv4("network_ip_dns", n.IPDNS, false)
		if n.DHCPHostname != "" && !dhcpHostnamePattern.MatchString(n.DHCPHostname) {
			f.Add("network_dhcp_hostname", "Use lower-case letters, digits, '-' and '.'.")
		}
	}
	if inModes("network_mac_mode", n.MACMode, MACModeCustom) && *n.MACMode == MACModeCustom && !macPattern.MatchString(n.MACAddress) {
		f.Add("network_mac_address", "Use six hexadecimal pairs such as 02:00:5e:10:00:01.")
	}
	if inModes("proxy_mode", n.ProxyMode, ProxyEnabled) && *n.ProxyMode == ProxyEnabled {
		if !proxyHostPattern.MatchString(n.ProxyHost) {
			f.Add("proxy_host", "Use a host name or address.")
		}
		if n.ProxyPort < 1 || n.ProxyPort > 65535 {
			f.Add("proxy_port", "Use a port from 1 to 65535.")
		}
		text("proxy_user", n.ProxyUser, 255, false)
		text("proxy_password", n.ProxyPassword, 512, false)
	}
	if inModes("eapol_mode", n.EAPOLMode, EAPOLTTLS) && *n.EAPOLMode != EAPOLDisabled {
		m := *n.EAPOLMode
		text("eapol_identity", n.EAPOLIdentity, 512, true)
		text("eapol_password", n.EAPOLPassword, 512, m != EAPOLTLS)
		text("eapol_anon_identity", n.EAPOLAnonIdentity, 512, false)
		if n.EAPOLCACert != "" && CertFingerprint(n.EAPOLCACert) == "" {
			f.Add("eapol_ca_cert", "Paste one PEM certificate.")
		}
		if m == EAPOLTLS {
			if CertFingerprint(n.EAPOLClientCert) == "" {
				f.Add("eapol_client_cert", "Paste the client's PEM certificate.")
			}
			if b, _ := pem.Decode([]byte(n.EAPOLClientKey)); b == nil || !strings.HasSuffix(b.Type, "PRIVATE KEY") {
				f.Add("eapol_client_key", "Paste the client's PEM private key.")
			}
			text("eapol_client_key_password", n.EAPOLClientKeyPassword, 512, false)
		}
	}
	return f.Err()
}

// CertFingerprint is the lower-case hex SHA-256 of a PEM certificate's DER, as original
// sensors report the certificates they hold; "" when pemText is not one certificate.
func CertFingerprint(pemText string) string {
	b, rest := pem.Decode([]byte(pemText))
	if b == nil || b.Type != "CERTIFICATE" || strings.TrimSpace(string(rest)) != "" {
		return ""
	}
	if _, err := x509.ParseCertificate(b.Bytes); err != nil {
		return ""
	}
	sum := sha256.Sum256(b.Bytes)
	return hex.EncodeToString(sum[:])
}
