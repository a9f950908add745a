package store

import (
	"bytes"
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
