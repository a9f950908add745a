package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// LineCol converts an encoding/json error offset (the bytes read up to and
// including the offending one) into a 1-based line and column of that byte.
// len(data)+1 is the position just past the end, where a document cut short
// needed more.
func LineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data))+1)
	before := data[:min(off, int64(len(data)))]
	line = bytes.Count(before, []byte("\n")) + 1
	col = max(int(off)-(bytes.LastIndexByte(before, '\n')+1), 1)
	return line, col
}

// ErrorAt prefixes a syntax or type error from encoding/json, or the end of
// a document cut short (io.ErrUnexpectedEOF, or io.EOF from a Decoder), with
// the line and column it is about ("line 3, column 7: …"); other errors are
// returned as they are.
func ErrorAt(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var off int64
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		off = int64(len(data)) + 1
	default:
		return err
	}
	line, col := LineCol(data, off)
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
