// Command clpsoak runs the real clp daemon under steady load for minutes,
// with a failing config in the balancing pool, and reports its resident
// memory, goroutines, threads and open files over time, with every error a
// client saw (issue 7). It is not part of `make test`:
//
//	make build && go run ./cmd/clpsoak -minutes 10 -rate 300
//
// A healthy run shows flat memory, goroutines and fds after warm-up and
// zero client-visible errors; clpsoak exits 1 otherwise.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "clpsoak:", err)
		}
		os.Exit(1)
	}
}

// options are the soak's settings, one flag each.
type options struct {
	CLP         string
	Duration    time.Duration
	Rate        int
	Concurrency int
	Events      int
	EventGap    time.Duration
	Sample      time.Duration
	Warmup      time.Duration
	Fail        string
	Keep        bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var minutes float64
	fs := flag.NewFlagSet("clpsoak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.CLP, "clp", "bin/clp", "the clp binary to soak (`make build` writes bin/clp)")
	fs.Float64Var(&minutes, "minutes", 10, "how long to run the load")
	fs.IntVar(&o.Rate, "rate", 300, "requests started per second (open loop)")
	fs.IntVar(&o.Concurrency, "concurrency", 256, "most requests in flight; a start beyond it counts as late")
	fs.IntVar(&o.Events, "events", 8, "SSE events per streamed answer")
	fs.DurationVar(&o.EventGap, "event-gap", 5*time.Millisecond, "pause between events")
	fs.DurationVar(&o.Sample, "sample", 10*time.Second, "how often to sample the daemon")
	fs.DurationVar(&o.Warmup, "warmup", 30*time.Second, "samples before this are not judged for growth")
	fs.StringVar(&o.Fail, "fail", "500", "how the failing config fails: 500, 429, dead (nothing listens) or error-event")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temporary CLP_HOME (its path is printed)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.Duration = time.Duration(minutes * float64(time.Minute))
	switch {
	case o.Duration <= 0 || o.Rate <= 0 || o.Concurrency <= 0 || o.Events <= 0 || o.Sample <= 0:
		return o, fmt.Errorf("-minutes, -rate, -concurrency, -events and -sample must be positive")
	case o.Fail != "500" && o.Fail != "429" && o.Fail != "dead" && o.Fail != "error-event":
		return o, fmt.Errorf("-fail %q: use 500, 429, dead or error-event", o.Fail)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if _, err := os.Stat(o.CLP); err != nil {
		return fmt.Errorf("clp binary %s: %w (run `make build` or pass -clp)", o.CLP, err)
	}
	ups, err := startUpstreams(o)
	if err != nil {
		return err
	}
	defer ups.close()
	d, err := startDaemon(ctx, o, ups)
	if err != nil {
		return err
	}
	defer d.stop(stderr)
	fmt.Fprintf(stdout, "clpsoak: clp pid %d, CLP_HOME %s; %v at %d req/s (at most %d in flight), failing config answers %s\n",
		d.pid, d.home, o.Duration, o.Rate, o.Concurrency, o.Fail)

	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	l := newLoad(d.claudeURL, o)
	go l.run(ctx)
	samples := sampleLoop(ctx, d, l, o.Sample, stdout)
	l.wait()
	// One more look once the load is over (not judged: nothing in flight).
	printSample(stdout, d.sample(l))

	rep := judge(samples, o.Warmup, l.errors())
	rep.write(stdout, l, ups)
	if !rep.ok() {
		return errors.New("the soak failed (see above)")
	}
	return nil
}
