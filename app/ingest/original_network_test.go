package ingest

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"honeysens/app/model"
	"honeysens/app/sensorproto/prototest"
	"honeysens/app/tlscert"
)

// The container services and network settings an operator sets for an original sensor reach
// it in the original's shape and types, and the manager's configuration follows them; parts
// the operator has not set (or no longer sets) stay as the sensor has them.
func TestOriginalSensorServicesAndNetwork(t *testing.T) {
	env := newEnv(t, nil)
	now := prototest.Now
	env.svc.now = func() time.Time { return now }
	ctx := t.Context()
	id := env.sensor.ID
	o := &originalSensor{t: t, app: originalApp(env.svc), id: id, secret: env.sensor.Secret, now: &now, certFP: "invalid",
		config: map[string]string{"server.interval": "1", "network.mode": "0", "network.dns": "192.0.2.53",
			"mac.mode": "1", "mac.address": "02:00:5e:10:00:01"}}

	recon := &model.ContainerService{SensorID: id, Label: "recon", Registry: "registry.example.org:5000", CatchAll: true,
		Images: map[string]string{"amd64": "honeysens/recon:amd64-2.0.0", "armhf": "honeysens/recon:armhf-2.0.0"}}
	cowrie := &model.ContainerService{SensorID: id, Label: "cowrie", Registry: "registry.example.org:5000",
		Images: map[string]string{"armhf": "honeysens/cowrie:armhf-2.5.0"}, PortAssignment: map[string]int{"2222/tcp": 22}}
	for _, c := range []*model.ContainerService{recon, cowrie} {
		c.Normalize()
		if err := env.store.SaveContainerService(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if err := tlscert.GenerateSelfSigned(filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca.key"), now); err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	static, proxy, peap := model.IPModeStatic, model.ProxyEnabled, model.EAPOLPEAP
	network := &model.SensorNetwork{EndpointHost: "192.0.2.1", EndpointPort: 8443, ServiceNetwork: "10.20.0.0/24",
		IPMode: &static, IPAddress: "192.0.2.50", IPNetmask: "255.255.255.0", IPGateway: "192.0.2.254",
		ProxyMode: &proxy, ProxyHost: "proxy.example.org", ProxyPort: 3128, ProxyUser: "sensor", ProxyPassword: "proxy-pw",
		EAPOLMode: &peap, EAPOLIdentity: "sensor@example.org", EAPOLPassword: "eapol-pw", EAPOLCACert: string(ca)}
	network.Normalize()
	if err := network.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := env.store.SetSensorNetwork(ctx, id, network); err != nil {
		t.Fatal(err)
	}

	reply := o.poll(`{}`)
	want := map[string]string{"server.interval": "1", "server.host": "192.0.2.1", "server.port_https": "8443",
		"general.service_network": "10.20.0.0/24", "network.mode": "1", "network.address": "192.0.2.50",
		"network.netmask": "255.255.255.0", "network.gateway": "192.0.2.254", "mac.mode": "1", "mac.address": "02:00:5e:10:00:01",
		"proxy.mode": "1", "proxy.host": "proxy.example.org", "proxy.port": "3128", "proxy.user": "sensor", "proxy.password": "proxy-pw",
		"eapol.mode": "3", "eapol.identity": "sensor@example.org", "eapol.password": "eapol-pw"}
	if !reflect.DeepEqual(o.config, want) {
		t.Errorf("configuration after the heartbeat:\n got %v\nwant %v", o.config, want)
	}
	if o.eapolCAFP != model.CertFingerprint(string(ca)) || o.eapolCAFP == "" {
		t.Errorf("the sensor holds EAPOL CA %q, want the one set", o.eapolCAFP)
	}
	type archService struct {
		Label            string `json:"label"`
		URI              string `json:"uri"`
		RawNetworkAccess bool   `json:"rawNetworkAccess"`
		CatchAll         bool   `json:"catchAll"`
		PortAssignment   string `json:"portAssignment"`
	}
	var services map[string]map[string]archService
	if err := json.Unmarshal(reply["services"], &services); err != nil {
		t.Fatal(err)
	}
	wantServices := map[string]map[string]archService{
		"1": {"amd64": {"recon", "honeysens/recon:amd64-2.0.0", false, true, "{}"},
			"armhf": {"recon", "honeysens/recon:armhf-2.0.0", false, true, "{}"}},
		"2": {"armhf": {"cowrie", "honeysens/cowrie:armhf-2.5.0", false, false, `{"2222/tcp":22}`}},
	}
	if !reflect.DeepEqual(services, wantServices) {
		t.Errorf("services = %s", reply["services"])
	}

	// The sensor holds the CA certificate now: it is not sent again, and nothing in its
	// configuration changes (a change would make it restart its network and containers).
	now = now.Add(time.Minute)
	applied := maps.Clone(o.config)
	if reply := o.poll(`{"1": 0, "2": 1}`); reply["eapol_ca_cert"] != nil {
		t.Errorf("eapol_ca_cert sent again: %s", reply["eapol_ca_cert"])
	}
	if !reflect.DeepEqual(o.config, applied) {
		t.Errorf("the same settings changed the configuration:\n got %v\nwant %v", o.config, applied)
	}

	// Without a CA certificate in its settings the sensor is told to drop its copy.
	network.EAPOLCACert = ""
	if err := env.store.SetSensorNetwork(ctx, id, network); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	if reply := o.poll(`{"1": 0, "2": 0}`); string(reply["eapol_ca_cert"]) != "null" || o.eapolCAFP != "" {
		t.Errorf("eapol_ca_cert = %s, the sensor holds %q; want null and none", reply["eapol_ca_cert"], o.eapolCAFP)
	}

	// Settings no longer set and services removed: the sensor keeps its configuration and
	// stops its containers ({} is every service unassigned).
	if err := env.store.SetSensorNetwork(ctx, id, &model.SensorNetwork{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*model.ContainerService{recon, cowrie} {
		if err := env.store.DeleteContainerService(ctx, id, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(time.Minute)
	before := maps.Clone(o.config)
	reply = o.poll(`{"1": 0, "2": 0}`)
	if string(reply["services"]) != "{}" {
		t.Errorf("services = %s with none assigned", reply["services"])
	}
	for _, key := range []string{"service_network", "network_ip_mode", "network_mac_mode", "proxy_mode", "proxy_password",
		"eapol_mode", "eapol_password", "eapol_ca_cert", "eapol_client_cert"} {
		if raw, ok := reply[key]; ok {
			t.Errorf("%s = %s sent although not set", key, raw)
		}
	}
	before["server.host"], before["server.port_https"] = "honeysens.example.org", "8443"
	if !reflect.DeepEqual(o.config, before) {
		t.Errorf("configuration changed by unset settings:\n got %v\nwant %v", o.config, before)
	}
}
