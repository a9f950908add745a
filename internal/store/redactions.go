package store

import (
	"encoding/json"

	"github.com/clp-proxy/clp/internal/api"
)

// redactions is the redactions column: counts per rule and where each
// replacement lies in the stored request body. Rows written before spans were
// kept hold the bare counts object; decodeRedactions reads both.
type redactions struct {
	Counts map[string]int      `json:"counts"`
	Spans  []api.RedactionSpan `json:"spans,omitempty"`
}

func encodeRedactions(rec *api.Record) ([]byte, error) {
	return json.Marshal(redactions{Counts: rec.Redactions, Spans: rec.RedactionSpans})
}

func decodeRedactions(b []byte, rec *api.Record) error {
	var r redactions
	if err := json.Unmarshal(b, &r); err == nil && r.Counts != nil {
		rec.Redactions, rec.RedactionSpans = r.Counts, r.Spans
		return nil
	}
	return json.Unmarshal(b, &rec.Redactions)
}
