package setup

import (
	"bytes"
	"slices"
	"strings"
)

// Codex CLI reads config.toml and auth.json from CODEX_HOME (default
// ~/.codex). Setup points it at CLP with a provider of its own:
//
//	model_provider = "clp"
//
//	[model_providers.clp]
//	name = "CLP"
//	base_url = "http://127.0.0.1:3211"
//	wire_api = "responses"
//	requires_openai_auth = true
//
// Codex sends a custom provider's requests without any Authorization header
// unless the provider sets requires_openai_auth (or env_key, which would make
// every shell export a variable). With requires_openai_auth Codex skips its
// login screen only when auth.json holds a credential, and then sends it as
// "Authorization: Bearer …", which CLP replaces with the config's own. So
// setup also makes sure auth.json has an OPENAI_API_KEY (Placeholder unless a
// non-empty one is there) and, when it records a login mode, that the mode is
// "apikey": a ChatGPT login would otherwise send the user's ChatGPT access
// token to CLP, which has no use for it. The tokens stay in the file and
// --undo brings the login back.
const (
	codexConfigFile = "config.toml"
	codexAuthFile   = "auth.json"
	codexProvider   = "clp"
)

// providerKey is a key setup manages in [model_providers.clp]: the value it
// writes, and whether an existing value may stay.
type providerKey struct {
	key  string
	raw  string
	keep func(raw string) bool
}

func codexProviderKeys(baseURL string) []providerKey {
	isString := func(want string) func(string) bool {
		return func(raw string) bool { s, ok := tomlStringValue(raw); return ok && s == want }
	}
	return []providerKey{
		// The display name is the user's to change.
		{key: "name", raw: `"CLP"`, keep: func(string) bool { return true }},
		{key: "base_url", raw: tomlQuote(baseURL), keep: isString(baseURL)},
		{key: "wire_api", raw: `"responses"`, keep: isString("responses")},
		{key: "requires_openai_auth", raw: "true", keep: func(raw string) bool { return raw == "true" }},
	}
}

// codexTableComment introduces a [model_providers.clp] table setup appends.
const codexTableComment = "# Route Codex through CLP (added by clp setup codex; undo: clp setup codex --undo)."

// editCodexConfig returns config.toml with the top-level model_provider set
// to "clp" and a [model_providers.clp] table holding the keys above. Lines it
// does not manage, comments included, keep their bytes:
//   - an existing top-level model_provider has its value replaced; otherwise
//     the key goes after the last top-level key or, when there is none,
//     before the first table header (and the comment lines right above it);
//   - an existing [model_providers.clp] table has its managed values replaced
//     and missing keys added after its last key, keeping other keys such as
//     stream_idle_timeout_ms; otherwise the table is appended at the end.
//
// model_providers.clp written as dotted keys or an inline table is an error
// naming the line, rather than a guess.
func editCodexConfig(path string, src []byte, baseURL string) ([]byte, error) {
	if isBlank(src) {
		src = nil
	}
	l, err := readCodexLayout(path, src)
	if err != nil {
		return nil, err
	}
	nl := newline(src)
	edits, atEnd := l.selectProvider(src, nl)
	edits = append(edits, l.providerTable(src, nl, baseURL, atEnd)...)
	return applyEdits(src, edits), nil
}

// codexLayout is where config.toml keeps what setup manages.
type codexLayout struct {
	stmts         []tomlStmt
	firstHeader   int   // first table header; len(stmts) when none
	lastTopKey    int   // last top-level key/value; -1 when none
	modelProvider []int // top-level model_provider statements
	table         int   // the [model_providers.clp] header; -1 when none
	tableKeys     []int // key/values directly in that table
}

func readCodexLayout(path string, src []byte) (codexLayout, error) {
	stmts, err := scanTOML(path, src)
	if err != nil {
		return codexLayout{}, err
	}
	l := codexLayout{stmts: stmts, firstHeader: len(stmts), lastTopKey: -1, table: -1}
	clp := []string{"model_providers", codexProvider}
	var cur []string // the table the statements belong to
	for i, st := range stmts {
		switch st.kind {
		case tomlArrayTable, tomlTable:
			l.firstHeader = min(l.firstHeader, i)
			cur = st.key
			switch {
			case !slices.Equal(st.key, clp):
			case st.kind == tomlArrayTable:
				return codexLayout{}, newParseError(path, src, st.keyStart, "[[model_providers.clp]] is an array of tables; write one [model_providers.clp] table")
			case l.table >= 0:
				return codexLayout{}, newParseError(path, src, st.keyStart, "model_providers.clp is defined more than once; keep one [model_providers.clp] table")
			default:
				l.table = i
			}
		case tomlKeyValue:
			full := append(slices.Clone(cur), st.key...)
			if len(cur) < 2 && full[0] == "model_providers" && (len(full) == 1 || full[1] == codexProvider) {
				return codexLayout{}, newParseError(path, src, st.keyStart, "model_providers.clp is set with a dotted key or inline table; write it as a [model_providers.clp] table")
			}
			switch {
			case len(cur) == 0:
				l.lastTopKey = i
				if slices.Equal(st.key, []string{"model_provider"}) {
					l.modelProvider = append(l.modelProvider, i)
				}
			case l.table >= 0 && slices.Equal(cur, clp):
				l.tableKeys = append(l.tableKeys, i)
			}
		}
	}
	return l, nil
}

// selectProvider returns the edits that make the top-level model_provider
// "clp", and whether they add text at the very end of the file.
func (l codexLayout) selectProvider(src []byte, nl string) ([]edit, bool) {
	value := tomlQuote(codexProvider)
	var edits []edit
	for _, i := range l.modelProvider {
		st := l.stmts[i]
		if s, ok := tomlStringValue(string(src[st.valStart:st.valEnd])); !ok || s != codexProvider {
			edits = append(edits, edit{start: st.valStart, end: st.valEnd, text: value})
		}
	}
	if len(l.modelProvider) > 0 {
		return edits, false
	}
	line := "model_provider = " + value + nl
	var e edit
	switch {
	case l.lastTopKey >= 0:
		e = insertLine(src, l.stmts[l.lastTopKey].end, line, nl)
	case l.firstHeader < len(l.stmts):
		// Before the header and the comment lines that introduce it,
		// followed by a blank line.
		j := l.firstHeader
		for j > 0 && l.stmts[j-1].kind == tomlComment {
			j--
		}
		at := l.stmts[j].start
		if j == 0 && bytes.HasPrefix(src, []byte(bom)) {
			at = len(bom)
		}
		e = edit{start: at, end: at, text: line + nl}
	default:
		e = insertLine(src, len(src), line, nl)
	}
	return []edit{e}, e.start == len(src)
}

// providerTable returns the edits that complete [model_providers.clp], or
// append it when there is none. atEnd says an earlier edit already added a
// line at the end of the file.
func (l codexLayout) providerTable(src []byte, nl, baseURL string, atEnd bool) []edit {
	keys := codexProviderKeys(baseURL)
	if l.table < 0 {
		var b strings.Builder
		switch {
		case atEnd:
			b.WriteString(nl)
		case len(src) > 0 && !bytes.HasSuffix(src, []byte("\n")):
			b.WriteString(nl + nl)
		case len(src) > 0 && !endsWithBlankLine(src):
			b.WriteString(nl)
		}
		b.WriteString(codexTableComment + nl + "[model_providers." + codexProvider + "]" + nl)
		for _, k := range keys {
			b.WriteString(k.key + " = " + k.raw + nl)
		}
		return []edit{{start: len(src), end: len(src), text: b.String()}}
	}

	var edits []edit
	var missing []string
	for _, k := range keys {
		found := false
		for _, i := range l.tableKeys {
			st := l.stmts[i]
			if !slices.Equal(st.key, []string{k.key}) {
				continue
			}
			found = true
			if !k.keep(string(src[st.valStart:st.valEnd])) {
				edits = append(edits, edit{start: st.valStart, end: st.valEnd, text: k.raw})
			}
		}
		if !found {
			missing = append(missing, k.key+" = "+k.raw)
		}
	}
	if len(missing) > 0 {
		after := l.stmts[l.table]
		if len(l.tableKeys) > 0 {
			after = l.stmts[l.tableKeys[len(l.tableKeys)-1]]
		}
		indent := lineIndent(src, after.keyStart)
		text := indent + strings.Join(missing, nl+indent) + nl
		edits = append(edits, insertLine(src, after.end, text, nl))
	}
	return edits
}

// insertLine inserts line (ending in nl) at offset at, the start of a line or
// the end of a file that may lack its final line ending.
func insertLine(src []byte, at int, line, nl string) edit {
	if at > 0 && src[at-1] != '\n' {
		line = nl + line
	}
	return edit{start: at, end: at, text: line}
}

// endsWithBlankLine reports whether src ends with an empty line.
func endsWithBlankLine(src []byte) bool {
	return bytes.HasSuffix(src, []byte("\n\n")) || bytes.HasSuffix(src, []byte("\n\r\n"))
}

// editCodexAuth returns auth.json with OPENAI_API_KEY set to Placeholder
// unless it holds a non-empty string, and any auth_mode set to "apikey".
// Other members (a ChatGPT login's tokens, last_refresh) keep their bytes.
func editCodexAuth(path string, src []byte) ([]byte, error) {
	if isBlank(src) || isEmptyObject(src) {
		src = []byte("{}" + newline(src))
	}
	top, err := parseJSON(path, src)
	if err != nil {
		return nil, err
	}
	if top.kind != '{' {
		return nil, newParseError(path, src, top.start, "top-level value is not an object")
	}
	var edits []edit
	keys := top.lookup("OPENAI_API_KEY")
	if len(keys) == 0 {
		edits = insertMembers(src, top, []jsonPair{{key: "OPENAI_API_KEY", raw: jsonQuote(Placeholder)}}, detectJSONStyle(src, top))
	}
	for _, m := range keys {
		if s, ok := jsonStringValue(src, m.value); !ok || s == "" {
			edits = append(edits, replaceValue(m, jsonQuote(Placeholder)))
		}
	}
	for _, m := range top.lookup("auth_mode") {
		if s, ok := jsonStringValue(src, m.value); !ok || s != "apikey" {
			edits = append(edits, replaceValue(m, `"apikey"`))
		}
	}
	return applyEdits(src, edits), nil
}
