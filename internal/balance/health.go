package balance

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Health is the health of one config as shown by status and the UI.
type Health struct {
	Name                string `json:"name"`
	ConsecutiveFailures int    `json:"consecutiveFailures"`
	TotalFailures       int64  `json:"totalFailures"`
	TotalSuccesses      int64  `json:"totalSuccesses"`
	// ExcludedUntil is when the config is let back in; zero when it is not
	// excluded now.
	ExcludedUntil time.Time `json:"excludedUntil,omitzero"`
	LastError     string    `json:"lastError,omitempty"`
	LastFailure   time.Time `json:"lastFailure,omitzero"`
}

// Health returns the health of every config the pool knows (seen by
// Candidates or Report and not forgotten), sorted by name.
func (p *Pool) Health() []Health {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	out := make([]Health, 0, len(p.states))
	for name, st := range p.states {
		h := Health{
			Name:                name,
			ConsecutiveFailures: st.consecutive,
			TotalFailures:       st.failures,
			TotalSuccesses:      st.successes,
			LastError:           st.lastError,
			LastFailure:         st.lastFailure,
		}
		if st.excluded(now) {
			h.ExcludedUntil = later(st.failedUntil, st.retryUntil)
		}
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b Health) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Reset clears the health of the named config, or of every config when name
// is "": counters, last error and exclusions. Sessions keep their configs.
func (p *Pool) Reset(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for n, st := range p.states {
		if name == "" || n == name {
			*st = state{current: st.current}
		}
	}
}

// Forget drops the state of every config not named in keep (configs that
// were deleted), including the sessions that stuck to them.
func (p *Pool) Forget(keep []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name := range p.states {
		if !slices.Contains(keep, name) {
			delete(p.states, name)
		}
	}
	for i := range p.sessions.entries {
		if e := &p.sessions.entries[i]; !slices.Contains(keep, e.config) {
			e.config = ""
		}
	}
}

// Rename carries the state and sessions of config old over to new,
// replacing any state new had.
func (p *Pool) Rename(old, new string) {
	if old == new {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.states[old]; ok {
		p.states[new] = st
		delete(p.states, old)
	}
	p.sessions.rename(old, new)
}

// exportVersion is the version of the Export format.
const exportVersion = 1

type exported struct {
	Version int                      `json:"version"`
	Configs map[string]exportedState `json:"configs"`
}

type exportedState struct {
	ConsecutiveFailures int   `json:"consecutiveFailures,omitempty"`
	TotalFailures       int64 `json:"totalFailures,omitempty"`
	TotalSuccesses      int64 `json:"totalSuccesses,omitempty"`
	// Times are Unix milliseconds (0 for none), so that marshaling cannot
	// fail on a time outside the years JSON timestamps allow.
	FailedUntil int64  `json:"failedUntil,omitempty"`
	RetryUntil  int64  `json:"retryUntil,omitempty"`
	LastError   string `json:"lastError,omitempty"`
	LastFailure int64  `json:"lastFailure,omitempty"`
}

func toMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// Export returns the health of every config as JSON, for the daemon to
// persist across restarts and give back to Import. Times keep millisecond
// precision. Round-robin weights and sessions are not exported.
func (p *Pool) Export() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	e := exported{Version: exportVersion, Configs: make(map[string]exportedState, len(p.states))}
	for name, st := range p.states {
		e.Configs[name] = exportedState{
			ConsecutiveFailures: st.consecutive,
			TotalFailures:       st.failures,
			TotalSuccesses:      st.successes,
			FailedUntil:         toMillis(st.failedUntil),
			RetryUntil:          toMillis(st.retryUntil),
			LastError:           st.lastError,
			LastFailure:         toMillis(st.lastFailure),
		}
	}
	data, _ := json.Marshal(e) // ints and strings only: cannot fail
	return data
}

// Import replaces the health of every config with what Export returned.
// On error the pool is unchanged.
func (p *Pool) Import(data []byte) error {
	var e exported
	if err := json.Unmarshal(data, &e); err != nil {
		return fmt.Errorf("import health: %w", err)
	}
	if e.Version != exportVersion {
		return fmt.Errorf("import health: unsupported version %d (want %d)", e.Version, exportVersion)
	}
	var errs []error
	for name, s := range e.Configs {
		if s.ConsecutiveFailures < 0 || s.TotalFailures < 0 || s.TotalSuccesses < 0 {
			errs = append(errs, fmt.Errorf("configs.%s: negative count", name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("import health: %w", err)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.states)
	for name, s := range e.Configs {
		p.states[name] = &state{
			consecutive: s.ConsecutiveFailures,
			failures:    s.TotalFailures,
			successes:   s.TotalSuccesses,
			failedUntil: fromMillis(s.FailedUntil),
			retryUntil:  fromMillis(s.RetryUntil),
			lastError:   s.LastError,
			lastFailure: fromMillis(s.LastFailure),
		}
	}
	return nil
}
