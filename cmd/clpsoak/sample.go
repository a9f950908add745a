package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// sample is one look at the daemon under load.
type sample struct {
	At         time.Duration // since the load began
	RSSKB      int64
	Threads    int
	FDs        int
	Goroutines int // -1 when /metrics did not say
	Done       int64
	Errors     int64
	RPS        float64 // answers per second since the previous sample
	P50, P99   time.Duration
}

// parseStatus reads VmRSS (kB) and Threads from /proc/PID/status.
func parseStatus(b []byte) (rssKB int64, threads int, err error) {
	var haveRSS, haveThreads bool
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		switch k {
		case "VmRSS":
			if rssKB, err = strconv.ParseInt(f[0], 10, 64); err != nil {
				return 0, 0, fmt.Errorf("parse VmRSS %q: %w", v, err)
			}
			haveRSS = true
		case "Threads":
			if threads, err = strconv.Atoi(f[0]); err != nil {
				return 0, 0, fmt.Errorf("parse Threads %q: %w", v, err)
			}
			haveThreads = true
		}
	}
	if !haveRSS || !haveThreads {
		return 0, 0, fmt.Errorf("parse status: no VmRSS or Threads")
	}
	return rssKB, threads, nil
}

// parseGoroutines finds the go_goroutines gauge in a Prometheus text
// exposition; ok is false when it is missing.
func parseGoroutines(text []byte) (n int, ok bool) {
	for line := range bytes.Lines(text) {
		rest, found := bytes.CutPrefix(line, []byte("go_goroutines"))
		if !found || len(rest) == 0 || (rest[0] != ' ' && rest[0] != '\t' && rest[0] != '{') {
			continue
		}
		if rest[0] == '{' {
			i := bytes.IndexByte(rest, '}')
			if i < 0 {
				continue
			}
			rest = rest[i+1:]
		}
		f := strings.Fields(string(rest))
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil || v < 0 || v > 1e9 {
			continue
		}
		return int(v), true
	}
	return 0, false
}

// sample reads the daemon's /proc entries and its /metrics.
func (d *daemon) sample(l *load) sample {
	s := sample{Goroutines: -1, FDs: -1}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.pid)); err == nil {
		s.RSSKB, s.Threads, _ = parseStatus(b)
	}
	if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", d.pid)); err == nil {
		s.FDs = len(ents)
	}
	if resp, err := d.http.Get(d.uiURL + "/metrics"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if n, ok := parseGoroutines(b); ok && resp.StatusCode == 200 {
			s.Goroutines = n
		}
	}
	var lat []time.Duration
	lat, s.Errors = l.take()
	s.Done = l.done.Load()
	s.P50, s.P99 = percentile(lat, 50), percentile(lat, 99)
	return s
}

// sampleLoop samples every interval until ctx ends, printing each row.
func sampleLoop(ctx context.Context, d *daemon, l *load, every time.Duration, w io.Writer) []sample {
	fmt.Fprintln(w, "    time    RSS MB  goroutines  threads   fds    answers  errors    ans/s    p50 ms    p99 ms")
	t0 := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	var out []sample
	prevDone, prevAt := int64(0), time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return out
		case <-tick.C:
		}
		s := d.sample(l)
		s.At = time.Since(t0)
		s.RPS = float64(s.Done-prevDone) / (s.At - prevAt).Seconds()
		prevDone, prevAt = s.Done, s.At
		out = append(out, s)
		printSample(w, s)
	}
}

func printSample(w io.Writer, s sample) {
	g := strconv.Itoa(s.Goroutines)
	if s.Goroutines < 0 {
		g = "n/a"
	}
	at := s.At.Round(time.Second).String()
	if s.At == 0 {
		at = "after"
	}
	fmt.Fprintf(w, "%8s  %8.1f  %10s  %7d  %4d  %9d  %6d  %7.0f  %8.2f  %8.2f\n",
		at, float64(s.RSSKB)/1024, g, s.Threads, s.FDs, s.Done, s.Errors, s.RPS,
		float64(s.P50.Microseconds())/1000, float64(s.P99.Microseconds())/1000)
}
