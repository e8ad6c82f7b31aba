package honeypot

import (
	"net"
	"testing"
	"time"
)

func TestHandlerPanicEndsOnlyItsConnection(t *testing.T) {
	s := NewTCPServer(DefaultLimits, nil)
	calls := make(chan struct{}, 2)
	if err := s.Start("127.0.0.1:0", func(raw, c net.Conn) {
		calls <- struct{}{}
		panic("hostile input")
	}); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		select {
		case <-calls:
		case <-time.After(5 * time.Second):
			t.Fatalf("connection %d not handled", i)
		}
		c.Close()
	}
}
