// Package ui serves the web UI and the JSON API under /api/v1/ on the UI
// port. The CLI's typed client (internal/client) speaks the same API.
package ui
