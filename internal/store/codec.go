package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/clp-proxy/clp/internal/jsonscan"
)

// Stored blobs start with one byte naming their encoding, so that the codec can
// change later without a migration of old rows.
const (
	blobRaw  byte = 0
	blobZstd byte = 1
	blobS2   byte = 2 // since blobs under maxSmall are s2; clp before that cannot read them
)

// minCompress is the size below which a blob is stored raw: zstd's frame
// overhead eats the gain and the CPU is better spent elsewhere.
const minCompress = 128

// maxSmall is the size below which a blob is compressed with s2 instead of
// zstd: for a few KiB, zstd's fixed costs (the literals' Huffman table, the
// sequences' FSE tables) outweigh the matching. On 2-4 KiB details s2 packs
// 3-3.5x faster than zstd's fastest level (2x faster than zstd without
// entropy coding) for blobs 17-41 % larger (BenchmarkPackDetail). Bodies
// above it, where the disk space goes, keep zstd's ratio.
const maxSmall = 8 << 10

// codec compresses bodies and headers for storage. Both directions are safe
// for concurrent use.
type codec struct {
	enc        *zstd.Encoder // blobs of maxSmall bytes or more
	dec        *zstd.Decoder
	maxDecoded int       // the largest s2 blob unpack accepts, decoded
	scratch    sync.Pool // *[]byte for packDetail's sections and pack's output
}

func newCodec(maxBlob int) (*codec, error) {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1),
		zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, fmt.Errorf("zstd encoder: %w", err)
	}
	limit := uint64(64 << 20)
	if maxBlob > 0 {
		limit = max(limit, 2*uint64(maxBlob))
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(limit))
	if err != nil {
		enc.Close()
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	return &codec{enc: enc, dec: dec, maxDecoded: int(min(limit, math.MaxInt32))}, nil
}

func (c *codec) close() {
	c.enc.Close()
	c.dec.Close()
}

// pack returns the stored form of b: nil for an empty b, otherwise a tag byte
// and the raw or compressed bytes, whichever is smaller. It compresses into
// a reused buffer and returns an exact-size copy: the blob waits in the
// writer's batch, and a fresh buffer sized for the worst case costs more
// (zeroing, garbage) than the copy.
func (c *codec) pack(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if len(b) >= minCompress {
		sp := c.getScratch()
		enc, tag := (*sp)[:0], blobZstd
		if len(b) < maxSmall {
			tag = blobS2
			enc = slices.Grow(enc, s2.MaxEncodedLen(len(b)))
			enc = s2.Encode(enc[:cap(enc)], b)
		} else {
			enc = c.enc.EncodeAll(b, enc)
		}
		var out []byte
		if len(enc) < len(b) {
			out = make([]byte, 1+len(enc))
			out[0] = tag
			copy(out[1:], enc)
		}
		*sp = enc
		c.scratch.Put(sp)
		if out != nil {
			return out
		}
	}
	out := make([]byte, 1+len(b))
	out[0] = blobRaw
	copy(out[1:], b)
	return out
}

// getScratch returns a buffer from c.scratch.
func (c *codec) getScratch() *[]byte {
	if bp, _ := c.scratch.Get().(*[]byte); bp != nil {
		return bp
	}
	return new([]byte)
}

// unpack reverses pack.
func (c *codec) unpack(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	switch b[0] {
	case blobRaw:
		return append([]byte(nil), b[1:]...), nil
	case blobZstd:
		out, err := c.dec.DecodeAll(b[1:], nil)
		if err != nil {
			return nil, fmt.Errorf("decompress blob: %w", err)
		}
		return out, nil
	case blobS2:
		n, err := s2.DecodedLen(b[1:])
		if err == nil && n > c.maxDecoded {
			err = fmt.Errorf("%d bytes decoded is over the limit", n)
		}
		var out []byte
		if err == nil {
			out, err = s2.Decode(nil, b[1:])
		}
		if err != nil {
			return nil, fmt.Errorf("decompress blob: %w", err)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("unknown blob encoding %d", b[0])
	}
}

// Detail is stored as one blob per request: four length-prefixed sections
// (request headers as JSON, response headers as JSON, request body,
// response body) packed together, so one compression call covers them all
// and the headers compress against the bodies.

// packDetail encodes the headers and bodies of one request; nil when all
// four are empty.
func (c *codec) packDetail(reqH, respH map[string][]string, reqB, respB []byte) ([]byte, error) {
	rh, err := marshalHeaders(reqH)
	if err != nil {
		return nil, err
	}
	sh, err := marshalHeaders(respH)
	if err != nil {
		return nil, err
	}
	if len(rh)+len(sh)+len(reqB)+len(respB) == 0 {
		return nil, nil
	}
	// The sections are gathered in a reused buffer: fresh large buffers
	// cost more in page faults than the copy itself.
	bp := c.getScratch()
	buf := (*bp)[:0]
	for _, part := range [][]byte{rh, sh, reqB, respB} {
		buf = binary.AppendUvarint(buf, uint64(len(part)))
		buf = append(buf, part...)
	}
	out := c.pack(buf)
	*bp = buf
	c.scratch.Put(bp)
	return out, nil
}

// unpackDetail reverses packDetail; a nil b yields all nil.
func (c *codec) unpackDetail(b []byte) (reqH, respH map[string][]string, reqB, respB []byte, err error) {
	raw, err := c.unpack(b)
	if err != nil || raw == nil {
		return nil, nil, nil, nil, err
	}
	var parts [4][]byte
	for i := range parts {
		n, k := binary.Uvarint(raw)
		if k <= 0 || n > uint64(len(raw)-k) {
			return nil, nil, nil, nil, errors.New("detail blob is truncated")
		}
		if n > 0 {
			parts[i] = raw[k : k+int(n) : k+int(n)]
		}
		raw = raw[k+int(n):]
	}
	if len(raw) != 0 {
		return nil, nil, nil, nil, errors.New("detail blob has trailing bytes")
	}
	if reqH, err = unmarshalHeaders(parts[0]); err != nil {
		return nil, nil, nil, nil, err
	}
	if respH, err = unmarshalHeaders(parts[1]); err != nil {
		return nil, nil, nil, nil, err
	}
	return reqH, respH, parts[2], parts[3], nil
}

// marshalHeaders encodes h as a JSON object of string arrays, keys sorted,
// as json.Marshal would but without reflection: it runs for two header maps
// of every record. A nil value list is written as null, invalid UTF-8 as
// U+FFFD, so unmarshalHeaders reads back what json.Marshal's output gives.
func marshalHeaders(h map[string][]string) ([]byte, error) {
	if len(h) == 0 {
		return nil, nil
	}
	var stack [32]string
	keys := stack[:0]
	n := 2
	for k, vs := range h {
		keys = append(keys, k)
		n += len(k) + 4
		for _, v := range vs {
			n += len(v) + 3
		}
	}
	slices.Sort(keys)
	b := make([]byte, 0, n+n/8)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonscan.AppendString(b, k)
		b = append(b, ':')
		vs := h[k]
		if vs == nil {
			b = append(b, "null"...)
			continue
		}
		b = append(b, '[')
		for j, v := range vs {
			if j > 0 {
				b = append(b, ',')
			}
			b = jsonscan.AppendString(b, v)
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

func unmarshalHeaders(b []byte) (map[string][]string, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var h map[string][]string
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("decode headers: %w", err)
	}
	return h, nil
}
