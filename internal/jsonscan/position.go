package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// LineCol converts an encoding/json error offset (the bytes read up to and
// including the offending one) into a 1-based line and column of that byte.
func LineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = max(int(off)-(bytes.LastIndexByte(before, '\n')+1), 1)
	return line, col
}

// ErrorAt prefixes a syntax or type error from encoding/json with the line
// and column it is about ("line 3, column 7: …"); other errors are returned
// as they are.
func ErrorAt(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var off int64
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	default:
		return err
	}
	line, col := LineCol(data, off)
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
