package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
)

// BenchmarkWriter is the writer's whole cost per record in steady state,
// without the scheduling of BenchmarkWrite's saturated queue: each op is one
// record encoded (headers marshalled, bodies compressed) and committed in a
// transaction of batch records with its body row, rollup and bookkeeping.
// batch=100 is 1 000 requests a second at the default 100 ms flush interval;
// 512 is a full batch. cpu-ns/op includes the checkpoints running meanwhile.
// benchRecord's bodies repeat one line and compress about 15:1; the -text
// cases carry textBody instead, which zstd's fastest level compresses about
// 2:1 (2 KiB) to 2.7:1 (32 KiB), as it does prose and code.
func BenchmarkWriter(b *testing.B) {
	for _, tc := range []struct {
		batch, body int
		text        bool
	}{
		{100, 2 << 10, false},
		{512, 2 << 10, false},
		{100, 32 << 10, false},
		{100, 2 << 10, true},
		{100, 32 << 10, true},
	} {
		name := fmt.Sprintf("batch=%d/body=%dKiB", tc.batch, tc.body>>10)
		if tc.text {
			name += "-text"
		}
		b.Run(name, func(b *testing.B) {
			db := openTest(b, Options{})
			recs := make([]*api.Record, 256)
			words := textVocab()
			for i := range recs {
				recs[i] = benchRecord(i, tc.body)
				if tc.text {
					recs[i].RequestBody = textBody(words, uint64(2*i), tc.body)
					recs[i].ResponseBody = textBody(words, uint64(2*i+1), tc.body)
				}
			}
			ctx := context.Background()
			rows := make([]row, 0, tc.batch)
			var id int64
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			for i := 0; i < b.N; i += tc.batch {
				rows = rows[:0]
				for j := i; j < min(i+tc.batch, b.N); j++ {
					rec := *recs[j%len(recs)]
					id++
					rec.ID = id
					r, err := db.encode(&rec)
					if err != nil {
						b.Fatal(err)
					}
					rows = append(rows, r)
				}
				if err := db.writeBatch(ctx, rows); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// textVocab is textBody's vocabulary: 4 000 made-up words of 2–9 letters.
func textVocab() []string {
	r := rand.New(rand.NewPCG(1, 2))
	words := make([]string, 4000)
	for i := range words {
		w := make([]byte, 2+r.IntN(8))
		for j := range w {
			w[j] = byte('a' + r.IntN(26))
		}
		words[i] = string(w)
	}
	return words
}

// textBody is n bytes of a JSON message whose text is made of words drawn
// with a Zipf distribution from words, so that it compresses about as well
// as prose does; the same for the same seed.
func textBody(words []string, seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(words)-1))
	b := make([]byte, 0, n+16)
	b = append(b, `{"role":"user","content":"`...)
	for len(b) < n {
		b = append(b, words[zipf.Uint64()]...)
		b = append(b, ' ')
	}
	return b[:n]
}
