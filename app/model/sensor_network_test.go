package model

import (
	"maps"
	"slices"
	"testing"
)

func mode(m int) *int { return &m }

func TestSensorNetworkValidate(t *testing.T) {
	for _, c := range []struct {
		name   string
		n      SensorNetwork
		fields []string // the fields with an error; none for a valid one
	}{
		{"OK nothing set", SensorNetwork{}, nil},
		{"OK static", SensorNetwork{IPMode: mode(IPModeStatic), IPAddress: "192.0.2.5", IPNetmask: "255.255.255.0",
			IPGateway: "192.0.2.1", IPDNS: "192.0.2.53"}, nil},
		{"OK endpoint, service network, DHCP name, custom MAC", SensorNetwork{EndpointHost: "192.0.2.1", EndpointPort: 443,
			ServiceNetwork: "10.10.10.0/24", IPMode: mode(IPModeDHCP), DHCPHostname: "sensor-1.lan",
			MACMode: mode(MACModeCustom), MACAddress: "02:00:5E:10:00:01"}, nil},
		{"OK proxy", SensorNetwork{ProxyMode: mode(ProxyEnabled), ProxyHost: "proxy.example.org", ProxyPort: 3128}, nil},
		{"OK PEAP", SensorNetwork{EAPOLMode: mode(EAPOLPEAP), EAPOLIdentity: "id", EAPOLPassword: "pw"}, nil},
		{"ErrStaticWithoutAddress", SensorNetwork{IPMode: mode(IPModeStatic), IPGateway: "::1"},
			[]string{"network_ip_address", "network_ip_netmask", "network_ip_gateway"}},
		{"ErrEndpointName", SensorNetwork{EndpointHost: "honeysens.example.org"},
			[]string{"server_endpoint_host", "server_endpoint_port_https"}},
		{"ErrServiceNetwork", SensorNetwork{ServiceNetwork: "10.10.10.1/24"}, []string{"service_network"}},
		{"ErrServiceNetworkTooSmall", SensorNetwork{ServiceNetwork: "10.10.10.0/31"}, []string{"service_network"}},
		{"ErrModes", SensorNetwork{IPMode: mode(3), MACMode: mode(-1), ProxyMode: mode(2), EAPOLMode: mode(5)},
			[]string{"network_ip_mode", "network_mac_mode", "proxy_mode", "eapol_mode"}},
		{"ErrMAC", SensorNetwork{MACMode: mode(MACModeCustom), MACAddress: "02:00:5e:10:00"}, []string{"network_mac_address"}},
		{"ErrDHCPName", SensorNetwork{IPMode: mode(IPModeDHCP), DHCPHostname: "Sensor_1"}, []string{"network_dhcp_hostname"}},
		{"ErrProxy", SensorNetwork{ProxyMode: mode(ProxyEnabled), ProxyHost: "a b", ProxyUser: "u\nx"},
			[]string{"proxy_host", "proxy_port", "proxy_user"}},
		{"ErrPercent", SensorNetwork{EAPOLMode: mode(EAPOLMD5), EAPOLIdentity: "id", EAPOLPassword: "100%"}, []string{"eapol_password"}},
		{"ErrMD5WithoutPassword", SensorNetwork{EAPOLMode: mode(EAPOLMD5)}, []string{"eapol_identity", "eapol_password"}},
		{"ErrTLSWithoutCertificates", SensorNetwork{EAPOLMode: mode(EAPOLTLS), EAPOLIdentity: "id", EAPOLCACert: "not a certificate"},
			[]string{"eapol_ca_cert", "eapol_client_cert", "eapol_client_key"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := c.n
			n.Normalize()
			var got []string
			if err := n.Validate(); err != nil {
				e, ok := err.(*Error)
				if !ok || e.Code != ErrInvalid {
					t.Fatalf("error %v, want an invalid *Error", err)
				}
				got = slices.Sorted(maps.Keys(e.Fields))
			}
			if want := slices.Sorted(slices.Values(c.fields)); !slices.Equal(got, want) {
				t.Errorf("fields with errors %v, want %v", got, want)
			}
		})
	}
}

func TestSensorNetworkNormalizeAndSecrets(t *testing.T) {
	stored := SensorNetwork{ProxyMode: mode(ProxyEnabled), ProxyHost: "p", ProxyPort: 1, ProxyUser: "u", ProxyPassword: "proxy-pw",
		EAPOLMode: mode(EAPOLMD5), EAPOLIdentity: "id", EAPOLPassword: "eapol-pw"}

	// A form without passwords keeps them; a DHCP host name and a static address do not mix.
	n := SensorNetwork{IPMode: mode(IPModeDHCP), IPAddress: "192.0.2.5", DHCPHostname: "s1", ProxyMode: mode(ProxyEnabled),
		ProxyHost: "p", ProxyPort: 1, ProxyUser: "u", EAPOLMode: mode(EAPOLPEAP), EAPOLIdentity: "id"}
	n.Normalize()
	n.KeepSecrets(&stored)
	n.Normalize()
	if n.IPAddress != "" || n.DHCPHostname != "s1" || n.ProxyPassword != "proxy-pw" || n.EAPOLPassword != "eapol-pw" {
		t.Errorf("after a save without passwords: %+v", n)
	}
	// Another proxy user needs its own password; EAPOL TLS uses no password; no proxy, no user.
	n = SensorNetwork{ProxyMode: mode(ProxyEnabled), ProxyHost: "p", ProxyPort: 1, ProxyUser: "other", EAPOLMode: mode(EAPOLTLS)}
	n.Normalize()
	n.KeepSecrets(&stored)
	n.Normalize()
	if n.ProxyPassword != "" || n.EAPOLPassword != "" {
		t.Errorf("secrets kept for another user or mode: %+v", n)
	}
	n = SensorNetwork{ProxyMode: mode(ProxyDisabled), ProxyHost: "p", ProxyUser: "u", ProxyPassword: "x"}
	n.Normalize()
	if n.ProxyHost != "" || n.ProxyUser != "" || n.ProxyPassword != "" {
		t.Errorf("a disabled proxy keeps %+v", n)
	}

	v := stored.View()
	if !v.ProxyPassword || !v.EAPOLPassword || v.EAPOLClientKey || v.SensorNetwork.ProxyPassword != "" || v.SensorNetwork.EAPOLPassword != "" {
		t.Errorf("view: %+v", v)
	}
}

func TestContainerServiceValidate(t *testing.T) {
	ok := func() ContainerService {
		return ContainerService{Label: "cowrie", Registry: "registry.example.org:5000",
			Images: map[string]string{"armhf": "honeysens/cowrie:armhf-2.5.0", "amd64": " "}, PortAssignment: map[string]int{"2222/tcp": 22}}
	}
	for _, c := range []struct {
		name   string
		change func(*ContainerService)
		fields []string
	}{
		{"OK", func(*ContainerService) {}, nil},
		{"OK without ports", func(c *ContainerService) { c.PortAssignment = nil }, nil},
		{"ErrLabel", func(c *ContainerService) { c.Label = "-x" }, []string{"label"}},
		{"ErrRegistryURL", func(c *ContainerService) { c.Registry = "https://registry.example.org" }, []string{"registry"}},
		{"ErrNoImage", func(c *ContainerService) { c.Images = map[string]string{"armhf": ""} }, []string{"images"}},
		{"ErrArchitecture", func(c *ContainerService) { c.Images["mips"] = "a/b:1" }, []string{"images"}},
		{"ErrImageWithoutTag", func(c *ContainerService) { c.Images["armhf"] = "honeysens/cowrie" }, []string{"images.armhf"}},
		{"ErrImageWithRegistry", func(c *ContainerService) { c.Images["armhf"] = "registry:5000/cowrie:1" }, []string{"images.armhf"}},
		{"ErrPortKey", func(c *ContainerService) { c.PortAssignment = map[string]int{"22": 22} }, []string{"port_assignment"}},
		{"ErrPortValue", func(c *ContainerService) { c.PortAssignment = map[string]int{"22/udp": 70000} }, []string{"port_assignment"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cs := ok()
			c.change(&cs)
			cs.Normalize()
			var got []string
			if err := cs.Validate(); err != nil {
				got = slices.Sorted(maps.Keys(err.(*Error).Fields))
			}
			if !slices.Equal(got, c.fields) {
				t.Errorf("fields with errors %v, want %v", got, c.fields)
			}
			if _, ok := cs.Images["amd64"]; ok {
				t.Error("an empty image is kept")
			}
		})
	}
}
