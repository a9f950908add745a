package redact

// Detector describes one built-in secret detector. The catalog is fixed; the
// user turns detectors on or off by ID through Options.
type Detector struct {
	// ID names the detector in Options, Report.Counts and Span.Rule,
	// e.g. "aws-access-key".
	ID string `json:"id"`
	// Description says what it finds, for people.
	Description string `json:"description"`
	// DefaultOn is whether it runs when Options does not mention it.
	DefaultOn bool `json:"default_on"`
	// Pattern is the regular expression (Go syntax) it runs on decoded text.
	// Boundary checks and the choice of the secret's part are not in it.
	Pattern string `json:"pattern"`
}

// Detectors returns the built-in detectors in the order they run, after the
// user's rules. The slice is new on every call.
func Detectors() []Detector {
	specs := catalog()
	out := make([]Detector, len(specs))
	for i, s := range specs {
		out[i] = s.Detector
	}
	return out
}

// Marker is the text that replaces a secret found by the detector with the
// given ID, e.g. "[REDACTED:aws-access-key]".
func Marker(id string) string {
	return "[REDACTED:" + id + "]"
}

// leftOK reports whether a token starting at t[s] is not glued to a word or a
// base64 run before it. A letter that ends an escape written out in the text
// (the "n" of a literal backslash-n, as in JSON encoded twice) does not glue.
func leftOK(t []byte, s int) bool {
	if s == 0 {
		return true
	}
	c := t[s-1]
	if !isWordByte(c) && c != '+' && c != '/' {
		return true
	}
	if s >= 2 && t[s-2] == '\\' {
		switch c {
		case 'n', 'r', 't', 'b', 'f', '/':
			return true
		}
	}
	if s >= 6 && t[s-6] == '\\' && t[s-5] == 'u' {
		_, ok := hex4(t[s-4 : s])
		return ok
	}
	return false
}

// rightOK reports whether a token ending before t[e] is not followed by more
// of a word, a base64 run or a call.
func rightOK(t []byte, e int) bool {
	if e == len(t) {
		return true
	}
	c := t[e]
	return !isWordByte(c) && c != '+' && c != '/' && c != '=' && c != '('
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// isNameByte reports whether c can be part of an environment variable name.
func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}
