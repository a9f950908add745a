package redact

import (
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

// detectorCase is one detector with texts it must find (each with the part
// that must disappear) and near misses it must leave alone.
type detectorCase struct {
	id       string
	positive []struct{ text, secret string }
	negative []string
}

func detectorCases() []detectorCase {
	type pos = struct{ text, secret string }
	ghp := "ghp_" + token(36, 10)
	pat := "github_pat_" + token(22, 11) + "_" + token(59, 12)
	ant := "sk-ant-api03-" + token(40, 13) + "-" + token(40, 14) + "_AA"
	proj := "sk-proj-" + token(60, 15) + "-" + token(40, 16)
	legacy := "sk-" + token(20, 17) + "T3BlbkFJ" + token(20, 18)
	plain48 := "sk-" + token(48, 19)
	awsSecret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8pLx2mQa"
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1c7+9z5Pad7Oejecs\nQ0bu3aumXGyXBrIFrRoYQZVA1bjYxJg==\n-----END RSA PRIVATE KEY-----"
	encrypted := "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nxyz+abc/def=\n-----END RSA PRIVATE KEY-----"
	openssh := "-----BEGIN OPENSSH PRIVATE KEY-----\r\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\r\n-----END OPENSSH PRIVATE KEY-----"
	cut := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
	gcp := `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nBgkqhkiG9w0B\n-----END PRIVATE KEY-----`
	return []detectorCase{
		{
			id: "private-key",
			positive: []pos{
				{"key:\n" + pem + "\nthanks", pem},
				{encrypted, encrypted},
				{openssh, openssh},
				{"cut short: " + cut, cut},
				{`{"type": "service_account", "private_key": "` + gcp + `\n", "client_email": "x"}`, gcp},
				{"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF+abc=\n=Ab3d\n-----END PGP PRIVATE KEY BLOCK-----",
					"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF+abc=\n=Ab3d\n-----END PGP PRIVATE KEY BLOCK-----"},
			},
			negative: []string{
				"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqh\n-----END PUBLIC KEY-----",
				"-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----",
				"BEGIN RSA PRIVATE KEY without the dashes",
				"-----BEGIN PRIVATE KEY (unterminated header",
			},
		},
		{
			id: "aws-access-key",
			positive: []pos{
				{"aws_access_key_id = AKIAZ7Q2XK4M9T3LR8WP", "AKIAZ7Q2XK4M9T3LR8WP"},
				{"id:\nASIAY3FVQ5ZKX2B7N4RJ.", "ASIAY3FVQ5ZKX2B7N4RJ"},
				{`"AccessKeyId": "ABIA2222333344445555"`, "ABIA2222333344445555"},
			},
			negative: []string{
				"AKIAZ7Q2XK4M9T3LR8W",   // one short
				"AKIAZ7Q2XK4M9T3LR8WPX", // one too many
				"XAKIAZ7Q2XK4M9T3LR8WP", // glued to a word
				"akiaz7q2xk4m9t3lr8wp",
				"AKIAz7q2XK4M9T3LR8WP",
				"/AKIAZ7Q2XK4M9T3LR8WP+", // inside base64
			},
		},
		{
			id: "aws-secret-key",
			positive: []pos{
				{"aws_secret_access_key = " + awsSecret, awsSecret},
				{`output: {"SecretAccessKey": "` + awsSecret + `"}`, awsSecret},
				{"AWS_SECRET_ACCESS_KEY=" + awsSecret + "\n", awsSecret},
				{"secretAccessKey: '" + awsSecret + "'", awsSecret},
			},
			negative: []string{
				"aws_secret_access_key = " + awsSecret[:39],
				"aws_secret_access_key = " + awsSecret + "Z",
				"secret_key = short",
				"the secret key is kept in the vault: " + awsSecret,
			},
		},
		{
			id: "github-token",
			positive: []pos{
				{"token " + ghp, ghp},
				{"gho_" + token(36, 20), "gho_" + token(36, 20)},
				{"x\nghs_" + token(40, 21) + "\n", "ghs_" + token(40, 21)},
				{"GH=" + pat, pat},
			},
			negative: []string{
				"ghp_" + token(35, 22),
				"ghx_" + token(36, 23),
				"xghp_" + token(36, 24),
				"github_pat_short",
			},
		},
		{
			id: "anthropic-key",
			positive: []pos{
				{"ANTHROPIC_API_KEY=" + ant, ant},
				{"key: " + ant + ".", ant},
				{"sk-ant-admin01-" + token(60, 25), "sk-ant-admin01-" + token(60, 25)},
			},
			negative: []string{
				"sk-ant-api03-short",
				"task-ant-api03-" + token(60, 26),
				"sk-ant-" + strings.ToLower(token(40, 27)),
			},
		},
		{
			id: "openai-key",
			positive: []pos{
				{"OPENAI_API_KEY=" + proj, proj},
				{"key " + legacy, legacy},
				{"key " + plain48 + ".", plain48},
				{"sk-svcacct-" + token(50, 28), "sk-svcacct-" + token(50, 28)},
			},
			negative: []string{
				"sk-1234567890",
				"task-" + token(48, 29),
				"sk-" + token(47, 30),
				"sk-" + token(49, 31),
				"sk-proj-short",
				ant, // an Anthropic key is not an OpenAI one
			},
		},
		{
			id: "slack-token",
			positive: []pos{
				{"SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"},
				{"xoxp-1234-5678-91011-abcdef0123456789", "xoxp-1234-5678-91011-abcdef0123456789"},
				{"app: xapp-1-A0123ABCDEF-1234567890123-" + strings.Repeat("0f", 32), "xapp-1-A0123ABCDEF-1234567890123-" + strings.Repeat("0f", 32)},
			},
			negative: []string{"xoxo-hugs", "xoxb-notatoken", "xoxb-12-ab", "xapp-something"},
		},
		{
			id: "slack-webhook",
			positive: []pos{
				{"POST https://hooks.slack.com/services/T0123ABCD/B0456EFGH/AbCdEfGhIjKlMnOpQrStUvWx now",
					"T0123ABCD/B0456EFGH/AbCdEfGhIjKlMnOpQrStUvWx"},
			},
			negative: []string{"https://hooks.slack.com/services/", "https://api.slack.com/methods/chat.postMessage"},
		},
		{
			id: "stripe-key",
			positive: []pos{
				{"STRIPE=sk_live_" + token(24, 32), "sk_live_" + token(24, 32)},
				{"rk_test_" + token(30, 33), "rk_test_" + token(30, 33)},
			},
			negative: []string{"sk_live_" + token(10, 34), "pk_live_" + token(24, 35), "desk_live_" + token(24, 36)},
		},
		{
			id: "google-api-key",
			positive: []pos{
				{"maps key AIzaSyD4x7q9Zk2Lm5Np8Rs1Tu4Vw7Xy0Ab3Cd6 in config", "AIzaSyD4x7q9Zk2Lm5Np8Rs1Tu4Vw7Xy0Ab3Cd6"},
				{"key=AIzaSyD4x7q9Zk2Lm5Np8Rs1Tu4Vw7Xy0Ab3C_-&x", "AIzaSyD4x7q9Zk2Lm5Np8Rs1Tu4Vw7Xy0Ab3C_-"},
			},
			negative: []string{
				"AIzaSyD4x7q9Zk2Lm5Np8Rs1Tu4Vw7Xy0Ab3C",
				"AIzaSyD4x7q9Zk2Lm5Np8Rs1Tu4Vw7Xy0Ab3Cd6X",
				"XAIzaSyD4x7q9Zk2Lm5Np8Rs1Tu4Vw7Xy0Ab3Cd6",
			},
		},
		{
			id: "jwt",
			positive: []pos{
				{"Authorization: Bearer " + jwt, jwt},
				{"token=" + jwt + "&next=1", jwt},
			},
			negative: []string{
				"eyJhbGciOiJIUzI1NiJ9",
				"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.",
				"abc" + jwt, // inside a longer base64 run
			},
		},
		{
			id: "url-password",
			positive: []pos{
				{"DATABASE_URL=postgres://app:S3cr3tPassw0rd@db.internal:5432/app", "S3cr3tPassw0rd"},
				{"https://user:p%40ss@example.com/x", "p%40ss"},
				{"redis://:hunter22@cache:6379", "hunter22"},
			},
			negative: []string{
				"https://example.com:8080/path",
				"git@github.com:org/repo.git",
				"https://user@host.example.com/x",
				"postgres://app:${DB_PASSWORD}@db/app",
				"http://localhost:3000/a@b",
			},
		},
		{
			id: "env-secret",
			positive: []pos{
				{"DB_PASSWORD=hunter2hunter2\nDB_HOST=x", "hunter2hunter2"},
				{`API_KEY="abc def ghi"`, "abc def ghi"},
				{"export GITHUB_TOKEN=notreallyatoken123", "notreallyatoken123"},
				{"NEXTAUTH_SECRET='s3cr3t-v4lue'", "s3cr3t-v4lue"},
				{"SMTP_PASS=correcthorse", "correcthorse"},
				{"ENV STRIPE_APIKEY=abcdef123456", "abcdef123456"},
				{"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "wJalrXUtnFEMI/K7MDENG"},
				{"A=1\nJWT_SECRET=x9!k#2@m\n", "x9!k#2@m"},
			},
			negative: []string{
				"PASSWORD_MIN_LENGTH=8",
				"TOKEN_URL=https://auth.example.com/token",
				"MAX_TOKENS=4096",
				"API_KEY=${API_KEY}",
				"PASSWORD=",
				"password=hunter2hunter2",
				"DB_PASSWORD = 'hunter2hunter2'",
				"API_KEY=short",
				"my_DB_PASSWORD=hunter2hunter2",
				"PASSWORD=os.getenv(NAME)",
				`SECRET="[REDACTED:aws-secret-key]"`,
			},
		},
	}
}

func TestDetectors(t *testing.T) {
	cases := detectorCases()
	if len(cases) != len(Detectors()) {
		t.Fatalf("%d detectors have cases, want all %d", len(cases), len(Detectors()))
	}
	for _, dc := range cases {
		f := mustCompile(t, nil, only(dc.id))
		marker := Marker(dc.id)
		for _, p := range dc.positive {
			want := strings.Replace(p.text, p.secret, marker, 1)
			if want == p.text {
				t.Fatalf("%s: secret %q not in %q", dc.id, p.secret, p.text)
			}
			got, rep := f.Apply("claude", []byte(p.text))
			if string(got) != want {
				t.Errorf("%s raw: got %q\n want %q", dc.id, got, want)
			}
			if rep.Counts[dc.id] != 1 || len(rep.Spans) != 1 {
				t.Errorf("%s raw: report %+v, want one replacement", dc.id, rep)
			} else if sp := rep.Spans[0]; string(got[sp.Start:sp.End]) != marker || strings.Contains(sp.Preview, p.secret[:min(len(p.secret), 8)]) {
				t.Errorf("%s raw: span %+v", dc.id, sp)
			}
			got, _ = f.Apply("claude", jsonDoc(p.text))
			if c := content(t, got); c != want {
				t.Errorf("%s in JSON: got %q\n want %q", dc.id, c, want)
			}
		}
		for _, text := range dc.negative {
			if got, rep := f.Apply("claude", []byte(text)); string(got) != text || rep.Counts != nil {
				t.Errorf("%s: near miss %q became %q", dc.id, text, got)
			}
			if got, _ := f.Apply("claude", jsonDoc(text)); content(t, got) != text {
				t.Errorf("%s: near miss %q changed in JSON", dc.id, text)
			}
		}
	}
}

// TestDetectorConventions checks what patterns.go promises about its data.
func TestDetectorConventions(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range catalog() {
		if seen[s.ID] {
			t.Errorf("duplicate detector ID %q", s.ID)
		}
		seen[s.ID] = true
		if s.Description == "" || len(s.lits) == 0 {
			t.Errorf("%s: missing description or literals", s.ID)
		}
		tree, err := syntax.Parse(s.Pattern, syntax.Perl)
		if err != nil {
			t.Fatalf("%s: %v", s.ID, err)
		}
		if hasAssertion(tree) {
			t.Errorf("%s: pattern has ^, $, \\b or \\A; boundaries belong in code", s.ID)
		}
		if _, err := compileDetector(s); err != nil {
			t.Errorf("%s: %v", s.ID, err)
		}
	}
	// Every match of a positive starts with one of the literals.
	for _, dc := range detectorCases() {
		i := slices.IndexFunc(catalog(), func(s detectorSpec) bool { return s.ID == dc.id })
		m, _ := compileDetector(catalog()[i])
		for _, p := range dc.positive {
			loc := m.re.FindStringIndex(p.text)
			if loc == nil {
				t.Errorf("%s: pattern does not match %q", dc.id, p.text)
				continue
			}
			if !slices.ContainsFunc(m.plain, func(n needle) bool {
				s, _ := n.find([]byte(p.text), loc[0])
				return s == loc[0]
			}) {
				t.Errorf("%s: the match in %q does not start with a literal", dc.id, p.text)
			}
		}
	}
}

func hasAssertion(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	return slices.ContainsFunc(re.Sub, hasAssertion)
}

func TestDetectorsDefaultsAndCopy(t *testing.T) {
	ds := Detectors()
	ds[0].ID = "changed"
	if Detectors()[0].ID == "changed" {
		t.Error("Detectors returned shared state")
	}
	f := mustCompile(t, nil, Options{Detectors: map[string]bool{"env-secret": false}})
	if got, _ := f.Apply("claude", []byte("DB_PASSWORD=hunter2hunter2 AKIAZ7Q2XK4M9T3LR8WP")); string(got) != "DB_PASSWORD=hunter2hunter2 "+Marker("aws-access-key") {
		t.Errorf("got %q: env-secret should be off and the rest on", got)
	}
}

func TestBoundaries(t *testing.T) {
	tests := []struct {
		text      string
		at        int
		left, rgt bool
	}{
		{"a key", 2, true, false},
		{"xkey", 1, false, false},
		{`\nkey`, 2, true, false},
		{`\u0027key`, 6, true, false},
		{"+key", 1, false, false},
		{"key(", 3, false, false},
		{"key.", 3, false, true},
		{". key", 2, true, false},
		{"key", 3, false, true},
	}
	for _, tt := range tests {
		if got := leftOK([]byte(tt.text), tt.at); got != tt.left {
			t.Errorf("leftOK(%q, %d) = %v, want %v", tt.text, tt.at, got, tt.left)
		}
		if got := rightOK([]byte(tt.text), tt.at); got != tt.rgt {
			t.Errorf("rightOK(%q, %d) = %v, want %v", tt.text, tt.at, got, tt.rgt)
		}
	}
}
