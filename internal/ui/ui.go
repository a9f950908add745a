package ui

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/store"
)

// New returns the UI and API handler. Every request passes the Host and
// Origin guard first, then the login check of o; JSON lives under /api/v1/,
// the live feed at /api/v1/events (WebSocket), and every other GET serves the
// embedded web UI.
func New(b Backend, log *slog.Logger, o Options) http.Handler {
	s := &server{b: b, log: log, opt: o}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/session", s.session)
	mux.HandleFunc("POST /api/v1/login", s.login)
	mux.HandleFunc("POST /api/v1/logout", s.logout)
	mux.HandleFunc("GET /api/v1/status", s.status)
	mux.HandleFunc("GET /api/v1/services/{service}/configs", s.configs)
	mux.HandleFunc("PUT /api/v1/services/{service}/active", s.setActive)
	mux.HandleFunc("PUT /api/v1/services/{service}/configs/{name}/enabled", s.setEnabled)
	mux.HandleFunc("POST /api/v1/services/{service}/configs/{name}/test", s.testConfig)
	mux.HandleFunc("GET /api/v1/services/{service}/health", s.health)
	mux.HandleFunc("POST /api/v1/services/{service}/health/reset", s.resetHealth)
	mux.HandleFunc("GET /api/v1/services/{service}/route", s.routeTest)
	mux.HandleFunc("POST /api/v1/services/{service}/filter/try", s.tryFilter)
	mux.HandleFunc("GET /api/v1/requests", s.requests)
	mux.HandleFunc("GET /api/v1/requests/{id}", s.request)
	mux.HandleFunc("GET /api/v1/stats", s.stats)
	mux.HandleFunc("POST /api/v1/services/{service}/configs/{name}", s.addConfig)
	mux.HandleFunc("PATCH /api/v1/services/{service}/configs/{name}", s.editConfig)
	mux.HandleFunc("DELETE /api/v1/services/{service}/configs/{name}", s.removeConfig)
	mux.HandleFunc("GET /api/v1/rules/{kind}", s.rules)
	mux.HandleFunc("PUT /api/v1/rules/{kind}", s.setRules)
	mux.HandleFunc("GET /api/v1/events", s.events)
	mux.HandleFunc("POST /api/v1/shutdown", s.shutdown)
	if h := b.Metrics(); h != nil {
		mux.Handle("GET /metrics", h)
	} else {
		mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotImplemented, api.ErrNotWired.Error())
		})
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	mux.Handle("/", assets(dist()))
	return s.guard(s.requireLogin(mux))
}

type server struct {
	b        Backend
	log      *slog.Logger
	opt      Options
	sessions sessions
	loginMu  sync.Mutex // one password check at a time
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	st := s.b.Status()
	st.Services = slices.Clone(st.Services)
	for i := range st.Services {
		st.Services[i].Configs = maskConfigs(st.Services[i].Configs)
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *server) configs(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("service")
	for _, svc := range s.b.Status().Services {
		if svc.Name == name {
			writeJSON(w, http.StatusOK, maskConfigs(svc.Configs))
			return
		}
	}
	writeError(w, http.StatusNotFound, "unknown service "+name+": use one of "+strings.Join(api.ServiceNames(), ", "))
}

func (s *server) setActive(w http.ResponseWriter, r *http.Request) {
	var req api.ActiveRequest
	if !readJSON(w, r, &req) || req.Name == "" {
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

// readJSON decodes a small JSON body into v; false means it did not parse.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	return json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v) == nil
}

// statusOf maps error kinds to HTTP statuses, in one place.
func statusOf(err error) int {
	if code, ok := editStatus(err); ok {
		return code
	}
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		return http.StatusBadRequest
	case errors.Is(err, config.ErrUnknownConfig), errors.Is(err, config.ErrUnknownService),
		errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, api.ErrNotWired):
		return http.StatusNotImplemented
	default:
		return http.StatusInternalServerError
	}
}

// badRequest marks an error in the request itself (400).
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, api.Error{Error: msg})
}

// guard refuses requests whose Host does not name this UI (DNS rebinding;
// see Options.hostAllowed) and state-changing requests from a foreign Origin
// (CSRF), before any routing.
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.opt.hostAllowed(r.Host) {
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

func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == host
}
