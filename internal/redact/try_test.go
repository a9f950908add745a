package redact

import (
	"testing"
	"time"
)

func TestTryPerf(t *testing.T) {
	for _, sec := range []bool{false, true} {
	body := claudeBody(1<<20, sec)
	f, _ := Compile(benchRules(), Options{})
	for k := 0; k < 5; k++ {
		st := time.Now()
		_, rep := f.Apply("claude", body)
		t.Logf("apply %v %d", time.Since(st), len(rep.Counts))
	}
	}
}
