package ui

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
)

// New returns the UI and API handler.
func New(b Backend, log *slog.Logger) http.Handler {
	s := &server{b: b, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/status", s.status)
	mux.HandleFunc("GET /api/v1/services/{service}/configs", s.configs)
	mux.HandleFunc("PUT /api/v1/services/{service}/active", s.setActive)
	mux.HandleFunc("POST /api/v1/shutdown", s.shutdown)
	mux.HandleFunc("GET /{$}", s.index)
	return guard(mux)
}

type server struct {
	b   Backend
	log *slog.Logger
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.b.Status())
}

func (s *server) configs(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("service")
	for _, svc := range s.b.Status().Services {
		if svc.Name == name {
			writeJSON(w, http.StatusOK, svc.Configs)
			return
		}
	}
	writeError(w, http.StatusNotFound, "unknown service "+name+": use one of "+strings.Join(api.ServiceNames(), ", "))
}

func (s *server) setActive(w http.ResponseWriter, r *http.Request) {
	var req api.ActiveRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil || req.Name == "" {
		writeError(w, http.StatusBadRequest, `body must be {"name": "CONFIG"}`)
		return
	}
	if err := s.b.SetActive(r.PathValue("service"), req.Name); err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) shutdown(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusAccepted)
	s.b.Shutdown()
}

// statusOf maps error kinds to HTTP statuses, in one place.
func statusOf(err error) int {
	switch {
	case errors.Is(err, config.ErrUnknownConfig), errors.Is(err, config.ErrUnknownService):
		return http.StatusNotFound
	default:
		return http.StatusInternalServerError
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, api.Error{Error: msg})
}

// guard refuses requests whose Host is not a loopback name or address (DNS
// rebinding) and state-changing requests from a foreign Origin (CSRF).
func guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !localHost(r.Host) {
			writeError(w, http.StatusForbidden, "host "+r.Host+" is not allowed")
			return
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
				writeError(w, http.StatusForbidden, "cross-origin request refused")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func localHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == host
}
