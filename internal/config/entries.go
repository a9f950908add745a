package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"unicode"
)

// ErrConfigExists is returned (wrapped) when adding or renaming to a name
// the service already has.
var ErrConfigExists = errors.New("config already exists")

// EntryChange is what `clp config add|edit` sets on one entry of a service
// file. A nil field is left as it is; a non-nil one is written. Fields of the
// entry that EntryChange does not know are kept.
type EntryChange struct {
	BaseURL   *string
	AuthToken *string // written as "auth_token"
	APIKey    *string // written as "api_key"
	Weight    *float64
	// Kind, when set ("auth_token" or "api_key"), makes that field the
	// entry's only credential: without a new value for it, the stored value
	// of the other field moves over (the user said what kind of credential
	// it is), and the other field is emptied ("" where it exists, so the
	// original CLP still finds the key).
	Kind string
}

// validate checks the fields that are set.
func (c EntryChange) validate() error {
	if c.BaseURL != nil {
		if err := checkBaseURL(*c.BaseURL); err != nil {
			return err
		}
	}
	for _, cred := range []struct {
		name string
		v    *string
	}{{"auth_token", c.AuthToken}, {"api_key", c.APIKey}} {
		if cred.v == nil {
			continue
		}
		v := strings.TrimSpace(*cred.v)
		if v == "" {
			return fmt.Errorf("%s is empty", cred.name)
		}
		if strings.ContainsFunc(v, unicode.IsControl) {
			return fmt.Errorf("%s holds a control character (a pasted line break?)", cred.name)
		}
	}
	if c.Weight != nil && (*c.Weight < 0 || math.IsNaN(*c.Weight) || math.IsInf(*c.Weight, 0)) {
		return fmt.Errorf("weight %v is not a number >= 0", *c.Weight)
	}
	if c.Kind != "" && c.Kind != "auth_token" && c.Kind != "api_key" {
		return fmt.Errorf("credential kind %q: use auth_token or api_key", c.Kind)
	}
	return nil
}

// checkBaseURL accepts an absolute http(s) URL with a host, as the loader does.
func checkBaseURL(raw string) error {
	p, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("base_url %q is not an http(s) URL (e.g. https://api.anthropic.com)", raw)
	}
	return nil
}

// checkName accepts a config name that the command line and the files can
// both carry: not empty, no surrounding space, no control characters.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("config name is empty")
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("config name %q has surrounding spaces", name)
	case strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("config name %q holds a control character", name)
	}
	return nil
}

// apply writes c's set fields into entry, in place where the key exists.
func (c EntryChange) apply(entry object) (object, error) {
	set := func(key string, v any) error {
		raw, err := marshal(v)
		if err != nil {
			return err
		}
		entry = entry.set(key, raw)
		return nil
	}
	var err error
	if c.BaseURL != nil {
		err = errors.Join(err, set("base_url", strings.TrimSpace(*c.BaseURL)))
	}
	if c.AuthToken != nil {
		err = errors.Join(err, set("auth_token", strings.TrimSpace(*c.AuthToken)))
	}
	if c.APIKey != nil {
		err = errors.Join(err, set("api_key", strings.TrimSpace(*c.APIKey)))
	}
	if c.Weight != nil {
		err = errors.Join(err, set("weight", *c.Weight))
	}
	if err == nil && c.Kind != "" {
		entry, err = c.keepOnly(entry)
	}
	return entry, err
}

// keepOnly applies Kind to entry.
func (c EntryChange) keepOnly(entry object) (object, error) {
	chosen, other := "auth_token", "api_key"
	if c.Kind == "api_key" {
		chosen, other = other, chosen
	}
	str := func(key string) string {
		var v string
		json.Unmarshal(entry.get(key), &v)
		return strings.TrimSpace(v)
	}
	if str(chosen) == "" {
		v := str(other)
		if v == "" {
			return nil, fmt.Errorf("the config has no credential to use as %s: enter one", chosen)
		}
		raw, err := marshal(v)
		if err != nil {
			return nil, err
		}
		entry = entry.set(chosen, raw)
	}
	if entry.get(other) != nil {
		entry = entry.set(other, json.RawMessage(`""`))
	}
	return entry, nil
}

// index returns the position of name in obj, or -1.
func (o object) index(name string) int {
	for i, m := range o {
		if m.Key == name {
			return i
		}
	}
	return -1
}

// AddEntry appends a new config name to service's file. c must set BaseURL
// and at least one credential; a missing weight is written as 0, as the
// original CLP does. The new entry is not made active. It fails, writing
// nothing, when name exists (ErrConfigExists) or a field is invalid.
func AddEntry(home, service, name string, c EntryChange) error {
	if err := checkName(name); err != nil {
		return err
	}
	if c.BaseURL == nil {
		return errors.New("a new config needs a base URL")
	}
	if c.AuthToken == nil && c.APIKey == nil {
		return errors.New("a new config needs a credential (auth_token or api_key)")
	}
	if err := c.validate(); err != nil {
		return err
	}
	if c.Weight == nil {
		zero := 0.0
		c.Weight = &zero
	}
	return editService(home, service, func(obj object) (object, error) {
		if obj.index(name) >= 0 {
			return nil, fmt.Errorf("%w: %s has a config named %q (change it with `clp config edit %s %s`)", ErrConfigExists, service, name, service, name)
		}
		entry, err := c.apply(object{})
		if err != nil {
			return nil, err
		}
		raw, err := marshal(entry)
		if err != nil {
			return nil, err
		}
		return append(obj, member{name, raw}), nil
	})
}

// EditEntry sets c's fields on the existing config name of service, keeping
// its place in the file and every field c does not set.
func EditEntry(home, service, name string, c EntryChange) error {
	if err := c.validate(); err != nil {
		return err
	}
	return editEntry(home, service, name, c.apply)
}

// SetDisabled disables a config (it stays in the file, skipped by routing
// and balancing) or enables it again. Enabling removes the "disabled" field
// rather than writing false, so the file stays readable by the original CLP.
func SetDisabled(home, service, name string, disabled bool) error {
	return editEntry(home, service, name, func(entry object) (object, error) {
		if disabled {
			return entry.set("disabled", json.RawMessage("true")), nil
		}
		return entry.del("disabled"), nil
	})
}

// editEntry applies fn to the decoded entry name of service.
func editEntry(home, service, name string, fn func(object) (object, error)) error {
	return editService(home, service, func(obj object) (object, error) {
		i := obj.index(name)
		if i < 0 {
			return nil, unknownConfig(service, name, obj)
		}
		entry, err := parseObject(obj[i].Value)
		if err != nil {
			return nil, fmt.Errorf("config %q: %w", name, err)
		}
		if entry, err = fn(entry); err != nil {
			return nil, err
		}
		if obj[i].Value, err = marshal(entry); err != nil {
			return nil, err
		}
		return obj, nil
	})
}

// RemoveEntry deletes config name from service's file. When it was the
// active one, no entry is marked active afterwards and the first entry left
// is used (DESIGN §3).
func RemoveEntry(home, service, name string) error {
	return editService(home, service, func(obj object) (object, error) {
		if obj.index(name) < 0 {
			return nil, unknownConfig(service, name, obj)
		}
		return obj.del(name), nil
	})
}

// RenameEntry gives config from the name to, keeping its place in the file
// and all its fields, the active flag included. Health, routing rules and
// statistics that name the old config are not rewritten.
func RenameEntry(home, service, from, to string) error {
	if err := checkName(to); err != nil {
		return err
	}
	return editService(home, service, func(obj object) (object, error) {
		i := obj.index(from)
		if i < 0 {
			return nil, unknownConfig(service, from, obj)
		}
		if from == to {
			return obj, nil
		}
		if obj.index(to) >= 0 {
			return nil, fmt.Errorf("%w: %s has a config named %q", ErrConfigExists, service, to)
		}
		obj[i].Key = to
		return obj, nil
	})
}
