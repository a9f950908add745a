package redact

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// manyStrings is a JSON body of n short strings: a list of strings that
// makes a scratch space large.
func manyStrings(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"model":"m","messages":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"role":"user","content":"hello there, some text"}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// TestLargeScratchKeptAcrossGC: the scratch space a large body grew is
// there for the next large body after garbage collections, which empty
// the Filter's sync.Pool, without holding on to that body; a small body's
// goes to the sync.Pool.
func TestLargeScratchKeptAcrossGC(t *testing.T) {
	f, err := Compile(harnessRules(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := manyStrings(8000)
	if len(body) < largeBody {
		t.Fatalf("body of %d bytes is not large", len(body))
	}
	sc := f.getScratch(len(body))
	f.run("claude", body, sc)
	if !sc.large() {
		t.Fatalf("a body of %d strings left units of cap %d, not large", 3*8000, cap(sc.units))
	}
	sc.rd.reset(body) // as a rule of unbounded reach leaves it
	f.putScratch(sc)
	runtime.GC()
	runtime.GC()
	if got := f.getScratch(len(body)); got != sc {
		t.Error("the large scratch space did not survive two collections")
	} else {
		if got.rd.raw != nil {
			t.Error("the kept scratch space still holds the last body")
		}
		f.putScratch(got)
	}
	small := f.getScratch(100)
	f.run("claude", []byte(`{"a":"b"}`), small)
	f.putScratch(small)
	if f.large.get() != sc || f.large.get() != nil {
		t.Error("the large list holds something besides the large scratch space")
	}
}

// TestScratchListBound: the list keeps maxLargeScratch spaces, and lets
// all go once none came back for its idle time.
func TestScratchListBound(t *testing.T) {
	l := &scratchList{idle: 20 * time.Millisecond}
	for i := range maxLargeScratch + 1 {
		if kept := l.put(new(scratch)); kept != (i < maxLargeScratch) {
			t.Errorf("put %d: kept %v", i, kept)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		l.mu.Lock()
		n := len(l.free)
		l.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d scratch spaces still kept 10 s after the last put", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if l.get() != nil {
		t.Error("get after release returned a scratch space")
	}
}
