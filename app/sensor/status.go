package sensor

import (
	"context"
	"time"

	"honeysens/app/model"
	"honeysens/app/store"
)

// CheckStatus is the sensor timeout job: it compares every sensor's liveness (a heartbeat within
// its update interval plus model.HeartbeatTolerance) with its last recorded status and records
// each change, the first contact included. It returns the changes, so that the notification
// job can send one mail per outage and one when the sensor is back.
func CheckStatus(ctx context.Context, st *store.Store, now time.Time) ([]model.StatusChange, error) {
	sensors, err := st.Sensors(ctx)
	if err != nil {
		return nil, err
	}
	last, err := st.LastStatusChanges(ctx)
	if err != nil {
		return nil, err
	}
	var changes []model.StatusChange
	for _, sn := range sensors {
		if sn.LastContact == nil {
			continue // waiting for first contact
		}
		online := sn.Online(now)
		prev, seen := last[sn.ID]
		if seen && prev.Online == online {
			continue
		}
		c := model.StatusChange{SensorID: sn.ID, Online: online, Time: now}
		if online {
			c.Time = *sn.LastContact // back (or first) at its heartbeat
		} else {
			c.Time = sn.OverdueAt() // offline since its heartbeat became overdue
		}
		if err := st.AddStatusChange(ctx, c); err != nil {
			return changes, err
		}
		changes = append(changes, c)
	}
	return changes, nil
}
