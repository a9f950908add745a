// Package api holds the wire and domain types shared by the daemon, its JSON API,
// the typed client and the store: request records, usage, attempts, status.
package api
