package ui

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/clp-proxy/clp/internal/config"
)

// ConfigEditor is implemented by a Backend that can add, change and delete
// configs (the service files). Without it those endpoints answer 501.
// Each method returns after the change is written and loaded, so the next
// request sees it.
type ConfigEditor interface {
	// AddConfig appends config name to service (config.AddEntry).
	AddConfig(service, name string, c config.EntryChange) error
	// EditConfig sets c's fields on config name and, when newName is not
	// "" and differs, renames it (config.EditEntry, config.RenameEntry).
	EditConfig(service, name, newName string, c config.EntryChange) error
	// RemoveConfig deletes config name (config.RemoveEntry).
	RemoveConfig(service, name string) error
}

// RulesEditor is implemented by a Backend that can read and replace the
// rule files: kind is config.RulesBalance, RulesRouting or RulesFilter.
// Without it those endpoints answer 501.
type RulesEditor interface {
	// Rules returns the file of kind as JSON, as it is on disk.
	Rules(kind string) (json.RawMessage, error)
	// SetRules validates doc and, when valid, writes and loads it;
	// config.ErrInvalidRules otherwise.
	SetRules(kind string, doc []byte) error
}

// invalid marks an error in what the client sent; statusOf answers 400.
type invalid struct{ err error }

func (e invalid) Error() string { return e.err.Error() }
func (e invalid) Unwrap() error { return e.err }

// Invalid marks err as a problem with the request's content, answered
// with 400 and err's message. A Backend uses it for validation failures.
func Invalid(err error) error { return invalid{err} }

// configBody is the body of POST and PATCH .../configs/{name}. Credentials
// are write-only: the API never returns them, and an empty or absent one
// in a PATCH keeps the stored value.
type configBody struct {
	Name      *string  `json:"name,omitempty"` // PATCH: the new name
	BaseURL   *string  `json:"base_url,omitempty"`
	AuthToken *string  `json:"auth_token,omitempty"`
	APIKey    *string  `json:"api_key,omitempty"`
	Weight    *float64 `json:"weight,omitempty"`
	// CredentialKind ("auth_token" or "api_key") makes that the config's
	// only credential (config.EntryChange.Kind).
	CredentialKind string `json:"credential_kind,omitempty"`
}

// change turns the body into a config.EntryChange, dropping empty
// credentials.
func (b configBody) change() config.EntryChange {
	keep := func(p *string) *string {
		if p == nil || *p == "" {
			return nil
		}
		return p
	}
	return config.EntryChange{BaseURL: b.BaseURL, AuthToken: keep(b.AuthToken), APIKey: keep(b.APIKey), Weight: b.Weight, Kind: b.CredentialKind}
}

func (s *server) configEditor(w http.ResponseWriter) (ConfigEditor, bool) {
	e, ok := s.b.(ConfigEditor)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this daemon cannot edit configs")
	}
	return e, ok
}

func (s *server) addConfig(w http.ResponseWriter, r *http.Request) {
	e, ok := s.configEditor(w)
	if !ok {
		return
	}
	var b configBody
	if !readJSON(w, r, &b) {
		writeError(w, http.StatusBadRequest, `body must be {"base_url": "...", "auth_token" or "api_key": "...", "weight": N}`)
		return
	}
	if err := e.AddConfig(r.PathValue("service"), r.PathValue("name"), b.change()); err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *server) editConfig(w http.ResponseWriter, r *http.Request) {
	e, ok := s.configEditor(w)
	if !ok {
		return
	}
	var b configBody
	if !readJSON(w, r, &b) {
		writeError(w, http.StatusBadRequest, `body must be {"name"?, "base_url"?, "auth_token"?, "api_key"?, "weight"?}`)
		return
	}
	newName := ""
	if b.Name != nil {
		newName = *b.Name
	}
	if err := e.EditConfig(r.PathValue("service"), r.PathValue("name"), newName, b.change()); err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) removeConfig(w http.ResponseWriter, r *http.Request) {
	e, ok := s.configEditor(w)
	if !ok {
		return
	}
	if err := e.RemoveConfig(r.PathValue("service"), r.PathValue("name")); err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) rulesEditor(w http.ResponseWriter) (RulesEditor, bool) {
	e, ok := s.b.(RulesEditor)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this daemon cannot edit rules")
	}
	return e, ok
}

func (s *server) rules(w http.ResponseWriter, r *http.Request) {
	e, ok := s.rulesEditor(w)
	if !ok {
		return
	}
	doc, err := e.Rules(r.PathValue("kind"))
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	if !json.Valid(doc) {
		// A hand edit broke the file; the loader reports where. Hand the
		// UI nothing it cannot parse.
		writeError(w, http.StatusConflict, "the file does not parse; fix it by hand first (see the problems on the overview)")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(doc)
}

func (s *server) setRules(w http.ResponseWriter, r *http.Request) {
	e, ok := s.rulesEditor(w)
	if !ok {
		return
	}
	doc, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil || !json.Valid(doc) {
		writeError(w, http.StatusBadRequest, "body must be the JSON document of the rules file (at most 1 MiB)")
		return
	}
	if err := e.SetRules(r.PathValue("kind"), doc); err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// editStatus maps the errors of the edit endpoints; statusOf calls it.
func editStatus(err error) (int, bool) {
	var bad invalid
	switch {
	case errors.As(err, &bad), errors.Is(err, config.ErrInvalidRules):
		return http.StatusBadRequest, true
	case errors.Is(err, config.ErrConfigExists):
		return http.StatusConflict, true
	}
	return 0, false
}
