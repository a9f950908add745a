package balance

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Member is one config of a service, in file order.
type Member struct {
	Name string
	// Weight orders configs (highest first) and sets their share in
	// WeightedRoundRobin. Zero, negative and NaN weights count as 0.
	Weight float64
	// Active marks the config the user switched to. When no enabled member
	// is active, the first enabled member is.
	Active bool
	// Disabled members are never candidates.
	Disabled bool
}

// Outcome is the result of one attempt against one config. Report only
// outcomes that say something about the upstream's health: a 4xx other than
// 429 is the client's problem and is not reported.
type Outcome struct {
	OK bool
	// Reason says why the attempt failed, for Health.LastError.
	Reason string
	// RetryAfter, when positive (from a 429's Retry-After), excludes the
	// config at least that long.
	RetryAfter time.Duration
}

// maxSessions bounds the session affinity table; the least recently used
// session is forgotten first.
const maxSessions = 10000

// Pool is the balancing state of one service: the health of its configs,
// the smooth round-robin weights and the session affinity table. It is safe
// for concurrent use.
type Pool struct {
	now func() time.Time

	mu       sync.Mutex
	settings ServiceSettings // the last seen by Candidates or Configure
	states   map[string]*state
	sessions sessions
	slots    []slot // scratch for Candidates, reused under mu
}

// state is the health of one config.
type state struct {
	consecutive int
	failures    int64
	successes   int64
	failedUntil time.Time // excluded after reaching the failure threshold
	retryUntil  time.Time // excluded by a Retry-After
	lastError   string
	lastFailure time.Time
	current     float64 // smooth weighted round robin's current weight
}

func (st *state) excluded(now time.Time) bool {
	return now.Before(st.failedUntil) || now.Before(st.retryUntil)
}

// slot is an enabled member during one Candidates call.
type slot struct {
	i        int // index in members
	weight   float64
	excluded bool
	st       *state
}

// NewPool returns an empty pool that reads time from now (time.Now when nil).
// Until Candidates or Configure gives it settings, Report uses the defaults.
func NewPool(now func() time.Time) *Pool {
	if now == nil {
		now = time.Now
	}
	return &Pool{
		now:      now,
		settings: ServiceSettings{}.withDefaults(),
		states:   make(map[string]*state),
		sessions: newSessions(maxSessions),
	}
}

// Configure sets the settings Report applies, without waiting for the next
// Candidates call (for example right after a reload).
func (p *Pool) Configure(s ServiceSettings) {
	p.mu.Lock()
	p.settings = s.withDefaults()
	p.mu.Unlock()
}

// Candidates returns the names of the configs to try for one request, in
// order, appended to dst[:0]. Disabled members never appear; when no member
// is enabled the result is empty. Without failover the result holds a
// single config.
//
// Configs excluded by their health go after the healthy ones but are never
// dropped, so that when every config is excluded the client still gets a
// real upstream answer. Per mode:
//
//   - ActiveFirst: the active member first, even when excluded if it is the
//     only candidate; with failover the others follow by weight, highest
//     first (file order breaks ties), and an excluded active member moves
//     back among the excluded.
//   - WeightBased: all members by weight.
//   - WeightedRoundRobin: one member picked by smooth weighted round robin
//     (nginx's algorithm) among the healthy members of positive weight,
//     then the rest by weight as the failover order. Weight 0 means
//     "failover only", unless every member weighs 0, in which case each
//     weighs 1.
//
// With affinity on and a non-empty sessionKey, in WeightBased and
// WeightedRoundRobin the config the session last succeeded on goes first
// while it is enabled and healthy (in WeightedRoundRobin, also of positive
// weight); such a request does not advance the round robin. ActiveFirst
// ignores affinity: the active config is the user's explicit choice.
//
// s becomes the settings Report applies. Candidates does not allocate once
// it has seen each member, given a dst with enough capacity.
func (p *Pool) Candidates(members []Member, s ServiceSettings, sessionKey string, dst []string) []string {
	dst = dst[:0]
	s = s.withDefaults()

	p.mu.Lock()
	defer p.mu.Unlock()
	p.settings = s
	now := p.now()

	slots := p.slots[:0]
	active, allZero := -1, true
	for i, m := range members {
		if m.Disabled {
			continue
		}
		st := p.state(m.Name)
		w := m.Weight
		if !(w > 0) {
			w = 0
		}
		allZero = allZero && w == 0
		if m.Active && active < 0 {
			active = i
		}
		slots = append(slots, slot{i: i, weight: w, excluded: st.excluded(now), st: st})
	}
	p.slots = slots
	if len(slots) == 0 {
		return dst
	}
	if active < 0 {
		active = slots[0].i
	}

	first := -1 // index in members of the config that goes first
	switch s.Mode {
	case WeightBased, WeightedRoundRobin:
		wrr := s.Mode == WeightedRoundRobin
		if s.Affinity && sessionKey != "" {
			first = p.affine(members, slots, sessionKey, now, wrr && !allZero)
		}
		if first < 0 && wrr {
			first = pickSmooth(slots, allZero)
		}
	default: // ActiveFirst
		if !s.Failover {
			return append(dst, members[active].Name)
		}
		if !p.states[members[active].Name].excluded(now) {
			first = active
		}
	}

	if first >= 0 {
		dst = append(dst, members[first].Name)
		if !s.Failover {
			return dst
		}
	}
	slices.SortStableFunc(slots, byHealthThenWeight)
	for _, sl := range slots {
		if sl.i == first {
			continue
		}
		dst = append(dst, members[sl.i].Name)
		if !s.Failover {
			break
		}
	}
	return dst
}

// byHealthThenWeight orders healthy slots before excluded ones, then by
// weight, highest first. Used with a stable sort, file order breaks ties.
func byHealthThenWeight(a, b slot) int {
	if a.excluded != b.excluded {
		if a.excluded {
			return 1
		}
		return -1
	}
	return cmp.Compare(b.weight, a.weight)
}

// pickSmooth runs one step of smooth weighted round robin over the healthy
// slots of positive weight and returns the chosen member index, or -1. Each
// slot's current weight grows by its weight; the largest (first on a tie)
// is chosen and lowered by the total.
func pickSmooth(slots []slot, allZero bool) int {
	best, total := -1, 0.0
	for k := range slots {
		sl := &slots[k]
		w := sl.weight
		if allZero {
			w = 1
		}
		if sl.excluded || w == 0 {
			continue
		}
		sl.st.current += w
		total += w
		if best < 0 || sl.st.current > slots[best].st.current {
			best = k
		}
	}
	if best < 0 {
		return -1
	}
	slots[best].st.current -= total
	return slots[best].i
}

// affine returns the member index of the session's config when it can take
// the request, or -1.
func (p *Pool) affine(members []Member, slots []slot, key string, now time.Time, needWeight bool) int {
	name, ok := p.sessions.get(key, now)
	if !ok {
		return -1
	}
	for _, sl := range slots {
		if members[sl.i].Name == name {
			if sl.excluded || needWeight && sl.weight == 0 {
				return -1
			}
			return sl.i
		}
	}
	return -1
}

// state returns the state of the named config, creating it.
func (p *Pool) state(name string) *state {
	st := p.states[name]
	if st == nil {
		st = new(state)
		p.states[name] = st
	}
	return st
}

// Report records the outcome of one attempt against config. Success resets
// the config's consecutive failures, lifts an exclusion earned by failures
// (not one from Retry-After) and, with affinity on and a non-empty
// sessionKey, makes config the session's config. Failure counts against the
// config; reaching the failure threshold excludes it for AutoReset. A config
// let back in after its exclusion that fails again is excluded again at
// once, as its failures in a row are still at the threshold.
func (p *Pool) Report(config, sessionKey string, o Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now, s := p.now(), p.settings
	st := p.state(config)
	if o.OK {
		st.consecutive = 0
		st.successes++
		st.failedUntil = time.Time{}
		if s.Affinity && sessionKey != "" {
			p.sessions.put(sessionKey, config, now.Add(s.AffinityTTL))
		}
		return
	}
	st.consecutive++
	st.failures++
	st.lastError = o.Reason
	st.lastFailure = now
	if st.consecutive >= s.FailureThreshold {
		st.failedUntil = later(st.failedUntil, now.Add(s.AutoReset))
	}
	if o.RetryAfter > 0 {
		st.retryUntil = later(st.retryUntil, now.Add(o.RetryAfter))
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
