package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Rule is one user rule of filter.json, in the original CLP's format plus
// optional fields.
type Rule struct {
	// Name labels the rule in reports; empty means "rule N" (N counts from 1
	// in file order).
	Name string `json:"name,omitempty"`
	// Source is a regular expression (Go syntax), or, when it does not
	// compile as one, literal text. It is matched against decoded text: the
	// value of each JSON string, or the whole body when that is not JSON.
	Source string `json:"source"`
	// Target replaces each match, as literal text ($ has no special meaning).
	Target string `json:"target"`
	// Op is "replace" (the default when empty) or "remove" (replace with
	// nothing; Target is ignored).
	Op string `json:"op"`
	// Enabled false turns the rule off; nil means on.
	Enabled *bool `json:"enabled,omitempty"`
	// Services limits the rule to these services ("claude", "codex"); empty
	// means every service.
	Services []string `json:"services,omitempty"`
}

// Ops a Rule may have.
const (
	OpReplace = "replace"
	OpRemove  = "remove"
)

// On reports whether the rule is enabled.
func (r Rule) On() bool { return r.Enabled == nil || *r.Enabled }

// Label is the rule's name in reports: Name, or "rule N" for the rule at
// index i (N = i+1).
func (r Rule) Label(i int) string {
	if r.Name != "" {
		return r.Name
	}
	return "rule " + strconv.Itoa(i+1)
}

// ParseRules reads the rules of a filter.json: a list of rules, a single rule
// object, null, or an empty (or blank) file, which means no rules. Syntax
// errors name the line and column. Unknown fields are ignored, as the original
// CLP did. The rules are not validated here; Compile does that.
func ParseRules(data []byte) ([]Rule, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, nil
	}
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, jsonError(data, err)
	}
	switch trimmed[0] {
	case 'n': // null
		return nil, nil
	case '{':
		var r Rule
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, jsonError(data, err)
		}
		return []Rule{r}, nil
	case '[':
		var rules []Rule
		if err := json.Unmarshal(data, &rules); err != nil {
			return nil, jsonError(data, err)
		}
		return rules, nil
	}
	return nil, fmt.Errorf("want a list of rules or one rule object, got %s", abbreviate(trimmed))
}

// jsonError adds the line and column of a decoding error's offset.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var off int64
	switch {
	case errors.As(err, &syn):
		off = syn.Offset - 1 // Offset is just past the bad byte
	case errors.As(err, &typ):
		off = typ.Offset
		err = fieldError(err)
	default:
		return err
	}
	line, col := lineCol(data, int(off))
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

// fieldError rewords a type error to name the field.
func fieldError(err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return fmt.Errorf("field %q: want %s, got %s", typ.Field, typ.Type, typ.Value)
	}
	return err
}

func lineCol(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = off - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func abbreviate(b []byte) string {
	const limit = 20
	if len(b) > limit {
		return strconv.Quote(string(b[:limit]) + "…")
	}
	return strconv.Quote(string(b))
}
