// Package honeypot holds what every built-in honeypot service shares: the Service contract and
// the Base skeleton each service is built on, the Reporter that takes their events into the one
// ingest path, the Sessions that report an attacker's session early and while it grows, and the
// limits that keep hostile clients from exhausting the appliance. The services live in
// sub-packages.
package honeypot

import (
	"context"
	"net"
	"net/netip"
	"time"

	"honeysens/app/model"
)

// Reporter takes the events a service observes. Report returns once the event is stored (or
// buffered, on a remote sensor); it may be called from many connections at once.
type Reporter interface {
	Report(ctx context.Context, e *model.Event) error
}

// ReporterFunc adapts a function to Reporter.
type ReporterFunc func(ctx context.Context, e *model.Event) error

// Report calls f.
func (f ReporterFunc) Report(ctx context.Context, e *model.Event) error { return f(ctx, e) }

// Service is one honeypot service (ssh, telnet, ftp, http, recon).
type Service interface {
	// Name is the service name events carry, e.g. "ssh".
	Name() string
	// Start binds the service's port(s) and serves in the background until Stop. A bind error
	// (port in use, no permission) is returned at once and nothing keeps running.
	Start(rep Reporter) error
	// Stop closes the listeners and every open connection, and waits until the service's
	// goroutines have ended. Events of sessions cut short are still reported.
	Stop()
}

// Endpoints reads the attacker's and our side of a connection.
func Endpoints(c net.Conn) (src netip.AddrPort, dst netip.AddrPort) {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		src = a.AddrPort()
	}
	if a, ok := c.LocalAddr().(*net.TCPAddr); ok {
		dst = a.AddrPort()
	}
	return netip.AddrPortFrom(src.Addr().Unmap(), src.Port()), netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
}

// NewEvent starts the event of a TCP session on conn for the named service.
func NewEvent(service string, conn net.Conn, start time.Time) *model.Event {
	src, dst := Endpoints(conn)
	return &model.Event{
		Timestamp:  start.UTC(),
		Service:    service,
		Source:     src.Addr(),
		SourcePort: int(src.Port()),
		Target:     dst.Addr(),
		TargetPort: int(dst.Port()),
		Protocol:   model.ProtoTCP,
	}
}

// Interaction appends a timestamped "Sensor interaction" line to the event, cut to the
// detail length limit and stopping at the detail count limit.
func Interaction(e *model.Event, at time.Time, text string) {
	if len(e.Details) >= model.MaxDetails {
		return
	}
	t := at.UTC()
	e.Details = append(e.Details, model.Detail{Timestamp: &t, Type: model.DetailInteraction, Data: model.Clip(text, model.MaxDetailLen)})
}

// Info appends an "Additional information" line to the event.
func Info(e *model.Event, text string) {
	if len(e.Details) >= model.MaxDetails {
		return
	}
	e.Details = append(e.Details, model.Detail{Type: model.DetailGeneric, Data: model.Clip(text, model.MaxDetailLen)})
}
