package ingest

import "honeysens/app/model"

// honeypotServices are services whose every event is an interaction with a honeypot, which
// the manual calls critical. The built-in services and HoneySens' honeypot codes are here.
var honeypotServices = map[string]bool{
	"honeypot": true, "web-honeypot": true,
	"ssh": true, "telnet": true, "ftp": true, "http": true, "https": true,
	"smb": true, "mysql": true, "rdp": true, "vnc": true, "sip": true, "snmp": true,
	"cowrie": true, "dionaea": true, "heralding": true, "conpot": true, "glastopf": true,
}

// Classify decides an event's classification from its service, as HoneySens does: recon
// reports a scan with the summary "Scan" and anything else as a connection attempt; honeypot
// services are Honeypot; ICMP probes are ICMP; everything else is Unknown.
func Classify(e *model.Event) model.Classification {
	switch {
	case e.Service == "recon" && e.Summary == "Scan":
		return model.ClassScan
	case e.Service == "recon":
		return model.ClassConnAttempt
	case e.Service == "icmp":
		return model.ClassICMP
	case honeypotServices[e.Service]:
		return model.ClassHoneypot
	}
	return model.ClassUnknown
}
