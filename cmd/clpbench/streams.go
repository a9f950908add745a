package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// stallGap is the gap between events that counts as a stall in scenario 4.
const stallGap = 40 * time.Millisecond

// manyStreams is scenario 4: many concurrent streams; gap p99 versus direct,
// stalls, lost events and the proxy's RSS per open stream.
func (b *bench) manyStreams(ctx context.Context) error {
	n := b.cfg.BigStreams
	body := bodyOf(b.cfg.API, bodyFiller, 2<<10, true)
	spec := streamSpec{Events: b.cfg.BigEvents, Delay: b.cfg.Delay, EventSize: b.cfg.EventSize}
	want := max(spec.Events, 3)
	big := newClient(n)
	defer big.CloseIdleConnections()
	gap99, ttfe99, stalls, lost, rss := perRound{}, perRound{}, perRound{}, perRound{}, perRound{}
	for r := range b.cfg.Rounds {
		for _, t := range b.order(r) {
			var rss0 int64
			if t.PID != 0 {
				var err error
				if rss0, err = procRSS(t.PID); err != nil {
					return err
				}
			}
			var mu sync.Mutex
			var gaps, ttfes []float64
			var nStall, nLost int
			var peak int64
			done := make(chan struct{})
			go func() { // sample the proxy's RSS while the streams are open
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-done:
						return
					case <-tick.C:
						if t.PID != 0 {
							if v, err := procRSS(t.PID); err == nil {
								mu.Lock()
								peak = max(peak, v)
								mu.Unlock()
							}
						}
					}
				}
			}()
			wait := b.prof.profile(ctx, t, fmt.Sprintf("s4-r%d", r+1), time.Duration(want)*spec.Delay+time.Second)
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for range n {
				wg.Go(func() {
					res, err := stream(ctx, big, t, body, spec)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					defer mu.Unlock()
					for _, g := range res.Gaps {
						if g > stallGap {
							nStall++
						}
					}
					gaps = append(gaps, micros(res.Gaps)...)
					ttfes = append(ttfes, float64(res.TTFE)/float64(time.Microsecond))
					nLost += want - res.Events
				})
			}
			wg.Wait()
			close(done)
			close(errs)
			if err := wait(); err != nil {
				return err
			}
			failed := 0
			for err := range errs {
				if failed == 0 {
					b.log("scenario 4 %s: %v", t.Name, err)
				}
				failed++
			}
			mu.Lock()
			gap99[t.Name] = append(gap99[t.Name], percentile(gaps, 99))
			ttfe99[t.Name] = append(ttfe99[t.Name], percentile(ttfes, 99))
			stalls[t.Name] = append(stalls[t.Name], float64(nStall))
			lost[t.Name] = append(lost[t.Name], float64(nLost+failed*want))
			if t.PID != 0 {
				rss[t.Name] = append(rss[t.Name], float64(peak-rss0)/1024/float64(n))
			}
			mu.Unlock()
		}
	}
	sc := fmt.Sprintf("4 %d streams (%d events, %s apart)", n, want, spec.Delay)
	b.add(row{Scenario: sc, Metric: "time to first event p99", Unit: "µs", Vals: ttfe99.medianOf()})
	b.add(row{Scenario: sc, Metric: "gap between events p99", Unit: "µs", Vals: gap99.medianOf()})
	b.add(row{Scenario: sc, Metric: "added gap p99", Unit: "µs", Vals: gap99.added(), Aim: "≤ stdlib", Met: atMost("stdlib", 0)})
	b.add(row{Scenario: sc, Metric: fmt.Sprintf("stalls (gap > %s) per run", stallGap), Unit: "", Vals: stalls.medianOf(), Aim: "≤ stdlib", Met: atMost("stdlib", 0)})
	lostSum := map[string]float64{}
	for k, v := range lost {
		for _, x := range v {
			lostSum[k] += x
		}
	}
	b.add(row{Scenario: sc, Metric: "lost events, all rounds", Unit: "", Vals: lostSum, Aim: "0", Met: atMost("", 0)})
	b.add(row{Scenario: sc, Metric: "proxy RSS growth per open stream", Unit: "KB", Vals: rss.medianOf(), Aim: "≤ 40", Met: atMost("", 40)})
	b.log("scenario 4 done")
	return nil
}
