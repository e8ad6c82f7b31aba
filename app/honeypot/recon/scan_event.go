package recon

import (
	"fmt"
	"slices"
	"strings"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

// emitScan makes the event of a scan: its ports in the summary, one interaction line per
// listed connection, and a packet for every port probed.
func (t *tracker) emitScan(sc *scan, end string) {
	keys := make([]portKey, 0, len(sc.ports))
	protos := map[model.Protocol]bool{}
	for k := range sc.ports {
		keys = append(keys, k)
		protos[k.proto] = true
	}
	slices.SortFunc(keys, func(a, b portKey) int {
		if a.proto != b.proto {
			return int(a.proto) - int(b.proto)
		}
		return int(a.port) - int(b.port)
	})
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.String()
	}
	// The classification is set here: the server's rule by service and summary (HoneySens'
	// "Scan") no longer matches a summary that names the ports.
	e := &model.Event{
		Timestamp:      sc.first.UTC(),
		Service:        t.service,
		Source:         sc.src,
		Classification: model.ClassScan,
		Summary:        scanSummary(names),
	}
	if len(protos) == 1 {
		e.Protocol = keys[0].proto
	}
	if len(sc.hits) > 0 {
		e.Target = sc.hits[0].Dst.Addr().Unmap()
	}
	t.info(e, "Ports: "+strings.Join(names, ", "))
	t.info(e, fmt.Sprintf("%d connections to %d ports within %s", sc.conns, len(keys), dur(sc.last.Sub(sc.first))))
	if n := sc.conns - len(sc.hits); n > 0 {
		t.info(e, fmt.Sprintf("%d further connections are counted above but not listed (at most %d are listed per scan event).", n, t.cfg.MaxScanHits))
	}
	t.info(e, end)
	for _, h := range sc.hits {
		port := int(h.Dst.Port())
		var line string
		if h.Proto == model.ProtoTCP {
			line = fmt.Sprintf("TCP port %d from %s: %s; %s", port, h.Src, payloadText(h), endText(h))
		} else {
			line = fmt.Sprintf("UDP port %d from %s: %s", port, h.Src, payloadText(h))
			if h.Datagrams > 1 {
				line += fmt.Sprintf(" (%d datagrams, the first kept)", h.Datagrams)
			}
		}
		t.interaction(e, h.Start, line)
	}
	t.scanPackets(e, sc, keys)
	t.out = append(t.out, e)
}

// scanPackets lists the payload packets of the scan (at most MaxScanPkts) and, for every other
// port probed, the bare connection (a SYN) or datagram, while the event has room: ports from
// the first. The packets are in the order of the connections.
func (t *tracker) scanPackets(e *model.Event, sc *scan, keys []portKey) {
	room := model.MaxPackets - sc.pkts // for packets without payload
	covered := map[portKey]bool{}
	bare := func(k portKey) bool {
		if covered[k] || room <= 0 {
			return false
		}
		covered[k] = true
		room--
		return true
	}
	var pkts []model.Packet
	for _, h := range sc.hits {
		k, port := keyOf(h), int(h.Dst.Port())
		switch {
		case len(h.Payload) > 0:
			at, flags := h.DataAt, honeypot.FlagPSHACK
			if h.Proto == model.ProtoUDP {
				at, flags = h.Start, 0
			}
			pkts = append(pkts, model.Packet{Timestamp: at.UTC(), Protocol: h.Proto, Port: port, Flags: flags, Payload: h.Payload})
			t.mem -= len(h.Payload)
			covered[k] = true // counted in sc.pkts, not in room
		case h.Proto == model.ProtoTCP && bare(k):
			pkts = append(pkts, model.Packet{Timestamp: h.Start.UTC(), Protocol: model.ProtoTCP, Port: port, Flags: honeypot.FlagSYN})
		}
	}
	// ports whose connections were not listed, or whose datagrams lost their payload
	for _, k := range keys {
		if bare(k) {
			flags := 0
			if k.proto == model.ProtoTCP {
				flags = honeypot.FlagSYN
			}
			pkts = append(pkts, model.Packet{Timestamp: sc.portFirst[k].UTC(), Protocol: k.proto, Port: int(k.port), Flags: flags})
		}
	}
	slices.SortStableFunc(pkts, func(a, b model.Packet) int { return a.Timestamp.Compare(b.Timestamp) })
	e.Packets = pkts
	if n := len(keys) - len(covered); n > 0 {
		t.info(e, fmt.Sprintf("%d ports are not in the packet list (at most %d packets per event).", n, model.MaxPackets))
	}
}

// scanSummary names a scan's ports, as many as fit: "Scan: 6 ports 3306, 3389, 5432, …".
func scanSummary(names []string) string {
	s := fmt.Sprintf("Scan: %d ports ", len(names))
	if len(names) == 1 {
		s = "Scan: 1 port "
	}
	const more = ", …"
	for i, n := range names {
		sep := ", "
		if i == 0 {
			sep = ""
		}
		need := len(s) + len(sep) + len(n)
		if i < len(names)-1 {
			need += len(more)
		}
		if need > model.MaxSummaryLen {
			return s + more
		}
		s += sep + n
	}
	return s
}
