package outputs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"honeysens/app/model"
	"honeysens/app/notify/outbox"
)

// channel is one output's way out for its courier. It reads the output at the start of every
// round, so a change of its settings takes effect with the next message, and reopens the
// sender when the settings changed.
type channel struct {
	s      *Service
	id     int64
	sender Sender
	config []byte // the settings sender was opened with
	kind   string
}

// Ready: a disabled output keeps its queue until the messages give up; a deleted one has
// nothing left to send.
func (ch *channel) Ready(ctx context.Context) (bool, string, error) {
	o, err := ch.s.st.Output(ctx, ch.id)
	if model.ErrorCode(err) == model.ErrNotFound {
		ch.close()
		return false, "The output was deleted.", nil
	}
	if err != nil {
		return false, "", err
	}
	if !o.Enabled {
		ch.close()
		return false, "The output was disabled.", nil
	}
	if ch.sender != nil && o.Kind == ch.kind && bytes.Equal(ch.config, o.Config) {
		return true, "", nil
	}
	ch.close()
	k, ok := ch.s.kinds[o.Kind]
	if !ok {
		return false, "Unknown output type " + o.Kind + ".", nil
	}
	if ch.sender, err = k.Open(o.Config); err != nil {
		return false, "", fmt.Errorf("open output %d: %w", ch.id, err)
	}
	ch.config, ch.kind = o.Config, o.Kind
	return true, "", nil
}

func (ch *channel) Due(ctx context.Context, now time.Time, limit int) ([]outbox.Message, error) {
	due, err := ch.s.st.DueOutputMessages(ctx, ch.id, now, limit)
	if err != nil {
		return nil, err
	}
	out := make([]outbox.Message, len(due))
	for i, m := range due {
		out[i] = outbox.Message{ID: m.ID, Attempts: m.Attempts, Value: m.EventID}
	}
	return out, nil
}

// errGone is the failure of a message whose event was deleted before it went out.
var errGone = Refuse(errors.New("the event was removed before it was delivered"))

// readChunk bounds the events a round holds in memory at once: how big an event is (its
// details and packets) is the attacker's choice, and a round may take GrowingRound messages.
const readChunk = outbox.Round

// Send reads the messages' events readChunk at a time and hands them to the sender in order;
// an event removed in the meantime fails its message, a refused one fails only its own, and a
// failure of the receiver ends the round.
func (ch *channel) Send(ctx context.Context, ms []outbox.Message) []error {
	results := make([]error, 0, len(ms))
	for start := 0; start < len(ms); start += readChunk {
		part := ms[start:min(start+readChunk, len(ms))]
		done := ch.sendPart(ctx, part)
		results = append(results, done...)
		if len(done) < len(part) || slices.ContainsFunc(done, holds) {
			break
		}
	}
	return results
}

// sendPart reads the events of ms in one go and sends them, as Send does.
func (ch *channel) sendPart(ctx context.Context, ms []outbox.Message) []error {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.Value.(int64)
	}
	found, err := ch.s.st.DeliveredEvents(ctx, ids)
	if err != nil {
		return []error{err} // the first message waits with the store's error; the others as they were
	}
	results := make([]error, 0, len(ms))
	for len(results) < len(ms) {
		var events []*model.Event
		for _, id := range ids[len(results):] {
			e := found[id]
			if e == nil {
				break
			}
			events = append(events, e)
		}
		if len(events) == 0 {
			results = append(results, errGone)
			continue
		}
		done := ch.sender.Send(ctx, events)
		done = done[:min(len(done), len(events))] // a sender's extra outcome would be nobody's
		results = append(results, done...)
		if len(done) < len(events) || slices.ContainsFunc(done, holds) {
			break
		}
	}
	return results
}

// holds reports whether a send error holds the queue, that is, is not about its message alone.
func holds(err error) bool { return err != nil && !Refused(err) }

// Judge: what the receiver refused for this message fails it; anything else (unreachable,
// timeouts, overload) holds the queue until the receiver is back.
func (ch *channel) Judge(err error) outbox.Verdict {
	if Refused(err) {
		return outbox.Refused
	}
	return outbox.Down
}

func (ch *channel) close() {
	if ch.sender != nil {
		ch.sender.Close()
		ch.sender, ch.config = nil, nil
	}
}
