package sse

// Members calls fn for each member of the JSON object in data, in order,
// with the member's key (the raw text between its quotes; escapes are not
// decoded) and its raw value (a string value keeps its quotes). Nested
// objects and arrays are skipped over, not decoded, so a key is only ever a
// top-level one. fn returning false stops the walk.
//
// Members is a fast, allocation-free classifier for event payloads, not a
// validator: it reports false when data does not start as a JSON object or
// ends before the object closes, after calling fn for the members before
// that point; it may accept some malformed input.
func Members(data []byte, fn func(key, value []byte) bool) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i++
	for {
		i = skipSpace(data, i)
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case '}':
			return true
		case ',':
			i++
			continue
		case '"':
		default:
			return false
		}
		end := skipString(data, i)
		if end < 0 {
			return false
		}
		key := data[i+1 : end-1]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		i = skipSpace(data, i+1)
		end = skipValue(data, i)
		if end < 0 {
			return false
		}
		if !fn(key, data[i:end]) {
			return true
		}
		i = end
	}
}

// Member returns the raw value of the top-level member key of the JSON
// object in data, and whether it was found.
func Member(data []byte, key string) ([]byte, bool) {
	var val []byte
	found := false
	Members(data, func(k, v []byte) bool {
		if string(k) == key {
			val, found = v, true
			return false
		}
		return true
	})
	return val, found
}

// StringValue returns the contents of a raw JSON string value without its
// quotes, and false when raw is not a string or holds escapes (which callers
// that need them decode with encoding/json).
func StringValue(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	s := raw[1 : len(raw)-1]
	for _, c := range s {
		if c == '\\' {
			return nil, false
		}
	}
	return s, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string starting at b[i] ('"'),
// or -1 when it does not end.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index just past the value starting at b[i], or -1
// when it does not end within b.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				end := skipString(b, i)
				if end < 0 {
					return -1
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	default:
		start := i
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if i == start {
					return -1
				}
				return i
			}
			i++
		}
		return -1
	}
}
