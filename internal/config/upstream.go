package config

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/clp-proxy/clp/internal/api"
)

// Upstream is one entry of claude.json or codex.json: an API endpoint and its
// credential. Fields beyond the original's (Disabled) are optional.
type Upstream struct {
	Name      string
	BaseURL   string
	AuthToken string // sent as "Authorization: Bearer"
	APIKey    string // sent as "x-api-key" (Anthropic) or Bearer (OpenAI)
	Weight    float64
	Active    bool
	Disabled  bool
	// URL is BaseURL parsed; nil when Invalid is set.
	URL *url.URL
	// Invalid says why the entry cannot be used; empty when it can.
	Invalid string
}

// Usable reports whether requests may be sent to u.
func (u *Upstream) Usable() bool { return u.Invalid == "" && !u.Disabled }

// Service is the configs of one service in file order.
type Service struct {
	Name      string
	Upstreams []Upstream
	// Active is the index of the active entry: the one marked active, else
	// the first. -1 when the file has no entries.
	Active int
}

// ActiveUpstream returns the active entry, or nil.
func (s *Service) ActiveUpstream() *Upstream {
	if s == nil || s.Active < 0 {
		return nil
	}
	return &s.Upstreams[s.Active]
}

// Lookup returns the entry named name, or nil.
func (s *Service) Lookup(name string) *Upstream {
	for i := range s.Upstreams {
		if s.Upstreams[i].Name == name {
			return &s.Upstreams[i]
		}
	}
	return nil
}

// Names lists the entries' names in file order.
func (s *Service) Names() []string {
	n := make([]string, len(s.Upstreams))
	for i, u := range s.Upstreams {
		n[i] = u.Name
	}
	return n
}

// View returns the entry as the API shows it, credentials masked.
func (u *Upstream) View() api.ConfigView {
	return api.ConfigView{
		Name: u.Name, BaseURL: u.BaseURL, AuthToken: Mask(u.AuthToken), APIKey: Mask(u.APIKey),
		Weight: u.Weight, Active: u.Active, Disabled: u.Disabled, Invalid: u.Invalid,
	}
}

// Mask hides a credential, keeping enough to tell keys apart:
// "sk-ant-api03-abcdef…wxyz" becomes "sk-a…wxyz". Short secrets become "…".
func Mask(s string) string {
	if s == "" {
		return ""
	}
	if len(s) < 12 {
		return "…"
	}
	return s[:4] + "…" + s[len(s)-4:]
}

// parseService decodes a service file. The result's entries carry an Invalid
// reason instead of failing the whole file; an error means the file itself
// is not the expected JSON object.
func parseService(name string, data []byte) (*Service, error) {
	obj, err := parseObject(data)
	if err != nil {
		return nil, err
	}
	svc := &Service{Name: name, Active: -1}
	for _, m := range obj {
		u, err := parseUpstream(m.Key, m.Value)
		if err != nil {
			return nil, err
		}
		svc.Upstreams = append(svc.Upstreams, u)
	}
	for i := range svc.Upstreams {
		if svc.Upstreams[i].Active {
			svc.Active = i
			break
		}
	}
	if svc.Active < 0 && len(svc.Upstreams) > 0 {
		svc.Active = 0
	}
	// Only one entry is active, whatever the file says.
	for i := range svc.Upstreams {
		svc.Upstreams[i].Active = i == svc.Active
	}
	return svc, nil
}

func parseUpstream(name string, raw json.RawMessage) (Upstream, error) {
	u := Upstream{Name: name}
	obj, err := parseObject(raw)
	if err != nil {
		return u, fmt.Errorf("config %q: %w", name, err)
	}
	var problems []string
	str := func(key string) string {
		v := obj.get(key)
		if v == nil || string(v) == "null" {
			return ""
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			problems = append(problems, key+" is not a string")
		}
		return strings.TrimSpace(s)
	}
	u.BaseURL = str("base_url")
	u.AuthToken = str("auth_token")
	u.APIKey = str("api_key")
	if v := obj.get("weight"); v != nil && string(v) != "null" {
		var s string
		if json.Unmarshal(v, &u.Weight) != nil {
			// The original's UI saved weights as strings at times.
			if json.Unmarshal(v, &s) == nil {
				u.Weight, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
			}
			if s == "" || err != nil {
				problems = append(problems, "weight is not a number")
			}
		}
	}
	u.Active = truthy(obj.get("active"))
	u.Disabled = truthy(obj.get("disabled"))
	switch {
	case u.BaseURL == "":
		problems = append(problems, "base_url is empty")
	default:
		p, err := url.Parse(u.BaseURL)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			problems = append(problems, fmt.Sprintf("base_url %q is not an http(s) URL", u.BaseURL))
		} else {
			u.URL = p
		}
	}
	if u.AuthToken == "" && u.APIKey == "" {
		problems = append(problems, "neither auth_token nor api_key is set")
	}
	if len(problems) > 0 {
		u.Invalid = strings.Join(problems, "; ")
		u.URL = nil
	}
	return u, nil
}

// truthy accepts true, "true" and non-zero numbers, as the original did.
func truthy(v json.RawMessage) bool {
	switch s := strings.TrimSpace(string(v)); s {
	case "true", `"true"`, "1":
		return true
	}
	return false
}
