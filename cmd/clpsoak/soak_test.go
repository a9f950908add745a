package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseStatus(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in       string
		rss      int64
		threads  int
		wantFail bool
	}{
		{"linux", "Name:\tclp\nState:\tS (sleeping)\nVmPeak:\t 9000 kB\nVmRSS:\t   52340 kB\nThreads:\t11\n", 52340, 11, false},
		{"order does not matter", "Threads: 3\nVmRSS: 10 kB\n", 10, 3, false},
		{"no rss (kernel thread)", "Name:\tkthreadd\nThreads:\t1\n", 0, 0, true},
		{"bad number", "VmRSS: lots kB\nThreads: 2\n", 0, 0, true},
		{"empty", "", 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rss, th, err := parseStatus([]byte(tc.in))
			if (err != nil) != tc.wantFail {
				t.Fatalf("err = %v, want failure %v", err, tc.wantFail)
			}
			if rss != tc.rss || th != tc.threads {
				t.Errorf("got rss %d threads %d, want %d %d", rss, th, tc.rss, tc.threads)
			}
		})
	}
}

func TestParseGoroutines(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		n    int
		ok   bool
	}{
		{"prometheus text", "# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines 42\ngo_threads 9\n", 42, true},
		{"with labels", "go_goroutines{instance=\"a\"} 7\n", 7, true},
		{"float", "go_goroutines 1.2e+03\n", 1200, true},
		{"a longer name is not it", "go_goroutines_total 5\n", 0, false},
		{"missing", "go_threads 9\n", 0, false},
		{"negative", "go_goroutines -3\n", 0, false},
		{"no value", "go_goroutines \n", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, ok := parseGoroutines([]byte(tc.in))
			if n != tc.n || ok != tc.ok {
				t.Errorf("got %d, %v; want %d, %v", n, ok, tc.n, tc.ok)
			}
		})
	}
}

func FuzzParseGoroutines(f *testing.F) {
	f.Add([]byte("go_goroutines 42\n"))
	f.Add([]byte("go_goroutines{a=\"}\"} 1\n"))
	f.Add([]byte("go_goroutines{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, ok := parseGoroutines(b); ok && n < 0 {
			t.Errorf("negative count %d", n)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("VmRSS:\t 10 kB\nThreads:\t2\n"))
	f.Add([]byte("VmRSS:\nThreads:"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, _, err := parseStatus(b); err == nil && !strings.Contains(string(b), "VmRSS") {
			t.Errorf("parsed a status without VmRSS")
		}
	})
}

func TestJudge(t *testing.T) {
	series := func(rss, gor, fds func(i int) int) []sample {
		var out []sample
		for i := range 12 {
			out = append(out, sample{At: time.Duration(i) * 10 * time.Second, RSSKB: int64(rss(i)) * 1024, Goroutines: gor(i), FDs: fds(i)})
		}
		return out
	}
	flat := func(v int) func(int) int { return func(int) int { return v } }
	for _, tc := range []struct {
		name   string
		s      []sample
		errors int64
		ok     bool
	}{
		{"flat", series(flat(60), flat(300), flat(80)), 0, true},
		{"noise is flat", series(func(i int) int { return 60 + i%3 }, func(i int) int { return 300 + 10*(i%2) }, flat(80)), 0, true},
		{"goroutine leak", series(flat(60), func(i int) int { return 300 + 40*i }, flat(80)), 0, false},
		{"fd leak", series(flat(60), flat(300), func(i int) int { return 80 + 30*i }), 0, false},
		{"memory growth", series(func(i int) int { return 60 + 15*i }, flat(300), flat(80)), 0, false},
		{"client errors", series(flat(60), flat(300), flat(80)), 1, false},
		{"warm-up growth is not judged", series(func(i int) int {
			if i < 3 {
				return 10 * (i + 1)
			}
			return 60
		}, flat(300), flat(80)), 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := judge(tc.s, 30*time.Second, tc.errors)
			if v.ok() != tc.ok {
				t.Errorf("ok = %v, want %v: %+v", v.ok(), tc.ok, v.grow)
			}
			if len(v.grow) != 3 {
				t.Errorf("judged %d measures, want 3", len(v.grow))
			}
		})
	}
}

func TestJudgeSkipsUnmeasured(t *testing.T) {
	var s []sample
	for i := range 6 {
		s = append(s, sample{At: time.Duration(i) * time.Minute, RSSKB: 1 << 20, Goroutines: -1, FDs: 10})
	}
	if v := judge(s, 0, 0); len(v.grow) != 2 || !v.ok() {
		t.Errorf("with goroutines unmeasured: %+v, want RSS and fds judged and ok", v.grow)
	}
}

func TestPercentile(t *testing.T) {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0, 1}, {50, 5}, {99, 9}, {100, 10}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("p50 of nothing = %v", got)
	}
}

func TestAnthropicStreamEndsAsTheLoadExpects(t *testing.T) {
	evs := anthropicStream(8)
	if len(evs) != 8 {
		t.Fatalf("%d events, want 8", len(evs))
	}
	if all := strings.Join(evs, ""); !strings.HasSuffix(all, wantEnd) || strings.Count(all, "\n\n") != 8 {
		t.Errorf("stream does not end with %q or has broken events:\n%s", wantEnd, all)
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-minutes", "0.5", "-rate", "100", "-fail", "dead"}, io.Discard)
	if err != nil || o.Duration != 30*time.Second || o.Rate != 100 || o.Fail != "dead" {
		t.Errorf("parseFlags: %+v, %v", o, err)
	}
	for _, bad := range [][]string{{"-rate", "0"}, {"-fail", "sometimes"}, {"-minutes", "-1"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%v) succeeded, want an error", bad)
		}
	}
}
