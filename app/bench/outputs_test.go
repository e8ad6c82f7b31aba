package bench

import (
	"context"
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"honeysens/app/model"
	"honeysens/app/outputs"
	"honeysens/app/outputs/syslog"
	"honeysens/app/outputs/webhook"
)

// TestReceiversCountWhatTheOutputsSend: the bench's receivers recognise the records and
// requests of the appliance's own senders by event id, with an attacker's summary that
// imitates the structured data, and count a repeated event as such.
func TestReceiversCountWhatTheOutputsSend(t *testing.T) {
	logs, err := startSyslogReceiver()
	if err != nil {
		t.Fatal(err)
	}
	defer logs.close()
	hooks, err := startWebhookReceiver()
	if err != nil {
		t.Fatal(err)
	}
	defer hooks.close()

	open := func(k outputs.Kind, config map[string]any) outputs.Sender {
		raw, _ := json.Marshal(config)
		checked, err := k.Config(raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := k.Open(checked)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	senders := map[*receiver]outputs.Sender{
		logs.receiver:  open(syslog.Kind{Hostname: "bench"}, map[string]any{"host": "127.0.0.1", "port": logs.port, "transport": "tcp"}),
		hooks.receiver: open(webhook.Kind{}, map[string]any{"url": hooks.url + "/hook"}),
	}
	for rcv, s := range senders {
		defer s.Close()
		for _, id := range []int64{7, 8, 7} {
			e := &model.Event{ID: id, Timestamp: time.Now(), Service: "ssh", Source: netip.MustParseAddr("10.0.0.1"),
				Summary: `x"] [honeysens@32473 id="99"` + "\n"}
			if res := s.Send(context.Background(), []*model.Event{e}); len(res) != 1 || res[0] != nil {
				t.Fatalf("outcomes %v", res)
			}
		}
		// a syslog record is delivered once written: wait for the receiver to read all three
		for i := 0; i < 500 && rcv.count() < 3; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		twice, bad := rcv.faults()
		if rcv.count() != 3 || twice != 1 || bad != 0 || rcv.seen[7] != 2 || rcv.seen[8] != 1 {
			t.Errorf("received %d (%v), %d twice, %d not ours; want 7 twice and 8 once", rcv.count(), rcv.seen, twice, bad)
		}
	}
}
