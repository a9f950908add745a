package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/clp-proxy/clp/internal/api"
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
		{name: "small text compresses with s2", reqH: h, respH: h, reqB: bytes.Repeat([]byte(`{"a":1},`), 500), respB: []byte("ok"), wantEncoding: blobS2},
		{name: "large text compresses with zstd", reqH: h, respH: h, reqB: bytes.Repeat([]byte(`{"a":1},`), 2000), respB: []byte("ok"), wantEncoding: blobZstd},
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
	huge := binary.AppendUvarint([]byte{blobS2}, 1<<40) // s2 block claiming 1 TiB
	for _, b := range [][]byte{{9, 1, 2}, {blobZstd, 1, 2, 3}, {blobS2, 5, 0}, huge, {blobRaw, 0x05, 'a'}, {blobRaw, 0, 0, 0, 0, 'x'}} {
		if _, _, _, _, err := c.unpackDetail(b); err == nil {
			t.Errorf("unpackDetail(%x) succeeded, want an error", b)
		}
	}
}

func FuzzUnpackDetail(f *testing.F) {
	c := newTestCodec(f)
	good, _ := c.packDetail(map[string][]string{"A": {"b"}}, nil, bytes.Repeat([]byte("body "), 100), []byte("resp"))
	f.Add(good)
	big, _ := c.packDetail(nil, nil, bytes.Repeat([]byte("body "), 4000), nil)
	f.Add(big)
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

// TestPackPicksTheCodecBySize checks that a compressible blob under
// maxSmall is stored with s2 and one of maxSmall bytes or more with zstd,
// and that both read back.
func TestPackPicksTheCodecBySize(t *testing.T) {
	c := newTestCodec(t)
	words := textVocab()
	tests := []struct {
		size int
		want byte
	}{
		{minCompress - 1, blobRaw},
		{minCompress, blobS2},
		{maxSmall - 1, blobS2},
		{maxSmall, blobZstd},
		{4 * maxSmall, blobZstd},
	}
	for _, tt := range tests {
		in := bytes.Repeat([]byte("abc "), tt.size/4+1)[:tt.size]
		if tt.size >= 1024 {
			in = textBody(words, uint64(tt.size), tt.size)
		}
		b := c.pack(in)
		if b[0] != tt.want {
			t.Errorf("pack(%d bytes) encoding = %d, want %d", tt.size, b[0], tt.want)
		}
		if len(b) > len(in)+1 {
			t.Errorf("pack(%d bytes) = %d bytes, more than stored raw", tt.size, len(b))
		}
		out, err := c.unpack(b)
		if err != nil || !bytes.Equal(out, in) {
			t.Errorf("unpack(pack(%d bytes)) = %d bytes, %v; want the input", tt.size, len(out), err)
		}
	}
}

// TestUnpackReadsZstdSmallBlobs reads a small blob as rows written before
// blobS2 hold it: zstd at the fastest level, Huffman-coded literals.
func TestUnpackReadsZstdSmallBlobs(t *testing.T) {
	c := newTestCodec(t)
	old, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	in := textBody(textVocab(), 1, 3<<10)
	b := old.EncodeAll(in, []byte{blobZstd})
	out, err := c.unpack(b)
	if err != nil || !bytes.Equal(out, in) {
		t.Errorf("unpack(old blob) = %q, %v; want the input", out, err)
	}
}

// BenchmarkPackDetail is the encoding of one record's headers and bodies
// as the writer does it, with BenchmarkWriter's bodies: benchRecord's
// repeated line (compresses ~15:1) or prose-like text (~2:1). stored-B is
// the mean size of the stored blob; cpu-ns/op the process's CPU time per
// blob, steadier than wall time on a busy machine.
func BenchmarkPackDetail(b *testing.B) {
	words := textVocab()
	for _, tc := range []struct {
		body int
		text bool
	}{{1 << 10, false}, {2 << 10, false}, {1 << 10, true}, {2 << 10, true}, {16 << 10, true}} {
		name := fmt.Sprintf("body=%dKiB", tc.body>>10)
		if tc.text {
			name += "-text"
		}
		b.Run(name, func(b *testing.B) {
			c := newTestCodec(b)
			recs := make([]*api.Record, 64)
			for i := range recs {
				recs[i] = benchRecord(i, tc.body)
				if tc.text {
					recs[i].RequestBody = textBody(words, uint64(2*i), tc.body)
					recs[i].ResponseBody = textBody(words, uint64(2*i+1), tc.body)
				}
			}
			var stored, i int
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				r := recs[i%len(recs)]
				i++
				out, err := c.packDetail(r.RequestHeaders, r.ResponseHeaders, r.RequestBody, r.ResponseBody)
				if err != nil {
					b.Fatal(err)
				}
				stored += len(out)
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(i), "cpu-ns/op")
			b.ReportMetric(float64(stored)/float64(i), "stored-B")
		})
	}
}
