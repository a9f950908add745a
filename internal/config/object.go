package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
)

// object is a JSON object that keeps its keys in file order, so CLP can edit
// one field of a user's file and write the rest back as it was.
type object []member

type member struct {
	Key   string
	Value json.RawMessage
}

// parseObject decodes data as one JSON object, keeping key order. Empty input
// (or only white space) is an empty object.
func parseObject(data []byte) (object, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return object{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, fixEOF(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &json.UnmarshalTypeError{Value: fmt.Sprint(tok), Type: objType, Offset: dec.InputOffset()}
	}
	var obj object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fixEOF(err)
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fixEOF(err)
		}
		obj = obj.set(key, raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fixEOF(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &json.SyntaxError{}
	}
	return obj, nil
}

var objType = reflect.TypeFor[map[string]any]()

func fixEOF(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errUnexpectedEOF
	}
	return err
}

// get returns the value of key, or nil.
func (o object) get(key string) json.RawMessage {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].Key == key {
			return o[i].Value
		}
	}
	return nil
}

// set replaces key's value in place, or appends it.
func (o object) set(key string, v json.RawMessage) object {
	for i := range o {
		if o[i].Key == key {
			o[i].Value = v
			return o
		}
	}
	return append(o, member{key, v})
}

// del removes key.
func (o object) del(key string) object {
	out := o[:0]
	for _, m := range o {
		if m.Key != key {
			out = append(out, m)
		}
	}
	return out
}

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.Key)
		b.Write(k)
		b.WriteByte(':')
		if len(m.Value) == 0 {
			b.WriteString("null")
		} else {
			b.Write(m.Value)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// indentJSON renders v with two-space indentation and a final newline, the
// layout the original CLP writes.
func indentJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping, so URLs with "&" are written
// back as the user wrote them.
func marshal(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
