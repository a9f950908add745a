package api

import (
	"strconv"
	"time"
)

// Problem is a configuration error shown by `clp status` and the UI. File is
// absolute; Line and Column are 1-based and 0 when unknown.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// String formats p as "path:line:col: message".
func (p Problem) String() string {
	s := p.File
	if p.Line > 0 {
		s += ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
	}
	return s + ": " + p.Message
}

// ConfigView is one upstream config as the API shows it: credentials masked.
type ConfigView struct {
	Name      string  `json:"name"`
	BaseURL   string  `json:"base_url"`
	AuthToken string  `json:"auth_token,omitempty"` // masked
	APIKey    string  `json:"api_key,omitempty"`    // masked
	Weight    float64 `json:"weight"`
	Active    bool    `json:"active"`
	Disabled  bool    `json:"disabled,omitempty"`
	// Invalid says why the config cannot be used; empty when it can.
	Invalid string `json:"invalid,omitempty"`
}

// ServiceStatus is the state of one proxied service.
type ServiceStatus struct {
	Name        string       `json:"name"`
	Addr        string       `json:"addr"`
	Active      string       `json:"active"` // the active config's name, "" in placeholder mode
	Mode        string       `json:"mode"`   // balancing mode
	Placeholder bool         `json:"placeholder,omitempty"`
	Configs     []ConfigView `json:"configs"`
	// Unhealthy lists configs that are failing or excluded from balancing,
	// with the reason, e.g. "relay: excluded until 15:04:05 (3 failures in a row: 529)".
	Unhealthy []string `json:"unhealthy,omitempty"`
	Requests  int64    `json:"requests"`
	Errors    int64    `json:"errors"`
	InFlight  int64    `json:"in_flight"`
}

// Status is the daemon's answer to GET /api/v1/status.
type Status struct {
	PID       int             `json:"pid"`
	Home      string          `json:"home"`
	Version   string          `json:"version"`
	StartedAt time.Time       `json:"started_at"`
	Uptime    float64         `json:"uptime_seconds"`
	UIAddr    string          `json:"ui_addr"`
	Services  []ServiceStatus `json:"services"`
	Problems  []Problem       `json:"problems,omitempty"`
	// LogDropped counts request records the log could not keep up with.
	LogDropped int64 `json:"log_dropped"`
}

// ActiveRequest is the body of PUT /api/v1/services/{service}/active.
type ActiveRequest struct {
	Name string `json:"name"`
}

// Error is the JSON API's error body.
type Error struct {
	Error string `json:"error"`
}
