// Package balance orders the upstream configs of a service for each request
// (active-first, weight-based, smooth weighted round robin, session
// affinity) and keeps their health from the outcomes the proxy reports.
// It is pure: no IO, and the clock is injected.
package balance

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/clp-proxy/clp/internal/jsonscan"
)

// Mode is a balancing mode.
type Mode string

// The balancing modes. ActiveFirst is the default.
const (
	// ActiveFirst sends to the active config; with failover, then to the
	// others by weight.
	ActiveFirst Mode = "active-first"
	// WeightBased tries configs by weight, highest first.
	WeightBased Mode = "weight-based"
	// WeightedRoundRobin spreads requests in proportion to weight.
	WeightedRoundRobin Mode = "weighted-round-robin"
)

func (m Mode) valid() bool {
	switch m {
	case "", ActiveFirst, WeightBased, WeightedRoundRobin:
		return true
	}
	return false
}

// Defaults for settings that data/lb_config.json leaves out.
const (
	DefaultFailureThreshold = 3
	DefaultAutoReset        = 10 * time.Minute
	DefaultAffinityTTL      = 60 * time.Minute
)

// Settings is data/lb_config.json. The original CLP also kept runtime state
// in that file (currentFailures, excludedConfigs, ...); those fields are
// ignored here, health lives in Pool.
type Settings struct {
	Mode     Mode                     `json:"mode"`
	Services map[string]ServiceConfig `json:"services"`
}

// ServiceConfig is the entry of one service under "services" as written in
// the file. Zero or absent fields take the defaults described on
// ServiceSettings; Failover and Affinity are nil when absent.
type ServiceConfig struct {
	// Mode overrides Settings.Mode for this service.
	Mode             Mode    `json:"mode,omitempty"`
	FailureThreshold int     `json:"failureThreshold,omitempty"`
	AutoResetMinutes float64 `json:"autoResetMinutes,omitempty"`
	Failover         *bool   `json:"failover,omitempty"`
	Affinity         *bool   `json:"affinity,omitempty"`
	AffinityMinutes  float64 `json:"affinityMinutes,omitempty"`
}

// ServiceSettings is the resolved balancing policy of one service, as
// returned by Settings.Service. In a ServiceSettings built by hand, a zero
// Mode means ActiveFirst and zero numbers take the defaults above.
type ServiceSettings struct {
	Mode Mode
	// FailureThreshold is how many failures in a row exclude a config.
	FailureThreshold int
	// AutoReset is how long a config stays excluded after reaching the
	// threshold.
	AutoReset time.Duration
	// Failover lets a request move on to the next candidate. Without it
	// Candidates returns a single config. Default: on, except in ActiveFirst.
	Failover bool
	// Affinity keeps a session on the config it last succeeded on, in the
	// modes that spread load. Default: on.
	Affinity bool
	// AffinityTTL is how long a session's config is remembered after its
	// last success.
	AffinityTTL time.Duration
}

// UsesSessions reports whether Candidates looks at the session key: only
// the modes that spread load keep a session on its config. A caller can
// skip finding the key (which may mean reading the request body) otherwise.
func (s ServiceSettings) UsesSessions() bool {
	m := s.withDefaults().Mode
	return s.Affinity && (m == WeightBased || m == WeightedRoundRobin)
}

// withDefaults fills the zero fields of a hand-built ServiceSettings.
func (s ServiceSettings) withDefaults() ServiceSettings {
	if s.Mode == "" {
		s.Mode = ActiveFirst
	}
	if s.FailureThreshold <= 0 {
		s.FailureThreshold = DefaultFailureThreshold
	}
	if s.AutoReset <= 0 {
		s.AutoReset = DefaultAutoReset
	}
	if s.AffinityTTL <= 0 {
		s.AffinityTTL = DefaultAffinityTTL
	}
	return s
}

// Parse decodes and validates lb_config.json. Unknown fields are ignored. On
// error the returned Settings is the zero Settings (all defaults) and the
// error names every problem; a syntax error carries its line and column.
func Parse(data []byte) (Settings, error) {
	var s Settings
	if err := json.Unmarshal(data, &s); err != nil {
		return Settings{}, jsonscan.ErrorAt(data, err)
	}
	if err := s.Validate(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// Validate reports every problem of s at once, each with its JSON path, for
// example "services.claude.failureThreshold: negative (-1)".
func (s Settings) Validate() error {
	var errs []error
	if !s.Mode.valid() {
		errs = append(errs, badMode("mode", s.Mode))
	}
	names := make([]string, 0, len(s.Services))
	for name := range s.Services {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		c := s.Services[name]
		at := "services." + name
		if name == "" {
			errs = append(errs, errors.New(`services: empty service name`))
		}
		if !c.Mode.valid() {
			errs = append(errs, badMode(at+".mode", c.Mode))
		}
		if c.FailureThreshold < 0 {
			errs = append(errs, fmt.Errorf("%s.failureThreshold: negative (%d)", at, c.FailureThreshold))
		}
		if c.AutoResetMinutes < 0 {
			errs = append(errs, fmt.Errorf("%s.autoResetMinutes: negative (%g)", at, c.AutoResetMinutes))
		}
		if c.AffinityMinutes < 0 {
			errs = append(errs, fmt.Errorf("%s.affinityMinutes: negative (%g)", at, c.AffinityMinutes))
		}
	}
	return errors.Join(errs...)
}

func badMode(at string, m Mode) error {
	return fmt.Errorf("%s: unknown %q (want %q, %q or %q)", at, m, ActiveFirst, WeightBased, WeightedRoundRobin)
}

// Service returns the policy of the named service with every default filled
// in: the service's mode, else the global mode, else ActiveFirst; failure
// threshold 3; auto reset 10 minutes; failover on except in ActiveFirst;
// affinity on for 60 minutes. An unknown service gets the defaults under
// the global mode.
func (s Settings) Service(name string) ServiceSettings {
	c := s.Services[name]
	out := ServiceSettings{
		Mode:             c.Mode,
		FailureThreshold: c.FailureThreshold,
		AutoReset:        minutes(c.AutoResetMinutes),
		AffinityTTL:      minutes(c.AffinityMinutes),
		Affinity:         true,
	}
	if out.Mode == "" {
		out.Mode = s.Mode
	}
	out = out.withDefaults()
	out.Failover = out.Mode != ActiveFirst
	if c.Failover != nil {
		out.Failover = *c.Failover
	}
	if c.Affinity != nil {
		out.Affinity = *c.Affinity
	}
	return out
}

// minutes converts a file's minutes, capped at 100 years so that absurd
// values cannot overflow.
func minutes(m float64) time.Duration {
	const limit = 100 * 365 * 24 * time.Hour
	if m*float64(time.Minute) >= float64(limit) {
		return limit
	}
	return time.Duration(m * float64(time.Minute))
}
