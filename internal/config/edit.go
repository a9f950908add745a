package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/clp-proxy/clp/internal/api"
)

// ErrUnknownConfig is returned (wrapped) when a config name does not exist.
var ErrUnknownConfig = errors.New("unknown config")

// ErrUnknownService is returned (wrapped) for a service name CLP does not proxy.
var ErrUnknownService = errors.New("unknown service")

// editMu serializes read-modify-write cycles on the files within a process;
// Locked adds a lock between processes.
var editMu sync.Mutex

// ServiceFile returns the path of service's config file under home.
func ServiceFile(home, service string) (string, error) {
	s, ok := api.LookupService(service)
	if !ok {
		return "", fmt.Errorf("%w %q: use one of %s", ErrUnknownService, service, strings.Join(api.ServiceNames(), ", "))
	}
	return filepath.Join(home, s.File), nil
}

// editService applies fn to the ordered entries of service's file and writes
// the result atomically. Fields fn does not touch are written back as they were.
func editService(home, service string, fn func(obj object) (object, error)) error {
	path, err := ServiceFile(home, service)
	if err != nil {
		return err
	}
	return Locked(path, func() error {
		data, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("read %s: %w", path, err)
		}
		obj, err := parseObject(data)
		if err != nil {
			p := problemAt(path, data, err)
			return fmt.Errorf("%s (fix the file first)", p)
		}
		if obj, err = fn(obj); err != nil {
			return err
		}
		out, err := indentJSON(obj)
		if err != nil {
			return err
		}
		return WriteFile(path, out, 0o600)
	})
}

// SetActive marks name as the active config of service, and no other.
func SetActive(home, service, name string) error {
	return editService(home, service, func(obj object) (object, error) {
		found := false
		for _, m := range obj {
			if m.Key == name {
				found = true
			}
		}
		if !found {
			return nil, unknownConfig(service, name, obj)
		}
		for i, m := range obj {
			entry, err := parseObject(m.Value)
			if err != nil {
				return nil, fmt.Errorf("config %q: %w", m.Key, err)
			}
			switch {
			case m.Key == name:
				entry = entry.set("active", json.RawMessage("true"))
			case entry.get("active") != nil:
				entry = entry.set("active", json.RawMessage("false"))
			default:
				continue
			}
			if obj[i].Value, err = marshal(entry); err != nil {
				return nil, err
			}
		}
		return obj, nil
	})
}

func unknownConfig(service, name string, obj object) error {
	names := make([]string, len(obj))
	for i, m := range obj {
		names[i] = m.Key
	}
	if len(names) == 0 {
		return fmt.Errorf("%w %q: %s has no configs yet; add one with `clp config add %s NAME --base-url URL`", ErrUnknownConfig, name, service, service)
	}
	sort.Strings(names)
	return fmt.Errorf("%w %q for %s: known configs are %s", ErrUnknownConfig, name, service, strings.Join(names, ", "))
}

// SetEnabled enables or disables config name of service without deleting it.
func SetEnabled(home, service, name string, enabled bool) error {
	return SetDisabled(home, service, name, !enabled)
}
