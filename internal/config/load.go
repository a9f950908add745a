package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/cost"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/route"
)

// Snapshot is one consistent view of every file under CLP_HOME. It is never
// modified after Load returns it; a reload builds a new one.
type Snapshot struct {
	Services map[string]*Service
	System   System
	Balance  balance.Settings // data/lb_config.json
	Router   route.Config     // data/model_router_config.json
	Filter   []redact.Rule    // filter.json
	Prices   *cost.Table      // defaults, extended by data/prices.json
	// Problems lists files that did not parse; for each, the last good
	// version (or the default) is in the snapshot instead.
	Problems []api.Problem
	// Version counts the snapshots a Loader has built; it grows with every
	// change.
	Version uint64
}

// Service returns the named service's configs (never nil for a known service).
func (s *Snapshot) Service(name string) *Service {
	if svc := s.Services[name]; svc != nil {
		return svc
	}
	return &Service{Name: name, Active: -1}
}

// System is data/system.json: the original's logLimit and CLP's own settings.
// A zero field means the default.
type System struct {
	LogLimit int `json:"logLimit,omitempty"`
	// MaxBodyMB bounds a request body; larger ones get 413. Default 64.
	MaxBodyMB int `json:"maxBodyMB,omitempty"`
	// DrainSeconds bounds how long `clp stop` lets streams finish. Default 30.
	DrainSeconds int `json:"drainSeconds,omitempty"`
	// StreamIdleSeconds ends a response whose upstream sends no byte for
	// this long (the client gets the protocol's error event). Default 0:
	// no limit, since a thinking model can be silent for minutes.
	StreamIdleSeconds int `json:"streamIdleSeconds,omitempty"`
	// Detectors turns the filter's built-in secret detectors on or off by ID.
	Detectors map[string]bool `json:"detectors,omitempty"`
	// LogBodyKB caps each request and response body kept in the request
	// log, in KiB. Default 256; negative keeps no bodies.
	LogBodyKB int `json:"logBodyKB,omitempty"`
	// RetentionDays: request bodies older than this are pruned. Default 30.
	RetentionDays int `json:"retentionDays,omitempty"`
	// MaxLogMB caps the request log's size on disk. Default 1024.
	MaxLogMB int `json:"maxLogMB,omitempty"`
}

// BodyCap is LogBodyKB in bytes.
func (s System) BodyCap() int {
	switch {
	case s.LogBodyKB < 0:
		return 0
	case s.LogBodyKB == 0:
		return 256 << 10
	}
	return s.LogBodyKB << 10
}

// MaxBodyBytes is the request body limit in bytes.
func (s System) MaxBodyBytes() int64 {
	if s.MaxBodyMB <= 0 {
		return 64 << 20
	}
	return int64(s.MaxBodyMB) << 20
}

// Loader reads CLP_HOME and remembers the last good version of each file, so
// that a broken hand edit never replaces a working configuration.
// A Loader is not safe for concurrent use; the daemon serializes reloads.
type Loader struct {
	Home    string
	good    map[string]any      // file path -> last good parsed value
	hashes  map[string][32]byte // file path -> hash of the content last read
	version uint64
}

// NewLoader returns a Loader for home.
func NewLoader(home string) *Loader {
	return &Loader{Home: home, good: map[string]any{}, hashes: map[string][32]byte{}}
}

// Path returns the absolute path of a file under CLP_HOME ("claude.json",
// "data/system.json").
func (l *Loader) Path(rel string) string { return filepath.Join(l.Home, filepath.FromSlash(rel)) }

// Load reads every file and returns a new snapshot. changed is false when no
// file's content differs from the previous Load (the returned snapshot is
// then equivalent to the previous one). Load fails only when a file exists
// but cannot be read at all.
func (l *Loader) Load() (snap *Snapshot, changed bool, err error) {
	snap = &Snapshot{Services: map[string]*Service{}}
	for _, s := range api.Services {
		name := s.Name
		v, c, err := l.file(snap, s.File, func(data []byte) (any, error) { return parseService(name, data) }, &Service{Name: name, Active: -1})
		if err != nil {
			return nil, false, err
		}
		changed = changed || c
		snap.Services[name] = v.(*Service)
	}
	v, c, err := l.file(snap, "data/system.json", func(data []byte) (any, error) {
		var sys System
		if len(bytes.TrimSpace(data)) == 0 {
			return sys, nil
		}
		return sys, strictUnmarshal(data, &sys)
	}, System{})
	if err != nil {
		return nil, false, err
	}
	changed = changed || c
	snap.System = v.(System)
	for _, f := range []struct {
		rel   string
		parse func([]byte) (any, error)
		def   any
		set   func(any)
	}{
		{"data/lb_config.json", func(b []byte) (any, error) { return orEmpty(b, balance.Settings{}, balance.Parse) }, balance.Settings{}, func(v any) { snap.Balance = v.(balance.Settings) }},
		{"data/model_router_config.json", func(b []byte) (any, error) { return orEmpty(b, route.Config{}, route.Parse) }, route.Config{}, func(v any) { snap.Router = v.(route.Config) }},
		{"filter.json", func(b []byte) (any, error) { return orEmpty(b, []redact.Rule(nil), redact.ParseRules) }, []redact.Rule(nil), func(v any) { snap.Filter = v.([]redact.Rule) }},
		{"data/prices.json", func(b []byte) (any, error) { return orEmpty(b, cost.Default(), cost.Parse) }, cost.Default(), func(v any) { snap.Prices = v.(*cost.Table) }},
	} {
		v, c, err := l.file(snap, f.rel, f.parse, f.def)
		if err != nil {
			return nil, false, err
		}
		changed = changed || c
		f.set(v)
	}
	if changed || l.version == 0 {
		l.version++
	}
	snap.Version = l.version
	return snap, changed, nil
}

// file reads one file and parses it, falling back to the last good value
// (or def) and recording a Problem when it does not parse.
func (l *Loader) file(snap *Snapshot, rel string, parse func([]byte) (any, error), def any) (v any, changed bool, err error) {
	path := l.Path(rel)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = nil, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	prev, seen := l.hashes[path]
	changed = !seen || prev != sum
	l.hashes[path] = sum
	v, perr := parse(data)
	if perr != nil {
		snap.Problems = append(snap.Problems, problemAt(path, data, perr))
		if good, ok := l.good[path]; ok {
			return good, changed, nil
		}
		return def, changed, nil
	}
	l.good[path] = v
	return v, changed, nil
}

// strictUnmarshal decodes data into v, reporting the offset of type errors.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fixEOF(err)
	}
	return nil
}

// orEmpty parses data, or returns def for a missing or blank file.
func orEmpty[T any](data []byte, def T, parse func([]byte) (T, error)) (any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return def, nil
	}
	v, err := parse(data)
	if err != nil {
		return nil, err
	}
	return v, nil
}
