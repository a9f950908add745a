// Package route decides which model a request is sent with and which config
// a model is pinned to, from the rules of data/model_router_config.json, and
// rewrites the top-level "model" field of a request body in place.
package route

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/clp-proxy/clp/internal/jsonscan"
)

// The routing modes of Config.Mode. An empty mode means ModeDefault.
const (
	ModeDefault       = "default"
	ModeModelMapping  = "model-mapping"
	ModeConfigMapping = "config-mapping"
)

// The source types of ModelMapping.SourceType. An empty type means
// SourceModel, as in the original CLP.
const (
	SourceModel  = "model"
	SourceConfig = "config"
)

// Config is data/model_router_config.json. The mapping lists are keyed by
// service ("claude", "codex", ...) and kept in file order: the first rule that
// matches wins. Model patterns are globs in path.Match syntax ("claude-opus-*",
// "gpt-5?", "[a-c]*", or an exact name), except that '*' and '?' also match
// '/', since model names like "openai/gpt-5" are not paths. Only the rules of the current Mode apply; the others are kept
// so that switching modes in the UI does not lose them.
//
// Build a Config with Parse: it validates the rules and compiles their globs.
// A Config changed or built by other means still routes correctly, only
// without the precompiled fast path. A Config must not be modified while
// other goroutines call its methods.
type Config struct {
	Mode           string                     `json:"mode"`
	ModelMappings  map[string][]ModelMapping  `json:"modelMappings"`
	ConfigMappings map[string][]ConfigMapping `json:"configMappings"`

	// compiled holds, per service, the globs of the rules of the current
	// mode in rule order; rule i's glob is compiled[service][i].
	compiled map[string][]glob
}

// ModelMapping is one rule of the "model-mapping" mode. With SourceType
// "model", Source is a glob matched against the requested model; with
// "config", Source is the name of the config the request is about to be
// sent to. Either way the request is sent with model Target.
type ModelMapping struct {
	Source     string `json:"source"`
	Target     string `json:"target"`
	SourceType string `json:"source_type"`
}

// ConfigMapping is one rule of the "config-mapping" mode: a request whose
// model matches the glob Model is sent to the config named Config.
type ConfigMapping struct {
	Model  string `json:"model"`
	Config string `json:"config"`
}

// Parse decodes and validates model_router_config.json and compiles its
// globs. Unknown fields are ignored. On error the returned Config is the zero
// Config (mode default: no rules), and the error names every problem; a
// syntax error carries its line and column.
func Parse(data []byte) (Config, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return Config{}, jsonscan.ErrorAt(data, err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	c.compile()
	return c, nil
}

// Validate reports every problem of c at once, each with its JSON path, for
// example "modelMappings.claude[2].source: empty".
func (c Config) Validate() error {
	var errs []error
	switch c.Mode {
	case "", ModeDefault, ModeModelMapping, ModeConfigMapping:
	default:
		errs = append(errs, fmt.Errorf("mode: unknown %q (want %q, %q or %q)",
			c.Mode, ModeDefault, ModeModelMapping, ModeConfigMapping))
	}
	for _, svc := range sortedKeys(c.ModelMappings) {
		for i, m := range c.ModelMappings[svc] {
			at := fmt.Sprintf("modelMappings.%s[%d]", svc, i)
			switch m.SourceType {
			case "", SourceModel:
				errs = append(errs, checkGlob(at+".source", m.Source))
			case SourceConfig:
				if strings.TrimSpace(m.Source) == "" {
					errs = append(errs, fmt.Errorf("%s.source: empty", at))
				}
			default:
				errs = append(errs, fmt.Errorf("%s.source_type: unknown %q (want %q or %q)",
					at, m.SourceType, SourceModel, SourceConfig))
			}
			if strings.TrimSpace(m.Target) == "" {
				errs = append(errs, fmt.Errorf("%s.target: empty", at))
			}
		}
	}
	for _, svc := range sortedKeys(c.ConfigMappings) {
		for i, m := range c.ConfigMappings[svc] {
			at := fmt.Sprintf("configMappings.%s[%d]", svc, i)
			errs = append(errs, checkGlob(at+".model", m.Model))
			if strings.TrimSpace(m.Config) == "" {
				errs = append(errs, fmt.Errorf("%s.config: empty", at))
			}
		}
	}
	return errors.Join(errs...)
}

func checkGlob(at, pattern string) error {
	if strings.TrimSpace(pattern) == "" {
		return fmt.Errorf("%s: empty", at)
	}
	if _, err := compileGlob(pattern); err != nil {
		return fmt.Errorf("%s: bad glob %q: %w", at, pattern, err)
	}
	return nil
}

// compile fills c.compiled for the current mode; c must be valid.
func (c *Config) compile() {
	c.compiled = make(map[string][]glob)
	switch c.Mode {
	case ModeModelMapping:
		for svc, rules := range c.ModelMappings {
			gs := make([]glob, len(rules))
			for i, r := range rules {
				if r.SourceType != SourceConfig {
					gs[i], _ = compileGlob(r.Source)
				}
			}
			c.compiled[svc] = gs
		}
	case ModeConfigMapping:
		for svc, rules := range c.ConfigMappings {
			gs := make([]glob, len(rules))
			for i, r := range rules {
				gs[i], _ = compileGlob(r.Model)
			}
			c.compiled[svc] = gs
		}
	}
}

// globFor returns the compiled glob of rule i of service, or compiles pattern
// on the spot when c was not built by Parse or was changed since. A pattern
// that does not compile matches nothing.
func (c *Config) globFor(service string, i int, pattern string) glob {
	if gs := c.compiled[service]; i < len(gs) && gs[i].pattern == pattern {
		return gs[i]
	}
	g, err := compileGlob(pattern)
	if err != nil {
		return glob{kind: globNone, pattern: pattern}
	}
	return g
}

// ModelFor returns the model a request for model should be sent with when it
// goes to the config named config of service. In mode "model-mapping" the
// first matching rule's Target wins; otherwise, or when no rule matches,
// model is returned unchanged. It does not allocate.
func (c *Config) ModelFor(service, config, model string) string {
	if c == nil || c.Mode != ModeModelMapping {
		return model
	}
	for i, r := range c.ModelMappings[service] {
		if r.SourceType == SourceConfig {
			if r.Source == config {
				return r.Target
			}
			continue
		}
		if c.globFor(service, i, r.Source).match(model) {
			return r.Target
		}
	}
	return model
}

// Pin returns the config that requests for model are pinned to in mode
// "config-mapping": the Config of the first rule whose glob matches model.
// ok is false in other modes or when no rule matches. It does not allocate.
func (c *Config) Pin(service, model string) (config string, ok bool) {
	if c == nil || c.Mode != ModeConfigMapping {
		return "", false
	}
	for i, r := range c.ConfigMappings[service] {
		if c.globFor(service, i, r.Model).match(model) {
			return r.Config, true
		}
	}
	return "", false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
