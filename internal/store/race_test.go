//go:build race

package store

// raceEnabled: the race detector slows the transpiled SQLite by an order of
// magnitude, so rate tests scale their rate down under it.
const raceEnabled = true
