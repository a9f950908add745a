package jsonscan

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestErrorAt(t *testing.T) {
	for _, tt := range []struct {
		doc, want string
	}{
		{"{\n  \"a\": 1,,\n}", "line 2, column 10: invalid character ',' looking for beginning of object key string"},
		{`{"a": tru}`, "line 1, column 10: invalid character '}' in literal true (expecting 'e')"},
		{"[1,\n2,\n\"x\"]", "line 3, column 3: json: cannot unmarshal string into Go value of type int"},
	} {
		var v []int
		var m map[string]any
		err := json.Unmarshal([]byte(tt.doc), &v)
		if tt.doc[0] == '{' {
			err = json.Unmarshal([]byte(tt.doc), &m)
		}
		if got := ErrorAt([]byte(tt.doc), err); got == nil || got.Error() != tt.want {
			t.Errorf("ErrorAt(%q) = %v, want %s", tt.doc, got, tt.want)
		}
	}
	plain := errors.New("no position")
	if got := ErrorAt(nil, plain); got != plain {
		t.Errorf("a plain error was changed: %v", got)
	}
	if l, c := LineCol([]byte("ab"), 99); l != 1 || c != 2 {
		t.Errorf("LineCol past the end = %d:%d", l, c)
	}
}
