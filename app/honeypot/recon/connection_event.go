package recon

import (
	"fmt"
	"strings"
	"time"

	"honeysens/app/honeypot"
	"honeysens/app/model"
)

func protoName(p model.Protocol) string { return strings.ToUpper(p.String()) }

// emitLone makes the event of one connection (or datagram) that was no part of a scan.
func (t *tracker) emitLone(h *Hit) {
	e := &model.Event{
		Timestamp:  h.Start.UTC(),
		Service:    t.service,
		Source:     h.Src.Addr().Unmap(),
		SourcePort: int(h.Src.Port()),
		Target:     h.Dst.Addr().Unmap(),
		TargetPort: int(h.Dst.Port()),
		Protocol:   h.Proto,
		Summary:    fmt.Sprintf("Connection attempt on %s port %d", protoName(h.Proto), h.Dst.Port()),
	}
	port := int(h.Dst.Port())
	if h.Proto == model.ProtoTCP {
		t.interaction(e, h.Start, fmt.Sprintf("TCP connection from %s to port %d", h.Src, port))
		e.Packets = append(e.Packets, model.Packet{Timestamp: h.Start.UTC(), Protocol: model.ProtoTCP, Port: port, Flags: honeypot.FlagSYN})
		if !h.DataAt.IsZero() {
			t.interaction(e, h.DataAt, "First payload received: "+payloadText(h))
		}
		if len(h.Payload) > 0 {
			e.Packets = append(e.Packets, model.Packet{Timestamp: h.DataAt.UTC(), Protocol: model.ProtoTCP, Port: port, Flags: honeypot.FlagPSHACK, Payload: h.Payload})
		}
		if !h.End.IsZero() {
			t.interaction(e, h.End, cap1(endText(h)))
		}
	} else {
		t.interaction(e, h.Start, fmt.Sprintf("UDP datagram from %s to port %d: %s", h.Src, port, payloadText(h)))
		if len(h.Payload) > 0 {
			e.Packets = append(e.Packets, model.Packet{Timestamp: h.Start.UTC(), Protocol: model.ProtoUDP, Port: port, Payload: h.Payload})
		}
		if h.Datagrams > 1 {
			t.interaction(e, h.End, fmt.Sprintf("%d datagrams from %s to port %d in all; only the first is kept", h.Datagrams, h.Src, port))
		}
	}
	if h.more > 0 {
		t.info(e, fmt.Sprintf("%d more connections from this source to port %d followed within %s (the last at %s); they are not recorded one by one.",
			h.more, port, t.cfg.Window, h.moreLast.UTC().Format(time.RFC3339Nano)))
	}
	t.mem -= len(h.Payload) // handed over with the event
	t.out = append(t.out, e)
}

// emitCrowd makes the summary event of a port's connections that were not recorded one by one.
func (t *tracker) emitCrowd(c *crowd) {
	port := int(c.key.port)
	e := &model.Event{
		Timestamp:  c.first.UTC(),
		Service:    t.service,
		Source:     c.sources[0].addr,
		Target:     c.target,
		TargetPort: port,
		Protocol:   c.key.proto,
		Summary:    fmt.Sprintf("Connection attempt on %s port %d", protoName(c.key.proto), port),
	}
	t.info(e, fmt.Sprintf("%d connections to %s port %d from many sources within %s are counted here, not recorded one by one: "+
		"the memory budget of the service was full of other sources (a flood from many sources).",
		c.conns, protoName(c.key.proto), port, dur(c.last.Sub(c.first))))
	names := make([]string, len(c.sources))
	for i, src := range c.sources {
		names[i] = fmt.Sprintf("%s (%d)", src.addr, src.conns)
	}
	list := "Sources (connections): " + strings.Join(names, ", ")
	if c.more {
		list = fmt.Sprintf("The first %d sources (connections): %s, and further sources", len(names), strings.Join(names, ", "))
	}
	t.info(e, list)
	t.info(e, "The last connection at "+c.last.UTC().Format(time.RFC3339Nano))
	flags := 0
	if c.key.proto == model.ProtoTCP {
		flags = honeypot.FlagSYN
	}
	e.Packets = []model.Packet{{Timestamp: c.first.UTC(), Protocol: c.key.proto, Port: port, Flags: flags}}
	t.out = append(t.out, e)
}

// endText says how and when a TCP connection ended.
func endText(h *Hit) string {
	if h.Refused {
		return h.Note
	}
	return h.Note + " after " + dur(h.End.Sub(h.Start))
}

func payloadText(h *Hit) string {
	switch {
	case h.payloadCut:
		return "payload not kept (" + h.payloadCutWhy + ")"
	case len(h.Payload) == 0:
		return "no payload"
	}
	if len(h.Payload) == 1 {
		return "1 byte (kept as packet)"
	}
	return fmt.Sprintf("%d bytes (kept as packet)", len(h.Payload))
}

func (t *tracker) info(e *model.Event, text string) { honeypot.Info(e, text) }

func (t *tracker) interaction(e *model.Event, at time.Time, text string) {
	honeypot.Interaction(e, at, text)
}

// dur renders a duration for people: 12ms, 3.2s, 1m5s.
func dur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "0ms"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func cap1(s string) string {
	if s == "" {
		return "Closed"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
