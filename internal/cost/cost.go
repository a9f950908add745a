// Package cost prices a request's token usage from a per-model table of
// rates in US dollars per million tokens.
package cost

import (
	"cmp"
	"slices"
	"strings"

	"github.com/clp-proxy/clp/internal/api"
)

// Price is what one model costs, in US dollars per million tokens. A
// negative rate is unknown: Cost reports ok false for a usage that needs it.
// A zero rate is free.
type Price struct {
	Input        float64 `json:"input"`
	Output       float64 `json:"output"`
	CacheWrite5m float64 `json:"cache_write_5m"`
	CacheWrite1h float64 `json:"cache_write_1h"`
	CacheRead    float64 `json:"cache_read"`

	// LongContext, when set, replaces all the rates above for a request
	// whose prompt (input, cache read and cache write tokens together)
	// exceeds LongContextAbove tokens, as some models bill long prompts.
	LongContextAbove int64  `json:"long_context_above,omitempty"`
	LongContext      *Price `json:"long_context,omitempty"`
}

// Unknown is the rate of a price component nobody knows.
const Unknown = -1.0

// Entry is one row of a Table: a model name or glob pattern and its price.
type Entry struct {
	// Pattern is a model name, or a pattern where "*" matches any run of
	// characters ("claude-sonnet-4-5*").
	Pattern string `json:"pattern"`
	Price   Price  `json:"price"`
	// User marks an entry from the user's file rather than the defaults.
	User bool `json:"user,omitempty"`
	// Removed marks a user entry that takes a default price away: models it
	// matches have no price.
	Removed bool `json:"removed,omitempty"`
}

// Table maps model names to prices. Build one with Default or Parse; a Table
// is never changed after that, so it is safe for concurrent use. A nil
// *Table knows no prices.
//
// A model name is matched after normalizing it: lower case, without a
// "provider/" prefix, a Bedrock "anthropic." or "us.anthropic." prefix, or
// a trailing "[1m]"-style tag, and for Claude models with "." and "@" read
// as "-" (so "anthropic/claude-sonnet-4.5" is "claude-sonnet-4-5"). The
// user's entries are tried before the defaults; within each, an exact name
// wins over patterns, and the pattern with the most literal characters wins
// over the others.
type Table struct {
	user, base set
}

// set is one layer of a Table: exact names and patterns, most specific first.
type set struct {
	exact map[string]Entry
	globs []Entry
}

func newSet(entries []Entry) set {
	s := set{exact: make(map[string]Entry)}
	globs := make(map[string]Entry)
	for _, e := range entries { // a pattern given twice keeps its last price
		e.Pattern = normalize(e.Pattern)
		if strings.Contains(e.Pattern, "*") {
			globs[e.Pattern] = e
		} else {
			s.exact[e.Pattern] = e
		}
	}
	for _, e := range globs {
		s.globs = append(s.globs, e)
	}
	slices.SortFunc(s.globs, func(a, b Entry) int {
		return cmp.Or(
			cmp.Compare(literal(b.Pattern), literal(a.Pattern)),
			cmp.Compare(len(prefix(b.Pattern)), len(prefix(a.Pattern))),
			cmp.Compare(a.Pattern, b.Pattern))
	})
	return s
}

func (s *set) lookup(model string) (Entry, bool) {
	if e, ok := s.exact[model]; ok {
		return e, true
	}
	for _, e := range s.globs {
		if match(e.Pattern, model) {
			return e, true
		}
	}
	return Entry{}, false
}

// literal counts the characters of a pattern that are not wildcards.
func literal(p string) int { return len(p) - strings.Count(p, "*") }

// prefix is the part of a pattern before its first wildcard.
func prefix(p string) string {
	if i := strings.IndexByte(p, '*'); i >= 0 {
		return p[:i]
	}
	return p
}

// Lookup returns the price of model; ok is false when the table has none.
func (t *Table) Lookup(model string) (p Price, ok bool) {
	if t == nil {
		return Price{}, false
	}
	m := normalize(model)
	if m == "" {
		return Price{}, false
	}
	for _, s := range [...]*set{&t.user, &t.base} {
		if e, found := s.lookup(m); found {
			if e.Removed {
				return Price{}, false
			}
			return e.Price, true
		}
	}
	return Price{}, false
}

// Entries lists the table, the user's entries first, each layer in the order
// Lookup tries it.
func (t *Table) Entries() []Entry {
	if t == nil {
		return nil
	}
	var out []Entry
	for _, s := range []set{t.user, t.base} {
		exact := make([]Entry, 0, len(s.exact))
		for _, e := range s.exact {
			exact = append(exact, e)
		}
		slices.SortFunc(exact, func(a, b Entry) int { return cmp.Compare(a.Pattern, b.Pattern) })
		out = append(append(out, exact...), s.globs...)
	}
	return out
}

// Cost prices usage u of model in US dollars. ok is false when the model has
// no price or the usage needs a rate that is unknown; Cost never guesses.
//
// Cache writes are priced at the 5 m and 1 h rates as split in u; writes
// reported without a split (CacheWriteTokens beyond the two) are priced as
// 5 m writes. Reasoning tokens are not added: both Anthropic and OpenAI
// count them in the output tokens already.
func (t *Table) Cost(model string, u api.Usage) (usd float64, ok bool) {
	p, ok := t.Lookup(model)
	if !ok {
		return 0, false
	}
	if u.InputTokens < 0 || u.CacheReadTokens < 0 || u.CacheWriteTokens < 0 || u.OutputTokens < 0 ||
		u.CacheWrite5mTokens < 0 || u.CacheWrite1hTokens < 0 {
		return 0, false
	}
	if p.LongContext != nil && p.LongContextAbove > 0 &&
		u.InputTokens+u.CacheReadTokens+u.CacheWriteTokens > p.LongContextAbove {
		p = *p.LongContext
	}
	write5m, write1h := u.CacheWrite5mTokens, u.CacheWrite1hTokens
	if rest := u.CacheWriteTokens - write5m - write1h; rest > 0 {
		write5m += rest
	}
	var sum float64
	for _, c := range [...]struct {
		tokens int64
		rate   float64
	}{
		{u.InputTokens, p.Input},
		{u.OutputTokens, p.Output},
		{u.CacheReadTokens, p.CacheRead},
		{write5m, p.CacheWrite5m},
		{write1h, p.CacheWrite1h},
	} {
		if c.tokens == 0 {
			continue
		}
		if c.rate < 0 {
			return 0, false
		}
		sum += float64(c.tokens) * c.rate
	}
	return sum / 1e6, true
}

// normalize puts a model name (or pattern) in the form the table matches.
func normalize(name string) string {
	s := strings.ToLower(strings.TrimSpace(name))
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	if strings.HasSuffix(s, "]") {
		if i := strings.LastIndexByte(s, '['); i > 0 {
			s = s[:i]
		}
	}
	// Bedrock ids: "anthropic.claude-…", "us.anthropic.claude-…".
	if i := strings.Index(s, "anthropic.claude-"); i >= 0 && (i == 0 || s[i-1] == '.') {
		s = s[i+len("anthropic."):]
	}
	if strings.HasPrefix(s, "claude-") {
		s = strings.Map(func(r rune) rune {
			if r == '.' || r == '@' {
				return '-'
			}
			return r
		}, s)
	}
	return s
}

// match reports whether name matches pattern, where "*" in pattern matches
// any run of characters, including none.
func match(pattern, name string) bool {
	// Greedy matching with one backtrack point: the last "*" seen.
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case p < len(pattern) && pattern[p] == name[n]:
			p++
			n++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
