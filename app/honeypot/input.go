package honeypot

import (
	"net"
	"time"

	"honeysens/app/model"
)

// FirstPayloadMax is how many bytes of a connection's first client payload its event keeps
// as a packet.
const FirstPayloadMax = 512

// TCP flags of the packets the services record (model.Packet.Flags).
const (
	FlagSYN    = 2
	FlagPSHACK = 8 | 16
)

// FirstPacket is the packet overview entry of a TCP connection's first client payload on our
// port, as HoneySens' recon service records it.
func FirstPacket(at time.Time, port int, payload []byte) model.Packet {
	return model.Packet{Timestamp: at.UTC(), Protocol: model.ProtoTCP, Port: port, Flags: FlagPSHACK,
		Payload: append([]byte(nil), payload[:min(len(payload), FirstPayloadMax)]...)}
}

// AddPacket appends a packet to the event, up to model.MaxPackets.
func AddPacket(e *model.Event, p model.Packet) {
	if len(e.Packets) < model.MaxPackets {
		e.Packets = append(e.Packets, p)
	}
}

// WatchInput returns conn with a hook on the client's first input: first is called once,
// with the time and the bytes (at most FirstPayloadMax, valid during the call only) of the
// first read that returned data. That is the moment a connection becomes an attacker's action.
//
// The first read asks for at least FirstPayloadMax bytes, whatever the caller asked for, and
// hands the rest out on the next reads: a protocol library that reads its first line byte by
// byte (x/crypto/ssh does) would otherwise leave a one-byte packet.
func WatchInput(conn net.Conn, first func(at time.Time, payload []byte)) net.Conn {
	return &inputConn{Conn: conn, first: first}
}

// inputConn is used by one reader at a time, as net.Conn readers are.
type inputConn struct {
	net.Conn
	first    func(at time.Time, payload []byte)
	seen     bool
	ahead    []byte // read ahead on the first read, not yet handed out
	aheadErr error  // the first read's error, returned with the last of ahead
}

func (c *inputConn) Read(p []byte) (int, error) {
	if c.seen && len(c.ahead) == 0 {
		return c.Conn.Read(p)
	}
	if !c.seen {
		buf := make([]byte, max(len(p), FirstPayloadMax))
		n, err := c.Conn.Read(buf)
		if n == 0 {
			return 0, err
		}
		c.seen = true
		c.first(time.Now(), buf[:min(n, FirstPayloadMax)])
		c.ahead, c.aheadErr = buf[:n], err
	}
	n := copy(p, c.ahead)
	if c.ahead = c.ahead[n:]; len(c.ahead) > 0 {
		return n, nil
	}
	c.ahead = nil
	err := c.aheadErr
	c.aheadErr = nil
	return n, err
}
