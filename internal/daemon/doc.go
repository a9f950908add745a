// Package daemon is CLP's composition root: it loads the configuration, binds
// the proxy and UI listeners, keeps the configuration current as files change,
// and shuts everything down gracefully. It also holds the process plumbing the
// CLI needs to start, find and stop a daemon in the background.
package daemon
