package setup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// This file holds a small JSON reader that remembers where values sit in the
// source text, and the edits built on it. Setup edits settings.json and
// auth.json by splicing text, never by re-marshalling a map, so key order,
// indentation, line endings and any // or /* */ comments survive.

// maxJSONDepth bounds nesting so a hostile file cannot exhaust the stack.
const maxJSONDepth = 1000

// recordDepth is how deep objects keep their member list; setup only edits the
// top-level object and the objects directly inside it.
const recordDepth = 2

// jsonNode is one JSON value: its kind and where its text starts and ends.
type jsonNode struct {
	kind    byte // '{', '[', '"', '0' (number), 't', 'f', 'n'
	start   int  // offset of the first byte of the value
	end     int  // offset just past the value
	members []jsonMember
}

// jsonMember is one key/value pair of an object.
type jsonMember struct {
	key      string // decoded key
	keyStart int
	keyEnd   int
	value    jsonNode
}

// lookup returns the members named key, in source order (duplicates included).
func (n *jsonNode) lookup(key string) []*jsonMember {
	var out []*jsonMember
	for i := range n.members {
		if n.members[i].key == key {
			out = append(out, &n.members[i])
		}
	}
	return out
}

// ParseError reports a client file that setup cannot read or that does not
// have the shape it needs (say, a settings.json whose "env" is not an
// object), with the 1-based line and column, in characters, of the problem.
type ParseError struct {
	Path string
	Line int
	Col  int
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
}

// newParseError places msg at byte offset off of src.
func newParseError(path string, src []byte, off int, msg string) *ParseError {
	line, col := lineCol(src, off)
	return &ParseError{Path: path, Line: line, Col: col, Msg: msg}
}

// lineCol turns a byte offset into a 1-based line and character column.
func lineCol(src []byte, off int) (line, col int) {
	off = min(max(off, 0), len(src))
	before := src[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	start := bytes.LastIndexByte(before, '\n') + 1
	if line == 1 && bytes.HasPrefix(src, []byte(bom)) && off >= len(bom) {
		start = len(bom) // editors do not count the byte order mark
	}
	return line, 1 + utf8.RuneCount(before[start:])
}

// bom is the UTF-8 byte order mark some Windows editors put first.
const bom = "\xEF\xBB\xBF"

type jsonParser struct {
	path string
	src  []byte
	pos  int
}

// parseJSON parses src as one JSON value, allowing // and /* */ comments and
// a leading byte order mark. Errors are *ParseError.
func parseJSON(path string, src []byte) (jsonNode, error) {
	p := &jsonParser{path: path, src: src}
	if bytes.HasPrefix(src, []byte(bom)) {
		p.pos = len(bom)
	}
	if err := p.skipTrivia(); err != nil {
		return jsonNode{}, err
	}
	v, err := p.value(0)
	if err != nil {
		return jsonNode{}, err
	}
	if err := p.skipTrivia(); err != nil {
		return jsonNode{}, err
	}
	if p.pos < len(src) {
		return jsonNode{}, p.errorf("invalid character %s after top-level value", p.char())
	}
	return v, nil
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return newParseError(p.path, p.src, p.pos, fmt.Sprintf(format, args...))
}

// char describes the byte at pos for an error message.
func (p *jsonParser) char() string {
	if p.pos >= len(p.src) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(p.src[p.pos:])
	return fmt.Sprintf("%q", r)
}

// skipTrivia skips whitespace and comments.
func (p *jsonParser) skipTrivia() error {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.pos++
		case c == '/' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '/':
			if i := bytes.IndexByte(p.src[p.pos:], '\n'); i >= 0 {
				p.pos += i
			} else {
				p.pos = len(p.src)
			}
		case c == '/' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '*':
			i := bytes.Index(p.src[p.pos+2:], []byte("*/"))
			if i < 0 {
				return p.errorf("unterminated /* comment")
			}
			p.pos += 2 + i + 2
		default:
			return nil
		}
	}
	return nil
}

func (p *jsonParser) value(depth int) (jsonNode, error) {
	if depth >= maxJSONDepth {
		return jsonNode{}, p.errorf("nesting deeper than %d levels", maxJSONDepth)
	}
	if p.pos >= len(p.src) {
		return jsonNode{}, p.errorf("unexpected end of file, want a value")
	}
	start := p.pos
	var err error
	n := jsonNode{start: start}
	switch c := p.src[p.pos]; {
	case c == '{':
		n.kind = '{'
		n.members, err = p.object(depth)
	case c == '[':
		n.kind = '['
		err = p.array(depth)
	case c == '"':
		n.kind = '"'
		err = p.str()
	case c == '-' || ('0' <= c && c <= '9'):
		n.kind = '0'
		err = p.number()
	case c == 't':
		n.kind = 't'
		err = p.literal("true")
	case c == 'f':
		n.kind = 'f'
		err = p.literal("false")
	case c == 'n':
		n.kind = 'n'
		err = p.literal("null")
	default:
		err = p.errorf("invalid character %s looking for a value", p.char())
	}
	n.end = p.pos
	return n, err
}

func (p *jsonParser) object(depth int) ([]jsonMember, error) {
	p.pos++ // {
	var members []jsonMember
	if err := p.skipTrivia(); err != nil {
		return nil, err
	}
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return members, nil
	}
	for {
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.errorf("invalid character %s looking for an object key", p.char())
		}
		keyStart := p.pos
		if err := p.str(); err != nil {
			return nil, err
		}
		keyEnd := p.pos
		if err := p.skipTrivia(); err != nil {
			return nil, err
		}
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.errorf("invalid character %s after object key, want ':'", p.char())
		}
		p.pos++
		if err := p.skipTrivia(); err != nil {
			return nil, err
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if depth < recordDepth {
			key, err := decodeJSONString(p.src[keyStart:keyEnd])
			if err != nil {
				return nil, newParseError(p.path, p.src, keyStart, err.Error())
			}
			members = append(members, jsonMember{key: key, keyStart: keyStart, keyEnd: keyEnd, value: v})
		}
		if err := p.skipTrivia(); err != nil {
			return nil, err
		}
		if p.pos >= len(p.src) {
			return nil, p.errorf("unexpected end of file, want ',' or '}'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			if err := p.skipTrivia(); err != nil {
				return nil, err
			}
		case '}':
			p.pos++
			return members, nil
		default:
			return nil, p.errorf("invalid character %s after object value, want ',' or '}'", p.char())
		}
	}
}

func (p *jsonParser) array(depth int) error {
	p.pos++ // [
	if err := p.skipTrivia(); err != nil {
		return err
	}
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return nil
	}
	for {
		if _, err := p.value(depth + 1); err != nil {
			return err
		}
		if err := p.skipTrivia(); err != nil {
			return err
		}
		if p.pos >= len(p.src) {
			return p.errorf("unexpected end of file, want ',' or ']'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			if err := p.skipTrivia(); err != nil {
				return err
			}
		case ']':
			p.pos++
			return nil
		default:
			return p.errorf("invalid character %s after array element, want ',' or ']'", p.char())
		}
	}
}

// str consumes one string literal, checking its escapes.
func (p *jsonParser) str() error {
	start := p.pos
	p.pos++ // opening quote
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return nil
		case c < 0x20:
			return p.errorf("invalid control character %s in string", p.char())
		case c == '\\':
			p.pos++
			if p.pos >= len(p.src) {
				return newParseError(p.path, p.src, start, "unterminated string")
			}
			switch p.src[p.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.pos++
			case 'u':
				p.pos++
				for range 4 {
					if p.pos >= len(p.src) || !isHex(p.src[p.pos]) {
						return p.errorf("invalid character %s in \\u escape", p.char())
					}
					p.pos++
				}
			default:
				return p.errorf("invalid escape character %s in string", p.char())
			}
		default:
			p.pos++
		}
	}
	return newParseError(p.path, p.src, start, "unterminated string")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number consumes -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *jsonParser) number() error {
	if p.src[p.pos] == '-' {
		p.pos++
	}
	digits := func() error {
		if p.pos >= len(p.src) || !isDigit(p.src[p.pos]) {
			return p.errorf("invalid character %s in number, want a digit", p.char())
		}
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.pos++
		}
		return nil
	}
	if p.pos < len(p.src) && p.src[p.pos] == '0' {
		p.pos++
	} else if err := digits(); err != nil {
		return err
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if err := digits(); err != nil {
			return err
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		return digits()
	}
	return nil
}

func (p *jsonParser) literal(word string) error {
	if !bytes.HasPrefix(p.src[p.pos:], []byte(word)) {
		return p.errorf("invalid character %s looking for a value", p.char())
	}
	p.pos += len(word)
	return nil
}

// decodeJSONString decodes a string literal already checked by the parser.
func decodeJSONString(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("bad string: %w", err)
	}
	return s, nil
}

// jsonStringValue returns the decoded string held by n, if n is a string.
func jsonStringValue(src []byte, n jsonNode) (string, bool) {
	if n.kind != '"' {
		return "", false
	}
	s, err := decodeJSONString(src[n.start:n.end])
	return s, err == nil
}

// jsonQuote renders s as a JSON string literal without HTML escaping, so URLs
// with & stay readable.
func jsonQuote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}
