// Package redact is CLP's request filter (DESIGN §8): the user's rules from
// filter.json and built-in secret detectors, applied to a request body before
// it leaves the machine and before it is logged. It is pure: no IO, no clock,
// no logging.
//
// ParseRules reads filter.json, Compile checks the rules and builds a Filter
// (reporting every bad rule at once), and Filter.Apply filters one body.
// Filter.ApplyPieces gives the same output as pieces that share the body's
// unchanged bytes instead of copying them, and Filter.NewStream the same
// for a body that arrives in parts, as far as each part makes it final. A
// Filter is immutable and safe for concurrent use.
//
// What is matched: in a JSON body, the value of each string (keys included),
// decoded, so "\n" is a newline to a pattern and no match can span two
// strings or touch the document's structure; replacements are written back
// JSON-escaped, leaving every other byte as it was. Server-issued blobs
// ("signature", "encrypted_content") and base64 "data" are left alone. A body
// that is not JSON is matched as raw text.
//
// How it stays fast: every rule and detector is reduced to literals that its
// matches must contain (derived from the regular expression, or listed with
// the detector), or, for a rule without a useful literal, a run of characters
// of one class (16 digits, say). One pass over the body looks for all the
// literals at once, by byte pairs; regular expressions run only in small
// windows around what was found, decoding only those windows. The same pass
// finds, by pairs of their own, the \u escapes of characters that the
// literals can hold ("\u0073k-ant-" decodes to "sk-ant-"; Go's encoding/json
// writes < > & so), which a search of raw bytes cannot see through: in a
// string holding one, the rules and detectors whose literals can hold that
// character run over all of its decoded text. A literal holding '/' is also
// looked for with every '/' written \/, as PHP's json_encode writes it (a
// string that mixes both spellings within one literal is not seen
// through). A body in which nothing matches
// is returned as is, without copying or allocating. Once a
// rule changed a string, the rules after it learn where their literals lie
// in the new text from one shared pass (or, in a string without escapes,
// from the first pass, moved past the edits, and one pass over the text
// around each replacement), not from a search each. A changed string is
// kept as runs of the body and replacement texts, so the output is copied
// only by Apply, which joins them. A rule whose match can run on without
// bound after its literal (`password=\S+`) is tried, anchored, only at the
// few places before each literal where a match can start; in a string whose
// escapes can neither form nor hide its literals (no \u escape but of a
// control character), the first pass says where those are, and the
// expression reads the decoded text from there on as far as it needs, so
// the string is not decoded whole. A rule with neither literal nor run
// (such as `[a-z]+`) runs over every string and costs tens of milliseconds
// per megabyte.
// Detectors' regular expressions are compiled on first use.
//
// The Report tells how many replacements each rule or detector made and where
// they lie in the output, with a masked preview; it never holds the replaced
// text.
package redact
