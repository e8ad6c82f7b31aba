//go:build unix

package syslog

import (
	"crypto/tls"
	"errors"
	"net"
	"syscall"
)

// readable reports, without waiting, whether anything arrived on the connection's socket: data
// or the receiver's end of the stream. It peeks, so what arrived is still there to be read.
func readable(c net.Conn) bool {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	var b [1]byte
	var peekErr error
	err = raw.Read(func(fd uintptr) bool {
		_, _, peekErr = syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // one look, never a wait
	})
	return err != nil || !errors.Is(peekErr, syscall.EAGAIN)
}
