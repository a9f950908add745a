package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/clp-proxy/clp/internal/api"
)

// problemAt turns a JSON decoding error into a Problem with the line and
// column of the offending byte, so the user can jump straight to it.
func problemAt(path string, data []byte, err error) api.Problem {
	p := api.Problem{File: path, Message: err.Error()}
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// A streaming decoder's offsets can be relative to the value it was
		// reading; the whole-document check gives the absolute position.
		var whole *json.SyntaxError
		if errors.As(json.Unmarshal(data, new(any)), &whole) {
			se = whole
			p.Message = se.Error()
		}
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		p.Message = fmt.Sprintf("%s: expected %s, found JSON %s", te.Field, te.Type, te.Value)
	case errors.Is(err, errUnexpectedEOF):
		off = int64(len(data))
	}
	if off >= 0 {
		p.Line, p.Column = lineCol(data, off)
	}
	return p
}

var errUnexpectedEOF = errors.New("unexpected end of JSON input")

// lineCol converts a byte offset into a 1-based line and column. JSON syntax
// errors report the offset after the bad byte; the column points at it.
func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}
