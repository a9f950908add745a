package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/route"
)

// ErrInvalidRules is returned (wrapped, with every problem) when a rules
// document does not validate; nothing is written then.
var ErrInvalidRules = errors.New("invalid rules")

// The rule files the UI edits, by kind.
const (
	RulesBalance = "balance" // data/lb_config.json
	RulesRouting = "routing" // data/model_router_config.json
	RulesFilter  = "filter"  // filter.json
)

// rulesFile is one editable rules file: its path under CLP_HOME, its
// content when absent, and its validator.
type rulesFile struct {
	rel      string
	empty    string
	validate func([]byte) error
}

func rulesFileOf(kind string) (rulesFile, error) {
	switch kind {
	case RulesBalance:
		return rulesFile{"data/lb_config.json", "{}", func(b []byte) error { _, err := balance.Parse(b); return err }}, nil
	case RulesRouting:
		return rulesFile{"data/model_router_config.json", "{}", func(b []byte) error { _, err := route.Parse(b); return err }}, nil
	case RulesFilter:
		return rulesFile{"filter.json", "[]", validateFilter}, nil
	}
	return rulesFile{}, fmt.Errorf("%w: unknown kind %q (want %s, %s or %s)", ErrInvalidRules, kind, RulesBalance, RulesRouting, RulesFilter)
}

// validateFilter parses filter rules and compiles them, so a rule whose
// pattern cannot work is refused before it is written.
func validateFilter(b []byte) error {
	rules, err := redact.ParseRules(b)
	if err != nil {
		return err
	}
	_, err = redact.Compile(rules, redact.Options{Services: api.ServiceNames()})
	return err
}

// ReadRules returns the rules file of kind under home as it is on disk
// (fields CLP does not know included), or an empty document when the file
// does not exist. The content is not validated: the loader reports a broken
// file.
func ReadRules(home, kind string) ([]byte, error) {
	f, err := rulesFileOf(kind)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(home, f.rel))
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(bytes.TrimSpace(data)) == 0) {
		return []byte(f.empty), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.rel, err)
	}
	return data, nil
}

// WriteRules validates doc as the rules file of kind (balance.Parse,
// route.Parse, or redact.ParseRules and redact.Compile) and, when it is
// valid, replaces the file atomically with doc indented (mode 0600). An
// invalid doc is ErrInvalidRules with every problem, and writes nothing.
func WriteRules(home, kind string, doc []byte) error {
	f, err := rulesFileOf(kind)
	if err != nil {
		return err
	}
	if err := f.validate(doc); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidRules, f.rel, err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(doc), "", "  "); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidRules, f.rel, err)
	}
	out.WriteByte('\n')
	path := filepath.Join(home, f.rel)
	return Locked(path, func() error { return WriteFile(path, out.Bytes(), 0o600) })
}
