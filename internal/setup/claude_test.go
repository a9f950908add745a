package setup

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestEditClaudeSettingsValues(t *testing.T) {
	const url = "http://127.0.0.1:3210"
	tests := []struct {
		name      string
		in        string
		wantURL   string
		wantToken string
	}{
		{"adds both", `{"env": {}}`, url, Placeholder},
		{"replaces another URL", `{"env": {"ANTHROPIC_BASE_URL": "https://relay"}}`, url, Placeholder},
		{"keeps a real token", `{"env": {"ANTHROPIC_AUTH_TOKEN": "sk-ant-1"}}`, url, "sk-ant-1"},
		{"no token next to an API key", `{"env": {"ANTHROPIC_API_KEY": "sk-ant-2"}}`, url, ""},
		{"empty token left next to an API key", `{"env": {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_AUTH_TOKEN": ""}}`, url, "="},
		{"empty API key does not count", `{"env": {"ANTHROPIC_API_KEY": ""}}`, url, Placeholder},
		{"replaces a non-string token", `{"env": {"ANTHROPIC_AUTH_TOKEN": 7}}`, url, Placeholder},
		{"escaped key name", `{"\u0065nv": {"ANTHROPIC_BASE_URL": "x"}}`, url, Placeholder},
		{"last env wins", `{"env": {"A": "1"}, "env": {"ANTHROPIC_AUTH_TOKEN": "t"}}`, url, "t"},
		{"duplicate keys all set", `{"env": {"ANTHROPIC_BASE_URL": "a", "ANTHROPIC_BASE_URL": "b"}}`, url, Placeholder},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := editClaudeSettings("settings.json", []byte(tt.in), url)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Env map[string]any `json:"env"`
			}
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatalf("output %q is not JSON: %v", out, err)
			}
			if got := doc.Env[envBaseURL]; got != tt.wantURL {
				t.Errorf("%s = %v, want %q (output %s)", envBaseURL, got, tt.wantURL, out)
			}
			want := any(tt.wantToken)
			switch tt.wantToken {
			case "":
				want = nil // absent
			case "=":
				want = "" // left as it was
			}
			if got := doc.Env[envAuthToken]; got != want {
				t.Errorf("%s = %v, want %q (output %s)", envAuthToken, got, tt.wantToken, out)
			}
			if bytes.Count(out, []byte(`"ANTHROPIC_BASE_URL": "a"`))+bytes.Count(out, []byte(`"b"`)) != 0 {
				t.Errorf("a duplicate kept its old value: %s", out)
			}
		})
	}
}

// FuzzEditClaudeSettings checks, for any JSON object, that the output is
// valid JSON with the two variables set, that every other setting decodes
// to what it was, and that a second run changes nothing.
func FuzzEditClaudeSettings(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"env":{"A":"1"}}`, "{\n  \"model\": \"x\",\n  \"env\": {\n  }\n}",
		`{"env":{"ANTHROPIC_AUTH_TOKEN":""},"permissions":{"allow":[]}}`, `{"env":null}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	const url = "http://127.0.0.1:3210/a?b&c"
	f.Fuzz(func(t *testing.T, src []byte) {
		if bytes.Contains(src, []byte("/")) {
			return // comments are fine for the editor, not for encoding/json
		}
		var before map[string]any
		if json.Unmarshal(src, &before) != nil || before == nil {
			return
		}
		out, err := editClaudeSettings("settings.json", src, url)
		if err != nil {
			if _, isObject := before["env"].(map[string]any); isObject || before["env"] == nil && !hasKey(src, "env") {
				t.Fatalf("edit of %q failed: %v", src, err)
			}
			return
		}
		var after map[string]any
		if err := json.Unmarshal(out, &after); err != nil {
			t.Fatalf("output %q of %q is not JSON: %v", out, src, err)
		}
		env, _ := after["env"].(map[string]any)
		if env[envBaseURL] != url {
			t.Fatalf("output %q: %s = %v", out, envBaseURL, env[envBaseURL])
		}
		tok, _ := env[envAuthToken].(string)
		key, _ := env[envAPIKey].(string)
		if tok == "" && key == "" {
			t.Fatalf("output %q: no credential", out)
		}
		oldEnv, _ := before["env"].(map[string]any)
		for k, v := range oldEnv {
			if k != envBaseURL && (k != envAuthToken || key != "") && !reflect.DeepEqual(env[k], v) {
				t.Fatalf("env.%s changed from %v to %v", k, v, env[k])
			}
		}
		delete(before, "env")
		delete(after, "env")
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("other settings changed:\n before %v\n after  %v", before, after)
		}
		again, err := editClaudeSettings("settings.json", out, url)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("second run changed %q to %q (err %v)", out, again, err)
		}
	})
}

// hasKey reports whether the top-level object in src has key, as the
// editor's own parser reads it.
func hasKey(src []byte, key string) bool {
	top, err := parseJSON("f", src)
	return err == nil && len(top.lookup(key)) > 0
}
