package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBenchHarness runs the benchmark harness (cmd/clpbench) briefly
// against the real binary for each wire API: CLP starts under it, carries
// the load and the streams to the fake upstream on the API's port (the
// harness checks `clp status`), its answers are the upstream's bytes, and
// -profile collects its profiles; with -bare (on the Messages run) a second,
// featureless daemon is measured alongside. It keeps `make bench` working;
// its timings mean nothing.
func TestBenchHarness(t *testing.T) {
	bench := filepath.Join(t.TempDir(), "clpbench")
	if out, err := exec.Command("go", "build", "-o", bench, "../cmd/clpbench").CombinedOutput(); err != nil {
		t.Fatalf("build clpbench: %v\n%s", err, out)
	}
	for _, api := range []string{"messages", "responses"} {
		t.Run(api, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			prof := t.TempDir()
			bare := api == "messages"
			cmd := exec.CommandContext(ctx, bench, "-clp", clpBin, "-api", api, "-only", "2,3", "-rounds", "1",
				"-dur", "300ms", "-conc", "4", "-streams", "2", "-events", "8", "-delay", "2ms", "-nginx=false", "-starts", "1",
				"-profile", prof, "-bare="+strconv.FormatBool(bare))
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
			// -bare: a clp-bare column after clp's, measured like it, and its
			// ratio to the baseline.
			if head := rows["metric"]; slices.Contains(head, "clp-bare") != bare || slices.Contains(head, "clp-bare ÷ stdlib") != bare {
				t.Errorf("with -bare=%v, columns %v", bare, head)
			}
			if r := rows["proxy CPU per request, 4 concurrent"]; bare && (len(r) < 4 || !positive(r[3])) {
				t.Errorf("clp-bare's CPU row = %v\n%s", r, out)
			}
			if r := rows["bytes identical to direct (1 = yes)"]; bare && (len(r) < 4 || r[3] != "1.00") {
				t.Errorf("clp-bare's bytes identical row = %v\n%s", r, out)
			}
			// -profile: CLP's CPU and allocation profiles of the load run.
			for _, kind := range []string{"cpu", "allocs"} {
				b, err := os.ReadFile(filepath.Join(prof, "clp-s2-c4-r1."+kind+".pprof"))
				if err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
					t.Errorf("%s profile: %d bytes, %v; want a gzipped profile", kind, len(b), err)
				}
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

// TestPprofEndpoint: CLP_PPROF serves the runtime's profiles, on loopback
// only; another address, or a taken port, fails the start with a message
// naming the setting; the proxy and UI ports never serve them.
func TestPprofEndpoint(t *testing.T) {
	in := newInstance(t)
	in.env = append(in.env, "CLP_PPROF=0.0.0.0:"+strconv.Itoa(freePort(t)))
	if out, code := in.clp("start"); code == 0 || !strings.Contains(out, "CLP_PPROF") || !strings.Contains(out, "loopback") {
		t.Errorf("non-loopback CLP_PPROF: exit %d\n%s", code, out)
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	in.env[len(in.env)-1] = "CLP_PPROF=" + taken.Addr().String()
	if out, code := in.clp("start"); code == 0 || !strings.Contains(out, "already in use") || !strings.Contains(out, "CLP_PPROF") {
		t.Errorf("taken CLP_PPROF port: exit %d\n%s", code, out)
	}

	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	in.env[len(in.env)-1] = "CLP_PPROF=" + addr
	in.start()
	body := func(url string) (int, []byte) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}
	if code, b := body("http://" + addr + "/debug/pprof/allocs?debug=1"); code != 200 || !bytes.Contains(b, []byte("heap profile")) {
		t.Errorf("allocs: %d %.200s", code, b)
	}
	if code, b := body("http://" + addr + "/debug/pprof/profile?seconds=1"); code != 200 || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Errorf("CPU profile: %d, %d bytes, want a gzipped profile", code, len(b))
	}
	for _, port := range []int{in.claude, in.ui} {
		if code, b := body(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/", port)); bytes.Contains(b, []byte("Types of profiles available")) {
			t.Errorf("port %d serves /debug/pprof/: %d %.200s", port, code, b)
		}
	}
}
