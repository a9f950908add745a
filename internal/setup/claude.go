package setup

// Claude Code reads settings.json from CLAUDE_CONFIG_DIR (default ~/.claude).
// Its "env" object sets environment variables for every session:
// ANTHROPIC_BASE_URL sends the Messages API to CLP, and ANTHROPIC_AUTH_TOKEN
// gives Claude Code a credential to send so it does not ask the user to log
// in. CLP removes that credential and sends the chosen config's own.
const (
	claudeSettingsFile = "settings.json"
	envBaseURL         = "ANTHROPIC_BASE_URL"
	envAuthToken       = "ANTHROPIC_AUTH_TOKEN"
	envAPIKey          = "ANTHROPIC_API_KEY"
)

// Placeholder is the credential setup writes where a client needs one and
// none is set. CLP replaces whatever the client sends with the upstream
// config's credential, so the value is never used; a non-empty value the user
// already has (say, a CLP client key) is kept.
const Placeholder = "-"

// editClaudeSettings returns settings.json with env.ANTHROPIC_BASE_URL set to
// baseURL and, unless env already holds a non-empty ANTHROPIC_AUTH_TOKEN or
// ANTHROPIC_API_KEY, env.ANTHROPIC_AUTH_TOKEN set to Placeholder. (Adding a
// token next to an API key would make Claude Code warn of an auth conflict.) Everything else keeps its bytes. A missing, blank
// or "{}" file becomes a new document indented by two spaces.
//
// When "env" appears more than once, the last one is edited: it is the one
// JSON readers keep. Every copy of a managed key inside it is set.
func editClaudeSettings(path string, src []byte, baseURL string) ([]byte, error) {
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
	st := detectJSONStyle(src, top)
	url := jsonQuote(baseURL)
	token := jsonQuote(Placeholder)

	envs := top.lookup("env")
	if len(envs) == 0 {
		env := jsonPair{key: "env", obj: []jsonPair{{key: envBaseURL, raw: url}, {key: envAuthToken, raw: token}}}
		return applyEdits(src, insertMembers(src, top, []jsonPair{env}, st)), nil
	}
	env := &envs[len(envs)-1].value
	if env.kind != '{' {
		return nil, newParseError(path, src, env.start, `"env" is not an object`)
	}

	var edits []edit
	var add []jsonPair
	set := func(key, raw string, ok func(string) bool) {
		ms := env.lookup(key)
		if len(ms) == 0 {
			add = append(add, jsonPair{key: key, raw: raw})
		}
		for _, m := range ms {
			if s, isString := jsonStringValue(src, m.value); !isString || !ok(s) {
				edits = append(edits, replaceValue(m, raw))
			}
		}
	}
	set(envBaseURL, url, func(s string) bool { return s == baseURL })
	if !hasCredential(src, env) {
		set(envAuthToken, token, func(s string) bool { return s != "" })
	}
	if len(add) > 0 {
		edits = append(edits, insertMembers(src, *env, add, st)...)
	}
	return applyEdits(src, edits), nil
}

// hasCredential reports whether env holds a non-empty ANTHROPIC_AUTH_TOKEN or
// ANTHROPIC_API_KEY string.
func hasCredential(src []byte, env *jsonNode) bool {
	for _, key := range []string{envAuthToken, envAPIKey} {
		ms := env.lookup(key)
		if len(ms) == 0 {
			continue
		}
		// Of duplicates, the last is the one JSON readers keep.
		if s, ok := jsonStringValue(src, ms[len(ms)-1].value); ok && s != "" {
			return true
		}
	}
	return false
}
