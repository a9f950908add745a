package route

import (
	"path"
	"strings"
	"unicode/utf8"
)

// A glob is a compiled model-name pattern. The syntax is path.Match's:
// '*' matches any run of characters, '?' one character, '[a-z]' and '[^0-9]'
// a class, '\' escapes. Unlike path.Match, '*' and '?' also match '/':
// model names such as "openai/gpt-5" are not file paths.
//
// Compiling sorts patterns into the shapes rules actually use (an exact
// name, "prefix*", "*suffix", "*"), which match with one comparison;
// anything else runs the general matcher. Matching never allocates.
type glob struct {
	kind    globKind
	lit     string // exact name, prefix or suffix
	pattern string
}

type globKind uint8

const (
	globExact globKind = iota
	globAny
	globPrefix
	globSuffix
	globGeneral
	globNone // a malformed pattern: matches nothing
)

// compileGlob checks pattern's syntax and classifies it.
func compileGlob(pattern string) (glob, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return glob{}, err
	}
	g := glob{kind: globGeneral, pattern: pattern}
	switch {
	case !strings.ContainsAny(pattern, `*?[\`):
		g.kind, g.lit = globExact, pattern
	case strings.Trim(pattern, "*") == "":
		g.kind = globAny
	case strings.HasSuffix(pattern, "*") && !strings.ContainsAny(pattern[:len(pattern)-1], `*?[\`):
		g.kind, g.lit = globPrefix, pattern[:len(pattern)-1]
	case strings.HasPrefix(pattern, "*") && !strings.ContainsAny(pattern[1:], `*?[\`):
		g.kind, g.lit = globSuffix, pattern[1:]
	}
	return g, nil
}

func (g glob) match(name string) bool {
	switch g.kind {
	case globExact:
		return name == g.lit
	case globAny:
		return true
	case globPrefix:
		return strings.HasPrefix(name, g.lit)
	case globSuffix:
		return strings.HasSuffix(name, g.lit)
	case globNone:
		return false
	}
	return matchGlob(g.pattern, name)
}

// matchGlob matches name against a syntactically valid pattern. It keeps one
// backtracking point, the last '*', so it runs in O(len(pattern)*len(name))
// time and constant space.
func matchGlob(p, name string) bool {
	px, nx := 0, 0
	starPx, starNx := -1, 0
	for px < len(p) || nx < len(name) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				starPx, starNx = px, nx
				px++
				continue
			case '?':
				if nx < len(name) {
					_, w := utf8.DecodeRuneInString(name[nx:])
					px++
					nx += w
					continue
				}
			case '[':
				if nx < len(name) {
					r, w := utf8.DecodeRuneInString(name[nx:])
					if ok, n := matchClass(p[px:], r); ok {
						px += n
						nx += w
						continue
					}
				}
			default:
				lit, n := c, 1
				if c == '\\' && px+1 < len(p) {
					lit, n = p[px+1], 2
				}
				if nx < len(name) && name[nx] == lit {
					px += n
					nx++
					continue
				}
			}
		}
		// Mismatch: let the last star swallow one more byte. Bytes, not
		// runes, as path.Match does: a pattern with invalid UTF-8 may match
		// inside a character.
		if starPx < 0 || starNx >= len(name) {
			return false
		}
		starNx++
		px, nx = starPx+1, starNx
	}
	return true
}

// matchClass matches r against the class at the start of p ("[...]") and
// returns the class's length. A malformed class never matches.
func matchClass(p string, r rune) (matched bool, n int) {
	i := 1
	negate := i < len(p) && p[i] == '^'
	if negate {
		i++
	}
	in := false
	for nrange := 0; ; nrange++ {
		if i < len(p) && p[i] == ']' && nrange > 0 {
			return in != negate, i + 1
		}
		lo, w := classChar(p, i)
		if w == 0 {
			return false, 0
		}
		i += w
		hi := lo
		if i < len(p) && p[i] == '-' {
			if hi, w = classChar(p, i+1); w == 0 {
				return false, 0
			}
			i += 1 + w
		}
		if lo <= r && r <= hi {
			in = true
		}
	}
}

// classChar decodes one possibly escaped character of a class at p[i];
// w is 0 when there is none.
func classChar(p string, i int) (r rune, w int) {
	if i >= len(p) || p[i] == '-' || p[i] == ']' {
		return 0, 0
	}
	if p[i] == '\\' {
		if i+1 >= len(p) {
			return 0, 0
		}
		r, w = utf8.DecodeRuneInString(p[i+1:])
		return r, w + 1
	}
	return utf8.DecodeRuneInString(p[i:])
}
