package redact

// This file is the detector catalog: data only. Patterns run on decoded text
// (a JSON string's value, or a raw body), so a newline is a newline here; text
// that was JSON-encoded twice (a tool result holding a JSON file) still shows
// "\n" as a backslash and an n, which the private-key pattern allows for.
//
// Conventions, checked by the tests:
//   - every match starts with one of lits (the prefilter), and the pattern
//     runs anchored where one of them occurs; back lets the match reach
//     further back over a variable name;
//   - no ^ $ \b or \A: boundaries are checked in code (left, right) so that a
//     token after an escape like "\n" still counts as separate;
//   - the secret is the first capture group that took part in the match, or
//     the whole match when the pattern has no groups.

// detectorSpec is one catalog entry.
type detectorSpec struct {
	Detector
	lits  []string
	fold  bool   // lits match case-insensitively (the pattern has (?i))
	back  int    // bytes of [A-Z0-9_] the match takes in before the literal
	need  byte   // a byte every match holds after the literal, with none of stop before it:
	stop  string // without it (in raw JSON), the pattern is not run
	left  bool   // the match must not follow a letter, digit, '_', '+' or '/'
	right bool   // the match must not precede a letter, digit, '_', '+', '/', '=' or '('
}

// catalog returns the built-in detectors in the order they run. The order
// matters where two could claim one secret: the more specific runs first.
func catalog() []detectorSpec {
	return []detectorSpec{
		{
			Detector: Detector{
				ID:          "private-key",
				Description: "PEM private keys (RSA, EC, DSA, OpenSSH, PKCS#8, PGP), also when cut short",
				DefaultOn:   true,
				Pattern: `-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----` +
					`(?:[A-Za-z0-9+/=:,. \t\r\n]|-[A-Za-z0-9]|\\+[nrt/])*` +
					`(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----)?`,
			},
			lits: []string{"-----BEGIN"},
		},
		{
			Detector: Detector{
				ID:          "aws-access-key",
				Description: "AWS access key IDs (AKIA, ASIA, ABIA, ACCA followed by 16 characters)",
				DefaultOn:   true,
				Pattern:     `(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}`,
			},
			lits: []string{"AKIA", "ASIA", "ABIA", "ACCA"},
			left: true, right: true,
		},
		{
			Detector: Detector{
				ID:          "aws-secret-key",
				Description: "AWS secret access keys: 40 characters assigned to a name like aws_secret_access_key or SecretAccessKey",
				DefaultOn:   true,
				Pattern: `(?i)secret_?(?:access_?)?key["']?[ \t]{0,4}[:=]>?[ \t]{0,4}["']?` +
					`([A-Za-z0-9/+]{40})`,
			},
			lits: []string{"secret_", "secreta", "secretk"}, fold: true,
			right: true,
		},
		{
			Detector: Detector{
				ID:          "github-token",
				Description: "GitHub tokens: ghp_, gho_, ghu_, ghs_, ghr_ and fine-grained github_pat_",
				DefaultOn:   true,
				Pattern:     `gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251}`,
			},
			lits: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"},
			left: true, right: true,
		},
		{
			Detector: Detector{
				ID:          "anthropic-key",
				Description: "Anthropic API and admin keys (sk-ant-...)",
				DefaultOn:   true,
				Pattern:     `sk-ant-[a-z]{2,10}[0-9]{0,3}-[A-Za-z0-9_-]{20,300}`,
			},
			lits: []string{"sk-ant-"},
			left: true, right: true,
		},
		{
			Detector: Detector{
				ID:          "openai-key",
				Description: "OpenAI API keys: sk-proj-, sk-svcacct-, sk-admin-, and sk- keys with the T3BlbkFJ marker or 48 characters",
				DefaultOn:   true,
				Pattern: `sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,300}` +
					`|[A-Za-z0-9_-]{16,150}T3BlbkFJ[A-Za-z0-9_-]{16,150}` +
					`|[A-Za-z0-9]{48})`,
			},
			lits: []string{"sk-"},
			left: true, right: true,
		},
		{
			Detector: Detector{
				ID:          "slack-token",
				Description: "Slack tokens (xoxb-, xoxp-, xoxa-, xoxo-, xoxr-, xoxs-, xoxe-) and app tokens (xapp-)",
				DefaultOn:   true,
				Pattern: `xox[abeoprs]-[0-9]{1,20}-[0-9A-Za-z-]{8,250}` +
					`|xapp-[0-9]-[A-Z0-9]{6,20}-[0-9]{6,20}-[a-f0-9]{32,80}`,
			},
			lits: []string{"xox", "xapp-"},
			left: true, right: true,
		},
		{
			Detector: Detector{
				ID:          "slack-webhook",
				Description: "Slack incoming-webhook URLs (the path after hooks.slack.com/services/)",
				DefaultOn:   true,
				Pattern:     `hooks\.slack\.com/services/(T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,40})`,
			},
			lits:  []string{"hooks.slack.com/services/"},
			right: true,
		},
		{
			Detector: Detector{
				ID:          "stripe-key",
				Description: "Stripe secret and restricted keys (sk_live_, rk_live_, sk_test_, rk_test_)",
				DefaultOn:   true,
				Pattern:     `[rs]k_(?:live|test)_[0-9A-Za-z]{20,250}`,
			},
			lits: []string{"sk_live_", "rk_live_", "sk_test_", "rk_test_"},
			left: true, right: true,
		},
		{
			Detector: Detector{
				ID:          "google-api-key",
				Description: "Google API keys (AIza followed by 35 characters)",
				DefaultOn:   true,
				Pattern:     `AIza[0-9A-Za-z_-]{35}`,
			},
			lits: []string{"AIza"},
			left: true, right: true,
		},
		{
			Detector: Detector{
				ID:          "jwt",
				Description: "JSON Web Tokens (three base64url parts, header and payload starting eyJ)",
				DefaultOn:   true,
				Pattern:     `eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}`,
			},
			lits: []string{"eyJ"},
			left: true, right: true,
		},
		{
			Detector: Detector{
				ID:          "url-password",
				Description: "passwords in URLs (scheme://user:password@host)",
				DefaultOn:   true,
				Pattern:     `://[^\s/:@"'<>]{0,100}:([^\s/@"'<>${}]{3,200})@[A-Za-z0-9\[]`,
			},
			lits: []string{"://"},
			need: '@', stop: " /\"'<>",
		},
		{
			Detector: Detector{
				ID: "env-secret",
				Description: "values of .env-style lines whose upper-case name ends in SECRET, PASSWORD, PASS, TOKEN, " +
					"CREDENTIALS, APIKEY or _KEY (NAME=value or NAME=\"value\", no spaces around =)",
				DefaultOn: true,
				Pattern: `(?:SECRETS?|PASS(?:WORD|WD|PHRASE)?|TOKEN|CREDENTIALS|_KEY|APIKEY)=` +
					`(?:"([^"\n$<\[{%][^"\n]{3,199})"` +
					`|'([^'\n$<\[{%][^'\n]{3,199})'` +
					`|([A-Za-z0-9_\-+/.:@!#*^~][A-Za-z0-9_\-+/=.:@!#%*^~]{5,199}))`,
			},
			lits: []string{"SECRET=", "SECRETS=", "PASS=", "PASSWORD=", "PASSWD=", "PASSPHRASE=",
				"TOKEN=", "CREDENTIALS=", "_KEY=", "APIKEY="},
			back: 60,
			left: true, right: true,
		},
	}
}
