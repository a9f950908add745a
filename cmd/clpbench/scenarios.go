package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"
)

// row is one line of the report: a metric measured on each target.
type row struct {
	Scenario string
	Metric   string
	Unit     string
	Vals     map[string]float64 // by target name; missing means not measured
	Aim      string             // the aim for CLP, if any
	Met      func(v map[string]float64) bool
}

// bench holds one run: its settings, the targets and the rows measured.
type bench struct {
	cfg     config
	targets []*target // direct first
	client  *http.Client
	rows    []row
	log     func(format string, args ...any)
	prof    *profiler // nil without -profile

	clpVersion string // `clp version` of the binary measured
}

func (b *bench) add(r row) { b.rows = append(b.rows, r) }

// order returns the targets rotated by round, so no target always runs
// first or last.
func (b *bench) order(round int) []*target {
	n := len(b.targets)
	out := make([]*target, n)
	for i := range n {
		out[i] = b.targets[(i+round)%n]
	}
	return out
}

// proxies are the targets other than direct.
func (b *bench) proxies() []*target { return b.targets[1:] }

// perRound collects one value per target per round.
type perRound map[string][]float64

// medianOf is the median over rounds for each target.
func (p perRound) medianOf() map[string]float64 {
	out := map[string]float64{}
	for k, v := range p {
		out[k] = median(v)
	}
	return out
}

// added is, per target, the median over rounds of (value − direct's value in
// the same round).
func (p perRound) added() map[string]float64 {
	out := map[string]float64{}
	d := p["direct"]
	for k, v := range p {
		if k == "direct" {
			continue
		}
		diff := make([]float64, 0, len(v))
		for i := range v {
			if i < len(d) {
				diff = append(diff, v[i]-d[i])
			}
		}
		out[k] = median(diff)
	}
	return out
}

// atMost returns a check that CLP's value is at most that of the named
// target (or limit when other is "").
func atMost(other string, limit float64) func(map[string]float64) bool {
	return func(v map[string]float64) bool {
		c, ok := v["clp"]
		if !ok || math.IsNaN(c) {
			return false
		}
		if other == "" {
			return c <= limit
		}
		o, ok := v[other]
		return ok && c <= o
	}
}

// atLeast returns a check that CLP's value is at least the named target's.
func atLeast(other string) func(map[string]float64) bool {
	return func(v map[string]float64) bool {
		c, ok1 := v["clp"]
		o, ok2 := v[other]
		return ok1 && ok2 && c >= o
	}
}

// refTarget is the target CLP is aimed at: nginx when present, else the
// stdlib baseline.
func (b *bench) refTarget() string {
	for _, t := range b.targets {
		if t.Name == "nginx" {
			return "nginx"
		}
	}
	return "stdlib"
}

// latency is scenario 1: one request at a time, added latency versus direct.
func (b *bench) latency(ctx context.Context) error {
	for _, size := range []int{2 << 10, 200 << 10} {
		body := bodyOf(b.cfg.API, b.cfg.Body, size, false)
		spec := streamSpec{RespSize: 1 << 10}
		p50, p99 := perRound{}, perRound{}
		for r := range b.cfg.Rounds {
			for _, t := range b.order(r) {
				lat, err := sequential(ctx, b.client, t, body, spec, b.cfg.Seq)
				if err != nil {
					return err
				}
				us := micros(lat)
				p50[t.Name] = append(p50[t.Name], percentile(us, 50))
				p99[t.Name] = append(p99[t.Name], percentile(us, 99))
			}
		}
		label := fmt.Sprintf("%d KB body", size>>10)
		b.add(row{Scenario: "1 sequential", Metric: "latency p50, " + label, Unit: "µs", Vals: p50.medianOf()})
		b.add(row{Scenario: "1 sequential", Metric: "added p50, " + label, Unit: "µs", Vals: p50.added(),
			Aim: "≤ " + b.refTarget(), Met: atMost(b.refTarget(), 0)})
		b.add(row{Scenario: "1 sequential", Metric: "added p99, " + label, Unit: "µs", Vals: p99.added(),
			Aim: "≤ stdlib", Met: atMost("stdlib", 0)})
		b.log("scenario 1 %s done", label)
	}
	return nil
}

// throughput is scenario 2: closed-loop load against an instant upstream.
func (b *bench) throughput(ctx context.Context) error {
	body := bodyOf(b.cfg.API, bodyFiller, 2<<10, false)
	spec := streamSpec{RespSize: 1 << 10}
	for _, conc := range b.cfg.Conc {
		rps, cpu := perRound{}, perRound{}
		for r := range b.cfg.Rounds {
			for _, t := range b.order(r) {
				wait := b.prof.profile(ctx, t, fmt.Sprintf("s2-c%d-r%d", conc, r+1), b.cfg.Dur)
				res, err := closedLoop(ctx, b.client, t, body, spec, conc, b.cfg.Dur)
				if err := errors.Join(err, wait()); err != nil {
					return err
				}
				rps[t.Name] = append(rps[t.Name], float64(res.Requests)/res.Elapsed.Seconds())
				if t.PID != 0 && res.Requests > 0 {
					cpu[t.Name] = append(cpu[t.Name], float64(res.CPU)/float64(time.Microsecond)/float64(res.Requests))
				}
			}
		}
		r := row{Scenario: "2 throughput", Metric: fmt.Sprintf("requests/s, %d concurrent", conc), Unit: "req/s", Vals: rps.medianOf()}
		if conc == 64 {
			r.Aim, r.Met = "≥ "+b.refTarget(), atLeast(b.refTarget())
		}
		b.add(r)
		b.add(row{Scenario: "2 throughput", Metric: fmt.Sprintf("proxy CPU per request, %d concurrent", conc), Unit: "µs", Vals: cpu.medianOf(),
			Aim: "≤ 45", Met: atMost("", 45)})
		b.log("scenario 2 conc %d done", conc)
	}
	return nil
}

// streaming is scenario 3: one stream at a time, added time to first event
// and added gap between events; the bytes must equal direct's.
func (b *bench) streaming(ctx context.Context) error {
	body := bodyOf(b.cfg.API, bodyFiller, 2<<10, true)
	spec := streamSpec{Events: b.cfg.Events, Delay: b.cfg.Delay, EventSize: b.cfg.EventSize}
	ttfe, gap50, gap99 := perRound{}, perRound{}, perRound{}
	ttfeAll := perRound{}
	sums := map[string][32]byte{}
	identical := map[string]float64{}
	for r := range b.cfg.Rounds {
		for _, t := range b.order(r) {
			var tt, gaps []float64
			for range b.cfg.Streams {
				res, err := stream(ctx, b.client, t, body, spec)
				if err != nil {
					return err
				}
				if res.Events != max(spec.Events, 3) {
					return fmt.Errorf("%s: %d events, want %d", t.Name, res.Events, max(spec.Events, 3))
				}
				tt = append(tt, float64(res.TTFE)/float64(time.Microsecond))
				gaps = append(gaps, micros(res.Gaps)...)
				if s, ok := sums[t.Name]; ok && s != res.Sum {
					identical[t.Name] = 0
				}
				sums[t.Name] = res.Sum
			}
			ttfe[t.Name] = append(ttfe[t.Name], median(tt))
			ttfeAll[t.Name] = append(ttfeAll[t.Name], tt...)
			gap50[t.Name] = append(gap50[t.Name], percentile(gaps, 50))
			gap99[t.Name] = append(gap99[t.Name], percentile(gaps, 99))
		}
	}
	for _, t := range b.targets {
		if _, bad := identical[t.Name]; !bad {
			identical[t.Name] = 1
			if sums[t.Name] != sums["direct"] {
				identical[t.Name] = 0
			}
		}
	}
	// p99 of the first event over all streams of all rounds, minus direct's.
	ttfe99 := map[string]float64{}
	d99 := percentile(ttfeAll["direct"], 99)
	for k, v := range ttfeAll {
		if k != "direct" {
			ttfe99[k] = percentile(v, 99) - d99
		}
	}
	sc := fmt.Sprintf("3 stream (%d events, %s apart)", spec.Events, spec.Delay)
	b.add(row{Scenario: sc, Metric: "time to first event p50", Unit: "µs", Vals: ttfe.medianOf()})
	b.add(row{Scenario: sc, Metric: "added time to first event p50", Unit: "µs", Vals: ttfe.added(), Aim: "≤ stdlib", Met: atMost("stdlib", 0)})
	b.add(row{Scenario: sc, Metric: "added time to first event p99 (pooled)", Unit: "µs", Vals: ttfe99, Aim: "≤ 300", Met: atMost("", 300)})
	b.add(row{Scenario: sc, Metric: "added gap between events p50", Unit: "µs", Vals: gap50.added(), Aim: "≤ stdlib", Met: atMost("stdlib", 0)})
	b.add(row{Scenario: sc, Metric: "added gap between events p99", Unit: "µs", Vals: gap99.added(), Aim: "≤ stdlib", Met: atMost("stdlib", 0)})
	b.add(row{Scenario: sc, Metric: "bytes identical to direct (1 = yes)", Unit: "", Vals: identical, Aim: "1", Met: func(v map[string]float64) bool { return v["clp"] == 1 }})
	b.log("scenario 3 done")
	return nil
}

// bodies is scenario 5: added latency by request body size, and its slope.
func (b *bench) bodies(ctx context.Context) error {
	sizes := []int{1 << 10, 100 << 10, 1 << 20, 10 << 20}
	counts := []int{100, 50, 20, 5}
	mb := make([]float64, len(sizes))
	addedBy := map[string][]float64{}
	for i, size := range sizes {
		body := bodyOf(b.cfg.API, b.cfg.Body, size, false)
		mb[i] = float64(len(body)) / (1 << 20)
		spec := streamSpec{RespSize: 1 << 10}
		p50 := perRound{}
		for r := range b.cfg.Rounds {
			for _, t := range b.order(r) {
				lat, err := sequential(ctx, b.client, t, body, spec, max(counts[i]*b.cfg.Seq/200, 3))
				if err != nil {
					return err
				}
				p50[t.Name] = append(p50[t.Name], percentile(micros(lat), 50))
			}
		}
		a := p50.added()
		for k, v := range a {
			addedBy[k] = append(addedBy[k], v)
		}
		b.add(row{Scenario: "5 body size", Metric: "added p50, " + sizeLabel(size), Unit: "µs", Vals: a})
	}
	sl := map[string]float64{}
	for k, v := range addedBy {
		sl[k] = slope(mb, v)
	}
	b.add(row{Scenario: "5 body size", Metric: "overhead slope", Unit: "µs/MB", Vals: sl, Aim: "≤ stdlib", Met: atMost("stdlib", 0)})
	b.log("scenario 5 done")
	return nil
}

func sizeLabel(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB body", n>>20)
	}
	return fmt.Sprintf("%d KB body", n>>10)
}

// names returns the target names in report order.
func (b *bench) names() []string {
	out := make([]string, 0, len(b.targets))
	for _, t := range b.targets {
		out = append(out, t.Name)
	}
	return slices.Clip(out)
}
