package outputs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

func (ch *channel) Send(ctx context.Context, m outbox.Message) error {
	e, err := ch.s.st.DeliveredEvent(ctx, m.Value.(int64))
	if model.ErrorCode(err) == model.ErrNotFound {
		return errGone
	}
	if err != nil {
		return err
	}
	return ch.sender.Send(ctx, e)
}

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
