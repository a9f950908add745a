package setup

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file splits a TOML document into statements: blank lines, comments,
// table headers and key/value pairs, each with its byte span. It knows enough
// TOML to tell where a statement ends (multi-line strings and arrays, inline
// tables, comments) and to read keys; it does not check values. That is all
// setup needs to replace a few keys' values and add lines without touching the
// rest of config.toml, comments included.

type tomlKind uint8

const (
	tomlBlank      tomlKind = iota // empty or whitespace-only line
	tomlComment                    // line holding only a comment
	tomlTable                      // [a.b]
	tomlArrayTable                 // [[a.b]]
	tomlKeyValue                   // a.b = value
)

// tomlStmt is one statement. src[start:end] covers its whole line or lines,
// including the final line ending when there is one.
type tomlStmt struct {
	kind     tomlKind
	start    int
	end      int
	key      []string // decoded key parts of a header or key/value pair
	keyStart int
	valStart int // key/value pairs: src[valStart:valEnd] is the value
	valEnd   int
}

type tomlScanner struct {
	path string
	src  []byte
	pos  int
}

// scanTOML splits src into statements that cover it end to end. Errors are
// *ParseError.
func scanTOML(path string, src []byte) ([]tomlStmt, error) {
	s := &tomlScanner{path: path, src: src}
	if bytes.HasPrefix(src, []byte(bom)) {
		s.pos = len(bom)
	}
	var out []tomlStmt
	for s.pos < len(src) {
		st := tomlStmt{start: s.pos}
		if len(out) == 0 {
			st.start = 0 // the byte order mark belongs to the first statement
		}
		s.skipSpace()
		var err error
		switch c := s.peek(); {
		case c == '\n' || s.at("\r\n") || s.pos >= len(src):
			st.kind = tomlBlank
			err = s.endOfLine()
		case c == '#':
			st.kind = tomlComment
			err = s.endOfLine()
		case c == '[':
			err = s.header(&st)
		default:
			err = s.keyValue(&st)
		}
		if err != nil {
			return nil, err
		}
		st.end = s.pos
		out = append(out, st)
	}
	return out, nil
}

func (s *tomlScanner) errorf(off int, format string, args ...any) error {
	return newParseError(s.path, s.src, off, fmt.Sprintf(format, args...))
}

func (s *tomlScanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

func (s *tomlScanner) at(prefix string) bool {
	return bytes.HasPrefix(s.src[s.pos:], []byte(prefix))
}

// char describes the byte at pos for an error message.
func (s *tomlScanner) char() string {
	if s.pos >= len(s.src) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(s.src[s.pos:])
	return fmt.Sprintf("%q", r)
}

func (s *tomlScanner) skipSpace() {
	for s.pos < len(s.src) && (s.src[s.pos] == ' ' || s.src[s.pos] == '\t') {
		s.pos++
	}
}

// endOfLine accepts trailing spaces, an optional comment and the line ending.
func (s *tomlScanner) endOfLine() error {
	s.skipSpace()
	if s.peek() == '#' {
		if i := bytes.IndexByte(s.src[s.pos:], '\n'); i >= 0 {
			s.pos += i
		} else {
			s.pos = len(s.src)
		}
	}
	switch {
	case s.pos >= len(s.src):
	case s.at("\r\n"):
		s.pos += 2
	case s.peek() == '\n':
		s.pos++
	default:
		return s.errorf(s.pos, "unexpected %s, want the end of the line", s.char())
	}
	return nil
}

func (s *tomlScanner) header(st *tomlStmt) error {
	s.pos++ // [
	st.kind = tomlTable
	if s.peek() == '[' {
		s.pos++
		st.kind = tomlArrayTable
	}
	st.keyStart = s.pos
	key, err := s.key()
	if err != nil {
		return err
	}
	st.key = key
	closing := "]"
	if st.kind == tomlArrayTable {
		closing = "]]"
	}
	if !s.at(closing) {
		return s.errorf(s.pos, "unexpected %s in table header, want %q", s.char(), closing)
	}
	s.pos += len(closing)
	return s.endOfLine()
}

func (s *tomlScanner) keyValue(st *tomlStmt) error {
	st.kind = tomlKeyValue
	st.keyStart = s.pos
	key, err := s.key()
	if err != nil {
		return err
	}
	st.key = key
	if s.peek() != '=' {
		return s.errorf(s.pos, "unexpected %s after key, want '='", s.char())
	}
	s.pos++
	s.skipSpace()
	st.valStart = s.pos
	if err := s.value(); err != nil {
		return err
	}
	st.valEnd = s.pos
	for st.valEnd > st.valStart && strings.IndexByte(" \t\r", s.src[st.valEnd-1]) >= 0 {
		st.valEnd--
	}
	if st.valEnd == st.valStart {
		return s.errorf(st.valStart, "missing value after '='")
	}
	return s.endOfLine()
}

// key reads a dotted key (bare, "basic" or 'literal' parts) and the spaces
// after it.
func (s *tomlScanner) key() ([]string, error) {
	var parts []string
	for {
		s.skipSpace()
		start := s.pos
		switch s.peek() {
		case '"', '\'':
			if err := s.shortString(); err != nil {
				return nil, err
			}
			part, ok := tomlStringValue(string(s.src[start:s.pos]))
			if !ok {
				return nil, s.errorf(start, "invalid escape in quoted key")
			}
			parts = append(parts, part)
		default:
			for s.pos < len(s.src) && isBareKeyByte(s.src[s.pos]) {
				s.pos++
			}
			if s.pos == start {
				return nil, s.errorf(s.pos, "unexpected %s, want a key", s.char())
			}
			parts = append(parts, string(s.src[start:s.pos]))
		}
		s.skipSpace()
		if s.peek() != '.' {
			return parts, nil
		}
		s.pos++
	}
}

func isBareKeyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// value skips one value: up to the end of the line or a comment, outside any
// string, array or inline table.
func (s *tomlScanner) value() error {
	start := s.pos
	depth := 0
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; {
		case c == '\n' && depth == 0, c == '#' && depth == 0:
			return nil
		case c == '#':
			if i := bytes.IndexByte(s.src[s.pos:], '\n'); i >= 0 {
				s.pos += i
			} else {
				s.pos = len(s.src)
			}
		case s.at(`"""`), s.at("'''"):
			if err := s.longString(); err != nil {
				return err
			}
		case c == '"' || c == '\'':
			if err := s.shortString(); err != nil {
				return err
			}
		case c == '[' || c == '{':
			depth++
			s.pos++
		case c == ']' || c == '}':
			if depth == 0 {
				return s.errorf(s.pos, "unexpected %q", c)
			}
			depth--
			s.pos++
		default:
			s.pos++
		}
	}
	if depth > 0 {
		return s.errorf(start, "array or inline table is not closed")
	}
	return nil
}

// shortString skips a one-line "basic" or 'literal' string.
func (s *tomlScanner) shortString() error {
	start := s.pos
	quote := s.src[s.pos]
	s.pos++
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; {
		case c == quote:
			s.pos++
			return nil
		case c == '\n':
			return s.errorf(start, "string is not closed on its line")
		case c == '\\' && quote == '"':
			s.pos += 2
		default:
			s.pos++
		}
	}
	return s.errorf(start, "string is not closed")
}

// longString skips a multi-line string, delimited by three double or three
// single quotes; up to two extra quotes before the closing three belong to
// the string.
func (s *tomlScanner) longString() error {
	start := s.pos
	delim := string(s.src[s.pos : s.pos+3])
	s.pos += 3
	for s.pos < len(s.src) {
		switch {
		case s.at(delim):
			s.pos += 3
			for extra := 0; extra < 2 && s.pos < len(s.src) && s.src[s.pos] == delim[0]; extra++ {
				s.pos++
			}
			return nil
		case s.src[s.pos] == '\\' && delim[0] == '"':
			s.pos += 2
		default:
			s.pos++
		}
	}
	return s.errorf(start, "multi-line string is not closed")
}

// tomlStringValue decodes a one-line basic or literal string; ok is false for
// anything else, including invalid escapes.
func tomlStringValue(raw string) (string, bool) {
	if len(raw) < 2 || raw[0] != raw[len(raw)-1] || strings.HasPrefix(raw, `"""`) || strings.HasPrefix(raw, "'''") {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	switch raw[0] {
	case '\'':
		return inner, !strings.ContainsAny(inner, "'\n")
	case '"':
	default:
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c == '"' || c == '\n' {
			return "", false
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(inner) {
			return "", false
		}
		e := inner[i]
		if r, ok := tomlEscape(e); ok {
			b.WriteByte(r)
			continue
		}
		n := hexEscapeLen(e)
		if n == 0 || i+1+n > len(inner) {
			return "", false
		}
		v, err := strconv.ParseUint(inner[i+1:i+1+n], 16, 32)
		if err != nil || !utf8.ValidRune(rune(v)) {
			return "", false
		}
		b.WriteRune(rune(v))
		i += n
	}
	return b.String(), true
}

// tomlEscape returns the byte a one-letter escape such as \n stands for.
func tomlEscape(e byte) (byte, bool) {
	switch e {
	case 'b':
		return '\b', true
	case 't':
		return '\t', true
	case 'n':
		return '\n', true
	case 'f':
		return '\f', true
	case 'r':
		return '\r', true
	case 'e':
		return 0x1b, true
	case '"', '\\':
		return e, true
	}
	return 0, false
}

// hexEscapeLen is how many hex digits follow \x, \u or \U; 0 for others.
func hexEscapeLen(e byte) int {
	switch e {
	case 'x':
		return 2
	case 'u':
		return 4
	case 'U':
		return 8
	}
	return 0
}

// tomlQuote renders s as a TOML basic string.
func tomlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
