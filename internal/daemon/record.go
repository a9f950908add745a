package daemon

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/proxy"
	"github.com/clp-proxy/clp/internal/store"
)

// openStore opens the request log. CLP keeps proxying without one; the
// reason shows in status.
func (d *Daemon) openStore(sys config.System) {
	opt := store.Options{BodyCap: sys.BodyCap(), RetentionDays: sys.RetentionDays, Logger: d.log}
	if sys.LogBodyKB < 0 {
		opt.BodyCap = -1
	}
	if sys.MaxLogMB > 0 {
		opt.MaxBytes = int64(sys.MaxLogMB) << 20
	}
	db, err := store.Open(filepath.Join(d.env.DataDir(), "clp.db"), opt)
	if err != nil {
		d.storeErr = err
		d.log.Error("request log unavailable; proxying continues without it", "err", err)
		return
	}
	d.store = db
}

// record hands a finished request to the log without waiting.
func (d *Daemon) record(rec *api.Record) {
	d.metrics.Observe(rec)
	if d.store != nil {
		d.store.Add(rec)
	}
}

// observe publishes request events on the live feed. A request gets its log
// id when it starts, so the feed can update one row as it progresses.
func (d *Daemon) observe(ev proxy.Event, rec *api.Record) {
	t := api.EventRequestStarted
	switch ev {
	case proxy.EventStarted:
		if d.store != nil && rec.ID == 0 {
			rec.ID = d.store.ReserveID()
		}
	case proxy.EventFirstByte:
		t = api.EventRequestProgress
	case proxy.EventDone:
		t = api.EventRequestDone
	}
	if d.feed.watched() {
		d.feed.publish(api.Event{Type: t, Service: rec.Service, Config: rec.Config, Record: headOf(rec)})
	}
}

func (d *Daemon) healthPath() string { return filepath.Join(d.env.DataDir(), "health.json") }

// saveHealth keeps the pools' health across restarts.
func (d *Daemon) saveHealth() {
	all := map[string]json.RawMessage{}
	for name, p := range d.pools {
		all[name] = p.Export()
	}
	data, _ := json.Marshal(all)
	if err := config.WriteFile(d.healthPath(), data, 0o600); err != nil {
		d.log.Warn("save config health", "err", err)
	}
}

func (d *Daemon) loadHealth() {
	data, err := os.ReadFile(d.healthPath())
	if err != nil {
		return
	}
	var all map[string]json.RawMessage
	if json.Unmarshal(data, &all) != nil {
		d.log.Warn("ignoring a damaged health file", "path", d.healthPath())
		return
	}
	for name, raw := range all {
		if p := d.pools[name]; p != nil {
			if err := p.Import(raw); err != nil {
				d.log.Warn("ignoring saved health", "service", name, "err", err)
			}
		}
	}
}
