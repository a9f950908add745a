package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/metrics"
	"github.com/clp-proxy/clp/internal/protocol"
	"github.com/clp-proxy/clp/internal/protocol/anthropic"
	"github.com/clp-proxy/clp/internal/protocol/openai"
	"github.com/clp-proxy/clp/internal/proxy"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/store"
	"github.com/clp-proxy/clp/internal/ui"
)

// Options configure a daemon.
type Options struct {
	Env     api.Env
	Log     *slog.Logger
	Version string
	// Ready, if set, is called once: with nil when every listener accepts
	// connections, or with the error that stopped the start.
	Ready func(error)
}

// protocols maps api.ServiceInfo.Protocol to its adapter.
var protocols = map[string]protocol.Protocol{
	"anthropic": anthropic.Protocol{},
	"openai":    openai.Protocol{},
}

// Daemon is one running CLP.
type Daemon struct {
	env     api.Env
	log     *slog.Logger
	version string
	started time.Time
	loader  *config.Loader

	reloadMu sync.Mutex
	snap     atomic.Pointer[config.Snapshot]
	states   map[string]*atomic.Pointer[proxy.State]
	handlers map[string]*proxy.Handler
	pools    map[string]*balance.Pool
	// filterMu guards filter and filterErr: apply writes them, Status reads.
	filterMu  sync.Mutex
	filter    *redact.Filter // the last filter that compiled
	filterErr error
	store     *store.DB // nil when the request log could not be opened
	storeErr  error
	feed      feed
	transport *http.Transport
	metrics   *metrics.Metrics

	stop     context.CancelFunc
	stopOnce sync.Once
}

// Run runs a daemon until ctx ends or the API asks it to stop, then shuts
// down gracefully. It returns an error when the daemon could not start.
func Run(ctx context.Context, opt Options) (err error) {
	ready := func(err error) {
		if opt.Ready != nil {
			opt.Ready(err)
			opt.Ready = nil
		}
	}
	defer func() { ready(err) }()
	d, snap, err := newDaemon(opt)
	if err != nil {
		return err
	}
	// The filter compiles (a few ms of CPU) while the start checks for a
	// running daemon, binds the ports and opens the request log (mostly
	// waiting on the disk); nothing is served before it is installed.
	filterc := make(chan compiled, 1)
	go func() { filterc <- compileFilter(snap) }()
	installed := false
	defer func() {
		if !installed {
			<-filterc // a failed start leaves no goroutine behind
		}
	}()
	if err := d.checkNotRunning(); err != nil {
		return err
	}
	lns, err := d.listen()
	if err != nil {
		return err
	}
	prof, err := listenPprof()
	if err != nil {
		closeAll(lns)
		return err
	}
	ctx, d.stop = context.WithCancel(ctx)
	defer d.stop()
	d.openStore(snap.System)
	d.install(snap, <-filterc)
	installed = true

	servers := d.servers()
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(lns[i]) }()
	}
	if prof != nil {
		srv := pprofServer()
		go srv.Serve(prof)
		defer srv.Close()
		d.log.Info("serving runtime profiles", "url", "http://"+prof.Addr().String()+"/debug/pprof/")
	}
	if err := writePid(d.env, PidInfo{PID: os.Getpid(), UIAddr: lns[len(lns)-1].Addr().String(), Started: d.started}); err != nil {
		closeAll(lns)
		return err
	}
	defer removePid(d.env, os.Getpid())
	go func() {
		if err := config.Watch(ctx, d.env.Home, 100*time.Millisecond, d.reload); err != nil {
			d.log.Error("hand edits will not be picked up", "err", err)
		}
	}()
	for _, l := range lns {
		d.log.Info("listening", "addr", l.Addr().String())
	}
	ready(nil)
	// The start's garbage (config parsing, the filter compile: ~3 MB) would
	// otherwise stay mapped until the background scavenger gets to it; give
	// it back once, off the path to ready.
	go debug.FreeOSMemory()

	select {
	case <-ctx.Done():
	case err := <-errc:
		d.log.Error("listener failed", "err", err)
	}
	return d.shutdown(servers)
}

// newDaemon loads the configuration and builds the handlers. The snapshot
// it returns is not applied yet: Run installs it (with its compiled filter)
// before serving.
func newDaemon(opt Options) (*Daemon, *config.Snapshot, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{
		env: opt.Env, log: opt.Log, version: opt.Version, started: time.Now(),
		loader:   config.NewLoader(opt.Env.Home),
		states:   map[string]*atomic.Pointer[proxy.State]{},
		handlers: map[string]*proxy.Handler{},
		pools:    map[string]*balance.Pool{},
	}
	d.metrics = d.newMetrics()
	if err := config.EnsureHome(d.env.Home); err != nil {
		return nil, nil, err
	}
	snap, _, err := d.loader.Load()
	if err != nil {
		return nil, nil, err
	}
	if len(snap.Problems) > 0 {
		msgs := make([]string, len(snap.Problems))
		for i, p := range snap.Problems {
			msgs[i] = p.String()
		}
		return nil, nil, fmt.Errorf("config file does not parse (fix it, then run `clp start` again):\n  %s", strings.Join(msgs, "\n  "))
	}
	d.transport = newTransport()
	for _, s := range api.Services {
		st := &atomic.Pointer[proxy.State]{}
		d.states[s.Name] = st
		d.pools[s.Name] = balance.NewPool(time.Now)
		d.handlers[s.Name] = &proxy.Handler{
			Service: s.Name, Protocol: protocols[s.Protocol], Transport: &idleTransport{rt: d.transport, limit: d.streamIdleLimit},
			Current: st.Load, Pool: d.pools[s.Name], Log: d.log,
			Record: d.record, Observe: d.observe,
		}
	}
	d.loadHealth()
	return d, snap, nil
}

// checkNotRunning refuses to start a second daemon on the same CLP_HOME.
func (d *Daemon) checkNotRunning() error {
	p, err := ReadPid(d.env)
	if err != nil || p.PID == os.Getpid() || !Alive(p.PID) {
		return nil // no pid file, or a stale one
	}
	if pingDaemon(p.UIAddr, ui.ReadToken(d.env.RunDir())) == p.PID {
		return fmt.Errorf("clp is already running (pid %d, UI on http://%s): use `clp restart` or `clp stop`", p.PID, p.UIAddr)
	}
	return nil // the pid was reused by another program
}

type listener struct {
	name, env string
	addr      string
}

// listen binds every listener before serving any, so a taken port fails the
// start cleanly. The UI listener is last.
func (d *Daemon) listen() ([]net.Listener, error) {
	var want []listener
	for _, s := range api.Services {
		want = append(want, listener{s.Name + " proxy", s.PortEnv, d.env.ProxyAddr(s.Name)})
	}
	want = append(want, listener{"web UI", "CLP_UI_PORT", d.env.UIAddr()})
	var lns []net.Listener
	for _, w := range want {
		l, err := w.listen()
		if err != nil {
			closeAll(lns)
			return nil, err
		}
		lns = append(lns, l)
	}
	return lns, nil
}

// listen binds w, saying which setting moves it when its port is taken.
func (w listener) listen() (net.Listener, error) {
	l, err := net.Listen("tcp", w.addr)
	if err == nil {
		return l, nil
	}
	if errors.Is(err, errAddrInUse) || strings.Contains(err.Error(), "address already in use") {
		return nil, fmt.Errorf("port %s for the %s is already in use: stop the program using it, or choose another port with %s", portOf(w.addr), w.name, w.env)
	}
	return nil, fmt.Errorf("listen on %s for the %s: %w", w.addr, w.name, err)
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func closeAll(lns []net.Listener) {
	for _, l := range lns {
		l.Close()
	}
}

// servers returns one http.Server per listener, in listen order.
func (d *Daemon) servers() []*http.Server {
	var out []*http.Server
	for _, s := range api.Services {
		refused := func(reason string) { d.metrics.Refused(s.Name, reason) }
		h := guardKeys(d.handlers[s.Name], protocols[s.Protocol], s.Name, KeysPath(d.env),
			!IsLoopbackHost(d.env.ProxyHost), os.Getenv(RequireKeysEnv) == "1", d.log, refused)
		out = append(out, &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       5 * time.Minute,
			MaxHeaderBytes:    1 << 20,
			ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelDebug),
		})
	}
	out = append(out, &http.Server{
		Handler:           ui.New(d, d.log, d.uiOptions()),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       5 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelDebug),
	})
	return out
}

// shutdown stops accepting, lets in-flight requests finish up to the drain
// limit, then closes what is left.
func (d *Daemon) shutdown(servers []*http.Server) error {
	drain := time.Duration(d.snap.Load().System.DrainSeconds) * time.Second
	if drain <= 0 {
		drain = 30 * time.Second
	}
	d.log.Info("shutting down", "drain", drain)
	ctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	var wg sync.WaitGroup
	for _, srv := range servers {
		wg.Go(func() {
			if err := srv.Shutdown(ctx); err != nil {
				d.log.Warn("drain limit reached; closing open connections", "err", err)
				srv.Close()
			}
		})
	}
	wg.Wait()
	d.awaitHandlers(5 * time.Second)
	d.saveHealth()
	if d.store != nil {
		if err := d.store.Close(); err != nil {
			d.log.Error("close the request log", "err", err)
		}
	}
	d.log.Info("stopped")
	return nil
}

// Stop asks the daemon to shut down gracefully. It returns at once.
func (d *Daemon) Stop() {
	d.stopOnce.Do(func() {
		if d.stop != nil {
			d.stop()
		}
	})
}
