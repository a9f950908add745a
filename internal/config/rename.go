package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// RenameInRouting carries a config's new name through
// data/model_router_config.json: model mappings whose source_type is
// "config" and config mappings that pin a model to the old name. Everything
// else in the file is written back as it was. n is the number of rules
// changed; a missing file changes nothing.
func RenameInRouting(home, service, old, new string) (n int, err error) {
	path := filepath.Join(home, "data", "model_router_config.json")
	err = Locked(path, func() error {
		n, err = renameInRouting(path, service, old, new)
		return err
	})
	return n, err
}

// renameInRouting is RenameInRouting's read-modify-write, under the lock.
func renameInRouting(path, service, old, new string) (n int, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	doc, err := parseObject(data)
	if err != nil {
		return 0, fmt.Errorf("%s (fix the file first)", problemAt(path, data, err))
	}
	rename := func(section, field string, match func(rule object) bool) error {
		sec := doc.get(section)
		if sec == nil {
			return nil
		}
		byService, err := parseObject(sec)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", path, section, err)
		}
		var rules []json.RawMessage
		if raw := byService.get(service); raw == nil || json.Unmarshal(raw, &rules) != nil {
			return nil
		}
		for i, raw := range rules {
			rule, err := parseObject(raw)
			if err != nil || !match(rule) {
				continue
			}
			var v string
			if json.Unmarshal(rule.get(field), &v) != nil || v != old {
				continue
			}
			enc, _ := marshal(new)
			if rules[i], err = marshal(rule.set(field, enc)); err != nil {
				return err
			}
			n++
		}
		list, err := marshal(rules)
		if err != nil {
			return err
		}
		enc, err := marshal(byService.set(service, list))
		if err != nil {
			return err
		}
		doc = doc.set(section, enc)
		return nil
	}
	isConfigSource := func(rule object) bool {
		var t string
		json.Unmarshal(rule.get("source_type"), &t)
		return t == "config"
	}
	if err := rename("modelMappings", "source", isConfigSource); err != nil {
		return 0, err
	}
	if err := rename("configMappings", "config", func(object) bool { return true }); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, nil
	}
	out, err := indentJSON(doc)
	if err != nil {
		return 0, err
	}
	return n, WriteFile(path, out, 0o600)
}
