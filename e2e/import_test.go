package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// TestImportPricesTheOriginalLog: `clp import` brings the original CLP's
// request log in and prices it with CLP's price table (the original stored
// no cost); a second import adds nothing.
func TestImportPricesTheOriginalLog(t *testing.T) {
	in := newInstance(t)
	src := filepath.Join("..", "internal", "store", "testdata", "original", "data")
	files, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(src, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		in.writeFile("data/"+f.Name(), string(b))
	}
	in.mustCLP("import")
	in.start()
	lines := in.logs(t, 1)
	priced, withUsage := 0, 0
	for _, l := range lines {
		if l.Usage == nil || l.Usage.InputTokens+l.Usage.OutputTokens == 0 {
			continue
		}
		withUsage++
		if l.CostUSD != nil && *l.CostUSD > 0 {
			priced++
		}
	}
	if withUsage == 0 || priced == 0 {
		t.Fatalf("imported %d records, %d with usage, %d priced; want the ones of known models priced:\n%+v", len(lines), withUsage, priced, lines)
	}
	in.mustCLP("stop")
	in.mustCLP("import")
	in.start()
	if again := in.logs(t, len(lines)); len(again) != len(lines) {
		t.Errorf("after a second import: %d records, want %d", len(again), len(lines))
	}
}
