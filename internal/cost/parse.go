package cost

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/clp-proxy/clp/internal/jsonscan"
)

// filePrice is one model in the user's prices file. Pointers tell a rate
// that is left out (unknown) from one that is zero (free).
type filePrice struct {
	Input            *float64   `json:"input"`
	Output           *float64   `json:"output"`
	CacheWrite5m     *float64   `json:"cache_write_5m"`
	CacheWrite1h     *float64   `json:"cache_write_1h"`
	CacheRead        *float64   `json:"cache_read"`
	LongContextAbove int64      `json:"long_context_above"`
	LongContext      *filePrice `json:"long_context"`
}

// Parse reads the user's price file (data/prices.json) and returns the
// default table extended and overridden by it:
//
//	{"models": {
//	  "claude-sonnet-4-5*": {"input": 3, "output": 15, "cache_write_5m": 3.75,
//	                         "cache_write_1h": 6, "cache_read": 0.3},
//	  "my-relay-model": {"input": 1, "output": 2},
//	  "gpt-4o": null
//	}}
//
// Keys are model names or "*" patterns, matched as Table describes; a user
// entry is tried before every default. Rates are US dollars per million
// tokens; input and output are required, and a cache rate left out is
// unknown, so a request that used that kind of token gets no cost rather
// than a wrong one. A model set to null has no price even where a default
// matches. "long_context_above" and "long_context" (an object of the same
// rates) price long prompts. Empty data means no overrides.
//
// Errors name the model, or the line and column of a syntax error.
func Parse(data []byte) (*Table, error) {
	t := Default()
	if len(bytes.TrimSpace(data)) == 0 {
		return t, nil
	}
	var file struct {
		Models map[string]*filePrice `json:"models"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, jsonscan.ErrorAt(data, err)
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the top-level object")
	}
	names := make([]string, 0, len(file.Models))
	for name := range file.Models {
		names = append(names, name)
	}
	sort.Strings(names)
	var entries []Entry
	var errs []error
	for _, name := range names {
		if strings.TrimSpace(name) == "" || strings.Trim(name, "* ") == "" {
			errs = append(errs, fmt.Errorf("model %q: a name or pattern needs some characters besides \"*\"", name))
			continue
		}
		fp := file.Models[name]
		if fp == nil {
			entries = append(entries, Entry{Pattern: name, User: true, Removed: true})
			continue
		}
		p, err := fp.price()
		if err != nil {
			errs = append(errs, fmt.Errorf("model %q: %w", name, err))
			continue
		}
		entries = append(entries, Entry{Pattern: name, Price: p, User: true})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	t.user = newSet(entries)
	return t, nil
}

func (f *filePrice) price() (Price, error) {
	rate := func(name string, v *float64, required bool) (float64, error) {
		switch {
		case v == nil && required:
			return 0, fmt.Errorf("%s is required", name)
		case v == nil:
			return Unknown, nil
		case *v < 0 || math.IsInf(*v, 0) || math.IsNaN(*v):
			return 0, fmt.Errorf("%s must be a number of dollars, zero or more", name)
		}
		return *v, nil
	}
	var p Price
	var err error
	for _, r := range []struct {
		name     string
		v        *float64
		dst      *float64
		required bool
	}{
		{"input", f.Input, &p.Input, true},
		{"output", f.Output, &p.Output, true},
		{"cache_write_5m", f.CacheWrite5m, &p.CacheWrite5m, false},
		{"cache_write_1h", f.CacheWrite1h, &p.CacheWrite1h, false},
		{"cache_read", f.CacheRead, &p.CacheRead, false},
	} {
		if *r.dst, err = rate(r.name, r.v, r.required); err != nil {
			return Price{}, err
		}
	}
	switch {
	case f.LongContextAbove < 0:
		return Price{}, errors.New("long_context_above must be a token count, zero or more")
	case f.LongContext != nil && f.LongContextAbove == 0:
		return Price{}, errors.New("long_context needs long_context_above")
	case f.LongContext != nil:
		if f.LongContext.LongContext != nil {
			return Price{}, errors.New("long_context cannot nest another long_context")
		}
		long, err := f.LongContext.price()
		if err != nil {
			return Price{}, fmt.Errorf("long_context: %w", err)
		}
		p.LongContextAbove, p.LongContext = f.LongContextAbove, &long
	}
	return p, nil
}
