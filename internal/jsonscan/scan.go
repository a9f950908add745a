// Package jsonscan locates the top-level fields of a JSON object without
// decoding the document, so that large request bodies can be inspected and
// edited in place.
//
// The scanner checks the structure of the top-level object strictly (keys are
// strings, colons and commas are where they belong, top-level scalars are
// valid literals or numbers, nothing but whitespace follows the object). Inside
// the values it skips it only checks that strings are terminated and brackets
// balance and match; callers that need a fully valid document use json.Valid.
package jsonscan

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// maxDepth bounds the nesting of a skipped value, as encoding/json bounds it.
const maxDepth = 10000

// bom is the UTF-8 byte order mark, tolerated before the document.
const bom = "\xef\xbb\xbf"

// Field returns the span body[start:end] of the value of the top-level key
// of the JSON object in body: a string value's span includes its quotes, an
// object's its braces. The value may be of any JSON type.
//
// key is compared with the decoded key, so "mod\u0065l" in the document
// matches "model". When the key occurs more than once the last occurrence
// wins, as with encoding/json. Leading whitespace and a UTF-8 byte order mark
// are tolerated.
//
// ok is false when the key is absent, when body is not a JSON object, or when
// the object's structure is malformed (see the package comment for how far
// the scanner checks). Field always scans the whole document; FirstField
// stops early. Field does not allocate.
func Field(body []byte, key string) (start, end int, ok bool) {
	return field(body, key, false)
}

// FirstField is Field for the request path: it returns the first top-level
// occurrence of key and stops there, so a "model" that comes first in a
// 10 MB body costs a few bytes of scanning instead of the whole body.
//
// The price of stopping early: nothing after the returned value is looked
// at, so a later duplicate of key is not seen (Field, like encoding/json,
// would return that one) and a document malformed only after the value still
// yields ok. RFC 8259 leaves the meaning of duplicate names to each parser,
// so no reading of such a document is the right one; a caller that must agree
// with encoding/json exactly uses Field. When key is absent FirstField scans
// and checks the whole document, as Field does. It does not allocate.
func FirstField(body []byte, key string) (start, end int, ok bool) {
	return field(body, key, true)
}

// field implements Field and, with first set, FirstField.
func field(body []byte, key string, first bool) (start, end int, ok bool) {
	i, st := open(body)
	for st == more {
		var k []byte
		var vs, ve int
		k, vs, ve, i, st = member(body, i)
		if ve > 0 && unquoteEqual(k, key) {
			start, end, ok = vs, ve, true
			if first {
				return start, end, true
			}
		}
	}
	if st != closed {
		return 0, 0, false
	}
	return start, end, ok
}

// Members calls fn with each top-level member of the JSON object in body, in
// document order: key is the raw text between the key's quotes (escapes are
// not decoded; compare with EqualKey when that matters) and value the raw
// value (a string keeps its quotes). fn returning false stops the walk.
//
// Members reports whether the object is well formed as far as the walk went
// (the structure the package comment describes, including that nothing but
// whitespace follows the object when the walk reached its end). Members
// has called fn for every member before a fault, so callers that must not
// act on a malformed document collect first and act when Members returns
// true. It does not allocate.
func Members(body []byte, fn func(key, value []byte) bool) bool {
	i, st := open(body)
	for st == more {
		var k []byte
		var vs, ve int
		k, vs, ve, i, st = member(body, i)
		if ve > 0 && !fn(k, body[vs:ve]) {
			return st != bad
		}
	}
	return st == closed
}

// EqualKey reports whether key, raw text between a key's quotes as Members
// passes it, decodes to s. It does not allocate.
func EqualKey(key []byte, s string) bool { return unquoteEqual(key, s) }

// The states of a walk over an object's members.
const (
	more   = iota // a member starts at the index returned
	closed        // the object ended well, with only whitespace after it
	bad           // malformed
)

// open starts a walk over the object in b.
func open(b []byte) (i, state int) {
	i = skipSpace(b, skipBOM(b))
	if i >= len(b) || b[i] != '{' {
		return i, bad
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		if skipSpace(b, i+1) != len(b) {
			return i, bad
		}
		return i, closed
	}
	return i, more
}

// member reads the member starting at b[i]: its raw key, its value's span,
// and where the walk goes on. ve is zero when no value was read; a fault
// after the value (a bad separator, garbage after the object) returns the
// member with state bad.
func member(b []byte, i int) (key []byte, vs, ve, next, state int) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, 0, i, bad
	}
	ke, ok := skipString(b, i)
	if !ok {
		return nil, 0, 0, i, bad
	}
	key = b[i+1 : ke-1]
	i = skipSpace(b, ke)
	if i >= len(b) || b[i] != ':' {
		return nil, 0, 0, i, bad
	}
	vs = skipSpace(b, i+1)
	ve, ok = skipValue(b, vs)
	if !ok {
		return nil, 0, 0, i, bad
	}
	i = skipSpace(b, ve)
	switch {
	case i >= len(b):
		return key, vs, ve, i, bad
	case b[i] == ',':
		return key, vs, ve, skipSpace(b, i+1), more
	case b[i] == '}' && skipSpace(b, i+1) == len(b):
		return key, vs, ve, i, closed
	}
	return key, vs, ve, i, bad
}

// Int returns value, a raw JSON value, as an integer. ok is false when it is
// not a JSON number, has a fraction or exponent, or does not fit an int64.
func Int(value []byte) (n int64, ok bool) {
	if !validNumber(value) {
		return 0, false
	}
	n, err := strconv.ParseInt(string(value), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// RawString returns the contents of value, a raw JSON string with its
// quotes, when it holds no escapes: a view into value, without allocating.
// ok is false for any other value, and for a string with escapes (decode
// those with StringValue).
func RawString(value []byte) (contents []byte, ok bool) {
	if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
		return nil, false
	}
	c := value[1 : len(value)-1]
	if bytes.IndexByte(c, '\\') >= 0 {
		return nil, false
	}
	return c, true
}

// StringValue decodes value, a raw JSON string with its quotes. ok is false
// when value is not a valid JSON string. It allocates only the result.
func StringValue(value []byte) (string, bool) {
	if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
		return "", false
	}
	return unquote(value[1 : len(value)-1])
}

// LastLiteral returns the value of the last member of the top-level object
// when that member is named key (spelled without escapes) and its value is
// true, false, null or a number, reading only the end of body: Claude Code
// sends "stream" last, after messages of megabytes. ok is false otherwise,
// and then nothing is known (use Field or FirstField).
//
// For a valid document the answer is exact: a '"' right after a ',' or '{'
// cannot lie inside a string (there it would be escaped), so the member
// found is the object's last one. Of a key given twice it sees the last;
// of an invalid document it may see a member that a full scan rejects.
func LastLiteral(body []byte, key string) (value []byte, ok bool) {
	if !plainKey(key) {
		return nil, false
	}
	i := skipSpaceBack(body, len(body))
	if i == 0 || body[i-1] != '}' {
		return nil, false
	}
	end := skipSpaceBack(body, i-1)
	start := end
	for start > 0 && isScalarByte(body[start-1]) {
		start--
	}
	if start == end || !validScalar(body[start:end]) {
		return nil, false
	}
	i = skipSpaceBack(body, start)
	if i == 0 || body[i-1] != ':' {
		return nil, false
	}
	i = skipSpaceBack(body, i-1) // just past the key's closing quote
	k := i - len(key) - 2        // the key's opening quote
	if k < 0 || body[k] != '"' || body[i-1] != '"' || string(body[k+1:i-1]) != key {
		return nil, false
	}
	if j := skipSpaceBack(body, k); j == 0 || (body[j-1] != ',' && body[j-1] != '{') {
		return nil, false
	}
	return body[start:end], true
}

// plainKey reports whether key is written in JSON as itself: valid UTF-8
// without quotes, backslashes or control characters.
func plainKey(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.ValidString(key)
}

// skipSpaceBack returns the index just past the last non-whitespace byte of
// b[:i].
func skipSpaceBack(b []byte, i int) int {
	for i > 0 {
		switch b[i-1] {
		case ' ', '\t', '\n', '\r':
			i--
		default:
			return i
		}
	}
	return i
}

// String returns the value of the top-level key decoded as a JSON string.
// ok is false when the key is absent or its value is not a valid string.
// It allocates only the returned string.
func String(body []byte, key string) (string, bool) {
	s, e, ok := Field(body, key)
	if !ok || body[s] != '"' {
		return "", false
	}
	return unquote(body[s+1 : e-1])
}

// FirstString is String with FirstField's rule: the first occurrence of
// key is decoded, and the document is not read past it.
func FirstString(body []byte, key string) (string, bool) {
	s, e, ok := FirstField(body, key)
	if !ok || body[s] != '"' {
		return "", false
	}
	return unquote(body[s+1 : e-1])
}

// Bool returns the value of the top-level key when it is true or false.
// ok is false when the key is absent or its value is not a boolean.
func Bool(body []byte, key string) (value, ok bool) {
	s, e, ok := Field(body, key)
	if !ok {
		return false, false
	}
	switch string(body[s:e]) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// EqualString reports whether value, a JSON string literal with its quotes
// (such as a span returned by Field), decodes to s. It does not allocate.
func EqualString(value []byte, s string) bool {
	if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
		return false
	}
	return unquoteEqual(value[1:len(value)-1], s)
}

func skipBOM(b []byte) int {
	if bytes.HasPrefix(b, []byte(bom)) {
		return len(bom)
	}
	return 0
}

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
// Most of a request body is string contents, so the next quote and the next
// backslash are found with bytes.IndexByte (vectorized); the quote found is
// remembered until the scan passes it, and a backslash is looked for only
// before it, so the work stays linear in the string's length however many
// escapes it holds. An escape skips the byte after its backslash.
func skipString(b []byte, i int) (int, bool) {
	j := i + 1
	q := -1 // the next quote at or after j, once searched
	for {
		if q < j {
			k := bytes.IndexByte(b[j:], '"')
			if k < 0 {
				return 0, false
			}
			q = j + k
		}
		s := bytes.IndexByte(b[j:q], '\\')
		if s < 0 {
			return q + 1, true
		}
		j += s + 2 // the backslash and the byte it escapes
	}
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		return skipContainer(b, i)
	}
	j := i
	for j < len(b) && isScalarByte(b[j]) {
		j++
	}
	if !validScalar(b[i:j]) {
		return 0, false
	}
	return j, true
}

func isScalarByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'E'
}

// validScalar reports whether tok is a JSON literal or number.
func validScalar(tok []byte) bool {
	switch string(tok) {
	case "true", "false", "null":
		return true
	}
	return validNumber(tok)
}

// validNumber checks the JSON number grammar:
// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func validNumber(s []byte) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := digits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

func digits(s []byte, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// skipContainer returns the index just past the object or array starting at
// b[i]. It tracks the kind of each open bracket in a bit stack so that "[}"
// is rejected; the stack lives on the goroutine stack, not the heap.
func skipContainer(b []byte, i int) (int, bool) {
	var stack [maxDepth/64 + 1]uint64 // bit set: '{' open at that depth
	depth := 0
	for j := i; j < len(b); j++ {
		switch c := b[j]; c {
		case '"':
			e, ok := skipString(b, j)
			if !ok {
				return 0, false
			}
			j = e - 1
		case '{', '[':
			if depth == maxDepth {
				return 0, false
			}
			if c == '{' {
				stack[depth/64] |= 1 << (depth % 64)
			} else {
				stack[depth/64] &^= 1 << (depth % 64)
			}
			depth++
		case '}', ']':
			if depth == 0 {
				return 0, false
			}
			depth--
			isObj := stack[depth/64]&(1<<(depth%64)) != 0
			if isObj != (c == '}') {
				return 0, false
			}
			if depth == 0 {
				return j + 1, true
			}
		}
	}
	return 0, false
}
