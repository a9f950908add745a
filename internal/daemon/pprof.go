package daemon

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// PprofEnv, set to a loopback host:port, has the daemon serve the Go
// runtime's profiles there (net/http/pprof under /debug/pprof/: CPU,
// allocations, heap, goroutines, execution trace), so CLP can be profiled
// as it runs, under real load (clpbench -profile). Unset, nothing is served.
const PprofEnv = "CLP_PPROF"

// listenPprof binds the profiling endpoint PprofEnv asks for, or returns
// nil when it is unset. Only a loopback address is taken: the endpoint has
// no authentication, and profiles show what the daemon holds.
func listenPprof() (net.Listener, error) {
	addr := os.Getenv(PprofEnv)
	if addr == "" {
		return nil, nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !IsLoopbackHost(host) {
		return nil, fmt.Errorf("%s=%q: give a loopback address and port, such as 127.0.0.1:6060 (profiles are served without authentication), or unset it", PprofEnv, addr)
	}
	return listener{name: "runtime profiles", env: PprofEnv, addr: addr}.listen()
}

// pprofServer serves net/http/pprof's handlers on a mux of its own: the
// package's registration on http.DefaultServeMux is served nowhere.
func pprofServer() *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // named profiles: /debug/pprof/allocs, heap, ...
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
}
