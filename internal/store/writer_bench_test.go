package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
)

// BenchmarkWriter is the writer's whole cost per record in steady state,
// without the scheduling of BenchmarkWrite's saturated queue: each op is one
// record encoded (headers marshalled, bodies compressed) and committed in a
// transaction of batch records with its body row, rollup and bookkeeping.
// batch=100 is 1 000 requests a second at the default 100 ms flush interval;
// 512 is a full batch. cpu-ns/op includes the checkpoints running meanwhile.
func BenchmarkWriter(b *testing.B) {
	for _, tc := range []struct{ batch, body int }{
		{100, 2 << 10},
		{512, 2 << 10},
		{100, 32 << 10},
	} {
		b.Run(fmt.Sprintf("batch=%d/body=%dKiB", tc.batch, tc.body>>10), func(b *testing.B) {
			db := openTest(b, Options{})
			recs := make([]*api.Record, 256)
			for i := range recs {
				recs[i] = benchRecord(i, tc.body)
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
