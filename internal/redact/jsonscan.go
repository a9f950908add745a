package redact

import (
	"bytes"
	"sort"
	"unicode/utf16"
	"unicode/utf8"
)

// unitKind says how a unit of text may be matched.
type unitKind uint8

const (
	unitText   unitKind = iota // ordinary text: rules and detectors apply
	unitOpaque                 // value of "signature" or "encrypted_content": never touched
	unitData                   // value of "data": opaque when it is a base64 blob
)

// span is one unit: the bytes [start, end) of the body. In a JSON body a unit is
// the content of one string token, between its quotes and still escaped.
type span struct {
	start, end int
	kind       unitKind
}

// scanStrings appends to out the content of every string token of b (object
// keys included) and reports whether b is exactly one JSON value surrounded by
// optional whitespace. Structure, numbers and literals are checked strictly;
// string contents are not (raw control characters, bad escapes and invalid
// UTF-8 are let through), because they cannot move where a string ends. On
// failure the returned slice holds what was found so far and must be ignored.
func scanStrings(b []byte, out []span) ([]span, bool) {
	var stackBuf [64]byte
	var s scanner
	out, _, st := s.scan(b, out, stackBuf[:0], true)
	return out, st == scanDone
}

// scanner is scanStrings' state, so that a body that arrives in parts is
// scanned once (see Stream): scan reads a prefix of the body, and the next
// call reads a longer prefix of the same body from where it stopped.
type scanner struct {
	// i is where the next scan starts: the start of a token that may be
	// incomplete, or the end of the prefix.
	i       int
	state   uint8
	pending unitKind // kind of the value that follows the key just read
	// quoteFrom is where the search for the closing quote of the string
	// token at i resumes when the end of the prefix cut it, else 0.
	quoteFrom int
}

// scanStatus is what scanner.scan found.
type scanStatus uint8

const (
	scanMore scanStatus = iota // the prefix can start one JSON value, not yet complete or not known to be
	scanDone                   // the body is one JSON value
	scanFail                   // the body is not one JSON value
)

// States of the scanner.
const (
	stValue = iota // a value is expected
	stKey          // an object key is expected (after '{' or ',')
	stColon        // the ':' after a key is expected
	stAfter        // a value ended: ',' or a closer or the end
)

// scan appends to out the string tokens of b, a prefix of the body (the
// whole body when final), from s.i on, with stack the open containers ('{'
// or '['), which it returns updated. Unless final, it stops before a token
// that the end of b may cut (a string, a number, a literal, an opening
// bracket whose container may be empty) and sets s.i to its start.
func (s *scanner) scan(b []byte, out []span, stack []byte, final bool) ([]span, []byte, scanStatus) {
	n := len(b)
	i, state, pending := s.i, s.state, s.pending
	if s.quoteFrom != 0 {
		// The string token at i was cut: its search for the closing
		// quote goes on (here, to keep the loop as fast as it was).
		end, ok := stringEnd(b, s.quoteFrom)
		if !ok {
			s.quoteFrom = n
			return out, stack, more(final)
		}
		s.quoteFrom = 0
		if state == stKey {
			out = append(out, span{start: i + 1, end: end})
			pending, state = keyKind(b[i+1:end]), stColon
		} else {
			out = append(out, span{start: i + 1, end: end, kind: pending})
			pending, state = unitText, stAfter
		}
		i = end + 1
	}
	for {
		i = skipSpace(b, i)
		if i >= n {
			break
		}
		switch state {
		case stValue:
			kind := pending
			switch c := b[i]; c {
			case '{', '[':
				j := skipSpace(b, i+1)
				if j >= n {
					s.i, s.state, s.pending = i, state, pending
					return out, stack, more(final)
				}
				pending = unitText
				if b[j] == c+2 { // '}' or ']': an empty container
					i = j + 1
					state = stAfter
					continue
				}
				stack = append(stack, c)
				i = j
				if c == '{' {
					state = stKey
				}
			case '"':
				end, ok := stringEnd(b, i+1)
				if !ok {
					s.i, s.state, s.pending, s.quoteFrom = i, state, pending, n
					return out, stack, more(final)
				}
				pending = unitText
				out = append(out, span{start: i + 1, end: end, kind: kind})
				i = end + 1
				state = stAfter
			case 't', 'f', 'n':
				lit := "null"
				if c == 't' {
					lit = "true"
				} else if c == 'f' {
					lit = "false"
				}
				if !bytes.HasPrefix(b[i:], []byte(lit)) {
					if !final && n-i < len(lit) && string(b[i:]) == lit[:n-i] {
						s.i, s.state, s.pending = i, state, pending
						return out, stack, scanMore
					}
					return out, stack, scanFail
				}
				pending = unitText
				i += len(lit)
				state = stAfter
			default:
				if !final && numberCut(b, i) {
					s.i, s.state, s.pending = i, state, pending
					return out, stack, scanMore
				}
				j, ok := scanNumber(b, i)
				if !ok {
					return out, stack, scanFail
				}
				pending = unitText
				i = j
				state = stAfter
			}
		case stKey:
			if b[i] != '"' {
				return out, stack, scanFail
			}
			end, ok := stringEnd(b, i+1)
			if !ok {
				s.i, s.state, s.quoteFrom = i, state, n
				return out, stack, more(final)
			}
			out = append(out, span{start: i + 1, end: end})
			pending = keyKind(b[i+1 : end])
			i = skipSpace(b, end+1)
			if i >= n || b[i] != ':' {
				state = stColon
				continue
			}
			i++
			state = stValue
		case stColon:
			if b[i] != ':' {
				return out, stack, scanFail
			}
			i++
			state = stValue
		case stAfter:
			if len(stack) == 0 {
				return out, stack, scanFail // more than one value
			}
			top := stack[len(stack)-1]
			switch b[i] {
			case ',':
				i++
				if top == '{' {
					state = stKey
				} else {
					state = stValue
				}
			case '}', ']':
				if (b[i] == '}') != (top == '{') {
					return out, stack, scanFail
				}
				stack = stack[:len(stack)-1]
				i++
			default:
				return out, stack, scanFail
			}
		}
	}
	s.i, s.state, s.pending = i, state, pending
	if state == stAfter && len(stack) == 0 {
		if final {
			return out, stack, scanDone
		}
		return out, stack, scanMore
	}
	return out, stack, more(final)
}

// more is the status of a scan cut by the end of the prefix: the body is
// not JSON when the prefix was all of it.
func more(final bool) scanStatus {
	if final {
		return scanFail
	}
	return scanMore
}

// numberCut reports whether the number token at b[i] runs to the end of b,
// where more digits may follow.
func numberCut(b []byte, i int) bool {
	for ; i < len(b); i++ {
		switch c := b[i]; {
		case '0' <= c && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
		default:
			return false
		}
	}
	return true
}

// keyKind classifies an object key by the value it introduces: server-issued
// blobs that must round-trip unchanged, and base64 payloads.
func keyKind(key []byte) unitKind {
	switch string(key) {
	case "signature", "encrypted_content":
		return unitOpaque
	case "data":
		return unitData
	}
	return unitText
}

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

// stringEnd returns the index of the quote that closes the string whose
// content starts at j.
func stringEnd(b []byte, j int) (int, bool) {
	for {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return 0, false
		}
		q := j + k
		bs := 0
		for p := q - 1; p >= 0 && b[p] == '\\'; p-- {
			bs++
		}
		if bs%2 == 0 {
			return q, true
		}
		j = q + 1
	}
}

// scanNumber returns the end of the JSON number that starts at i.
func scanNumber(b []byte, i int) (int, bool) {
	n := len(b)
	if i < n && b[i] == '-' {
		i++
	}
	switch {
	case i < n && b[i] == '0':
		i++
	case i < n && '1' <= b[i] && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		return i, false
	}
	if i < n && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return i, false
		}
		i = j
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return i, false
		}
		i = j
	}
	return i, true
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// isBase64Blob reports whether the raw content of a JSON string looks like
// an encoded payload rather than text: at least 256 characters of the base64
// alphabet (either variant) and nothing else, '/' possibly written "\/".
// It looks up eight bytes at a time (images run to megabytes).
func isBase64Blob(raw []byte) bool {
	if len(raw) < 256 {
		return false
	}
	n := len(raw)
	for i := 0; i < len(raw); {
		if i+8 <= len(raw) {
			w := raw[i : i+8 : i+8]
			if notBase64[w[0]]|notBase64[w[1]]|notBase64[w[2]]|notBase64[w[3]]|
				notBase64[w[4]]|notBase64[w[5]]|notBase64[w[6]]|notBase64[w[7]] == 0 {
				i += 8
				continue
			}
		}
		c := raw[i]
		if c == '\\' && i+1 < len(raw) && raw[i+1] == '/' {
			i += 2
			n--
			continue
		}
		if notBase64[c] != 0 {
			return false
		}
		i++
	}
	return n >= 256
}

// notBase64 is 1 for the bytes outside the base64 alphabets.
var notBase64 = func() (t [256]uint8) {
	for i := range t {
		t[i] = 1
	}
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_") {
		t[c] = 0
	}
	return t
}()

// esc is one escape sequence of a JSON string: the raw bytes [raw, raw+rawLen)
// decode to the bytes [dec, dec+decLen) of the decoded text.
type esc struct {
	raw, rawLen, dec, decLen int
}

// decodeString decodes the content of a JSON string, or its start: it stops
// once limit decoded bytes are out, and returns how many raw bytes it used.
// It returns (part of) raw itself when that holds no escapes; otherwise it
// decodes into buf and lists every escape in escs. Unknown escapes and bad
// \u sequences are kept as they are, as one unit, so that no match can split
// them; lone surrogates become U+FFFD.
func decodeString(raw, buf []byte, escs []esc, limit int) ([]byte, []esc, int) {
	escs = escs[:0]
	limit = min(limit, len(raw))
	first := bytes.IndexByte(raw[:limit], '\\')
	if first < 0 {
		return raw[:limit], escs, limit
	}
	buf = append(buf[:0], raw[:first]...)
	i := first
	for i < len(raw) && len(buf) < limit {
		if raw[i] != '\\' {
			k := bytes.IndexByte(raw[i:], '\\')
			if k < 0 {
				k = len(raw) - i
			}
			k = min(k, limit-len(buf))
			buf = append(buf, raw[i:i+k]...)
			i += k
			continue
		}
		dec := len(buf)
		rawLen := 2
		if i+1 >= len(raw) {
			rawLen = 1
			buf = append(buf, '\\')
		} else {
			switch c := raw[i+1]; c {
			case '"', '\\', '/':
				buf = append(buf, c)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := hex4(raw[i+2:])
				switch {
				case !ok:
					buf = append(buf, raw[i:i+2]...)
				case utf16.IsSurrogate(r):
					rawLen = 6
					if r < 0xDC00 && i+12 <= len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
						if r2, ok := hex4(raw[i+8:]); ok {
							if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
								r = pair
								rawLen = 12
							}
						}
					}
					if rawLen == 6 {
						r = utf8.RuneError
					}
					buf = utf8.AppendRune(buf, r)
				default:
					rawLen = 6
					buf = utf8.AppendRune(buf, r)
				}
			default:
				buf = append(buf, raw[i:i+2]...)
			}
		}
		escs = append(escs, esc{raw: i, rawLen: rawLen, dec: dec, decLen: len(buf) - dec})
		i += rawLen
	}
	return buf, escs, i
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// rawOffset maps the offset d of decoded text to an offset of its raw JSON
// form. An offset inside the decoding of one escape moves to the escape's
// start, or to its end when end is true, so a mapped range never splits an
// escape sequence.
func rawOffset(escs []esc, d int, end bool) int {
	i := sort.Search(len(escs), func(i int) bool { return escs[i].dec+escs[i].decLen > d })
	if i < len(escs) && escs[i].dec < d {
		if end {
			return escs[i].raw + escs[i].rawLen
		}
		return escs[i].raw
	}
	if i == 0 {
		return d
	}
	e := escs[i-1]
	return d + (e.raw + e.rawLen) - (e.dec + e.decLen)
}

// decodedOffset maps the raw offset r (not inside an escape, or else taken
// as the escape's start) to the offset in the decoded text.
func decodedOffset(escs []esc, r int) int {
	i := sort.Search(len(escs), func(i int) bool { return escs[i].raw+escs[i].rawLen > r })
	if i < len(escs) && escs[i].raw < r {
		return escs[i].dec
	}
	if i == 0 {
		return r
	}
	e := escs[i-1]
	return r - (e.raw + e.rawLen) + (e.dec + e.decLen)
}

// escapeEnd returns the end of the escape sequence of raw that p lies
// strictly inside, or p.
func escapeEnd(raw []byte, p int) int {
	q := escapeStart(raw, p)
	if q == p {
		return p
	}
	if raw[q+1] == 'u' {
		return q + 6
	}
	return q + 2
}

// escapeStart returns the start of the escape sequence of raw that p lies
// strictly inside, or p. The two halves of a surrogate pair count as two.
func escapeStart(raw []byte, p int) int {
	for q := p - 1; q >= 0 && q >= p-5; q-- {
		if raw[q] != '\\' {
			continue
		}
		n := 0 // backslashes before q
		for r := q - 1; r >= 0 && raw[r] == '\\'; r-- {
			n++
		}
		if n%2 == 1 {
			continue // raw[q] is the escaped half of "\\\\"
		}
		size := 2
		if q+1 < len(raw) && raw[q+1] == 'u' {
			if _, ok := hex4(raw[q+2:]); ok {
				size = 6
			}
		}
		if q+min(size, len(raw)-q) > p {
			return q
		}
		return p
	}
	return p
}

// appendEscaped appends s written as the content of a JSON string.
func appendEscaped(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
