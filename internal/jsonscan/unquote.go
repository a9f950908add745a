package jsonscan

import (
	"unicode/utf16"
	"unicode/utf8"
)

// next decodes the unit of JSON string contents at raw[i] the way
// encoding/json does: an escape sequence, a UTF-8 sequence, or an invalid
// byte (decoded as U+FFFD). A lone or unpaired surrogate escape decodes to
// U+FFFD. n is the number of bytes consumed; ok is false for a malformed
// escape or a byte JSON does not allow inside a string.
func next(raw []byte, i int) (r rune, n int, ok bool) {
	c := raw[i]
	switch {
	case c == '"' || c < 0x20:
		return 0, 0, false
	case c < utf8.RuneSelf && c != '\\':
		return rune(c), 1, true
	case c >= utf8.RuneSelf:
		r, n = utf8.DecodeRune(raw[i:])
		return r, n, true
	}
	if i+1 >= len(raw) {
		return 0, 0, false
	}
	switch raw[i+1] {
	case '"', '\\', '/':
		return rune(raw[i+1]), 2, true
	case 'b':
		return '\b', 2, true
	case 'f':
		return '\f', 2, true
	case 'n':
		return '\n', 2, true
	case 'r':
		return '\r', 2, true
	case 't':
		return '\t', 2, true
	case 'u':
		r = hex4(raw[i+2:])
		if r < 0 {
			return 0, 0, false
		}
		if !utf16.IsSurrogate(r) {
			return r, 6, true
		}
		if len(raw) >= i+12 && raw[i+6] == '\\' && raw[i+7] == 'u' {
			if r2 := hex4(raw[i+8:]); r2 >= 0 {
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					return d, 12, true
				}
			}
		}
		return utf8.RuneError, 6, true
	}
	return 0, 0, false
}

// hex4 decodes four hex digits at the start of b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unquoteEqual reports whether the string contents raw (between the quotes)
// decode to s, without allocating.
func unquoteEqual(raw []byte, s string) bool {
	j := 0
	for i := 0; i < len(raw); {
		c := raw[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '\\' && c != '"' {
			if j >= len(s) || s[j] != c {
				return false
			}
			i++
			j++
			continue
		}
		r, n, ok := next(raw, i)
		if !ok {
			return false
		}
		var buf [utf8.UTFMax]byte
		w := utf8.EncodeRune(buf[:], r)
		if len(s)-j < w || string(buf[:w]) != s[j:j+w] {
			return false
		}
		i += n
		j += w
	}
	return j == len(s)
}

// unquote decodes string contents. The common case, contents without
// escapes, control bytes or invalid UTF-8, is a single conversion.
func unquote(raw []byte) (string, bool) {
	plain, ascii := true, true
	for _, c := range raw {
		if c < 0x20 || c == '\\' || c == '"' {
			plain = false
			break
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	if plain && (ascii || utf8.Valid(raw)) {
		return string(raw), true
	}
	out := make([]byte, 0, len(raw)+8)
	for i := 0; i < len(raw); {
		r, n, ok := next(raw, i)
		if !ok {
			return "", false
		}
		if raw[i] != '\\' && (r != utf8.RuneError || n > 1) {
			out = append(out, raw[i:i+n]...) // valid UTF-8 is copied as is
		} else {
			out = utf8.AppendRune(out, r)
		}
		i += n
	}
	return string(out), true
}
