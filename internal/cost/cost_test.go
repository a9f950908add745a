package cost

import (
	"math"
	"strings"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
)

// Rates as published on the providers' pricing pages, written out by hand
// (not computed from the multipliers the defaults use).
var (
	opus45   = Price{Input: 5, Output: 25, CacheWrite5m: 6.25, CacheWrite1h: 10, CacheRead: 0.5}
	opus41   = Price{Input: 15, Output: 75, CacheWrite5m: 18.75, CacheWrite1h: 30, CacheRead: 1.5}
	sonnet   = Price{Input: 3, Output: 15, CacheWrite5m: 3.75, CacheWrite1h: 6, CacheRead: 0.3}
	haiku45  = Price{Input: 1, Output: 5, CacheWrite5m: 1.25, CacheWrite1h: 2, CacheRead: 0.1}
	haiku35  = Price{Input: 0.8, Output: 4, CacheWrite5m: 1, CacheWrite1h: 1.6, CacheRead: 0.08}
	haiku3   = Price{Input: 0.25, Output: 1.25, CacheWrite5m: 0.3, CacheWrite1h: 0.5, CacheRead: 0.03}
	gpt5     = Price{Input: 1.25, Output: 10, CacheRead: 0.125}
	gpt5mini = Price{Input: 0.25, Output: 2, CacheRead: 0.025}
	gpt5nano = Price{Input: 0.05, Output: 0.4, CacheRead: 0.005}
	gpt52    = Price{Input: 1.75, Output: 14, CacheRead: 0.175}
	gpt41    = Price{Input: 2, Output: 8, CacheRead: 0.5}
	gpt4o    = Price{Input: 2.5, Output: 10, CacheRead: 1.25}
	gpt4omin = Price{Input: 0.15, Output: 0.6, CacheRead: 0.075}
	o4mini   = Price{Input: 1.1, Output: 4.4, CacheRead: 0.275}
)

func samePrice(a, b Price) bool {
	const eps = 1e-9
	near := func(x, y float64) bool { return math.Abs(x-y) < eps }
	return near(a.Input, b.Input) && near(a.Output, b.Output) && near(a.CacheWrite5m, b.CacheWrite5m) &&
		near(a.CacheWrite1h, b.CacheWrite1h) && near(a.CacheRead, b.CacheRead)
}

func TestDefaultLookup(t *testing.T) {
	tests := []struct {
		model string
		want  Price
		ok    bool
	}{
		{"claude-opus-4-5-20251101", opus45, true},
		{"claude-opus-4-6", opus45, true},
		{"claude-opus-4-7", opus45, true},
		{"claude-opus-4-1-20250805", opus41, true},
		{"claude-opus-4-20250514", opus41, true},
		{"claude-opus-4-0", opus41, true},
		{"claude-sonnet-4-5-20250929", sonnet, true},
		{"claude-sonnet-4-5", sonnet, true},
		{"claude-sonnet-4-6", sonnet, true},
		{"claude-sonnet-4-20250514", sonnet, true},
		{"claude-3-7-sonnet-20250219", sonnet, true},
		{"claude-haiku-4-5-20251001", haiku45, true},
		{"claude-3-5-haiku-20241022", haiku35, true},
		{"claude-3-haiku-20240307", haiku3, true},
		// Spellings of relays and clouds.
		{"anthropic/claude-sonnet-4.5", sonnet, true},
		{"Claude-Opus-4-5", opus45, true},
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", sonnet, true},
		{"claude-sonnet-4-5@20250929", sonnet, true},
		{"claude-opus-4-6[1m]", opus45, true},
		{"gpt-5", gpt5, true},
		{"gpt-5-2025-08-07", gpt5, true},
		{"gpt-5-codex", gpt5, true},
		{"gpt-5.1-codex", gpt5, true},
		{"gpt-5.1-codex-mini", gpt5mini, true},
		{"gpt-5-mini", gpt5mini, true},
		{"gpt-5-nano-2025-08-07", gpt5nano, true},
		{"gpt-5.2", gpt52, true},
		{"gpt-5.2-codex", gpt52, true},
		{"openai/gpt-4.1", gpt41, true},
		{"gpt-4.1-2025-04-14", gpt41, true},
		{"o3", gpt41, true},
		{"gpt-4o-2024-08-06", gpt4o, true},
		{"gpt-4o-mini", gpt4omin, true},
		{"o4-mini-2025-04-16", o4mini, true},
		// Not known: no price rather than a neighbour's.
		{"gpt-4o-2024-05-13", Price{}, false},
		{"gpt-5.3-codex", Price{}, false},
		{"gpt-5-pro", Price{}, false},
		{"claude-opus-4-8", Price{}, false},
		{"claude-opus-5", Price{}, false},
		{"o1", Price{}, false},
		{"deepseek-chat", Price{}, false},
		{"", Price{}, false},
	}
	tab := Default()
	for _, tt := range tests {
		got, ok := tab.Lookup(tt.model)
		if ok != tt.ok || (ok && !samePrice(got, tt.want)) {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v, %v", tt.model, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCost(t *testing.T) {
	tab := Default()
	tests := []struct {
		name  string
		model string
		u     api.Usage
		want  float64
		ok    bool
	}{
		{"claude with split cache write", "claude-sonnet-4-5-20250929",
			api.Usage{InputTokens: 1000, CacheReadTokens: 20000, CacheWriteTokens: 1500, CacheWrite5mTokens: 1500, OutputTokens: 500},
			(1000*3 + 20000*0.3 + 1500*3.75 + 500*15) / 1e6, true},
		{"1 h writes", "claude-opus-4-5", api.Usage{CacheWriteTokens: 4096, CacheWrite1hTokens: 4096},
			4096 * 10 / 1e6, true},
		{"unsplit writes priced as 5 m", "claude-opus-4-5", api.Usage{CacheWriteTokens: 1000},
			1000 * 6.25 / 1e6, true},
		{"partly split writes: the rest as 5 m", "claude-opus-4-5", api.Usage{CacheWriteTokens: 3000, CacheWrite1hTokens: 1000},
			(2000*6.25 + 1000*10) / 1e6, true},
		{"sonnet 4.5 long prompt", "claude-sonnet-4-5", api.Usage{InputTokens: 150_000, CacheReadTokens: 60_000, OutputTokens: 1000},
			(150_000*6 + 60_000*0.6 + 1000*22.5) / 1e6, true},
		{"sonnet 4.5 at the threshold is not long", "claude-sonnet-4-5", api.Usage{InputTokens: 200_000},
			200_000 * 3 / 1e6, true},
		{"sonnet 4.6 has no long rate", "claude-sonnet-4-6", api.Usage{InputTokens: 300_000},
			300_000 * 3 / 1e6, true},
		{"openai reasoning is inside output", "gpt-5-codex",
			api.Usage{InputTokens: 1760, CacheReadTokens: 10240, OutputTokens: 640, ReasoningTokens: 512},
			(1760*1.25 + 10240*0.125 + 640*10) / 1e6, true},
		{"gpt-5.4 long prompt", "gpt-5.4", api.Usage{InputTokens: 300_000, OutputTokens: 100},
			(300_000*5 + 100*22.5) / 1e6, true},
		{"nothing used", "gpt-4o", api.Usage{}, 0, true},
		{"unknown model", "gpt-4", api.Usage{InputTokens: 10}, 0, false},
		{"negative usage", "gpt-4o", api.Usage{InputTokens: -1}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tab.Cost(tt.model, tt.u)
			if ok != tt.ok || math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Cost = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
	var nilTable *Table
	if _, ok := nilTable.Cost("gpt-4o", api.Usage{InputTokens: 1}); ok {
		t.Error("a nil table priced a request")
	}
}

func TestParse(t *testing.T) {
	file := `{"models": {
		"claude-sonnet-4*": {"input": 2, "output": 10, "cache_write_5m": 2.5, "cache_write_1h": 4, "cache_read": 0.2},
		"my-relay-*": {"input": 1, "output": 2},
		"free-model": {"input": 0, "output": 0, "cache_read": 0},
		"gpt-4o": null,
		"big": {"input": 1, "output": 1, "long_context_above": 100, "long_context": {"input": 2, "output": 2}}
	}}`
	tab, err := Parse([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		model string
		u     api.Usage
		want  float64
		ok    bool
	}{
		{"user pattern beats a more specific default", "claude-sonnet-4-5-20250929", api.Usage{InputTokens: 1000, OutputTokens: 100},
			(1000*2 + 100*10) / 1e6, true},
		{"new model", "my-relay-large", api.Usage{InputTokens: 1000, OutputTokens: 1000}, (1000 + 2000) / 1e6, true},
		{"unknown cache rate with cache reads", "my-relay-large", api.Usage{InputTokens: 10, CacheReadTokens: 5}, 0, false},
		{"unknown cache rate with cache writes", "my-relay-large", api.Usage{CacheWriteTokens: 5}, 0, false},
		{"zero rates are free", "free-model", api.Usage{InputTokens: 10, CacheReadTokens: 5, OutputTokens: 3}, 0, true},
		{"null removes a default", "gpt-4o", api.Usage{InputTokens: 10}, 0, false},
		{"other defaults stay", "gpt-4o-mini", api.Usage{InputTokens: 1e6}, 0.15, true},
		{"user long context", "big", api.Usage{InputTokens: 101}, 101 * 2 / 1e6, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tab.Cost(tt.model, tt.u)
			if ok != tt.ok || math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Cost(%q) = %v, %v; want %v, %v", tt.model, got, ok, tt.want, tt.ok)
			}
		})
	}
	entries := tab.Entries()
	if len(entries) < 40 || !entries[0].User || entries[len(entries)-1].User {
		t.Errorf("Entries: %d entries, first user %v, last user %v; want the user's first", len(entries), entries[0].User, entries[len(entries)-1].User)
	}
	removed := 0
	for _, e := range entries {
		if e.Removed {
			removed++
			if e.Pattern != "gpt-4o" {
				t.Errorf("removed entry %q", e.Pattern)
			}
		}
	}
	if removed != 1 {
		t.Errorf("%d removed entries, want 1", removed)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, data := range []string{"", "  \n", `{}`, `{"models": {}}`} {
		tab, err := Parse([]byte(data))
		if err != nil {
			t.Errorf("Parse(%q): %v", data, err)
			continue
		}
		if _, ok := tab.Lookup("claude-opus-4-5"); !ok {
			t.Errorf("Parse(%q) lost the defaults", data)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // a part of the error text
	}{
		{"syntax", "{\"models\": {\n  \"a\": {\"input\": 1,}\n}}", "line 2, column 20"},
		{"cut short", `{"models": {"a": `, "line 1, column 18"},
		{"wrong type", "{\"models\": {\n\"a\": {\"input\": \"3\", \"output\": 1}}}", "line 2"},
		{"unknown field", `{"models": {"a": {"input": 1, "output": 1, "cache_wirte_5m": 2}}}`, `cache_wirte_5m`},
		{"unknown top-level field", `{"modles": {}}`, `modles`},
		{"missing input", `{"models": {"a": {"output": 1}}}`, `model "a": input is required`},
		{"missing output", `{"models": {"a": {"input": 1}}}`, `model "a": output is required`},
		{"negative", `{"models": {"a": {"input": -1, "output": 1}}}`, `model "a": input must be`},
		{"empty name", `{"models": {"": {"input": 1, "output": 1}}}`, `model ""`},
		{"only a star", `{"models": {"*": {"input": 1, "output": 1}}}`, `model "*"`},
		{"long context without threshold", `{"models": {"a": {"input": 1, "output": 1, "long_context": {"input": 2, "output": 2}}}}`, "long_context_above"},
		{"bad long context", `{"models": {"a": {"input": 1, "output": 1, "long_context_above": 5, "long_context": {"input": 2}}}}`, "long_context: output is required"},
		{"trailing data", `{"models": {}} {}`, "after the top-level object"},
		{"every bad model reported", `{"models": {"a": {"input": 1}, "b": {"output": 1}}}`, `model "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := Parse([]byte(tt.data))
			if err == nil {
				t.Fatalf("Parse accepted %s", tt.data)
			}
			if tab != nil {
				t.Error("Parse returned a table with its error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"gpt-4o", "gpt-4o", true},
		{"gpt-4o", "gpt-4o-mini", false},
		{"gpt-4o*", "gpt-4o-mini", true},
		{"*", "", true},
		{"*", "anything", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "abcbc", true},
		{"a*b*c", "aXbY", false},
		{"*-mini", "o4-mini", true},
		{"*-mini", "o4-mini-2025", false},
		{"claude-*-4-5*", "claude-haiku-4-5-20251001", true},
		{"a**b", "ab", true},
		{"", "", true},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := match(tt.pattern, tt.name); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{" GPT-4o ", "gpt-4o"},
		{"openai/gpt-4.1", "gpt-4.1"},
		{"anthropic/claude-sonnet-4.5", "claude-sonnet-4-5"},
		{"anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku-20241022-v1:0"},
		{"eu.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1-20250805-v1:0"},
		{"claude-opus-4-1@20250805", "claude-opus-4-1-20250805"},
		{"claude-sonnet-4-5[1m]", "claude-sonnet-4-5"},
		{"gpt-5.1-codex", "gpt-5.1-codex"},
	}
	for _, tt := range tests {
		if got := normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"models": {"x*": {"input": 1, "output": 2, "cache_read": 0.5}}}`), "x-model")
	f.Add([]byte(`{"models": {"gpt-4o": null}}`), "gpt-4o")
	f.Add([]byte(`{"models": {"a": {"input": 1e308, "output": 1e308}}}`), "a")
	f.Fuzz(func(t *testing.T, data []byte, model string) {
		tab, err := Parse(data)
		if err != nil {
			return
		}
		usd, ok := tab.Cost(model, api.Usage{InputTokens: 1000, CacheReadTokens: 10, OutputTokens: 100})
		if ok && (usd < 0 || math.IsNaN(usd)) {
			t.Fatalf("Cost(%q) = %v", model, usd)
		}
	})
}

func BenchmarkCost(b *testing.B) {
	tab := Default()
	u := api.Usage{InputTokens: 1200, CacheReadTokens: 40000, CacheWriteTokens: 900, OutputTokens: 700}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := tab.Cost("claude-sonnet-4-5-20250929", u); !ok {
			b.Fatal("no price")
		}
	}
}
