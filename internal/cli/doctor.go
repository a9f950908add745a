package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/client"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/daemon"
	"github.com/clp-proxy/clp/internal/setup"
	"github.com/clp-proxy/clp/internal/ui"
)

// Check outcomes. Only checkFail makes `clp doctor` exit non-zero.
const (
	checkOK   = "ok"
	checkWarn = "warn"
	checkFail = "fail"
	checkSkip = "skip"
)

// check is one finding of `clp doctor`.
type check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, warn, fail or skip
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
	// LatencyMS is the round trip of a reachability probe; 0 otherwise.
	LatencyMS float64 `json:"latency_ms,omitempty"`
}

type doctorReport struct {
	OK     bool    `json:"ok"`
	Checks []check `json:"checks"`
}

// probeTimeout bounds one reachability request.
const probeTimeout = 5 * time.Second

func (a *app) doctorCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "doctor",
		Short: "Check the daemon, ports, client wiring, upstreams and file permissions",
		Long: `doctor checks what usually goes wrong and says how to fix each finding:

  - the daemon runs, and its ports accept connections (or are free to take);
  - Claude Code and Codex CLI are wired to clp (` + "`clp setup`" + `), and no
    ANTHROPIC_BASE_URL in this shell points elsewhere or at "localhost",
    which can resolve to ::1 while clp listens on 127.0.0.1;
  - every config is valid and reachable: one GET of base_url + /v1/models
    with its credential (5 s timeout), latency shown; a 401 or 403 means the
    credential is rejected;
  - $CLP_HOME is 0700 and its files 0600;
  - nothing listens beyond loopback unnoticed.

It exits 1 when a check fails; warnings alone exit 0.`,
		Example: "  clp doctor\n  clp doctor --json",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep := a.doctor()
			if asJSON {
				if err := writeJSON(a.stdout, rep); err != nil {
					return err
				}
			} else {
				printReport(a, rep)
			}
			if !rep.OK {
				n := 0
				for _, c := range rep.Checks {
					if c.Status == checkFail {
						n++
					}
				}
				return &ExitError{Code: ExitFailure, Err: fmt.Errorf("doctor found %d problem(s)", n)}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the findings as JSON")
	return c
}

// doctor runs every check.
func (a *app) doctor() doctorReport {
	var checks []check
	add := func(c ...check) { checks = append(checks, c...) }

	ctx, cancel := timeout(5 * time.Second)
	cl, pid, err := a.daemonClient(ctx)
	var st *api.Status
	switch {
	case err == nil:
		if s, err := cl.Status(ctx); err == nil {
			st = &s
			add(check{Name: "daemon", Status: checkOK, Detail: fmt.Sprintf("running (pid %d, version %s)", pid, s.Version)})
		} else {
			add(check{Name: "daemon", Status: checkFail, Detail: err.Error()})
		}
	case errors.Is(err, client.ErrNotRunning):
		add(check{Name: "daemon", Status: checkFail, Detail: "not running", Fix: "clp start"})
	default:
		add(check{Name: "daemon", Status: checkFail, Detail: err.Error(), Fix: "clp restart"})
	}
	cancel()

	add(a.portChecks(st != nil)...)
	add(a.wiringChecks()...)
	add(a.exposureChecks(st)...)
	add(permChecks(a.env.Home, runtime.GOOS)...)

	snap, _, err := config.NewLoader(a.env.Home).Load()
	if err != nil {
		add(check{Name: "config files", Status: checkFail, Detail: err.Error()})
	} else {
		for _, p := range snap.Problems {
			add(check{Name: "config file", Status: checkFail, Detail: p.String(), Fix: "fix the file; until then the last good version is in use"})
		}
		add(probeAll(snap, probeTimeout)...)
	}

	rep := doctorReport{OK: true, Checks: checks}
	for _, c := range checks {
		if c.Status == checkFail {
			rep.OK = false
		}
	}
	return rep
}

// portChecks checks each listener: when the daemon runs, that it accepts
// connections; when not, that the port is free for it.
func (a *app) portChecks(running bool) []check {
	type listener struct{ name, addr, env string }
	var ls []listener
	for _, s := range api.Services {
		ls = append(ls, listener{s.Name + " port", a.env.ProxyAddr(s.Name), s.PortEnv})
	}
	ls = append(ls, listener{"ui port", a.env.UIAddr(), "CLP_UI_PORT"})
	var out []check
	for _, l := range ls {
		if running {
			c, err := net.DialTimeout("tcp", dialAddr(l.addr), 2*time.Second)
			if err != nil {
				out = append(out, check{Name: l.name, Status: checkFail, Detail: fmt.Sprintf("clp runs but %s does not accept connections: %v", l.addr, err), Fix: "clp restart"})
				continue
			}
			c.Close()
			out = append(out, check{Name: l.name, Status: checkOK, Detail: "listening on " + l.addr})
			continue
		}
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			out = append(out, check{Name: l.name, Status: checkFail, Detail: fmt.Sprintf("%s is taken by another program (%v)", l.addr, err), Fix: "stop that program, or choose another port with " + l.env + "=PORT"})
			continue
		}
		ln.Close()
		out = append(out, check{Name: l.name, Status: checkOK, Detail: l.addr + " is free for clp"})
	}
	return out
}

// dialAddr turns a listen address into one to connect to: a wildcard host
// is reached through loopback.
func dialAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// wiringChecks checks that the coding CLIs send their requests to clp.
func (a *app) wiringChecks() []check {
	var out []check
	want := "http://" + dialAddr(a.env.ProxyAddr("claude"))
	if v := strings.TrimSpace(a.getenv("ANTHROPIC_BASE_URL")); v != "" {
		out = append(out, baseURLCheck("ANTHROPIC_BASE_URL", v, want, a.env.ProxyHost, lookupLocalhost))
	}
	opt, err := a.setupOptions()
	if err != nil {
		return append(out, check{Name: "client wiring", Status: checkWarn, Detail: err.Error()})
	}
	for _, s := range api.Services {
		name := s.Name + " wiring"
		ch, err := setup.Plan(s.Name, opt)
		switch {
		case err != nil:
			out = append(out, check{Name: name, Status: checkWarn, Detail: err.Error(), Fix: "fix the file, then run `clp setup " + s.Name + "`"})
		case ch.UpToDate():
			out = append(out, check{Name: name, Status: checkOK, Detail: clientTitle(s.Name) + " is set up to use clp"})
		default:
			out = append(out, check{Name: name, Status: checkWarn, Detail: clientTitle(s.Name) + "'s settings do not point at clp", Fix: "clp setup " + s.Name + " (see the change first with --dry-run)"})
		}
	}
	return out
}

// baseURLCheck judges a base URL the client will use (from variable name)
// against want, clp's listener. lookup resolves "localhost".
func baseURLCheck(name, got, want, proxyHost string, lookup func() []net.IP) check {
	c := check{Name: name}
	u, err := url.Parse(got)
	if err != nil || u.Host == "" {
		c.Status, c.Detail, c.Fix = checkFail, fmt.Sprintf("%s=%q is not a URL", name, got), "export "+name+"="+want
		return c
	}
	w, _ := url.Parse(want)
	if u.Hostname() == "localhost" && u.Port() == w.Port() {
		if ip := net.ParseIP(proxyHost); ip != nil && ip.To4() != nil && !ip.IsUnspecified() {
			for _, a := range lookup() {
				if a.To4() == nil {
					c.Status = checkWarn
					c.Detail = fmt.Sprintf("%s=%s: localhost can resolve to %s while clp listens on %s only", name, got, a, proxyHost)
					c.Fix = "export " + name + "=" + want
					return c
				}
			}
		}
		c.Status, c.Detail = checkOK, name+" points at clp"
		return c
	}
	if u.Host != w.Host {
		c.Status = checkFail
		c.Detail = fmt.Sprintf("%s=%s in this shell points elsewhere, not at clp (%s)", name, got, want)
		c.Fix = "unset " + name + " (and remove it from your shell profile), or export " + name + "=" + want
		return c
	}
	c.Status, c.Detail = checkOK, name+" points at clp"
	return c
}

func lookupLocalhost() []net.IP {
	ips, _ := net.LookupIP("localhost")
	return ips
}

// exposureChecks warns about listeners beyond loopback.
func (a *app) exposureChecks(st *api.Status) []check {
	addrs := map[string]string{"ui": a.env.UIAddr()}
	for _, s := range api.Services {
		addrs[s.Name] = a.env.ProxyAddr(s.Name)
	}
	if st != nil {
		addrs["ui"] = st.UIAddr
		for _, s := range st.Services {
			addrs[s.Name] = s.Addr
		}
	}
	var names []string
	for n := range addrs {
		names = append(names, n)
	}
	sort.Strings(names)
	var checks []check
	for _, n := range names {
		if loopback(addrs[n]) {
			continue
		}
		c := check{Name: "exposure", Status: checkOK}
		if n == "ui" {
			if _, err := ui.ReadPasswordFile(filepath.Join(a.env.DataDir(), ui.AuthFile)); err != nil {
				c.Status, c.Detail, c.Fix = checkFail, "the web UI listens on "+addrs[n]+" without a password", "run `clp ui password`, or set CLP_UI_HOST=127.0.0.1"
			} else {
				c.Detail = "the web UI listens on " + addrs[n] + " and requires a login"
			}
		} else if keys, err := daemon.LoadKeys(daemon.KeysPath(a.env)); err != nil || len(keys) == 0 {
			c.Status, c.Detail, c.Fix = checkFail, "the "+n+" proxy listens on "+addrs[n]+" with no client keys: anyone who reaches it can spend your upstream credit", "run `clp key create NAME` and give the key to each client, or set CLP_PROXY_HOST=127.0.0.1"
		} else {
			c.Detail = fmt.Sprintf("the %s proxy listens on %s; peers beyond loopback need one of %d client keys", n, addrs[n], len(keys))
		}
		checks = append(checks, c)
	}
	if len(checks) == 0 {
		return []check{{Name: "exposure", Status: checkOK, Detail: "every listener is on loopback"}}
	}
	return checks
}

// loopback reports whether a listen address only accepts local connections.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// permChecks checks that home is 0700 and the files in it and in data/ are
// not readable by others (they hold credentials and request bodies). goos
// "windows" skips the check: its permissions are ACLs, not mode bits.
func permChecks(home, goos string) []check {
	if goos == "windows" {
		return []check{{Name: "permissions", Status: checkSkip, Detail: "not checked on Windows"}}
	}
	fi, err := os.Stat(home)
	if errors.Is(err, fs.ErrNotExist) {
		return []check{{Name: "permissions", Status: checkWarn, Detail: home + " does not exist yet", Fix: "clp start (creates it with mode 0700)"}}
	}
	if err != nil {
		return []check{{Name: "permissions", Status: checkFail, Detail: err.Error()}}
	}
	var out []check
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		out = append(out, check{Name: "permissions", Status: checkFail, Detail: fmt.Sprintf("%s is %04o: other users can read your credentials", home, m), Fix: "chmod 700 " + home})
	}
	var loose []string
	for _, dir := range []string{home, filepath.Join(home, "data")} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			info, err := e.Info()
			if err != nil || !info.Mode().IsRegular() {
				continue
			}
			if info.Mode().Perm()&0o077 != 0 {
				loose = append(loose, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(loose) > 0 {
		out = append(out, check{Name: "permissions", Status: checkFail, Detail: "readable by other users: " + strings.Join(loose, ", "), Fix: "chmod 600 " + strings.Join(loose, " ")})
	}
	if len(out) == 0 {
		out = append(out, check{Name: "permissions", Status: checkOK, Detail: home + " is 0700, its files 0600"})
	}
	return out
}

// probeAll checks every config of every service, probing the usable ones
// concurrently; the result is in service and file order.
func probeAll(snap *config.Snapshot, timeout time.Duration) []check {
	hc := &http.Client{Timeout: timeout}
	type job struct {
		i        int
		protocol string
		u        *config.Upstream
	}
	var out []check
	var jobs []job
	var wg sync.WaitGroup
	for _, s := range api.Services {
		svc := snap.Service(s.Name)
		if len(svc.Upstreams) == 0 {
			out = append(out, check{Name: s.Name + " configs", Status: checkWarn, Detail: "no configs yet", Fix: "clp config add " + s.Name + " NAME --base-url URL"})
			continue
		}
		for i := range svc.Upstreams {
			u := &svc.Upstreams[i]
			name := s.Name + "/" + u.Name
			switch {
			case u.Invalid != "":
				out = append(out, check{Name: name, Status: checkFail, Detail: "invalid: " + u.Invalid, Fix: "clp config edit " + s.Name + " " + u.Name + " ... (see --help)"})
			case u.Disabled:
				out = append(out, check{Name: name, Status: checkSkip, Detail: "disabled"})
			default:
				out = append(out, check{Name: name})
				jobs = append(jobs, job{len(out) - 1, s.Protocol, u})
			}
		}
	}
	// out is complete before the probes write into it.
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[j.i] = probe(hc, out[j.i].Name, j.protocol, j.u)
		}()
	}
	wg.Wait()
	return out
}

// modelsURL is the upstream's model list: base_url + /v1/models, without
// doubling a /v1 the base URL already ends with.
func modelsURL(base *url.URL) string {
	u := *base
	u.RawQuery, u.Fragment = "", ""
	p := strings.TrimRight(u.Path, "/")
	if strings.HasSuffix(p, "/v1") {
		u.Path = p + "/models"
	} else {
		u.Path = p + "/v1/models"
	}
	u.RawPath = ""
	return u.String()
}

// probe sends one GET of the model list with u's credential, as the proxy
// would send it for protocol ("anthropic" or "openai").
func probe(hc *http.Client, name, protocol string, u *config.Upstream) check {
	c := check{Name: name}
	req, err := http.NewRequest(http.MethodGet, modelsURL(u.URL), nil)
	if err != nil {
		c.Status, c.Detail = checkFail, err.Error()
		return c
	}
	switch {
	case protocol == "anthropic":
		req.Header.Set("anthropic-version", "2023-06-01")
		if u.AuthToken != "" {
			req.Header.Set("Authorization", "Bearer "+u.AuthToken)
		} else {
			req.Header.Set("x-api-key", u.APIKey)
		}
	case u.AuthToken != "":
		req.Header.Set("Authorization", "Bearer "+u.AuthToken)
	default:
		req.Header.Set("Authorization", "Bearer "+u.APIKey)
	}
	start := time.Now()
	resp, err := hc.Do(req)
	elapsed := time.Since(start)
	if err != nil {
		c.Status = checkFail
		c.Detail = "unreachable: " + shortErr(err)
		c.Fix = "check base_url (" + u.BaseURL + ") and your network or proxy settings"
		return c
	}
	resp.Body.Close()
	c.LatencyMS = float64(elapsed.Microseconds()) / 1000
	c.Status, c.Detail, c.Fix = classify(resp.StatusCode)
	c.Detail += " in " + strconv.FormatInt(elapsed.Milliseconds(), 10) + " ms"
	if c.Fix != "" {
		c.Fix = strings.ReplaceAll(c.Fix, "SERVICE NAME", strings.Replace(name, "/", " ", 1))
	}
	return c
}

// classify judges the status of the model-list probe.
func classify(code int) (status, detail, fix string) {
	http := "HTTP " + strconv.Itoa(code)
	switch {
	case code >= 200 && code < 300:
		return checkOK, "reachable, credential accepted (" + http + ")", ""
	case code == 401 || code == 403:
		return checkFail, "credential rejected (" + http + ")", "clp config edit SERVICE NAME --auth-token-stdin (or --api-key-stdin)"
	case code == 404 || code == 405:
		return checkWarn, "reachable, but it does not list models (" + http + "), so the credential was not checked", ""
	case code == 429:
		return checkWarn, "reachable, but rate limited (" + http + ")", ""
	case code >= 500:
		return checkFail, "the upstream fails (" + http + ")", "try again later, or switch with `clp active SERVICE OTHER`"
	}
	return checkWarn, "reachable, unexpected answer (" + http + ")", ""
}

// shortErr drops the method and URL net/http puts in front of an error.
func shortErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var to interface{ Timeout() bool }
	if errors.As(err, &to) && to.Timeout() {
		return "no answer within " + probeTimeout.String()
	}
	return err.Error()
}

func printReport(a *app, rep doctorReport) {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fails, warns := 0, 0
	for _, c := range rep.Checks {
		mark := c.Status
		switch c.Status {
		case checkFail:
			mark = "FAIL"
			fails++
		case checkWarn:
			mark = "WARN"
			warns++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", mark, c.Name, c.Detail)
		if c.Fix != "" {
			fmt.Fprintf(tw, "\t\tfix: %s\n", c.Fix)
		}
	}
	tw.Flush()
	switch {
	case fails > 0:
		fmt.Fprintf(a.stdout, "\n%d problem(s), %d warning(s)\n", fails, warns)
	case warns > 0:
		fmt.Fprintf(a.stdout, "\nno problems, %d warning(s)\n", warns)
	default:
		fmt.Fprintln(a.stdout, "\neverything looks right")
	}
}
