package route

import (
	"bytes"

	"github.com/clp-proxy/clp/internal/jsonscan"
)

// SetModel replaces the value of the top-level "model" string field of the
// JSON object body with model and returns the new body. Every byte outside
// that value is kept as it was: the body is never decoded and re-encoded.
//
// When the field already holds model, body itself is returned (no copy) and
// changed is false. When body is not a JSON object or has no top-level
// "model" string, body is returned unchanged and changed is false.
// Otherwise the result is one newly allocated slice; body is not modified.
//
// The field is found with jsonscan.FirstField: clients send "model" first,
// so a 10 MB body costs a few bytes of scanning, not a pass over all of it.
// With duplicate "model" keys the first one is replaced (encoding/json
// would read the last; such a document has no single meaning, RFC 8259
// §4), and a body malformed only after the field is still rewritten; the
// proxy reads the requested model with the same rule, so the two agree.
//
// model is encoded as a JSON string; invalid UTF-8 in it becomes U+FFFD.
func SetModel(body []byte, model string) (out []byte, changed bool) {
	start, end, ok := modelSpan(body, model)
	if !ok {
		return body, false
	}
	var buf [64]byte // model names are short; a longer one costs an allocation
	quoted := jsonscan.AppendString(buf[:0], model)
	// bytes.Join allocates its result without zeroing it first, which
	// matters at 10 MB.
	return bytes.Join([][]byte{body[:start], quoted, body[end:]}, nil), true
}

// modelSpan returns the span of the "model" value SetModel replaces, and
// false when SetModel leaves body as it is.
func modelSpan(body []byte, model string) (start, end int, ok bool) {
	start, end, ok = jsonscan.FirstField(body, "model")
	if !ok || body[start] != '"' || jsonscan.EqualString(body[start:end], model) {
		return 0, 0, false
	}
	return start, end, true
}

// Edit replaces body[Start:End] with Value.
type Edit struct {
	Start, End int
	Value      []byte
}

// Delta is how much longer the edit makes the body (negative: shorter).
func (e Edit) Delta() int { return len(e.Value) - (e.End - e.Start) }

// ModelEdit is SetModel without the copy: SetModel's result is
// body[:e.Start] + e.Value + body[e.End:], and ok is false exactly when
// SetModel would return body unchanged. A caller that can send the body in
// pieces (the proxy) saves copying a body of up to many megabytes.
func ModelEdit(body []byte, model string) (e Edit, ok bool) {
	start, end, ok := modelSpan(body, model)
	if !ok {
		return Edit{}, false
	}
	return Edit{Start: start, End: end, Value: jsonscan.AppendString(make([]byte, 0, len(model)+2), model)}, true
}
