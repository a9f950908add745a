package bufpool

import "testing"

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
