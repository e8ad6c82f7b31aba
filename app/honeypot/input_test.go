package honeypot

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"honeysens/app/model"
)

func TestWatchInput(t *testing.T) {
	server, client := net.Pipe()
	defer server.Close()
	sent := bytes.Repeat([]byte("SSH-2.0-x\r\n"), 100) // 1,100 bytes, more than the packet keeps
	go func() {
		client.Write(sent)
		client.Close()
	}()
	var firsts [][]byte
	c := WatchInput(server, func(at time.Time, p []byte) { firsts = append(firsts, bytes.Clone(p)) })
	// a reader that takes one byte at a time, as x/crypto/ssh reads the version line
	var got []byte
	one := make([]byte, 1)
	for {
		n, err := c.Read(one)
		got = append(got, one[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, sent) {
		t.Fatalf("read %d bytes, sent %d", len(got), len(sent))
	}
	if len(firsts) != 1 || !bytes.Equal(firsts[0], sent[:FirstPayloadMax]) {
		t.Fatalf("first input %q", firsts)
	}
	p := FirstPacket(time.Unix(1, 0), 22, sent)
	if len(p.Payload) != FirstPayloadMax || p.Flags != FlagPSHACK || p.Port != 22 || p.Protocol != model.ProtoTCP || model.FlagLetters(p.Flags) != "PA" {
		t.Fatalf("packet %+v", p)
	}
	e := &model.Event{}
	for range model.MaxPackets + 5 {
		AddPacket(e, p)
	}
	if len(e.Packets) != model.MaxPackets {
		t.Fatalf("%d packets", len(e.Packets))
	}
}
