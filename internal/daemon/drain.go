package daemon

import "time"

// awaitHandlers waits, up to limit, for proxy handlers still running after
// the drain limit closed their connections. Each hands its record to the
// request log on the way out, so the log must stay open until they are done
// (http.Server.Close does not wait for handlers).
func (d *Daemon) awaitHandlers(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for {
		var n int64
		for _, h := range d.handlers {
			n += h.Counters().InFlight
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			d.log.Warn("requests still running after the drain; their records may be lost", "in_flight", n)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
