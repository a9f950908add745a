package cost

// Default returns the built-in price table: list prices of the current
// Claude and GPT models on the providers' own APIs (standard tier, no batch
// discount), as published in their pricing pages. A model not listed has no
// price; the user adds or corrects prices in data/prices.json (see Parse).
//
// Known limits of these defaults: Anthropic's regional (data residency) and
// fast-mode surcharges and OpenAI's priority and flex tiers are not modeled,
// and a relay that resells at its own rates needs its own entries.
func Default() *Table { return &Table{base: newSet(defaults())} }

// defaults builds the built-in entries. Sources: Anthropic's pricing page
// (5 m and 1 h cache writes at 1.25x and 2x input and cache reads at 0.1x
// for every model but Haiku 3; long-context rates for Sonnet 4 and 4.5 past
// 200K prompt tokens, with the same multipliers) and
// OpenAI's pricing page (input, cached input, output; GPT-5.4 and 5.5 long
// context past 272K). OpenAI bills no cache writes for these models.
func defaults() []Entry {
	var out []Entry
	add := func(p Price, patterns ...string) {
		for _, pat := range patterns {
			out = append(out, Entry{Pattern: pat, Price: p})
		}
	}
	claude := func(in, outRate float64) Price {
		return Price{Input: in, Output: outRate, CacheWrite5m: in * 1.25, CacheWrite1h: in * 2, CacheRead: in / 10}
	}
	gpt := func(in, cached, outRate float64) Price {
		return Price{Input: in, Output: outRate, CacheRead: cached}
	}
	withLong := func(p Price, above int64, long Price) Price {
		p.LongContextAbove, p.LongContext = above, &long
		return p
	}

	// Claude. Dated ids ("claude-sonnet-4-5-20250929") match the family
	// pattern; the first Opus 4 and Sonnet 4 have no minor number, so their
	// patterns name the date or the "-0" alias to keep clear of 4-1, 4-5….
	add(claude(5, 25), "claude-opus-4-5*", "claude-opus-4-6*", "claude-opus-4-7*")
	add(claude(15, 75), "claude-opus-4-1*", "claude-opus-4-0*", "claude-opus-4-2025*", "claude-opus-4")
	sonnet4 := withLong(claude(3, 15), 200_000, claude(6, 22.5))
	add(sonnet4, "claude-sonnet-4-5*", "claude-sonnet-4-0*", "claude-sonnet-4-2025*", "claude-sonnet-4")
	add(claude(3, 15), "claude-sonnet-4-6*", "claude-3-7-sonnet*", "claude-3-5-sonnet*")
	add(claude(1, 5), "claude-haiku-4-5*")
	add(claude(0.8, 4), "claude-3-5-haiku*")
	// Haiku 3's cache rates are not the usual multiples.
	add(Price{Input: 0.25, Output: 1.25, CacheWrite5m: 0.30, CacheWrite1h: 0.50, CacheRead: 0.03}, "claude-3-haiku*")

	// GPT. Dated snapshots are listed where their price is the alias's
	// (gpt-4o-2024-05-13 is not: it is left out).
	add(gpt(1.25, 0.125, 10), "gpt-5", "gpt-5-20*", "gpt-5-codex", "gpt-5.1", "gpt-5.1-20*", "gpt-5.1-codex")
	add(gpt(0.25, 0.025, 2), "gpt-5-mini", "gpt-5-mini-20*", "gpt-5.1-codex-mini")
	add(gpt(0.05, 0.005, 0.4), "gpt-5-nano", "gpt-5-nano-20*")
	add(gpt(1.75, 0.175, 14), "gpt-5.2", "gpt-5.2-20*", "gpt-5.2-codex")
	add(withLong(gpt(2.5, 0.25, 15), 272_000, gpt(5, 0.5, 22.5)), "gpt-5.4", "gpt-5.4-20*")
	add(gpt(0.75, 0.075, 4.5), "gpt-5.4-mini", "gpt-5.4-mini-20*")
	add(gpt(0.2, 0.02, 1.25), "gpt-5.4-nano", "gpt-5.4-nano-20*")
	add(withLong(gpt(5, 0.5, 30), 272_000, gpt(10, 1, 45)), "gpt-5.5", "gpt-5.5-20*")
	add(gpt(2, 0.5, 8), "gpt-4.1", "gpt-4.1-2025-04-14", "o3", "o3-2025-04-16")
	add(gpt(0.4, 0.1, 1.6), "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14")
	add(gpt(0.1, 0.025, 0.4), "gpt-4.1-nano", "gpt-4.1-nano-2025-04-14")
	add(gpt(2.5, 1.25, 10), "gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20")
	add(gpt(0.15, 0.075, 0.6), "gpt-4o-mini", "gpt-4o-mini-2024-07-18")
	add(gpt(1.1, 0.275, 4.4), "o4-mini", "o4-mini-2025-04-16")
	return out
}
