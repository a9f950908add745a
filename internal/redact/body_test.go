package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// This file builds realistic request bodies for tests and benchmarks: the
// shape Claude Code sends (system blocks, tool schemas, long conversations
// with thinking, tool calls, source files and command output), generated
// deterministically.

// benchRules are 20 rules of the kind users write: company names, hosts,
// e-mail addresses, customer and ticket numbers, internal addresses.
func benchRules() []Rule {
	return []Rule{
		{Name: "company", Source: "Acme Corporation", Target: "Example Corp"},
		{Name: "company-short", Source: `\bAcmeCo\b`, Target: "ExampleCo"},
		{Name: "codename", Source: `(?i)project[ -]falcon`, Target: "project-x"},
		{Name: "host", Source: `[a-z0-9-]+\.corp\.acme-internal\.net`, Target: "host.example"},
		{Name: "email", Source: `[A-Za-z0-9._%+-]+@acme-corp\.com`, Target: "user@example.com"},
		{Name: "customer", Source: `CUST-[0-9]{6}`, Target: "CUST-000000"},
		{Name: "ticket", Source: `JIRA-ACME-[0-9]{1,6}`, Target: "TICKET"},
		{Name: "ip", Source: `10\.42\.[0-9]{1,3}\.[0-9]{1,3}`, Target: "10.0.0.1"},
		{Name: "vpn", Source: `vpn\.acme\.example\.org`, Target: "vpn.example"},
		{Name: "person", Source: "Jane Q. Developer", Target: "A. Person"},
		{Name: "repo", Source: `github\.com/acme-private/[A-Za-z0-9_.-]+`, Target: "github.com/org/repo"},
		{Name: "bucket", Source: `s3://acme-prod-[a-z0-9-]{3,40}`, Target: "s3://bucket"},
		{Name: "phone", Source: `\+1-555-01[0-9]{2}`, Target: "+1-555-0000"},
		{Name: "account", Source: `acct_[0-9A-Za-z]{16}`, Op: OpRemove},
		{Name: "license", Source: `ACME-LIC-[A-Z0-9]{4}-[A-Z0-9]{4}`, Target: "LICENSE"},
		{Name: "db", Source: "prod-db-primary.acme.local", Target: "db.local"},
		{Name: "slack", Source: `#acme-incidents`, Target: "#channel"},
		{Name: "path", Source: `/home/jdeveloper/`, Target: "/home/user/"},
		{Name: "ssn", Source: `SSN: ?[0-9]{3}-[0-9]{2}-[0-9]{4}`, Target: "SSN: ***"},
		{Name: "card", Source: `(?i)visa ending in [0-9]{4}`, Target: "card"},
	}
}

// planted is a line claudeBody plants when asked for secrets, and the
// secret in it that must not survive the filter.
type planted struct{ line, secret string }

func plantedSecrets() []planted {
	return []planted{
		{"export AWS_ACCESS_KEY_ID=AKIAZ7Q2XK4M9T3LR8WP", "AKIAZ7Q2XK4M9T3LR8WP"},
		{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8pLx2mQa", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8pLx2mQa"},
		{"GITHUB_TOKEN=ghp_R2d2C3poX9wingQ7LukeSkyw4lkerHan5olo", "ghp_R2d2C3poX9wingQ7LukeSkyw4lkerHan5olo"},
		{"ANTHROPIC_API_KEY=sk-ant-api03-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNmQwErTyUiOpAsDfGhJkLzXcVbNmQw-AbCdEfAA",
			"sk-ant-api03-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNmQwErTyUiOpAsDfGhJkLzXcVbNmQw-AbCdEfAA"},
		{`client = OpenAI(api_key="sk-proj-Ab3De5Gh7Jk9Lm1No3Pq5Rs7Tu9Vw1Xy3Za5Bc7De9Fg1Hi3")`,
			"sk-proj-Ab3De5Gh7Jk9Lm1No3Pq5Rs7Tu9Vw1Xy3Za5Bc7De9Fg1Hi3"},
		{"SLACK_BOT_TOKEN=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
			"xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"},
		{"maps key AIzaSyD4x7q9Zk2Lm5Np8Rs1Tu4Vw7Xy0Ab3Cd6 in config", "AIzaSyD4x7q9Zk2Lm5Np8Rs1Tu4Vw7Xy0Ab3Cd6"},
		{"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
			"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"},
		{"DATABASE_URL=postgres://app:S3cr3tPassw0rd@db.internal:5432/app", "S3cr3tPassw0rd"},
		{`DB_PASSWORD="correct horse battery staple"`, "correct horse battery staple"},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aumXGyXBrIFrRoYQZVA1bjYxJg\n" +
			"Z4v3K8LmNpQ0rStUvWxYz1234567890abcdefghijklmnopqrstuvwxyzABCDEFG\n-----END RSA PRIVATE KEY-----",
			"MIIEowIBAAKCAQEA1c7"},
		{"Contact Jane Q. Developer <jane.dev@acme-corp.com> about CUST-123456 on project falcon", "jane.dev@acme-corp.com"},
		{"ssh deploy@build-07.corp.acme-internal.net (10.42.7.19) for JIRA-ACME-4411", "10.42.7.19"},
	}
}

// claudeBody returns a Claude Code-like /v1/messages body of about size
// bytes. With secrets, plantedSecrets appear in tool results and messages.
func claudeBody(size int, secrets bool) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	home := "/home/user"
	if secrets {
		home = "/home/jdeveloper"
	}
	req := map[string]any{
		"model":      "claude-sonnet-4-5-20250929",
		"max_tokens": 32000,
		"stream":     true,
		"thinking":   map[string]any{"type": "adaptive"},
		"metadata":   map[string]any{"user_id": `{"session_id":"4f0c2d8e-9b1a-4c3e-8f7a-2b6d9e0c1a3f","account":"user_2b7c"}`},
		"system": []any{
			map[string]any{"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude."},
			map[string]any{"type": "text", "text": prose(rng, 6000), "cache_control": map[string]any{"type": "ephemeral"}},
		},
	}
	var tools []any
	for i := range 22 {
		tools = append(tools, map[string]any{
			"name":        fmt.Sprintf("Tool%d", i),
			"description": prose(rng, 1500),
			"input_schema": map[string]any{
				"type": "object",
				"properties": map[string]any{
					"file_path": map[string]any{"type": "string", "description": prose(rng, 120)},
					"command":   map[string]any{"type": "string", "description": prose(rng, 200)},
					"timeout":   map[string]any{"type": "number", "description": "Optional timeout in milliseconds (max 600000)"},
				},
				"required":             []string{"file_path"},
				"additionalProperties": false,
			},
		})
	}
	req["tools"] = tools
	var msgs []any
	total := 0
	plant, n := plantedSecrets(), 0
	for turn := 0; total < size; turn++ {
		userText := prose(rng, 400)
		if secrets && turn%7 == 3 && n < len(plant) {
			userText += "\n" + plant[n].line + "\n"
			n++
		}
		msgs = append(msgs, map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": userText}}})
		id := fmt.Sprintf("toolu_01%016x", rng.Uint64())
		msgs = append(msgs, map[string]any{"role": "assistant", "content": []any{
			map[string]any{"type": "thinking", "thinking": prose(rng, 600), "signature": b64(rng, 400)},
			map[string]any{"type": "text", "text": prose(rng, 300)},
			map[string]any{"type": "tool_use", "id": id, "name": "Read", "input": map[string]any{"file_path": home + "/src/app/main.go"}},
		}})
		result := code(rng, 6000)
		if secrets && turn%7 == 5 && n < len(plant) {
			result += "\n" + plant[n].line + "\n"
			n++
		}
		content := []any{map[string]any{"type": "tool_result", "tool_use_id": id, "content": result}}
		if turn%15 == 14 {
			content = append(content, map[string]any{"type": "image", "source": map[string]any{
				"type": "base64", "media_type": "image/png", "data": b64(rng, 30000)}})
		}
		msgs = append(msgs, map[string]any{"role": "user", "content": content})
		total += 11000
	}
	req["messages"] = msgs
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // like JSON.stringify
	if err := enc.Encode(req); err != nil {
		panic(err)
	}
	return bytes.TrimSpace(buf.Bytes())
}

// words returns the vocabulary of the generated text.
func words() []string {
	return strings.Fields(`the a to of and in is for that with on this use file when you it be
	tool command output user should not are run can if or by from as will read edit code test
	function return error value string path directory before after must only each any new make
	sure call result parameter token key secret password task disk risk mask request response
	The When Use If Note IMPORTANT: NEVER Always Bash Read Edit Write Grep Glob TodoWrite Claude JSON
	API HTTP URL CLI README.md go.mod package.json src/main.go ./... --verbose -n 10 $HOME ~/.config
	e.g. i.e. (optional) [default: 30] {path} <file> 200 404 3.14 2025-01-15 v1.2.3 foo_bar fooBar
	https://docs.example.com/guide#section user@host`)
}

func prose(rng *rand.Rand, n int) string {
	words := words()
	var b strings.Builder
	for b.Len() < n {
		switch rng.IntN(40) {
		case 0:
			b.WriteString("\n## ")
		case 1:
			b.WriteString("\n- ")
		case 2:
			b.WriteString("**")
		case 3:
			b.WriteString("`")
		}
		b.WriteString(words[rng.IntN(len(words))])
		switch rng.IntN(12) {
		case 0:
			b.WriteString(". ")
		case 1:
			b.WriteString("\n")
		case 2:
			b.WriteString(`, "quoted" `)
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func code(rng *rand.Rand, n int) string {
	var b strings.Builder
	for line := 1; b.Len() < n; line++ {
		fmt.Fprintf(&b, "%6d\t", line)
		switch rng.IntN(9) {
		case 6:
			fmt.Fprintf(&b, "\tconst MAX_%s_COUNT = %d // %s", strings.ToUpper(ident(rng)), rng.IntN(99999), prose(rng, 30))
		case 7:
			fmt.Fprintf(&b, "    def %s(self, %s: str) -> Optional[Dict[str, Any]]:", ident(rng), ident(rng))
		case 8:
			fmt.Fprintf(&b, "  const %s = await fetch(`${BASE_URL}/api/v2/%s?limit=${n}`);", ident(rng), ident(rng))
		case 0:
			fmt.Fprintf(&b, "func %s(ctx context.Context, %s string) (*%s, error) {", ident(rng), ident(rng), ident(rng))
		case 1:
			fmt.Fprintf(&b, "\tif err := %s.%s(%q); err != nil {", ident(rng), ident(rng), prose(rng, 20))
		case 2:
			fmt.Fprintf(&b, "\t\treturn nil, fmt.Errorf(\"%s: %%w\", err)", prose(rng, 15))
		case 3:
			fmt.Fprintf(&b, "\t%s := map[string]int{\"%s\": %d, \"%s\": %d}", ident(rng), ident(rng), rng.IntN(1000), ident(rng), rng.IntN(1000))
		case 4:
			fmt.Fprintf(&b, "\t// %s", prose(rng, 50))
		default:
			b.WriteString("\t}")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func ident(rng *rand.Rand) string {
	words := words()
	w := words[rng.IntN(len(words))]
	return w + strings.ToUpper(w[:1]) + fmt.Sprint(rng.IntN(10))
}

func b64(rng *rand.Rand, n int) string {
	raw := make([]byte, n*3/4)
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	return base64.StdEncoding.EncodeToString(raw)
}
