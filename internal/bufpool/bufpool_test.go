package bufpool

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func TestClass(t *testing.T) {
	tests := []struct {
		n, class, size int
	}{
		{0, -1, 0},
		{Min - 1, -1, 0},
		{Min, 3, Min},
		{Min + 1, 4, 80 << 10},
		{96 << 10, 5, 96 << 10},
		{1 << 20, 19, 1 << 20},
		{1<<20 + 1, 20, 1280 << 10},
		{10 << 20, 32, 10 << 20},
		{Max, classes - 1, Max},
		{Max + 1, -1, 0},
	}
	for _, tt := range tests {
		if c, size := class(tt.n); c != tt.class || size != tt.size {
			t.Errorf("class(%d) = %d, %d; want %d, %d", tt.n, c, size, tt.class, tt.size)
		}
		b, ok := Get(tt.n)
		if ok != (tt.class >= 0) || ok && (len(b) != tt.n || cap(b) != tt.size) {
			t.Errorf("Get(%d) = len %d cap %d, %v", tt.n, len(b), cap(b), ok)
		}
	}
	// Every size maps to a class whose buffers hold it, wasting under a quarter.
	for n := Min; n <= Max; n += n/7 + 1 {
		c, size := class(n)
		if c < 0 || c >= classes || size < n || size-n > size/4 {
			t.Fatalf("class(%d) = %d, %d", n, c, size)
		}
	}
}

// TestPut: a buffer put back may serve a later Get of its class, with the
// length asked for; one of another capacity is never handed out.
func TestPut(t *testing.T) {
	b, _ := Get(1 << 20)
	Put(b)
	Put(make([]byte, 0, 1<<20+3)) // not one of the sizes
	for range 10 {
		c, ok := Get(1<<20 - 1)
		if !ok || len(c) != 1<<20-1 || cap(c) != 1<<20 {
			t.Fatalf("Get(1 MiB - 1) = len %d cap %d, %v", len(c), cap(c), ok)
		}
	}
}

// TestKeptAcrossGC: a buffer put back survives garbage collections, which
// empty a sync.Pool, and serves the next Get of its class.
func TestKeptAcrossGC(t *testing.T) {
	p := &pool{keep: Keep, idle: time.Hour}
	b, _ := p.get(3 << 20)
	b[0] = 42
	p.put(b)
	runtime.GC()
	runtime.GC()
	c, _ := p.get(3<<20 - 5)
	if &c[0] != &b[0] || c[0] != 42 {
		t.Fatal("Get after two collections returned a fresh buffer, not the one put back")
	}
	if d, _ := p.get(3 << 20); &d[0] == &b[0] {
		t.Fatal("one buffer handed out twice")
	}
}

// TestKeepBound: what is kept stays under the bound; a buffer put back
// beyond it is dropped, and one taken out makes room again.
func TestKeepBound(t *testing.T) {
	p := &pool{keep: 4 << 20, idle: time.Hour}
	var bufs [][]byte
	for range 6 {
		b, _ := p.get(1 << 20)
		bufs = append(bufs, b)
	}
	for _, b := range bufs {
		p.put(b)
	}
	if p.bytes != 4<<20 || len(p.free[19]) != 4 {
		t.Fatalf("kept %d bytes in %d buffers, want 4 MiB in 4", p.bytes, len(p.free[19]))
	}
	for i := range 4 {
		if b, _ := p.get(1 << 20); &b[0] != &bufs[3-i][0] {
			t.Fatalf("get %d: not a kept buffer", i)
		}
	}
	if b, _ := p.get(1 << 20); &b[0] == &bufs[4][0] || &b[0] == &bufs[5][0] {
		t.Fatal("a buffer put back past the bound was kept")
	}
	if p.bytes != 0 {
		t.Fatalf("bytes = %d after taking every buffer", p.bytes)
	}
}

// TestIdleRelease: once no buffer came back for the idle time, the free
// buffers are let go, so an idle process can give the memory back; a put
// before that keeps them.
func TestIdleRelease(t *testing.T) {
	p := &pool{keep: Keep, idle: 50 * time.Millisecond}
	b, _ := p.get(Min)
	p.put(b)
	deadline := time.Now().Add(10 * time.Second)
	for {
		p.mu.Lock()
		n, kept := p.bytes, len(p.free[3])
		p.mu.Unlock()
		if n == 0 && kept == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d bytes kept 10 s after the last put", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The pool works on after a release.
	c, _ := p.get(Min)
	p.put(c)
	if d, _ := p.get(Min); &d[0] != &c[0] {
		t.Fatal("no reuse after a release")
	}
}

// TestReleaseReturnsMemory: letting go of megabytes of buffers returns
// their memory to the system at once, not minutes later.
func TestReleaseReturnsMemory(t *testing.T) {
	p := &pool{keep: Keep, idle: time.Hour}
	b, _ := p.get(32 << 20)
	for i := range b {
		b[i] = 1 // map every page
	}
	p.put(b)
	b = nil
	runtime.GC()
	before := released()
	p.release()
	if got := released() - before; got < 24<<20 {
		t.Fatalf("release returned %d MiB to the system, want the buffer's 32 MiB", got>>20)
	}
}

// released is how many bytes of the heap the runtime has returned to the
// system.
func released() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
