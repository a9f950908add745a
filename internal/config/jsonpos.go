package config

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/jsonscan"
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
		p.Line, p.Column = jsonscan.LineCol(data, off)
	}
	return p
}

var errUnexpectedEOF = errors.New("unexpected end of JSON input")
