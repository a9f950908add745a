package redact

import (
	"sort"
	"testing"
)

func TestTryPairs(t *testing.T) {
	body := claudeBody(1<<20, false)
	f, _ := Compile(benchRules(), Options{})
	p := f.pre
	cnt := map[uint16]int{}
	for i := 0; i+1 < len(body); i += 2 {
		x := uint16(body[i])<<8 | uint16(body[i+1])
		if p.bits[x>>3]&(1<<(x&7)) != 0 {
			cnt[x]++
		}
	}
	type kv struct {
		k uint16
		v int
	}
	var kvs []kv
	tot := 0
	for k, v := range cnt {
		kvs = append(kvs, kv{k, v})
		tot += v
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].v > kvs[j].v })
	for _, e := range kvs[:15] {
		var who []string
		for _, pr := range p.probes(e.k) {
			who = append(who, pr.n.s)
		}
		t.Logf("%q %d %q", string([]byte{byte(e.k >> 8), byte(e.k)}), e.v, who)
	}
	t.Logf("total %d single %d", tot, len(p.single))
}
