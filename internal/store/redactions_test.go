package store

import (
	"encoding/json"
	"math"
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

// sameJSON reports whether a and b decode to the same value, keys present
// or omitted alike; it fails the test if either is not JSON.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

func TestEncodeAttemptsAsJSONMarshal(t *testing.T) {
	tests := [][]api.Attempt{
		{{Config: "a", DurationMS: 12.5}},
		{{Config: "a", Status: 529, Error: "overloaded \"x\" <&>", DurationMS: 0.000_000_12}, {Config: "b", Status: 200, DurationMS: 3e21}},
		{{Config: "\x00\u2028\xff", DurationMS: -1.25e-9}, {}},
		{{Config: "c", DurationMS: 123456789.123456}},
	}
	for _, attempts := range tests {
		got, err := encodeAttempts(attempts)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(attempts)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, got, want) {
			t.Errorf("encodeAttempts(%+v) = %s, want %s", attempts, got, want)
		}
		var back, wantBack []api.Attempt
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		json.Unmarshal(want, &wantBack)
		if !reflect.DeepEqual(back, wantBack) {
			t.Errorf("decoded %s = %+v; want %+v", got, back, wantBack)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1)} {
		if _, err := encodeAttempts([]api.Attempt{{Config: "a", DurationMS: f}}); err == nil {
			t.Errorf("encodeAttempts with duration %v: no error", f)
		}
	}
}

func TestAppendFloatAsJSONMarshal(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.1, 1e-6, 9.99e-7, 1e-7, 1.5e-300, 1e20, 1e21, 123.456, -5e-324, math.MaxFloat64} {
		got, err := appendFloat(nil, f)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(f)
		if string(got) != string(want) {
			t.Errorf("appendFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestEncodeRedactionsAsJSONMarshal(t *testing.T) {
	tests := []*api.Record{
		{Redactions: map[string]int{"b": 2, "a": 1, "<&>": 3}},
		{Redactions: map[string]int{"key": 1}, RedactionSpans: []api.RedactionSpan{
			{Rule: "key", Start: 1, End: 9, Preview: "sk-a…(40 chars)"},
			{Rule: "q\"\n", Start: 0, End: 0, Preview: ""},
		}},
		{RedactionSpans: []api.RedactionSpan{{Rule: "r"}}},
	}
	for _, rec := range tests {
		checkRedactionsAsMarshal(t, rec)
	}
}

func FuzzEncodeAttempts(f *testing.F) {
	f.Add("cfg", 529, "overloaded", 12.5, "other", 0, "", 1e-7)
	f.Add("\xff\x00", -1, "\u2028<>", 0.0, "", 200, "\\", 3e21)
	f.Fuzz(func(t *testing.T, c1 string, s1 int, e1 string, d1 float64, c2 string, s2 int, e2 string, d2 float64) {
		attempts := []api.Attempt{
			{Config: c1, Status: s1, Error: e1, DurationMS: d1},
			{Config: c2, Status: s2, Error: e2, DurationMS: d2},
		}
		got, err := encodeAttempts(attempts)
		want, wantErr := json.Marshal(attempts)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("error %v, json.Marshal's %v", err, wantErr)
		}
		if err == nil && !sameJSON(t, got, want) {
			t.Errorf("encodeAttempts = %s, want %s", got, want)
		}
	})
}

func FuzzEncodeRedactions(f *testing.F) {
	f.Add("key", 1, "other", 2, "sk-a…", 3, 9)
	f.Add("\xff", 0, "\u2028\"", -1, "", 0, 0)
	f.Fuzz(func(t *testing.T, r1 string, n1 int, r2 string, n2 int, preview string, start, end int) {
		rec := &api.Record{
			Redactions:     map[string]int{r1: n1, r2: n2},
			RedactionSpans: []api.RedactionSpan{{Rule: r1, Start: start, End: end, Preview: preview}},
		}
		checkRedactionsAsMarshal(t, rec)
	})
}

// BenchmarkEncodeColumns compares the attempts and redactions encoders
// with json.Marshal, which they replace, on a record the filter changed
// and that failed over once.
func BenchmarkEncodeColumns(b *testing.B) {
	rec := &api.Record{
		Attempts: []api.Attempt{
			{Config: "primary", Status: 529, Error: "upstream overloaded", DurationMS: 812.25},
			{Config: "backup", Status: 200, DurationMS: 1423.5},
		},
		Redactions: map[string]int{"anthropic-key": 1, "aws-access-key": 2},
		RedactionSpans: []api.RedactionSpan{
			{Rule: "anthropic-key", Start: 120, End: 228, Preview: "sk-a…(108 chars)"},
			{Rule: "aws-access-key", Start: 900, End: 920, Preview: "AKIA…(20 chars)"},
			{Rule: "aws-access-key", Start: 1400, End: 1420, Preview: "AKIA…(20 chars)"},
		},
	}
	for _, tc := range []struct {
		name string
		enc  func() ([]byte, error)
	}{
		{"attempts", func() ([]byte, error) { return encodeAttempts(rec.Attempts) }},
		{"attempts/json.Marshal", func() ([]byte, error) { return json.Marshal(rec.Attempts) }},
		{"redactions", func() ([]byte, error) { return encodeRedactions(rec) }},
		{"redactions/json.Marshal", func() ([]byte, error) {
			return json.Marshal(redactions{Counts: rec.Redactions, Spans: rec.RedactionSpans})
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tc.enc(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// checkRedactionsAsMarshal checks that encodeRedactions gives rec's
// redactions as json.Marshal writes them.
func checkRedactionsAsMarshal(t *testing.T, rec *api.Record) {
	t.Helper()
	got, err := encodeRedactions(rec)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(redactions{Counts: rec.Redactions, Spans: rec.RedactionSpans})
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, got, want) {
		t.Errorf("encodeRedactions = %s, want %s", got, want)
	}
}
