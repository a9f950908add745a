package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBenchHarness runs the benchmark harness (cmd/clpbench) briefly
// against the real binary for each wire API: CLP starts under it, carries
// the load and the streams to the fake upstream, and its answers are the
// upstream's bytes. It keeps `make bench` working; its timings mean nothing.
func TestBenchHarness(t *testing.T) {
	bench := filepath.Join(t.TempDir(), "clpbench")
	if out, err := exec.Command("go", "build", "-o", bench, "../cmd/clpbench").CombinedOutput(); err != nil {
		t.Fatalf("build clpbench: %v\n%s", err, out)
	}
	for _, api := range []string{"messages", "responses"} {
		t.Run(api, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bench, "-clp", clpBin, "-api", api, "-only", "2,3", "-rounds", "1",
				"-dur", "300ms", "-conc", "4", "-streams", "2", "-events", "8", "-delay", "2ms", "-nginx=false", "-starts", "1")
			out, err := cmd.Output()
			if err != nil {
				stderr := ""
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("clpbench: %v\n%s\n%s", err, out, stderr)
			}
			rows := tableRows(string(out))
			if !strings.Contains(string(out), "Settings: "+api+" API") {
				t.Errorf("report does not name the %s API:\n%s", api, out)
			}
			// Columns: direct, stdlib, clp, then the ratios.
			if r := rows["bytes identical to direct (1 = yes)"]; len(r) < 3 || r[0] != "1.00" || r[1] != "1.00" || r[2] != "1.00" {
				t.Errorf("bytes identical row = %v\n%s", r, out)
			}
			if r := rows["requests/s, 4 concurrent"]; len(r) < 3 || !positive(r[2]) {
				t.Errorf("requests/s row = %v\n%s", r, out)
			}
			if r := rows["proxy CPU per request, 4 concurrent"]; len(r) < 3 || !positive(r[2]) {
				t.Errorf("CPU row = %v\n%s", r, out)
			}
		})
	}
}

// tableRows maps each metric of the harness's Markdown table to its cells
// after the unit.
func tableRows(out string) map[string][]string {
	rows := map[string][]string{}
	for line := range strings.SplitSeq(out, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 6 {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows[cells[2]] = cells[4:]
	}
	return rows
}

func positive(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f > 0
}
