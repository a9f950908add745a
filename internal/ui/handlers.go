package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/store"
)

func (s *server) setEnabled(w http.ResponseWriter, r *http.Request) {
	var req api.EnabledRequest
	if !readJSON(w, r, &req) {
		writeError(w, http.StatusBadRequest, `body must be {"enabled": true|false}`)
		return
	}
	if err := s.b.SetEnabled(r.PathValue("service"), r.PathValue("name"), req.Enabled); err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) testConfig(w http.ResponseWriter, r *http.Request) {
	res, err := s.b.TestConfig(r.Context(), r.PathValue("service"), r.PathValue("name"))
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *server) health(w http.ResponseWriter, r *http.Request) {
	h, err := s.b.Health(r.PathValue("service"))
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, h)
}

// resetHealth resets ?config=NAME, or every config without it.
func (s *server) resetHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.b.ResetHealth(r.PathValue("service"), r.URL.Query().Get("config")); err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) routeTest(w http.ResponseWriter, r *http.Request) {
	model := r.URL.Query().Get("model")
	if model == "" {
		writeError(w, http.StatusBadRequest, "model= is required")
		return
	}
	res, err := s.b.RouteTest(r.PathValue("service"), model)
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// filterTryResult is the answer of POST .../filter/try.
type filterTryResult struct {
	Text   string        `json:"text"`
	Report redact.Report `json:"report"`
}

func (s *server) tryFilter(w http.ResponseWriter, r *http.Request) {
	var req api.FilterTryRequest
	if !readJSON(w, r, &req) {
		writeError(w, http.StatusBadRequest, `body must be {"text": "..."}`)
		return
	}
	out, rep, err := s.b.TryFilter(r.PathValue("service"), []byte(req.Text))
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, filterTryResult{Text: string(out), Report: rep})
}

func (s *server) requests(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	recs, err := s.b.Requests(r.Context(), q)
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	page := api.RequestPage{Records: recs}
	if page.Records == nil {
		page.Records = []api.Record{}
	}
	limit := q.Limit
	if limit == 0 {
		limit = 50
	}
	if len(recs) == limit {
		page.NextBefore = recs[len(recs)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *server) request(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, "request id must be a positive integer")
		return
	}
	rec, err := s.b.Request(r.Context(), id)
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	maskHeaders(rec.RequestHeaders)
	maskHeaders(rec.ResponseHeaders)
	d := recordDetail{Record: rec}
	if r, ok := Reassemble(rec.ResponseBody); ok {
		d.Reply = &r
	}
	writeJSON(w, http.StatusOK, d)
}

// recordDetail is the answer of GET /api/v1/requests/{id}: the record, and
// the reply reassembled from its response body when that is an event stream
// or a message of a known shape. It decodes into an api.Record as well.
type recordDetail struct {
	*api.Record
	Reply *Reply `json:"reply,omitempty"`
}

func (s *server) stats(w http.ResponseWriter, r *http.Request) {
	q, err := parseStatsQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	rows, err := s.b.Stats(r.Context(), q)
	if err != nil {
		writeError(w, statusOf(err), err.Error())
		return
	}
	if rows == nil {
		rows = []api.StatsRow{}
	}
	writeJSON(w, http.StatusOK, rows)
}

// parseQuery reads the request-list filters: service, config, model, status,
// since, until (RFC 3339), before (id) and limit.
func parseQuery(v map[string][]string) (store.Query, error) {
	get := func(k string) string {
		if len(v[k]) > 0 {
			return v[k][0]
		}
		return ""
	}
	q := store.Query{Service: get("service"), Config: get("config"), Model: get("model"), Status: get("status")}
	var err error
	if q.Since, err = parseTime("since", get("since")); err != nil {
		return q, err
	}
	if q.Until, err = parseTime("until", get("until")); err != nil {
		return q, err
	}
	if b := get("before"); b != "" {
		if q.BeforeID, err = strconv.ParseInt(b, 10, 64); err != nil || q.BeforeID < 0 {
			return q, badRequest{"before must be a request id"}
		}
	}
	if l := get("limit"); l != "" {
		if q.Limit, err = strconv.Atoi(l); err != nil || q.Limit < 1 || q.Limit > 1000 {
			return q, badRequest{"limit must be between 1 and 1000"}
		}
	}
	return q, nil
}

// parseStatsQuery reads since, until, bucket (hour|day|"") and by (comma
// separated: service, config, model).
func parseStatsQuery(v map[string][]string) (store.StatsQuery, error) {
	get := func(k string) string {
		if len(v[k]) > 0 {
			return v[k][0]
		}
		return ""
	}
	var q store.StatsQuery
	var err error
	if q.Since, err = parseTime("since", get("since")); err != nil {
		return q, err
	}
	if q.Until, err = parseTime("until", get("until")); err != nil {
		return q, err
	}
	switch b := get("bucket"); b {
	case "", "hour", "day":
		q.Bucket = b
	default:
		return q, badRequest{"bucket must be hour or day"}
	}
	if by := get("by"); by != "" {
		for _, f := range strings.Split(by, ",") {
			switch f {
			case "service", "config", "model":
				q.By = append(q.By, f)
			default:
				return q, badRequest{"by must list service, config or model"}
			}
		}
	}
	if tz := get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return q, badRequest{"unknown time zone " + tz}
		}
		q.Location = loc
	}
	return q, nil
}

func parseTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, badRequest{name + " must be an RFC 3339 time"}
	}
	return t, nil
}
