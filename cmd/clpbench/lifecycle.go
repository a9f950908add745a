package main

import (
	"context"
	"fmt"
	"time"
)

// lifecycle is scenario 6: `clp start` to ready (median of several starts)
// and idle RSS of every proxy after start, before any load. It leaves CLP
// running.
func (b *bench) lifecycle(ctx context.Context, c *clpInstance, starts int) (*target, error) {
	var ds []float64
	for i := range starts {
		d, err := c.start(ctx)
		if err != nil {
			return nil, err
		}
		ds = append(ds, float64(d)/float64(time.Millisecond))
		if i < starts-1 {
			if err := c.stop(); err != nil {
				return nil, err
			}
		}
	}
	t, err := c.target(ctx, b.cfg.API)
	if err != nil {
		return nil, err
	}
	b.add(row{Scenario: "6 lifecycle", Metric: fmt.Sprintf("clp start to ready (median of %d)", starts), Unit: "ms",
		Vals: map[string]float64{"clp": median(ds)}, Aim: "≤ 100", Met: atMost("", 100)})
	return t, nil
}

// idleRSS records the resident memory of every proxy before any load.
func (b *bench) idleRSS() error {
	time.Sleep(300 * time.Millisecond) // let the daemon finish its start-up work
	v := map[string]float64{}
	for _, t := range b.proxies() {
		n, err := procRSS(t.PID)
		if err != nil {
			return err
		}
		v[t.Name] = float64(n) / (1 << 20)
	}
	b.add(row{Scenario: "6 lifecycle", Metric: "idle RSS", Unit: "MB", Vals: v, Aim: "≤ 20", Met: atMost("", 20)})
	return nil
}

// busyRSS records the resident memory of every proxy after the load.
func (b *bench) busyRSS() error {
	v := map[string]float64{}
	for _, t := range b.proxies() {
		n, err := procRSS(t.PID)
		if err != nil {
			return err
		}
		v[t.Name] = float64(n) / (1 << 20)
	}
	b.add(row{Scenario: "6 lifecycle", Metric: "RSS after all scenarios", Unit: "MB", Vals: v})
	return nil
}
