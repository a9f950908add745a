package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/proxy"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/ui"
)

// apply publishes a snapshot: the next request of every service uses it.
func (d *Daemon) apply(snap *config.Snapshot) {
	d.install(snap, compileFilter(snap))
}

// compiled is the outcome of compiling a snapshot's filter rules.
type compiled struct {
	filter *redact.Filter
	err    error
}

// compileFilter compiles snap's filter rules. It touches no daemon state,
// so the start can run it while it binds the listeners and opens the log.
func compileFilter(snap *config.Snapshot) compiled {
	f, err := redact.Compile(snap.Filter, redact.Options{Detectors: snap.System.Detectors})
	return compiled{f, err}
}

// install is apply with the filter already compiled.
func (d *Daemon) install(snap *config.Snapshot, c compiled) {
	f, err := c.filter, c.err
	d.filterMu.Lock()
	if err != nil {
		d.filterErr = err
		d.log.Error("filter rules rejected; keeping the last good ones", "err", err)
	} else {
		d.filter, d.filterErr = f, nil
	}
	filter := d.filter
	d.filterMu.Unlock()
	for _, s := range api.Services {
		bs := snap.Balance.Service(s.Name)
		d.pools[s.Name].Configure(bs)
		d.states[s.Name].Store(&proxy.State{
			Service: snap.Service(s.Name),
			File:    d.loader.Path(s.File),
			MaxBody: snap.System.MaxBodyBytes(),
			Balance: bs,
			Router:  &snap.Router,
			Filter:  filter,
			Prices:  snap.Prices,
			BodyCap: snap.System.BodyCap(),
		})
	}
	d.snap.Store(snap)
	d.feed.publish(api.Event{Type: api.EventStatusChanged})
}

// reload re-reads the files and applies them if anything changed. A file that
// does not parse keeps its last good version and shows up in Status.
func (d *Daemon) reload() {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	snap, changed, err := d.loader.Load()
	if err != nil {
		d.log.Error("reload failed; keeping the current configuration", "err", err)
		return
	}
	if !changed {
		return
	}
	for _, p := range snap.Problems {
		d.log.Error("config file does not parse; keeping its last good version", "problem", p.String())
	}
	d.apply(snap)
	d.log.Info("configuration reloaded", "version", snap.Version)
}

// SetActive implements ui.Backend: it writes the file, then reloads before
// returning, so the very next request uses the new config.
func (d *Daemon) SetActive(service, name string) error {
	if err := config.SetActive(d.env.Home, service, name); err != nil {
		return err
	}
	d.reload()
	d.feed.publish(api.Event{Type: api.EventConfigSwitched, Service: service, Config: name})
	return nil
}

// Status implements ui.Backend.
func (d *Daemon) Status() api.Status {
	snap := d.snap.Load()
	st := api.Status{
		PID: os.Getpid(), Home: d.env.Home, Version: d.version,
		StartedAt: d.started, Uptime: time.Since(d.started).Seconds(),
		UIAddr: d.env.UIAddr(), Problems: append([]api.Problem(nil), snap.Problems...),
	}
	d.filterMu.Lock()
	if d.filterErr != nil {
		st.Problems = append(st.Problems, api.Problem{File: d.loader.Path("filter.json"), Message: d.filterErr.Error()})
	}
	d.filterMu.Unlock()
	if d.storeErr != nil {
		st.Problems = append(st.Problems, api.Problem{File: filepath.Join(d.env.DataDir(), "clp.db"), Message: "request log unavailable: " + d.storeErr.Error()})
	}
	if d.store != nil {
		ls := d.store.Status()
		st.LogDropped = ls.Dropped + ls.Lost
		if ls.Recovered != "" {
			st.Problems = append(st.Problems, api.Problem{File: ls.Path, Message: "the request log was damaged (" + ls.RecoveredReason + "); it was moved to " + ls.Recovered + " and a new one started"})
		}
		if ls.Failing {
			st.Problems = append(st.Problems, api.Problem{File: ls.Path, Message: "writing the request log fails (" + ls.LastError + "); proxying continues and records are kept in memory until it works again"})
		}
	}
	for _, s := range api.Services {
		svc := snap.Service(s.Name)
		c := d.handlers[s.Name].Counters()
		ss := api.ServiceStatus{
			Name: s.Name, Addr: d.env.ProxyAddr(s.Name), Mode: string(snap.Balance.Service(s.Name).Mode),
			Requests: c.Requests, Errors: c.Errors, InFlight: c.InFlight,
			Configs: []api.ConfigView{},
		}
		for i := range svc.Upstreams {
			ss.Configs = append(ss.Configs, svc.Upstreams[i].View())
		}
		for _, h := range d.pools[s.Name].Health() {
			if svc.Lookup(h.Name) == nil || h.ConsecutiveFailures == 0 && !time.Now().Before(h.ExcludedUntil) {
				continue
			}
			desc := fmt.Sprintf("%s: %d failures in a row", h.Name, h.ConsecutiveFailures)
			if time.Now().Before(h.ExcludedUntil) {
				desc = fmt.Sprintf("%s: excluded until %s (%d failures in a row)", h.Name, h.ExcludedUntil.Local().Format("15:04:05"), h.ConsecutiveFailures)
			}
			if h.LastError != "" {
				desc += ", last: " + h.LastError
			}
			ss.Unhealthy = append(ss.Unhealthy, desc)
		}
		if up := svc.ActiveUpstream(); up != nil {
			ss.Active = up.Name
			ss.Placeholder = !up.Usable()
		} else {
			ss.Placeholder = true
		}
		st.Services = append(st.Services, ss)
	}
	return st
}

// Shutdown implements ui.Backend.
func (d *Daemon) Shutdown() { d.Stop() }

// newTransport is the upstream connection pool shared by all services: many
// idle connections per host (Go's default of 2 makes every burst dial anew),
// HTTP/2 where the upstream offers it, compression left to the client and
// upstream so bytes pass through untouched, and no overall timeout — a
// thinking model can be silent for minutes.
func newTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           1024,
		MaxIdleConnsPerHost:    256,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,
		MaxResponseHeaderBytes: 1 << 20,
	}
}

// pingDaemon asks the API at addr for its pid, sending the CLI token (the
// UI may require a login); 0 when nothing answers.
func pingDaemon(addr, token string) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/api/v1/status", nil)
	req.Header.Set(ui.TokenHeader, token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var st api.Status
	if json.NewDecoder(resp.Body).Decode(&st) != nil {
		return 0
	}
	return st.PID
}
