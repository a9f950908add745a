// Package protocoltest checks a protocol adapter's usage extractor against
// recorded transcripts. Only tests import it.
package protocoltest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/protocol"
	"github.com/clp-proxy/clp/internal/sse"
)

// golden is the expected result for one transcript.
type golden struct {
	Usage *api.Usage `json:"usage"`
	Done  bool       `json:"done"`
	Model string     `json:"model"`
}

// Golden feeds every transcript in dir (an .sse stream event by event, or a
// .json body whole) to a fresh extractor of p and compares its usage, Done
// and Model with dir/usage.golden.json. A transcript without an entry there
// is an error, so none goes unchecked.
func Golden(t *testing.T, p protocol.Protocol, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "usage.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]golden
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("usage.golden.json: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		name := filepath.Base(f)
		if name == "usage.golden.json" || !(strings.HasSuffix(name, ".sse") || strings.HasSuffix(name, ".json")) {
			continue
		}
		if _, ok := want[name]; !ok {
			t.Errorf("%s has no entry in usage.golden.json", name)
		}
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			x := p.NewExtractor()
			feed(t, x, filepath.Join(dir, name))
			u, ok := x.Usage()
			switch {
			case w.Usage == nil && ok:
				t.Errorf("usage = %+v, want none", u)
			case w.Usage != nil && !ok:
				t.Errorf("no usage, want %+v", *w.Usage)
			case w.Usage != nil && u != *w.Usage:
				t.Errorf("usage = %+v, want %+v", u, *w.Usage)
			}
			if x.Done() != w.Done {
				t.Errorf("Done() = %v, want %v", x.Done(), w.Done)
			}
			if x.Model() != w.Model {
				t.Errorf("Model() = %q, want %q", x.Model(), w.Model)
			}
		})
	}
}

func feed(t *testing.T, x protocol.Extractor, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".json") {
		x.JSON(b)
		return
	}
	var p sse.Parser
	p.Feed(b, x.Event)
}
