package store

import (
	"encoding/binary"
	"errors"
	"math"
)

// histBuckets is the number of buckets of a latency histogram. Bucket 0 holds
// everything under 1 ms; bucket i ≥ 1 holds [2^((i-1)/4), 2^(i/4)) ms, so
// each bucket is 19 % wider than the one before and the last one (i = 99,
// from about 6.6 hours) is open-ended. A percentile read back from the
// histogram is the bucket's geometric middle: within 9 % of the true value.
const histBuckets = 100

// hist counts latencies on the fixed log scale above. Its zero value is an
// empty histogram. Fixed buckets make histograms of different hours, configs
// and models mergeable, so percentiles survive the pruning of request rows.
type hist [histBuckets]uint64

// histBucket returns the bucket of a latency in milliseconds.
func histBucket(ms float64) int {
	if !(ms >= 1) { // also catches NaN
		return 0
	}
	f := 1 + math.Floor(math.Log2(ms)*4)
	if f >= histBuckets-1 { // also +Inf, before the int conversion
		return histBuckets - 1
	}
	return int(f)
}

// add counts one latency.
func (h *hist) add(ms float64) { h[histBucket(ms)]++ }

// merge adds every count of o to h.
func (h *hist) merge(o *hist) {
	for i := range h {
		h[i] += o[i]
	}
}

func (h *hist) total() uint64 {
	var n uint64
	for _, c := range h {
		n += c
	}
	return n
}

// quantile returns the latency in milliseconds below which a fraction q of
// the counted latencies lie, or 0 for an empty histogram.
func (h *hist) quantile(q float64) float64 {
	n := h.total()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h {
		seen += c
		if seen >= rank {
			return bucketMid(i)
		}
	}
	return bucketMid(histBuckets - 1)
}

// bucketMid is the value a bucket stands for: 0.5 ms for the first, the
// geometric middle of its bounds for the others.
func bucketMid(i int) float64 {
	if i == 0 {
		return 0.5
	}
	return math.Exp2((float64(i) - 0.5) / 4)
}

// encode stores h as uvarints with trailing empty buckets left off; an empty
// histogram encodes as an empty slice.
func (h *hist) encode() []byte {
	last := -1
	for i, c := range h {
		if c != 0 {
			last = i
		}
	}
	out := make([]byte, 0, last+1)
	for i := 0; i <= last; i++ {
		out = binary.AppendUvarint(out, h[i])
	}
	return out
}

// decodeHist reads what encode wrote. A nil or empty b is an empty histogram.
func decodeHist(b []byte) (hist, error) {
	var h hist
	for i := 0; len(b) > 0; i++ {
		if i >= histBuckets {
			return h, errors.New("histogram has too many buckets")
		}
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return h, errors.New("histogram is truncated")
		}
		h[i] = v
		b = b[n:]
	}
	return h, nil
}
