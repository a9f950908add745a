package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
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
	if l, c := LineCol([]byte("ab"), 99); l != 1 || c != 3 {
		t.Errorf("LineCol past the end = %d:%d, want 1:3 (just past the end)", l, c)
	}
	cut := []byte("{\n  \"a\": ")
	err := json.NewDecoder(bytes.NewReader(cut)).Decode(new(any))
	if got := ErrorAt(cut, err); got == nil || !strings.HasPrefix(got.Error(), "line 2, column 8: ") {
		t.Errorf("ErrorAt(a document cut short) = %v, want line 2, column 8", got)
	}
}
