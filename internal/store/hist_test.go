package store

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestHistBucket(t *testing.T) {
	tests := []struct {
		ms   float64
		want int
	}{
		{math.NaN(), 0},
		{-5, 0},
		{0, 0},
		{0.99, 0},
		{1, 1},
		{1.18, 1},  // below 2^(1/4) ≈ 1.189
		{1.19, 2},  // above it
		{2, 5},     // 2^(4/4) starts bucket 5
		{1000, 40}, // log2(1000)*4 = 39.86
		{1e12, 99}, // open-ended last bucket
		{math.Inf(1), 99},
	}
	for _, tt := range tests {
		if got := histBucket(tt.ms); got != tt.want {
			t.Errorf("histBucket(%v) = %d, want %d", tt.ms, got, tt.want)
		}
	}
}

// TestHistQuantileError checks the documented bound: a quantile read from
// the histogram is within 9 % of the exact one, over many distributions.
func TestHistQuantileError(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		var h hist
		vs := make([]float64, 1+r.IntN(2000))
		for i := range vs {
			vs[i] = math.Exp(r.NormFloat64()*1.5 + 6) // log-normal around 400 ms
			h.add(vs[i])
		}
		slices.Sort(vs)
		for _, q := range []float64{0.5, 0.9, 0.95, 0.99} {
			exact := exactQuantile(vs, q)
			got := h.quantile(q)
			if exact >= 1 && math.Abs(got-exact)/exact > 0.0905 {
				t.Errorf("trial %d: q%.2f = %.2f, exact %.2f", trial, q, got, exact)
			}
		}
	}
	var empty hist
	if got := empty.quantile(0.5); got != 0 {
		t.Errorf("quantile of an empty histogram = %v, want 0", got)
	}
}

func TestHistEncodeRoundtrip(t *testing.T) {
	var h hist
	for _, v := range []float64{0.3, 5, 5, 80, 1e9} {
		h.add(v)
	}
	h[50] = 1 << 40
	tests := []hist{{}, h}
	for _, want := range tests {
		b := want.encode()
		got, err := decodeHist(b)
		if err != nil || got != want {
			t.Errorf("decodeHist(encode(%v)) = %v, %v", want, got, err)
		}
	}
	var empty hist
	if b := empty.encode(); len(b) != 0 {
		t.Errorf("empty histogram encodes to %d bytes, want 0", len(b))
	}
}

func TestDecodeHistRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{{0x80}, make([]byte, histBuckets+1)} {
		if _, err := decodeHist(b); err == nil {
			t.Errorf("decodeHist(%x) succeeded, want an error", b)
		}
	}
}

func FuzzDecodeHist(f *testing.F) {
	var h hist
	h.add(12)
	h.add(4000)
	f.Add(h.encode())
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeHist(b)
		if err != nil {
			return
		}
		again, err := decodeHist(got.encode())
		if err != nil || again != got {
			t.Fatalf("re-encoding changed %v to %v (%v)", got, again, err)
		}
		_ = got.quantile(0.95)
	})
}
