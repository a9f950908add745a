package main

import (
	"math"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	xs := []float64{9, 1, 8, 2, 7, 3, 6, 4, 5, 10}
	tests := []struct {
		p    float64
		want float64
	}{
		{0, 1}, {10, 1}, {11, 2}, {50, 5}, {51, 6}, {90, 9}, {99, 10}, {100, 10},
	}
	for _, tt := range tests {
		if got := percentile(xs, tt.p); got != tt.want {
			t.Errorf("percentile(p%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if xs[0] != 9 {
		t.Errorf("percentile sorted its input: %v", xs)
	}
	if got := percentile(nil, 50); !math.IsNaN(got) {
		t.Errorf("percentile(nil) = %v, want NaN", got)
	}
}

func TestMedian(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"odd", []float64{3, 1, 2}, 2},
		{"even", []float64{4, 1, 3, 2}, 2.5},
		{"one", []float64{7}, 7},
		{"nan ignored", []float64{nan, 5, 1, nan, 3}, 3},
		{"negative", []float64{-5, -1, -3}, -3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(tt.in); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	for _, in := range [][]float64{nil, {nan}} {
		if got := median(in); !math.IsNaN(got) {
			t.Errorf("median(%v) = %v, want NaN", in, got)
		}
	}
}

func TestSlope(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		{"line", []float64{0, 1, 10}, []float64{5, 7, 25}, 2},
		{"flat", []float64{1, 2, 3}, []float64{4, 4, 4}, 0},
		{"fit", []float64{0, 1, 2, 3}, []float64{0, 1, 1, 2}, 0.6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slope(tt.x, tt.y); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("slope = %v, want %v", got, tt.want)
			}
		})
	}
	for _, bad := range [][2][]float64{{{1}, {1}}, {{1, 1}, {2, 3}}, {{1, 2}, {1}}} {
		if got := slope(bad[0], bad[1]); !math.IsNaN(got) {
			t.Errorf("slope(%v, %v) = %v, want NaN", bad[0], bad[1], got)
		}
	}
}

func TestPerRound(t *testing.T) {
	p := perRound{
		"direct": {100, 200, 150},
		"stdlib": {300, 260, 400},
		"clp":    {150, 290, 200},
	}
	med := p.medianOf()
	if got, want := med["stdlib"], 300.0; got != want {
		t.Errorf("medianOf stdlib = %v, want %v", got, want)
	}
	added := p.added()
	// stdlib: 200, 60, 250 → 200; clp: 50, 90, 50 → 50.
	if got, want := added["stdlib"], 200.0; got != want {
		t.Errorf("added stdlib = %v, want %v", got, want)
	}
	if got, want := added["clp"], 50.0; got != want {
		t.Errorf("added clp = %v, want %v", got, want)
	}
	if _, ok := added["direct"]; ok {
		t.Errorf("added has a direct entry")
	}
}

func TestMicrosAndRatio(t *testing.T) {
	got := micros([]time.Duration{1500 * time.Nanosecond, 2 * time.Millisecond})
	if got[0] != 1.5 || got[1] != 2000 {
		t.Errorf("micros = %v, want [1.5 2000]", got)
	}
	if r := ratio(3, 2); r != 1.5 {
		t.Errorf("ratio(3, 2) = %v, want 1.5", r)
	}
	if r := ratio(3, 0); !math.IsNaN(r) {
		t.Errorf("ratio(3, 0) = %v, want NaN", r)
	}
}

func TestChecks(t *testing.T) {
	v := map[string]float64{"clp": 40, "stdlib": 50, "nginx": 30}
	tests := []struct {
		name string
		met  bool
		want bool
	}{
		{"at most stdlib", atMost("stdlib", 0)(v), true},
		{"at most nginx", atMost("nginx", 0)(v), false},
		{"at most 45", atMost("", 45)(v), true},
		{"at most 39", atMost("", 39)(v), false},
		{"at least nginx", atLeast("nginx")(v), true},
		{"at least stdlib", atLeast("stdlib")(v), false},
		{"missing target", atLeast("other")(v), false},
		{"missing clp", atMost("", 100)(map[string]float64{}), false},
	}
	for _, tt := range tests {
		if tt.met != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.met, tt.want)
		}
	}
}

func TestParseInts(t *testing.T) {
	got, err := parseInts("16, 64,256,")
	if err != nil || len(got) != 3 || got[0] != 16 || got[1] != 64 || got[2] != 256 {
		t.Errorf("parseInts = %v, %v; want [16 64 256]", got, err)
	}
	for _, bad := range []string{"1,x", "0", "-3"} {
		if _, err := parseInts(bad); err == nil {
			t.Errorf("parseInts(%q): no error", bad)
		}
	}
}
