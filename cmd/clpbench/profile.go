package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// profiler fetches CLP's CPU and allocation profiles (the daemon serves
// them on CLP_PPROF) while CLP carries a load run of scenario 2 or 4, into
// dir as clp-<run>.cpu.pprof and clp-<run>.allocs.pprof. `go tool pprof`
// reads several runs' files together, merged.
type profiler struct {
	addr string // where CLP serves /debug/pprof/; empty: no profiles
	dir  string
}

// profile starts profiling CLP for a run of about d named run (nothing for
// another target, or without -profile) and returns a function that waits
// until both profiles are written. The profiles cover whole seconds from
// the call: the run and a little idle time after it.
func (p *profiler) profile(ctx context.Context, t *target, run string, d time.Duration) (wait func() error) {
	if p == nil || p.addr == "" || t.Name != "clp" {
		return func() error { return nil }
	}
	secs := max(1, int(math.Ceil(d.Seconds())))
	errs := make(chan error, 2)
	for _, kind := range []string{"profile", "allocs"} {
		go func() {
			name := "cpu"
			if kind == "allocs" {
				name = kind
			}
			url := fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", p.addr, kind, secs)
			errs <- fetchTo(ctx, url, filepath.Join(p.dir, fmt.Sprintf("clp-%s.%s.pprof", run, name)))
		}()
	}
	return func() error {
		return errors.Join(<-errs, <-errs)
	}
}

// fetchTo saves the body of url to path.
func fetchTo(ctx context.Context, url, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("profile %s: %s: %s", url, resp.Status, b)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("profile %s: %w", url, err)
	}
	return f.Close()
}
