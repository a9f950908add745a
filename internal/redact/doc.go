// Package redact is CLP's request filter: the user's rules from filter.json
// and built-in secret detectors, applied to a request body before it leaves
// the machine (DESIGN §8). It is pure: no IO, no clock, no logging.
//
// Parse rules with ParseRules, build a Filter with Compile, and call
// Filter.Apply on each attempt's body. The Report says how many replacements
// each rule or detector made and where they are in the output, with masked
// previews; it never holds the replaced text.
package redact
