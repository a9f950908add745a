package store

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/jsonscan"
)

// redactions is the redactions column: counts per rule and where each
// replacement lies in the stored request body. Rows written before spans were
// kept hold the bare counts object; decodeRedactions reads both.
type redactions struct {
	Counts map[string]int      `json:"counts"`
	Spans  []api.RedactionSpan `json:"spans,omitempty"`
}

// encodeRedactions encodes the redactions column as json.Marshal encodes a
// redactions value (keys sorted, the same decoded values), without
// reflection: it runs for every record the filter changed.
func encodeRedactions(rec *api.Record) ([]byte, error) {
	var stack [8]string
	rules := stack[:0]
	n := 32
	for rule := range rec.Redactions {
		rules = append(rules, rule)
		n += len(rule) + 24
	}
	slices.Sort(rules)
	for i := range rec.RedactionSpans {
		n += len(rec.RedactionSpans[i].Rule) + len(rec.RedactionSpans[i].Preview) + 64
	}
	b := make([]byte, 0, n)
	b = append(b, `{"counts":`...)
	if rec.Redactions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		for i, rule := range rules {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonscan.AppendString(b, rule)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(rec.Redactions[rule]), 10)
		}
		b = append(b, '}')
	}
	if len(rec.RedactionSpans) > 0 {
		b = append(b, `,"spans":[`...)
		for i := range rec.RedactionSpans {
			s := &rec.RedactionSpans[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"rule":`...)
			b = jsonscan.AppendString(b, s.Rule)
			b = append(b, `,"start":`...)
			b = strconv.AppendInt(b, int64(s.Start), 10)
			b = append(b, `,"end":`...)
			b = strconv.AppendInt(b, int64(s.End), 10)
			b = append(b, `,"preview":`...)
			b = jsonscan.AppendString(b, s.Preview)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// encodeAttempts encodes the attempts column as json.Marshal encodes
// attempts (the same decoded values), without reflection. Like
// json.Marshal, it fails on a duration that is NaN or infinite.
func encodeAttempts(attempts []api.Attempt) ([]byte, error) {
	n := 2
	for i := range attempts {
		n += len(attempts[i].Config) + len(attempts[i].Error) + 72
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i := range attempts {
		a := &attempts[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"config":`...)
		b = jsonscan.AppendString(b, a.Config)
		if a.Status != 0 {
			b = append(b, `,"status":`...)
			b = strconv.AppendInt(b, int64(a.Status), 10)
		}
		if a.Error != "" {
			b = append(b, `,"error":`...)
			b = jsonscan.AppendString(b, a.Error)
		}
		b = append(b, `,"duration_ms":`...)
		var err error
		if b, err = appendFloat(b, a.DurationMS); err != nil {
			return nil, err
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// appendFloat appends f as encoding/json writes a float64: the shortest
// decimal that reads back as f, in exponent form only below 1e-6 or from
// 1e21 on, with a two-digit negative exponent shortened (1e-07 -> 1e-7).
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errors.New("unsupported float value " + strconv.FormatFloat(f, 'g', -1, 64))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

func decodeRedactions(b []byte, rec *api.Record) error {
	var r redactions
	if err := json.Unmarshal(b, &r); err == nil && r.Counts != nil {
		rec.Redactions, rec.RedactionSpans = r.Counts, r.Spans
		return nil
	}
	return json.Unmarshal(b, &rec.Redactions)
}
