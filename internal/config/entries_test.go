package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// entriesBefore has an unknown field ("note"), a weight written as a string
// and a URL with "&", all of which edits must keep as they are.
const entriesBefore = `{
  "prod": {"base_url": "https://api.example.com", "auth_token": "tok-prod-123456789", "weight": 10, "active": true, "note": "kept"},
  "relay": {"base_url": "https://relay.example/v1?x=1&y=2", "api_key": "key-relay-12345678", "weight": "5"}
}`

func TestEntryEdits(t *testing.T) {
	tests := []struct {
		name string
		edit func(home string) error
		want string
	}{
		{
			name: "add appends with weight 0",
			edit: func(home string) error {
				return AddEntry(home, "claude", "new", EntryChange{BaseURL: ptr(" https://n.example "), APIKey: ptr("sk-ant-api03-xyz\n")})
			},
			want: `{
  "prod": {"base_url":"https://api.example.com","auth_token":"tok-prod-123456789","weight":10,"active":true,"note":"kept"},
  "relay": {"base_url":"https://relay.example/v1?x=1&y=2","api_key":"key-relay-12345678","weight":"5"},
  "new": {"base_url":"https://n.example","api_key":"sk-ant-api03-xyz","weight":0}
}
`,
		},
		{
			name: "edit sets only the given fields in place",
			edit: func(home string) error {
				return EditEntry(home, "claude", "prod", EntryChange{Weight: ptr(2.5), AuthToken: ptr("tok-new")})
			},
			want: `{
  "prod": {"base_url":"https://api.example.com","auth_token":"tok-new","weight":2.5,"active":true,"note":"kept"},
  "relay": {"base_url":"https://relay.example/v1?x=1&y=2","api_key":"key-relay-12345678","weight":"5"}
}
`,
		},
		{
			name: "edit adds a missing field at the end",
			edit: func(home string) error {
				return EditEntry(home, "claude", "relay", EntryChange{AuthToken: ptr("tok-relay")})
			},
			want: `{
  "prod": {"base_url":"https://api.example.com","auth_token":"tok-prod-123456789","weight":10,"active":true,"note":"kept"},
  "relay": {"base_url":"https://relay.example/v1?x=1&y=2","api_key":"key-relay-12345678","weight":"5","auth_token":"tok-relay"}
}
`,
		},
		{
			name: "kind moves the stored credential to the chosen field",
			edit: func(home string) error { return EditEntry(home, "claude", "prod", EntryChange{Kind: "api_key"}) },
			want: `{
  "prod": {"base_url":"https://api.example.com","auth_token":"","weight":10,"active":true,"note":"kept","api_key":"tok-prod-123456789"},
  "relay": {"base_url":"https://relay.example/v1?x=1&y=2","api_key":"key-relay-12345678","weight":"5"}
}
`,
		},
		{
			name: "kind with a new value empties the other field",
			edit: func(home string) error {
				return EditEntry(home, "claude", "relay", EntryChange{Kind: "auth_token", AuthToken: ptr("tok-relay")})
			},
			want: `{
  "prod": {"base_url":"https://api.example.com","auth_token":"tok-prod-123456789","weight":10,"active":true,"note":"kept"},
  "relay": {"base_url":"https://relay.example/v1?x=1&y=2","api_key":"","weight":"5","auth_token":"tok-relay"}
}
`,
		},
		{
			name: "kind already right changes nothing",
			edit: func(home string) error { return EditEntry(home, "claude", "prod", EntryChange{Kind: "auth_token"}) },
			want: entriesBefore,
		},
		{
			name: "remove",
			edit: func(home string) error { return RemoveEntry(home, "claude", "prod") },
			want: `{
  "relay": {"base_url":"https://relay.example/v1?x=1&y=2","api_key":"key-relay-12345678","weight":"5"}
}
`,
		},
		{
			name: "rename keeps place and active flag",
			edit: func(home string) error { return RenameEntry(home, "claude", "prod", "official") },
			want: `{
  "official": {"base_url":"https://api.example.com","auth_token":"tok-prod-123456789","weight":10,"active":true,"note":"kept"},
  "relay": {"base_url":"https://relay.example/v1?x=1&y=2","api_key":"key-relay-12345678","weight":"5"}
}
`,
		},
		{
			name: "disable",
			edit: func(home string) error { return SetDisabled(home, "claude", "relay", true) },
			want: `{
  "prod": {"base_url":"https://api.example.com","auth_token":"tok-prod-123456789","weight":10,"active":true,"note":"kept"},
  "relay": {"base_url":"https://relay.example/v1?x=1&y=2","api_key":"key-relay-12345678","weight":"5","disabled":true}
}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := writeHome(t, map[string]string{"claude.json": entriesBefore})
			if err := tt.edit(home); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(home, "claude.json")
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Compare compacted, so the test states the content and key order;
			// the layout is checked once below.
			var gotC, wantC bytes.Buffer
			if err := json.Compact(&gotC, got); err != nil {
				t.Fatalf("written file is not JSON: %v\n%s", err, got)
			}
			if err := json.Compact(&wantC, []byte(tt.want)); err != nil {
				t.Fatal(err)
			}
			if gotC.String() != wantC.String() {
				t.Errorf("file =\n%s\nwant\n%s", gotC.String(), wantC.String())
			}
			if !strings.HasPrefix(string(got), "{\n  \"") || !strings.HasSuffix(string(got), "}\n") {
				t.Errorf("file is not indented with a final newline:\n%s", got)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("mode = %v (%v), want 0600", fi.Mode().Perm(), err)
			}
			// The result loads without problems.
			snap, _, err := NewLoader(home).Load()
			if err != nil || len(snap.Problems) != 0 {
				t.Errorf("load after edit: %v %v", err, snap.Problems)
			}
		})
	}
}

func TestEnableAfterDisableRemovesField(t *testing.T) {
	home := writeHome(t, map[string]string{"claude.json": entriesBefore})
	for _, disabled := range []bool{true, false} {
		if err := SetDisabled(home, "claude", "prod", disabled); err != nil {
			t.Fatal(err)
		}
		snap, _, err := NewLoader(home).Load()
		if err != nil {
			t.Fatal(err)
		}
		if got := snap.Service("claude").Lookup("prod").Disabled; got != disabled {
			t.Errorf("Disabled = %v, want %v", got, disabled)
		}
	}
	data, _ := os.ReadFile(filepath.Join(home, "claude.json"))
	if strings.Contains(string(data), "disabled") {
		t.Errorf("enable left a disabled field:\n%s", data)
	}
}

func TestAddToMissingFile(t *testing.T) {
	home := t.TempDir()
	if err := AddEntry(home, "codex", "main", EntryChange{BaseURL: ptr("https://api.openai.com/v1"), APIKey: ptr("sk-123"), Weight: ptr(3.0)}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(home, "codex.json"))
	want := "{\n  \"main\": {\n    \"base_url\": \"https://api.openai.com/v1\",\n    \"api_key\": \"sk-123\",\n    \"weight\": 3\n  }\n}\n"
	if string(got) != want {
		t.Errorf("file =\n%s\nwant\n%s", got, want)
	}
}

func TestEntryErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(home string) error
		wantErr error  // matched with errors.Is when set
		wantMsg string // contained in the message
	}{
		{"add duplicate", func(h string) error {
			return AddEntry(h, "claude", "prod", EntryChange{BaseURL: ptr("https://x.example"), APIKey: ptr("k")})
		}, ErrConfigExists, `named "prod"`},
		{"add without base url", func(h string) error {
			return AddEntry(h, "claude", "n", EntryChange{APIKey: ptr("k")})
		}, nil, "base URL"},
		{"add without credential", func(h string) error {
			return AddEntry(h, "claude", "n", EntryChange{BaseURL: ptr("https://x.example")})
		}, nil, "credential"},
		{"add bad url", func(h string) error {
			return AddEntry(h, "claude", "n", EntryChange{BaseURL: ptr("api.example.com"), APIKey: ptr("k")})
		}, nil, "not an http(s) URL"},
		{"add empty name", func(h string) error {
			return AddEntry(h, "claude", "", EntryChange{BaseURL: ptr("https://x.example"), APIKey: ptr("k")})
		}, nil, "name is empty"},
		{"add spaced name", func(h string) error {
			return AddEntry(h, "claude", " n", EntryChange{BaseURL: ptr("https://x.example"), APIKey: ptr("k")})
		}, nil, "surrounding spaces"},
		{"add unknown service", func(h string) error {
			return AddEntry(h, "gemini", "n", EntryChange{BaseURL: ptr("https://x.example"), APIKey: ptr("k")})
		}, ErrUnknownService, "claude, codex"},
		{"edit empty credential", func(h string) error {
			return EditEntry(h, "claude", "prod", EntryChange{AuthToken: ptr("  \n")})
		}, nil, "auth_token is empty"},
		{"edit credential with line break", func(h string) error {
			return EditEntry(h, "claude", "prod", EntryChange{APIKey: ptr("a\nb")})
		}, nil, "control character"},
		{"edit negative weight", func(h string) error {
			return EditEntry(h, "claude", "prod", EntryChange{Weight: ptr(-1.0)})
		}, nil, "weight"},
		{"edit NaN weight", func(h string) error {
			return EditEntry(h, "claude", "prod", EntryChange{Weight: ptr(math.NaN())})
		}, nil, "weight"},
		{"edit unknown", func(h string) error {
			return EditEntry(h, "claude", "nope", EntryChange{Weight: ptr(1.0)})
		}, ErrUnknownConfig, "prod, relay"},
		{"remove unknown", func(h string) error { return RemoveEntry(h, "claude", "nope") }, ErrUnknownConfig, "nope"},
		{"rename unknown", func(h string) error { return RenameEntry(h, "claude", "nope", "x") }, ErrUnknownConfig, "nope"},
		{"rename onto existing", func(h string) error { return RenameEntry(h, "claude", "prod", "relay") }, ErrConfigExists, `"relay"`},
		{"rename to empty", func(h string) error { return RenameEntry(h, "claude", "prod", "") }, nil, "empty"},
		{"disable unknown", func(h string) error { return SetDisabled(h, "claude", "nope", true) }, ErrUnknownConfig, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := writeHome(t, map[string]string{"claude.json": entriesBefore})
			err := tt.edit(home)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
			}
			got, _ := os.ReadFile(filepath.Join(home, "claude.json"))
			if string(got) != entriesBefore {
				t.Errorf("a failed edit changed the file:\n%s", got)
			}
		})
	}
}

func TestEditBrokenFileFails(t *testing.T) {
	broken := "{\n  \"prod\": {\"base_url\": \"https://x\" \"api_key\": \"k\"}\n}\n"
	home := writeHome(t, map[string]string{"claude.json": broken})
	err := EditEntry(home, "claude", "prod", EntryChange{Weight: ptr(1.0)})
	if err == nil || !strings.Contains(err.Error(), "claude.json:2:") {
		t.Fatalf("err = %v, want the file's line", err)
	}
}

func TestEntryKindErrors(t *testing.T) {
	home := writeHome(t, map[string]string{"claude.json": `{"bare": {"base_url": "https://b.example", "auth_token": ""}}`})
	if err := EditEntry(home, "claude", "bare", EntryChange{Kind: "api_key"}); err == nil || !strings.Contains(err.Error(), "no credential") {
		t.Errorf("kind without any credential: err = %v", err)
	}
	if err := EditEntry(home, "claude", "bare", EntryChange{Kind: "password"}); err == nil || !strings.Contains(err.Error(), "use auth_token or api_key") {
		t.Errorf("unknown kind: err = %v", err)
	}
}
