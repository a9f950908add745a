// Package metrics turns finished request records and scrape-time readings of
// the daemon's gauges into Prometheus metrics on a private registry, served
// in the text exposition format. It reads no files and opens no sockets.
package metrics
