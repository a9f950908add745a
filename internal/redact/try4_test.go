package redact

import (
	"encoding/binary"
	"testing"
	"time"
)

func TestTryLoops(t *testing.T) {
	body := claudeBody(1<<20, false)
	f, _ := Compile(benchRules(), Options{})
	bits := &f.pre.bits
	n := 0
	pairs := func() {
		for i := 0; i+1 < len(body); i += 2 {
			x := uint16(body[i])<<8 | uint16(body[i+1])
			if bits[x>>3]&(1<<(x&7)) != 0 {
				n++
			}
		}
	}
	quad := func() {
		for i := 0; i+8 <= len(body); i += 8 {
			w := binary.BigEndian.Uint64(body[i:])
			x0, x1, x2, x3 := uint16(w>>48), uint16(w>>32), uint16(w>>16), uint16(w)
			if bits[x0>>3]&(1<<(x0&7))|bits[x1>>3]&(1<<(x1&7))|bits[x2>>3]&(1<<(x2&7))|bits[x3>>3]&(1<<(x3&7)) != 0 {
				n++
			}
		}
	}
	best := map[string]time.Duration{}
	for k := 0; k < 60; k++ {
		for name, fn := range map[string]func(){"pairs": pairs, "quad": quad} {
			st := time.Now()
			fn()
			d := time.Since(st)
			if b, ok := best[name]; !ok || d < b {
				best[name] = d
			}
		}
	}
	t.Log(best, n)
}
