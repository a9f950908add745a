package store

import (
	"encoding/json"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// Stored blobs start with one byte naming their encoding, so that the codec can
// change later without a migration of old rows.
const (
	blobRaw  byte = 0
	blobZstd byte = 1
)

// minCompress is the size below which a blob is stored raw: zstd's frame
// overhead eats the gain and the CPU is better spent elsewhere.
const minCompress = 128

// codec compresses bodies and headers for storage. Both directions are safe
// for concurrent use.
type codec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newCodec(maxBlob int) (*codec, error) {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1),
		zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, fmt.Errorf("zstd encoder: %w", err)
	}
	limit := uint64(maxBlob) * 2
	if limit < 64<<20 {
		limit = 64 << 20
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(limit))
	if err != nil {
		enc.Close()
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	return &codec{enc: enc, dec: dec}, nil
}

func (c *codec) close() {
	c.enc.Close()
	c.dec.Close()
}

// pack returns the stored form of b: nil for an empty b, otherwise a tag byte
// and the raw or compressed bytes, whichever is smaller.
func (c *codec) pack(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if len(b) >= minCompress {
		out := make([]byte, 1, len(b)/4+16)
		out[0] = blobZstd
		out = c.enc.EncodeAll(b, out)
		if len(out) < len(b)+1 {
			return out
		}
	}
	out := make([]byte, 1+len(b))
	out[0] = blobRaw
	copy(out[1:], b)
	return out
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
	default:
		return nil, fmt.Errorf("unknown blob encoding %d", b[0])
	}
}

// packHeaders stores a header map as compressed JSON; nil for an empty map.
func (c *codec) packHeaders(h map[string][]string) ([]byte, error) {
	if len(h) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode headers: %w", err)
	}
	return c.pack(b), nil
}

func (c *codec) unpackHeaders(b []byte) (map[string][]string, error) {
	raw, err := c.unpack(b)
	if err != nil || raw == nil {
		return nil, err
	}
	var h map[string][]string
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("decode headers: %w", err)
	}
	return h, nil
}
