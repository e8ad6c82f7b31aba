package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"honeysens/app/sensorproto"
	"honeysens/app/store"
)

// archiveMove moves every live event to the archive (the "All pages" remove with archive)
// while sensors keep sending, and reports how long the move took and the ingest latency during
// it next to the latency just before, without a move.
func (r *Runner) archiveMove(ctx context.Context, e *env) error {
	quiet, err := r.ingestLatency(e, 3*time.Second, nil)
	if err != nil {
		return err
	}
	var moved int64
	var moveTime time.Duration
	var moveErr error
	during, err := r.ingestLatency(e, 0, func() {
		start := time.Now()
		moved, moveErr = e.st.ArchiveEvents(ctx, &store.EventFilter{})
		moveTime = time.Since(start)
	})
	if err != nil {
		return err
	}
	if moveErr != nil {
		return moveErr
	}
	r.row(fmt.Sprintf("move all %d events to the archive (chunks of 500)", moved), moveTime.Round(time.Millisecond).String(), "-", "")
	r.row("ingest latency p50/p99/max during the move (1 event/request, 4 clients)",
		fmt.Sprintf("%s / %s / %s (%d requests)", ms(during.p50), ms(during.p99), ms(during.max), during.n),
		fmt.Sprintf("%s / %s / %s without a move", ms(quiet.p50), ms(quiet.p99), ms(quiet.max)), "")
	return nil
}

type latencies struct {
	p50, p99, max time.Duration
	n             int
}

// ingestLatency sends signed one-event requests from 4 clients, each at most every 10 ms,
// for the given time or, with work, for as long as work runs; it returns the latencies.
func (r *Runner) ingestLatency(e *env, d time.Duration, work func()) (latencies, error) {
	done := make(chan struct{})
	if work != nil {
		go func() { work(); close(done) }()
	} else {
		go func() { time.Sleep(d); close(done) }()
	}
	g := newGenerator(e.sensors, time.Now().Add(-time.Hour))
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			client := &http.Client{Timeout: 30 * time.Second}
			sn := e.sensors[c]
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				case <-time.After(10 * time.Millisecond):
				}
				mu.Lock()
				ev := wire(g.next())
				mu.Unlock()
				body, _ := json.Marshal(map[string]any{"sensor": sn.ID, "events": []any{ev}})
				ts := time.Now().Unix()
				req, _ := http.NewRequest("POST", e.url+"/api/events", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-HS-Sensor", strconv.FormatInt(sn.ID, 10))
				req.Header.Set("X-HS-TS", strconv.FormatInt(ts, 10))
				req.Header.Set("X-HS-Type", "sha256")
				req.Header.Set("X-HS-Auth", sensorproto.Sign(sn.Secret, ts, "create", body))
				start := time.Now()
				res, err := client.Do(req)
				took := time.Since(start)
				if err == nil {
					res.Body.Close()
					if res.StatusCode != 200 {
						err = fmt.Errorf("ingest answered %d", res.StatusCode)
					}
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				all = append(all, took)
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	if firstErr != nil {
		return latencies{}, firstErr
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) == 0 {
		return latencies{}, nil
	}
	return latencies{p50: all[len(all)/2], p99: all[len(all)*99/100], max: all[len(all)-1], n: len(all)}, nil
}
