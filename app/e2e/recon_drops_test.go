package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"honeysens/app/honeypot"
	hssensor "honeysens/app/sensor"
)

// TestSensorReconDropsShown: a remote sensor whose recon service reports what its limits gave
// up (in the heartbeat, as the running state's reason) has the counts in the sensor list and
// under the service's state on the Sensors page.
func TestSensorReconDropsShown(t *testing.T) {
	b, srv, api := openEvents(t)
	s := api.createSensor("flooded", api.groupID("Default"))
	want := honeypot.DropCounts{Refused: 3, Untracked: 17856}
	heartbeat(t, srv, s, "192.0.2.7", "recon", "running", hssensor.DropsReason(want))

	var list struct {
		Items []struct {
			ID       int64 `json:"id"`
			Services []struct {
				Name    string               `json:"name"`
				Dropped *honeypot.DropCounts `json:"dropped"`
			} `json:"services"`
		} `json:"items"`
	}
	api.must("GET", "/api/sensors", nil, &list, http.StatusOK)
	var got *honeypot.DropCounts
	for _, it := range list.Items {
		for _, sv := range it.Services {
			if it.ID == s.ID && sv.Name == "recon" {
				got = sv.Dropped
			}
		}
	}
	if got == nil || *got != want {
		t.Fatalf("GET /api/sensors: recon dropped = %+v, want %+v", got, want)
	}

	openSensors(b)
	drops := fmt.Sprintf(`#sensors-table tr[data-id="%d"] td[data-service="recon"] .svc-drops`, s.ID)
	waitTextFor(b, drops, "17,856 only counted", sensorRefresh)
	waitTextFor(b, drops, "3 refused", sensorRefresh)
	b.screenshot("sensors-recon-drops")
	b.assertNoPageErrors()
}
