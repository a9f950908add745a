// Command clpbench measures what CLP adds on the request path against a
// direct connection, a tuned httputil.ReverseProxy and nginx (when
// installed), all on loopback, and prints one table of ratios and absolute
// figures (issue 9). `make bench` builds bin/clp and runs it.
//
//	clpbench [flags]          run the scenarios
//	clpbench baseline [flags] serve the stdlib baseline proxy (used internally)
//	clpbench upstream [flags] serve the fake upstream alone (for manual runs)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "clpbench:", err)
		}
		os.Exit(1)
	}
}

// config is the harness's settings, one flag each.
type config struct {
	CLP        string
	Rounds     int
	Seq        int
	Dur        time.Duration
	Conc       []int
	Events     int
	Delay      time.Duration
	EventSize  int
	Streams    int
	BigStreams int
	BigEvents  int
	Starts     int
	Only       []int
	Nginx      bool
	Write      string
	Body       string // request body kind of scenarios 1 and 5
	API        string // wire API of every request: apiMessages or apiResponses
	Profile    string // directory for CLP's profiles of scenarios 2 and 4; empty: none
	Bare       bool   // also measure clp-bare: CLP with its features switched off
}

func (c config) String() string {
	bare := ""
	if c.Bare {
		bare = ", with clp-bare"
	}
	return fmt.Sprintf("%s API, rounds %d, %d sequential requests per round, %s bodies in scenarios 1 and 5, %s per load run at %v concurrent, streams of %d events of %d B %s apart (%d per round), %d concurrent streams of %d events, %d starts%s",
		c.API, c.Rounds, c.Seq, c.Body, c.Dur, c.Conc, c.Events, c.EventSize, c.Delay, c.Streams, c.BigStreams, c.BigEvents, c.Starts, bare)
}

// parseInts parses "16,64,256".
func parseInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad number %q in %q", f, s)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("clpbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.CLP, "clp", "bin/clp", "path of the clp binary to measure")
	fs.IntVar(&c.Rounds, "rounds", 3, "rounds; each runs every target once per scenario, in rotated order")
	fs.IntVar(&c.Seq, "seq", 200, "sequential requests per target per round (scenario 1; scenario 5 scales from it)")
	fs.DurationVar(&c.Dur, "dur", 1500*time.Millisecond, "duration of each load run (scenario 2)")
	conc := fs.String("conc", "16,64,256", "concurrency levels (scenario 2)")
	fs.IntVar(&c.Events, "events", 64, "events per stream (scenario 3)")
	fs.DurationVar(&c.Delay, "delay", 20*time.Millisecond, "delay between events (scenarios 3 and 4)")
	fs.IntVar(&c.EventSize, "event-size", 200, "bytes per delta event")
	fs.IntVar(&c.Streams, "streams", 2, "streams per target per round (scenario 3)")
	fs.IntVar(&c.BigStreams, "big-streams", 1000, "concurrent streams (scenario 4)")
	fs.IntVar(&c.BigEvents, "big-events", 32, "events per stream (scenario 4)")
	fs.IntVar(&c.Starts, "starts", 3, "`clp start` runs to time (scenario 6)")
	only := fs.String("only", "1,2,3,4,5,6", "scenarios to run")
	fs.BoolVar(&c.Nginx, "nginx", true, "include nginx when it is installed")
	fs.StringVar(&c.Write, "write", "", "also write the report to this file (BENCH.md), keeping its notes section")
	fs.StringVar(&c.Body, "body", bodyFiller, "request bodies of scenarios 1 and 5: filler (one long string of words) or conversation (shaped like Claude Code's, with escaped source code)")
	fs.StringVar(&c.Profile, "profile", "", "also write CLP's CPU and allocation profiles (pprof) of each run of scenarios 2 and 4 to this directory (profiling costs CLP a little CPU: take figures from runs without it)")
	fs.BoolVar(&c.Bare, "bare", false, "also measure clp-bare, a second CLP daemon with every feature that configuration can switch off switched off (filter rules, detectors, bodies in the request log, model rename), to tell what CLP's features cost from what its core costs")
	fs.StringVar(&c.API, "api", apiMessages, "wire API of every request: messages (Anthropic, as Claude Code sends it to CLP's Claude port) or responses (OpenAI, as Codex sends it to CLP's Codex port)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.Conc, err = parseInts(*conc); err != nil {
		return c, fmt.Errorf("-conc: %w", err)
	}
	if c.Only, err = parseInts(*only); err != nil {
		return c, fmt.Errorf("-only: %w", err)
	}
	if c.Body != bodyFiller && c.Body != bodyConversation {
		return c, fmt.Errorf("-body %q: want %s or %s", c.Body, bodyFiller, bodyConversation)
	}
	if c.API != apiMessages && c.API != apiResponses {
		return c, fmt.Errorf("-api %q: want %s or %s", c.API, apiMessages, apiResponses)
	}
	if c.Rounds < 1 || c.Seq < 1 || c.Streams < 1 || c.BigStreams < 1 || c.Starts < 1 || c.Events < 3 {
		return c, errors.New("-rounds, -seq, -streams, -big-streams and -starts must be positive, -events at least 3")
	}
	return c, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "baseline" {
		fs := flag.NewFlagSet("clpbench baseline", flag.ContinueOnError)
		listen := fs.String("listen", "127.0.0.1:0", "listen address")
		up := fs.String("upstream", "", "upstream base URL")
		pool := fs.Int("pool", 256, "keep-alive connections to the upstream")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return serveBaseline(*listen, *up, *pool)
	}
	if len(args) > 0 && args[0] == "upstream" {
		fs := flag.NewFlagSet("clpbench upstream", flag.ContinueOnError)
		listen := fs.String("listen", "127.0.0.1:0", "listen address")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "http://"+ln.Addr().String())
		srv := &http.Server{Handler: upstream(), ReadHeaderTimeout: 10 * time.Second}
		return srv.Serve(ln)
	}
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runBench(ctx, cfg, stdout, stderr)
}

// runBench sets up the upstream and the targets, runs the chosen scenarios and
// reports.
func runBench(ctx context.Context, cfg config, stdout, stderr io.Writer) (err error) {
	started := time.Now()
	logf := func(format string, args ...any) {
		fmt.Fprintf(stderr, "%6.1fs  %s\n", time.Since(started).Seconds(), fmt.Sprintf(format, args...))
	}
	wants := func(n int) bool { return slices.Contains(cfg.Only, n) }
	pool := max(slices.Max(cfg.Conc), cfg.BigStreams)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	up := &http.Server{Handler: upstream(), ReadHeaderTimeout: 10 * time.Second}
	go up.Serve(ln)
	defer up.Close()
	upURL := "http://" + ln.Addr().String()

	dir, err := os.MkdirTemp("", "clpbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	b := &bench{cfg: cfg, client: newClient(pool), log: logf}
	b.targets = []*target{{Name: "direct", URL: upURL}}
	defer func() {
		for _, t := range b.targets {
			if t.stop != nil {
				if serr := t.stop(); serr != nil && err == nil {
					err = serr
				}
			}
		}
	}()

	base, err := startBaseline(upURL, pool)
	if err != nil {
		return err
	}
	b.targets = append(b.targets, base)
	if cfg.Nginx {
		ng, err := startNginx(dir, ln.Addr().String(), pool)
		if err != nil {
			return err
		}
		if ng != nil {
			b.targets = append(b.targets, ng)
		}
	}
	c, err := newCLP(cfg.CLP, dir, "clp", clpFiles(upURL))
	if err != nil {
		return err
	}
	if cfg.Profile != "" {
		if err := os.MkdirAll(cfg.Profile, 0o755); err != nil {
			return err
		}
		port, err := freePort()
		if err != nil {
			return err
		}
		c.pprof = fmt.Sprintf("127.0.0.1:%d", port)
		b.prof = &profiler{addr: c.pprof, dir: cfg.Profile}
	}
	starts := 1
	if wants(6) {
		starts = cfg.Starts
	}
	ct, err := b.lifecycle(ctx, c, starts)
	if err != nil {
		c.stop()
		return err
	}
	if !wants(6) {
		b.rows = b.rows[:0]
	}
	b.targets = append(b.targets, ct)
	clps := []*clpInstance{c}
	if cfg.Bare {
		bare, err := newCLP(cfg.CLP, dir, "clp-bare", bareFiles(upURL))
		if err != nil {
			return err
		}
		if _, err := bare.start(ctx); err != nil {
			return err
		}
		bt, err := bare.target(ctx, cfg.API)
		if err != nil {
			bare.stop()
			return err
		}
		b.targets = append(b.targets, bt)
		clps = append(clps, bare)
	}
	for _, t := range b.targets {
		t.API = cfg.API
	}
	if out, err := c.run(ctx, "version"); err == nil {
		b.clpVersion = strings.TrimSpace(string(out))
	}
	logf("targets ready: %s", strings.Join(b.names(), ", "))
	for _, t := range b.proxies() {
		logf("%s pid %d", t.Name, t.PID)
	}
	if wants(6) {
		if err := b.idleRSS(); err != nil {
			return err
		}
	}
	steps := []struct {
		n   int
		run func(context.Context) error
	}{{1, b.latency}, {2, b.throughput}, {3, b.streaming}, {5, b.bodies}, {4, b.manyStreams}}
	for _, s := range steps {
		if !wants(s.n) {
			continue
		}
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("scenario %d: %w", s.n, err)
		}
	}
	if wants(6) {
		if err := b.busyRSS(); err != nil {
			return err
		}
	}
	if slices.ContainsFunc(cfg.Only, func(n int) bool { return n != 6 }) { // scenario 6 sends no requests
		for _, c := range clps {
			served, err := c.checkServed(ctx, cfg.API)
			if err != nil {
				return err
			}
			logf("%s: %s", c.name, served)
		}
	}
	if cfg.Profile != "" {
		logf("profiles of CLP in %s: go tool pprof -http=: %s", cfg.Profile, filepath.Join(cfg.Profile, "clp-s2-*.cpu.pprof"))
	}
	took := time.Since(started)
	b.report(stdout, started, took)
	if cfg.Write != "" {
		if err := b.writeBench(cfg.Write, started, took); err != nil {
			return fmt.Errorf("write %s: %w", cfg.Write, err)
		}
		logf("wrote %s", cfg.Write)
	}
	return nil
}
