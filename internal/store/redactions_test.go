package store

import (
	"reflect"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
)

func TestRedactionsRoundTripAndLegacyRows(t *testing.T) {
	rec := &api.Record{
		Redactions:     map[string]int{"aws-access-key": 1, "counts": 2},
		RedactionSpans: []api.RedactionSpan{{Rule: "aws-access-key", Start: 10, End: 34, Preview: "AKIA…(20 chars)"}},
	}
	b, err := encodeRedactions(rec)
	if err != nil {
		t.Fatal(err)
	}
	var got api.Record
	if err := decodeRedactions(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Redactions, rec.Redactions) || !reflect.DeepEqual(got.RedactionSpans, rec.RedactionSpans) {
		t.Errorf("round trip: got %+v %+v", got.Redactions, got.RedactionSpans)
	}
	// A row written before spans were kept: a bare counts object, even one
	// whose rule is named "counts".
	for _, legacy := range []string{`{"env-secret":3}`, `{"counts":4}`} {
		var old api.Record
		if err := decodeRedactions([]byte(legacy), &old); err != nil || len(old.Redactions) != 1 || old.RedactionSpans != nil {
			t.Errorf("legacy %s: %v %+v", legacy, err, old)
		}
	}
}
