package redact

import "testing"

func TestTryShare(t *testing.T) {
	body := claudeBody(1<<20, false)
	units, _ := scanStrings(body, nil)
	op, data, text := 0, 0, 0
	for _, u := range units {
		switch u.kind {
		case unitOpaque:
			op += u.end - u.start
		case unitData:
			data += u.end - u.start
		default:
			text += u.end - u.start
		}
	}
	t.Logf("len %d opaque %d data %d text %d units %d", len(body), op, data, text, len(units))
}
