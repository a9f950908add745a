package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func newTestCodec(t testing.TB) *codec {
	t.Helper()
	c, err := newCodec(256 << 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.close)
	return c
}

func TestPackDetailRoundtrip(t *testing.T) {
	c := newTestCodec(t)
	h := map[string][]string{"Content-Type": {"application/json"}, "X-Multi": {"a", "b"}}
	tests := []struct {
		name         string
		reqH, respH  map[string][]string
		reqB, respB  []byte
		wantNil      bool
		wantEncoding byte
	}{
		{name: "empty", wantNil: true},
		{name: "tiny stays raw", reqB: []byte("hi"), wantEncoding: blobRaw},
		{name: "text compresses", reqH: h, respH: h, reqB: bytes.Repeat([]byte(`{"a":1},`), 500), respB: []byte("ok"), wantEncoding: blobZstd},
		{name: "random stays raw", reqB: randomBytes(7, 4096), wantEncoding: blobRaw},
		{name: "only headers", respH: h, wantEncoding: blobRaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := c.packDetail(tt.reqH, tt.respH, tt.reqB, tt.respB)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantNil {
				if b != nil {
					t.Fatalf("packDetail of nothing = %x, want nil", b)
				}
				return
			}
			if b[0] != tt.wantEncoding {
				t.Errorf("encoding = %d, want %d", b[0], tt.wantEncoding)
			}
			reqH, respH, reqB, respB, err := c.unpackDetail(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(reqH, tt.reqH) || !reflect.DeepEqual(respH, tt.respH) ||
				!bytes.Equal(reqB, tt.reqB) || !bytes.Equal(respB, tt.respB) {
				t.Errorf("roundtrip = %v %v %q %q", reqH, respH, reqB, respB)
			}
		})
	}
}

func TestUnpackRejectsGarbage(t *testing.T) {
	c := newTestCodec(t)
	for _, b := range [][]byte{{9, 1, 2}, {blobZstd, 1, 2, 3}, {blobRaw, 0x05, 'a'}, {blobRaw, 0, 0, 0, 0, 'x'}} {
		if _, _, _, _, err := c.unpackDetail(b); err == nil {
			t.Errorf("unpackDetail(%x) succeeded, want an error", b)
		}
	}
}

func FuzzUnpackDetail(f *testing.F) {
	c := newTestCodec(f)
	good, _ := c.packDetail(map[string][]string{"A": {"b"}}, nil, bytes.Repeat([]byte("body "), 100), []byte("resp"))
	f.Add(good)
	f.Add([]byte{blobRaw, 0, 0, 1, 'x', 0})
	f.Add([]byte{blobZstd})
	f.Fuzz(func(t *testing.T, b []byte) {
		reqH, respH, reqB, respB, err := c.unpackDetail(b)
		if err != nil {
			return
		}
		again, err := c.packDetail(reqH, respH, reqB, respB)
		if err != nil {
			t.Fatal(err)
		}
		r2, s2, q2, p2, err := c.unpackDetail(again)
		if err != nil || !reflect.DeepEqual(r2, reqH) || !reflect.DeepEqual(s2, respH) ||
			!bytes.Equal(q2, reqB) || !bytes.Equal(p2, respB) {
			t.Fatalf("repacking changed the detail (%v)", err)
		}
	})
}

func TestMarshalHeaders(t *testing.T) {
	tests := []struct {
		name string
		h    map[string][]string
		want string
	}{
		{"empty", map[string][]string{}, ""},
		{"sorted keys", map[string][]string{"b": {"2"}, "a": {"1", "x"}}, `{"a":["1","x"],"b":["2"]}`},
		{"null and empty lists", map[string][]string{"n": nil, "e": {}}, `{"e":[],"n":null}`},
		{"escapes", map[string][]string{"k\"": {"a\\b\n\r\t\x01<>&é"}}, `{"k\"":["a\\b\n\r\t\u0001<>&é"]}`},
		{"invalid utf8", map[string][]string{"k": {"a\xffb\xc3"}}, `{"k":["a\ufffdb\ufffd"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := marshalHeaders(tt.h)
			if err != nil || string(got) != tt.want {
				t.Errorf("marshalHeaders(%q) = %s, %v; want %s", tt.h, got, err, tt.want)
			}
		})
	}
}

// FuzzMarshalHeaders checks that marshalHeaders reads back exactly as
// json.Marshal's encoding of the same map does.
func FuzzMarshalHeaders(f *testing.F) {
	f.Add("Content-Type", "application/json", "x")
	f.Add("k\"\\", "\x00\x1f\x7f\u2028", "\xff\xfe")
	f.Add("", "", "\xe2\x82")
	f.Fuzz(func(t *testing.T, k, v1, v2 string) {
		h := map[string][]string{k: {v1, v2}, k + "2": {v2}, k + "3": nil}
		got, err := marshalHeaders(h)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(got) {
			t.Fatalf("marshalHeaders(%q) = %q, not valid JSON", h, got)
		}
		ref, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		a, errA := unmarshalHeaders(got)
		b, errB := unmarshalHeaders(ref)
		if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("marshalHeaders(%q) reads back as %q (%v), json.Marshal's as %q (%v)", h, a, errA, b, errB)
		}
	})
}

// BenchmarkMarshalHeaders encodes a Claude Code request's headers, as the
// writer does for every record.
func BenchmarkMarshalHeaders(b *testing.B) {
	h := map[string][]string{
		"Authorization": {"Bearer …cdef"}, "Anthropic-Version": {"2023-06-01"},
		"Anthropic-Beta": {"claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27"},
		"Content-Type":   {"application/json"}, "Accept": {"application/json"},
		"Accept-Encoding": {"gzip, deflate, br, zstd"}, "User-Agent": {"claude-cli/2.1.0 (external, cli)"},
		"X-App": {"cli"}, "X-Claude-Code-Session-Id": {"0b3c9c1e-5d7e-4a39-9a43-1f4f0b6f7a11"},
		"X-Stainless-Arch": {"x64"}, "X-Stainless-Lang": {"js"}, "X-Stainless-Os": {"Linux"},
		"X-Stainless-Package-Version": {"0.60.0"}, "X-Stainless-Retry-Count": {"0"},
		"X-Stainless-Runtime": {"node"}, "X-Stainless-Timeout": {"600"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := marshalHeaders(h); err != nil {
			b.Fatal(err)
		}
	}
}
