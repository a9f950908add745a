package setup

import (
	"bytes"
	"strings"
)

// jsonPair is a member to add to an object: a key with either a raw JSON
// value or, when obj is non-nil, an object made of further pairs.
type jsonPair struct {
	key string
	raw string
	obj []jsonPair
}

// jsonStyle is how a file lays its JSON out; inserted text copies it.
type jsonStyle struct {
	nl   string // line ending
	unit string // one level of indentation
	sep  string // between a key and its value, such as ": "
}

// detectJSONStyle reads the line ending, indentation unit and key separator
// from the top-level object, falling back to LF, two spaces and ": ".
func detectJSONStyle(src []byte, top jsonNode) jsonStyle {
	st := jsonStyle{nl: newline(src), unit: "  ", sep: ": "}
	if len(top.members) == 0 {
		return st
	}
	m := top.members[0]
	if sep := string(src[m.keyEnd:m.value.start]); !strings.ContainsAny(sep, "\r\n/") {
		st.sep = sep
	}
	outer := lineIndent(src, top.start)
	for _, m := range top.members {
		if !onlyIndentBefore(src, m.keyStart) {
			continue
		}
		if ind := lineIndent(src, m.keyStart); len(ind) > len(outer) && strings.HasPrefix(ind, outer) {
			st.unit = ind[len(outer):]
		}
		break
	}
	return st
}

// itemSep separates members of an object kept on one line: ", " unless the
// file is written compactly.
func (st jsonStyle) itemSep() string {
	if strings.Contains(st.sep, " ") {
		return ", "
	}
	return ","
}

// insertMembers returns the edits that append pairs to the object obj, laid
// out like the object's existing members: one per line with the last member's
// indentation when the object spans lines, inline otherwise. An empty object
// in a file of several lines is opened up onto lines of its own.
func insertMembers(src []byte, obj jsonNode, pairs []jsonPair, st jsonStyle) []edit {
	closing := obj.end - 1
	multiline := bytes.IndexByte(src[obj.start:closing], '\n') >= 0
	if len(obj.members) == 0 {
		multiline = multiline || bytes.IndexByte(src, '\n') >= 0
	}
	braceIndent := lineIndent(src, obj.start)
	indent := braceIndent + st.unit
	if n := len(obj.members); n > 0 && multiline && onlyIndentBefore(src, obj.members[n-1].keyStart) {
		indent = lineIndent(src, obj.members[n-1].keyStart)
	}

	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteString(",")
			if !multiline {
				b.WriteString(st.itemSep()[1:])
			}
		}
		if multiline {
			b.WriteString(st.nl + indent)
		}
		b.WriteString(renderPair(p, indent, st, multiline))
	}
	text := b.String()

	if len(obj.members) == 0 {
		// Keep any comment inside the braces; replace only the blank run
		// before the closing brace.
		q := trimSpaceBack(src, closing, obj.start+1)
		if multiline {
			text += st.nl + braceIndent
		}
		return []edit{{start: q, end: closing, text: text}}
	}
	last := obj.members[len(obj.members)-1].value.end
	if !multiline {
		return []edit{{start: last, end: last, text: st.itemSep() + text}}
	}
	// The comma goes right after the last value; the new members go after
	// whatever comment trails it, before the closing brace's line.
	q := trimSpaceBack(src, closing, last)
	return []edit{{start: last, end: last, text: ","}, {start: q, end: q, text: text}}
}

// renderPair writes one member whose line starts at indent.
func renderPair(p jsonPair, indent string, st jsonStyle, multiline bool) string {
	var b strings.Builder
	b.WriteString(jsonQuote(p.key))
	b.WriteString(st.sep)
	if p.obj == nil {
		b.WriteString(p.raw)
		return b.String()
	}
	inner := indent + st.unit
	b.WriteByte('{')
	for i, c := range p.obj {
		if i > 0 {
			b.WriteByte(',')
			if !multiline {
				b.WriteString(st.itemSep()[1:])
			}
		}
		if multiline {
			b.WriteString(st.nl + inner)
		}
		b.WriteString(renderPair(c, inner, st, multiline))
	}
	if multiline && len(p.obj) > 0 {
		b.WriteString(st.nl + indent)
	}
	b.WriteByte('}')
	return b.String()
}

// replaceValue returns the edit that puts raw in place of m's value.
func replaceValue(m *jsonMember, raw string) edit {
	return edit{start: m.value.start, end: m.value.end, text: raw}
}
