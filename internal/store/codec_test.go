package store

import (
	"bytes"
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

// literalsType is the Literals_Block_Type of the first block of a zstd
// frame (RFC 8878 3.1.1): 0 raw, 1 RLE, 2 Huffman-coded, 3 treeless; -1
// when the first block is not a compressed block.
func literalsType(t *testing.T, frame []byte) int {
	t.Helper()
	if len(frame) < 5 || !bytes.Equal(frame[:4], []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		t.Fatalf("not a zstd frame: %x", frame[:min(len(frame), 8)])
	}
	fhd := frame[4]
	single := fhd&0x20 != 0
	n := 5
	if !single {
		n++ // window descriptor
	}
	n += [4]int{0, 1, 2, 4}[fhd&3] // dictionary id
	fcs := [4]int{0, 2, 4, 8}[fhd>>6]
	if fhd>>6 == 0 && single {
		fcs = 1
	}
	n += fcs
	if len(frame) < n+4 {
		t.Fatalf("zstd frame too short: %x", frame)
	}
	blockType := (frame[n] >> 1) & 3
	if blockType != 2 {
		return -1
	}
	return int(frame[n+3] & 3)
}

// TestPackSmallSkipsEntropyCoding checks that a blob under maxSmall is
// stored with raw (not Huffman-coded) literals and one of maxSmall bytes
// or more with Huffman-coded ones, and that both read back.
func TestPackSmallSkipsEntropyCoding(t *testing.T) {
	c := newTestCodec(t)
	words := textVocab()
	tests := []struct {
		size         int
		wantLiterals int
	}{
		{1 << 10, 0},
		{maxSmall - 1, 0},
		{maxSmall, 2},
		{4 * maxSmall, 2},
	}
	for _, tt := range tests {
		in := textBody(words, uint64(tt.size), tt.size)
		b := c.pack(in)
		if b[0] != blobZstd {
			t.Fatalf("pack(%d bytes) encoding = %d, want %d", tt.size, b[0], blobZstd)
		}
		if got := literalsType(t, b[1:]); got != tt.wantLiterals {
			t.Errorf("pack(%d bytes) literals block type = %d, want %d", tt.size, got, tt.wantLiterals)
		}
		out, err := c.unpack(b)
		if err != nil || !bytes.Equal(out, in) {
			t.Errorf("unpack(pack(%d bytes)) = %d bytes, %v; want the input", tt.size, len(out), err)
		}
	}
}

// TestUnpackReadsEntropyCodedSmallBlobs reads a small blob as rows written
// before maxSmall hold it: zstd with Huffman-coded literals.
func TestUnpackReadsEntropyCodedSmallBlobs(t *testing.T) {
	c := newTestCodec(t)
	old, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	in := textBody(textVocab(), 1, 3<<10)
	b := old.EncodeAll(in, []byte{blobZstd})
	if got := literalsType(t, b[1:]); got != 2 {
		t.Fatalf("old blob literals block type = %d, want 2 (Huffman)", got)
	}
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
