package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentEditsLoseNothing: clp processes editing the same file at
// once (a script creating keys or adding configs in parallel, the daemon
// stopped) each keep their change.
func TestConcurrentEditsLoseNothing(t *testing.T) {
	in := newInstance(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan string, 2*n)
	for i := range n {
		wg.Go(func() {
			if out, code := in.clp("key", "create", fmt.Sprintf("k%d", i)); code != 0 {
				errs <- out
			}
		})
		wg.Go(func() {
			if out, code := in.clpIn("tok-parallel-0000001\n", "config", "add", "claude", fmt.Sprintf("c%d", i),
				"--base-url", "https://relay.example.com", "--auth-token-stdin"); code != 0 {
				errs <- out
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a parallel edit failed: %s", e)
	}
	keys := in.mustCLP("key", "list")
	for i := range n {
		if !strings.Contains(keys, fmt.Sprintf("k%d ", i)) {
			t.Errorf("key k%d was lost:\n%s", i, keys)
		}
	}
	if got := in.list(t, "claude"); len(got) != n {
		t.Errorf("claude has %d configs after %d parallel adds: %+v", len(got), n, got)
	}
}
