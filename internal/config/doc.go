// Package config reads and writes the files under CLP_HOME (DESIGN §3), in the
// original Python CLP's format: it loads them whole, validates them whole, keeps
// the last good version of a file whose edit does not parse, writes atomically
// with mode 0600, and watches the folder for hand edits.
package config
