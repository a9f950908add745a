// Package store keeps CLP's request log and usage statistics in a SQLite
// database under CLP_HOME/data (DESIGN §9).
//
// The proxy hands finished requests to [DB.Add], which never blocks: one
// writer goroutine takes them from a bounded queue and commits them in
// batches, together with hourly rollups (requests, errors, tokens, cost and
// latency histograms) that [DB.Stats] reads. Bodies and headers live in their
// own table so that [DB.Prune] can drop them by age and size while the rollups,
// and so every total, stay whole.
//
// Times are stored in UTC; day buckets of [DB.Stats] are cut in the time zone
// the caller asks for.
package store
