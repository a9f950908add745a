// Package setup points a coding CLI at CLP by merging a few settings into the
// CLI's own files, with a backup first, a diff for --dry-run and an undo.
//
// What it changes, and why:
//
//   - Claude Code, in $CLAUDE_CONFIG_DIR/settings.json (default
//     ~/.claude/settings.json): env.ANTHROPIC_BASE_URL becomes CLP's Claude
//     listener, so every session sends its Messages API calls to CLP, and
//     env.ANTHROPIC_AUTH_TOKEN gets the placeholder "-" when env holds
//     neither it nor ANTHROPIC_API_KEY, so Claude Code has a credential to
//     send and does not ask for a login.
//   - Codex CLI, in $CODEX_HOME/config.toml (default ~/.codex): a
//     [model_providers.clp] table with name, base_url (CLP's Codex
//     listener), wire_api = "responses" and requires_openai_auth = true,
//     and the top-level model_provider = "clp" that selects it. In
//     $CODEX_HOME/auth.json: an OPENAI_API_KEY ("-" unless one is set) and,
//     if the file records a login mode, auth_mode = "apikey", so that Codex
//     sends "Authorization: Bearer -" rather than nothing or the user's
//     ChatGPT token. See codex.go for the details Codex imposes.
//
// CLP strips whatever credential the client sends and sets the upstream
// config's own, so the placeholders are never used upstream. A non-empty
// credential the user already has (a CLP client key, for a proxy that
// listens beyond loopback) is kept.
//
// Everything else in those files is kept byte for byte: setup edits the text
// (JSON with // and /* */ comments tolerated; TOML line by line) instead of
// decoding and re-encoding it, so key order, indentation, comments, CRLF line
// endings and a byte order mark survive. A Codex profile that sets its own
// model_provider is left alone and keeps winning when selected.
//
// Plan computes the new contents and changes nothing; Change.Diff shows them;
// Change.Apply saves a timestamped backup under <client dir>/clp-backup/ and
// writes each file atomically; Undo puts the newest backup back. Running
// setup on a client already set up plans no change and writes no backup.
// Codex installs that keep credentials in the OS keyring
// (cli_auth_credentials_store) do not read auth.json; setup still writes it.
package setup
