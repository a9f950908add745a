package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/clp-proxy/clp/internal/redact"
)

// target is one way to reach the fake upstream: directly or through a proxy.
type target struct {
	Name string
	URL  string // base URL; requests go to URL + apiPath(API)
	API  string // the wire API requests speak (apiMessages when empty)
	PID  int    // proxy process (0 for direct); its CPU and RSS are read from /proc
	stop func() error
}

// freePort returns a loopback TCP port that was free a moment ago, from
// below Linux's ephemeral range (32768-60999): a port from there could be
// taken, as the source port of an outgoing connection, between now and the
// moment a proxy binds it.
func freePort() (int, error) {
	for range 2000 {
		p := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err == nil {
			return p, ln.Close()
		}
	}
	return 0, errors.New("no free port in 20000-31999")
}

// waitListening polls addr until it accepts a TCP connection or d passes.
func waitListening(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not listening after %s: %w", addr, d, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// clpFiles are the files written under CLP_HOME so every feature is on: one
// config and one model rename rule per service, and five filter rules (one
// of which matches the bench bodies).
func clpFiles(upstreamURL string) map[string]string {
	return map[string]string{
		"claude.json": fmt.Sprintf(`{"bench": {"base_url": %q, "auth_token": "sk-bench-token", "weight": 1, "active": true}}`, upstreamURL),
		"codex.json":  fmt.Sprintf(`{"bench": {"base_url": %q, "api_key": "sk-bench-token", "weight": 1, "active": true}}`, upstreamURL),
		"data/model_router_config.json": `{"mode": "model-mapping",
 "modelMappings": {"claude": [{"source": "claude-sonnet-*", "target": "claude-bench-renamed", "source_type": "model"}],
                   "codex": [{"source": "gpt-5*", "target": "gpt-bench-renamed", "source_type": "model"}]},
 "configMappings": {"claude": [], "codex": []}}`,
		"filter.json": `[
 {"source": "sk-ant-api03-[A-Za-z0-9_-]{20,}", "target": "[REDACTED-ANTHROPIC-KEY]", "op": "replace"},
 {"source": "AKIA[0-9A-Z]{16}", "target": "[REDACTED-AWS-KEY]", "op": "replace"},
 {"source": "(?i)password\\s*=\\s*\\S+", "target": "password=[REDACTED]", "op": "replace"},
 {"source": "-----BEGIN [A-Z ]*PRIVATE KEY-----", "target": "", "op": "remove"},
 {"source": "internal.corp.example", "target": "host.example", "op": "replace"}
]`,
	}
}

// bareFiles are the files of the -bare instance: the same configs, and every
// feature that configuration can switch off switched off: no filter rules,
// no built-in detectors, no request or response bodies in the request log
// (its records are still written), no model rename rule. What is left is
// CLP's core: the handler, the selection of a config, the usage tap and the
// log's records.
func bareFiles(upstreamURL string) map[string]string {
	files := clpFiles(upstreamURL)
	delete(files, "data/model_router_config.json")
	files["filter.json"] = "[]"
	off := map[string]bool{}
	for _, d := range redact.Detectors() {
		off[d.ID] = false
	}
	system, _ := json.Marshal(map[string]any{"logBodyKB": -1, "detectors": off})
	files["data/system.json"] = string(system)
	return files
}

// clpInstance is a CLP_HOME with its ports, ready for `clp start`.
type clpInstance struct {
	name  string // the target's name: clp, or clp-bare
	bin   string
	home  string
	ports [3]int
	pprof string // CLP_PPROF: where the daemon serves its profiles; empty: not served
}

// env is the environment of every clp command of one bench run.
func (c *clpInstance) env() []string {
	env := append(os.Environ(),
		"CLP_HOME="+c.home,
		"CLP_CLAUDE_PORT="+strconv.Itoa(c.ports[0]),
		"CLP_CODEX_PORT="+strconv.Itoa(c.ports[1]),
		"CLP_UI_PORT="+strconv.Itoa(c.ports[2]),
	)
	if c.pprof != "" {
		env = append(env, "CLP_PPROF="+c.pprof)
	}
	return env
}

// newCLP writes a fresh CLP_HOME under dir holding files (clpFiles or
// bareFiles) for the target called name.
func newCLP(bin, dir, name string, files map[string]string) (*clpInstance, error) {
	home := filepath.Join(dir, name+"-home")
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o700); err != nil {
		return nil, err
	}
	for file, content := range files {
		if err := os.WriteFile(filepath.Join(home, file), []byte(content), 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", file, err)
		}
	}
	c := &clpInstance{name: name, bin: bin, home: home}
	for i := range c.ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		c.ports[i] = p
	}
	return c, nil
}

// run runs one clp command and returns its stdout.
func (c *clpInstance) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = c.env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("clp %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// start runs `clp start` and returns how long it took until ready.
func (c *clpInstance) start(ctx context.Context) (time.Duration, error) {
	t0 := time.Now()
	if _, err := c.run(ctx, "start"); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// stop runs `clp stop`.
func (c *clpInstance) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.run(ctx, "stop")
	return err
}

// clpStatus is what the harness reads of `clp status --json`.
type clpStatus struct {
	PID      int `json:"pid"`
	Services []struct {
		Name     string `json:"name"`
		Requests int64  `json:"requests"`
		Errors   int64  `json:"errors"`
	} `json:"services"`
	LogDropped int64 `json:"log_dropped"`
}

// status runs `clp status --json`.
func (c *clpInstance) status(ctx context.Context) (clpStatus, error) {
	var st clpStatus
	out, err := c.run(ctx, "status", "--json")
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(out, &st); err != nil || st.PID == 0 {
		return st, fmt.Errorf("clp status --json: no pid in %q", out)
	}
	return st, nil
}

// pid asks `clp status --json` for the daemon's pid.
func (c *clpInstance) pid(ctx context.Context) (int, error) {
	st, err := c.status(ctx)
	return st.PID, err
}

// checkServed makes sure the load went through CLP as meant: the service of
// api (claude for Messages, codex for Responses) served requests, none
// failed, and the request log kept every record.
func (c *clpInstance) checkServed(ctx context.Context, api string) (string, error) {
	st, err := c.status(ctx)
	if err != nil {
		return "", err
	}
	want := "claude"
	if api == apiResponses {
		want = "codex"
	}
	var summary []string
	served := false
	for _, s := range st.Services {
		summary = append(summary, fmt.Sprintf("%s %d requests, %d errors", s.Name, s.Requests, s.Errors))
		if s.Errors > 0 {
			return "", fmt.Errorf("%s counted %d errors on %s", c.name, s.Errors, s.Name)
		}
		served = served || s.Name == want && s.Requests > 0
	}
	if !served {
		return "", fmt.Errorf("%s's %s service served no requests (%s)", c.name, want, strings.Join(summary, "; "))
	}
	if st.LogDropped > 0 {
		return "", fmt.Errorf("%s's request log dropped %d records", c.name, st.LogDropped)
	}
	return strings.Join(summary, "; "), nil
}

// target returns the running daemon's listener for api as a bench target:
// the Claude port for Messages, the Codex port for Responses.
func (c *clpInstance) target(ctx context.Context, api string) (*target, error) {
	pid, err := c.pid(ctx)
	if err != nil {
		return nil, err
	}
	port := c.ports[0]
	if api == apiResponses {
		port = c.ports[1]
	}
	return &target{Name: c.name, URL: fmt.Sprintf("http://127.0.0.1:%d", port), API: api, PID: pid, stop: c.stop}, nil
}

// baselineProxy is the tuned standard-library reverse proxy the issue asks
// for: a keep-alive pool sized for the load, flush after every write, and
// compressed bodies passed through untouched.
func baselineProxy(upstreamURL *url.URL, pool int) http.Handler {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        pool,
		MaxIdleConnsPerHost: pool,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		WriteBufferSize:     32 << 10,
		ReadBufferSize:      32 << 10,
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(upstreamURL)
			r.Out.Host = upstreamURL.Host
		},
		Transport:     tr,
		FlushInterval: -1,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > 0 {
			r.Body = &exactBody{rc: r.Body, n: r.ContentLength}
		}
		rp.ServeHTTP(w, r)
	})
}

// exactBody ends an inbound body with io.EOF as soon as its Content-Length
// has been read. Without it the Transport reads once more after the last byte
// to check the length; when the upstream has already answered, the server has
// closed the inbound body by then, the extra read fails and the Transport
// drops the upstream connection mid-stream (golang/go#40747).
type exactBody struct {
	rc io.ReadCloser
	n  int64
}

func (b *exactBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	k, err := b.rc.Read(p)
	b.n -= int64(k)
	if b.n <= 0 && err == nil {
		err = io.EOF
	}
	return k, err
}

func (b *exactBody) Close() error { return b.rc.Close() }

// serveBaseline is the hidden `clpbench baseline` command: it serves
// baselineProxy on listen and prints "ready" once it accepts connections.
func serveBaseline(listen, upstream string, pool int) error {
	u, err := url.Parse(upstream)
	if err != nil {
		return fmt.Errorf("upstream url: %w", err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	srv := &http.Server{Handler: baselineProxy(u, pool), ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

// startBaseline runs this executable as `clpbench baseline` in its own process
// so its CPU time can be read from /proc.
func startBaseline(upstreamURL string, pool int) (*target, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(exe, "baseline", "-listen", addr, "-upstream", upstreamURL, "-pool", strconv.Itoa(pool))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start baseline: %w", err)
	}
	stop := func() error { cmd.Process.Kill(); cmd.Wait(); return nil }
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		stop()
		return nil, fmt.Errorf("baseline did not start: %q %v", line, err)
	}
	return &target{Name: "stdlib", URL: "http://" + addr, PID: cmd.Process.Pid, stop: stop}, nil
}

// nginxConf is a tuned nginx in front of upstreamAddr: no buffering either
// way, keep-alive to the upstream, no access log.
func nginxConf(dir string, port int, upstreamAddr string, pool int) string {
	return fmt.Sprintf(`worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  upstream up { server %[3]s; keepalive %[4]d; }
  server {
    listen 127.0.0.1:%[2]d;
    client_max_body_size 64m;
    client_body_buffer_size 1m;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`, dir, port, upstreamAddr, pool)
}

// startNginx runs nginx in the foreground when it is installed; it returns
// nil, nil when it is not.
func startNginx(dir, upstreamAddr string, pool int) (*target, error) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		return nil, nil
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir = filepath.Join(dir, "nginx")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConf(dir, port, upstreamAddr, pool)), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-g", "daemon off;")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nginx: %w", err)
	}
	stop := func() error { cmd.Process.Signal(os.Interrupt); cmd.Wait(); return nil }
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := waitListening(addr, 5*time.Second); err != nil {
		stop()
		return nil, err
	}
	return &target{Name: "nginx", URL: "http://" + addr, PID: cmd.Process.Pid, stop: stop}, nil
}
