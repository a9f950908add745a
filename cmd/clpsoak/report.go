package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// growth compares the mean of the first and last thirds of the judged
// samples of one measure.
type growth struct {
	Name        string
	First, Last float64
	// Slack is the absolute growth tolerated on top of Ratio (for small
	// numbers, where one connection more is already 10 %).
	Slack, Ratio float64
}

func (g growth) flat() bool { return g.Last <= g.First*g.Ratio+g.Slack }

// verdict is the soak's outcome.
type verdict struct {
	judged int
	grow   []growth
	errors int64
}

func (v verdict) ok() bool {
	if v.errors > 0 {
		return false
	}
	for _, g := range v.grow {
		if !g.flat() {
			return false
		}
	}
	return true
}

// judge looks for growth in the samples taken under load after warmup; the
// last sample, taken after the load, is not judged (fewer requests in flight
// mean fewer goroutines).
func judge(samples []sample, warmup time.Duration, errors int64) verdict {
	v := verdict{errors: errors}
	var use []sample
	for _, s := range samples {
		if s.At >= warmup {
			use = append(use, s)
		}
	}
	v.judged = len(use)
	if len(use) < 3 {
		return v
	}
	third := len(use) / 3
	mean := func(ss []sample, f func(sample) float64) float64 {
		var sum float64
		for _, s := range ss {
			sum += f(s)
		}
		return sum / float64(len(ss))
	}
	first, last := use[:third], use[len(use)-third:]
	add := func(name string, f func(sample) float64, ratio, slack float64) {
		if slices.ContainsFunc(use, func(s sample) bool { return f(s) < 0 }) {
			return // not measured
		}
		v.grow = append(v.grow, growth{name, mean(first, f), mean(last, f), slack, ratio})
	}
	add("RSS MB", func(s sample) float64 { return float64(s.RSSKB) / 1024 }, 1.25, 20)
	add("goroutines", func(s sample) float64 { return float64(s.Goroutines) }, 1.25, 50)
	add("fds", func(s sample) float64 { return float64(s.FDs) }, 1.25, 50)
	return v
}

func (v verdict) write(w io.Writer, l *load, u *upstreams) {
	fmt.Fprintf(w, "\nrequests started %d, answered %d, client-visible errors %d, starts over the in-flight cap %d\n",
		l.started.Load(), l.done.Load(), v.errors, l.late.Load())
	if u.failing == nil {
		fmt.Fprintf(w, "upstream hits: good %d; the failing config's address refuses connections (dial errors are failed over)\n", u.goodHits.Load())
	} else {
		fmt.Fprintf(w, "upstream hits: good %d, failing %d (each failing hit was failed over)\n", u.goodHits.Load(), u.failingHits.Load())
	}
	l.mu.Lock()
	for kind, n := range l.errs {
		fmt.Fprintf(w, "  error %q ×%d, e.g. %q\n", kind, n, l.example[kind])
	}
	l.mu.Unlock()
	if v.judged < 3 {
		fmt.Fprintf(w, "growth: only %d samples after warm-up; run longer (-minutes) or sample more often (-sample) to judge it\n", v.judged)
	}
	for _, g := range v.grow {
		state := "flat"
		if !g.flat() {
			state = "GROWING"
		}
		fmt.Fprintf(w, "%-10s first third %9.1f, last third %9.1f: %s\n", g.Name, g.First, g.Last, state)
	}
	switch {
	case v.ok() && v.judged < 3:
		fmt.Fprintln(w, "PASS: no client-visible error (growth not judged)")
	case v.ok():
		fmt.Fprintln(w, "PASS: no client-visible error, resources flat")
	default:
		fmt.Fprintln(w, "FAIL")
	}
}
