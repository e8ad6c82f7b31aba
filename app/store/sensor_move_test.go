package store

import (
	"context"
	"sync"
	"testing"

	"honeysens/app/model"
)

// An event that arrives while its sensor moves to another group ends up in the new group,
// whichever side wins each race: the events carry the group the sensor had when they were
// sent (as an ingest request that loaded the sensor before the move would), and batches keep
// coming before, during and after the move.
func TestMovingASensorTakesEventsInFlightAlong(t *testing.T) {
	ctx := context.Background()
	for round := range 5 {
		w := newRollupWorld(t, uint64(round))
		sn := w.sensors[0]
		from, to := sn.GroupID, w.groups[1]
		if from == to {
			t.Fatal("the world's first sensor is in the second group")
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		var sendErr error
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					if i > 20 {
						return
					}
				default:
				}
				e := w.event()
				e.SensorID, e.GroupID = sn.ID, from // sent before the sender saw the move
				if err := w.s.CommitBatch(ctx, []*model.Event{e}, nil, nil); err != nil {
					sendErr = err
					return
				}
			}
		})
		moved := *sn
		moved.GroupID = to
		err := w.s.UpdateSensor(ctx, &moved)
		close(stop)
		wg.Wait()
		if err != nil || sendErr != nil {
			t.Fatalf("round %d: move: %v, ingest: %v", round, err, sendErr)
		}
		if n := countRows(t, w.s, "events", "sensor_id = ? AND group_id = ?", sn.ID, from); n > 0 {
			t.Errorf("round %d: %d events of the moved sensor stayed in the old group", round, n)
		}
		if d := rollupDiff(t, w.s); d != "" {
			t.Errorf("round %d: counts and rollups differ from the events after the move:\n%s", round, d)
		}
	}
}
