package main

import (
	"bytes"
	"os"
	"testing"
	"time"
)

func TestStatCPU(t *testing.T) {
	tests := []struct {
		name     string
		line     string
		wantCPU  time.Duration
		wantPPid int
		wantErr  bool
	}{
		{
			name:     "plain",
			line:     "1234 (clp) S 1 1234 1234 0 -1 4194560 500 0 0 0 150 25 0 0 20 0 8 0 100 0 0",
			wantCPU:  175 * clockTick,
			wantPPid: 1,
		},
		{
			name:     "name with spaces and parens",
			line:     "42 (a b) (c)) R 7 42 42 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 0 0",
			wantCPU:  7 * clockTick,
			wantPPid: 7,
		},
		{name: "no name", line: "42 R 7", wantErr: true},
		{name: "short", line: "42 (x) R 7 1 2", wantErr: true},
		{name: "bad number", line: "42 (x) R 7 42 42 0 -1 0 0 0 0 0 x 4 0", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cpu, ppid, err := statCPU([]byte(tt.line))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if cpu != tt.wantCPU || ppid != tt.wantPPid {
				t.Errorf("statCPU = %v, %d; want %v, %d", cpu, ppid, tt.wantCPU, tt.wantPPid)
			}
		})
	}
}

func TestStatusRSS(t *testing.T) {
	got, err := statusRSS([]byte("Name:\tclp\nVmPeak:\t  9000 kB\nVmRSS:\t   20480 kB\nThreads:\t8\n"))
	if err != nil || got != 20480<<10 {
		t.Errorf("statusRSS = %d, %v; want %d", got, err, 20480<<10)
	}
	for _, bad := range []string{"Name:\tx\n", "VmRSS:\t12 MB\n", "VmRSS:\tx kB\n"} {
		if _, err := statusRSS([]byte(bad)); err == nil {
			t.Errorf("statusRSS(%q): no error", bad)
		}
	}
}

// TestProcSelf reads this test process's own figures, which must be positive.
func TestProcSelf(t *testing.T) {
	pid := os.Getpid()
	var cpu time.Duration
	var err error
	sum := 0
	for deadline := time.Now().Add(5 * time.Second); cpu == 0 && time.Now().Before(deadline); {
		for i := range 1_000_000 { // burn CPU until a tick is counted
			sum += i
		}
		cpu, err = procCPU(pid)
	}
	if err != nil || cpu <= 0 {
		t.Errorf("procCPU(self) = %v, %v; want > 0 (sum %d)", cpu, err, sum)
	}
	rss, err := procRSS(pid)
	if err != nil || rss < 1<<20 {
		t.Errorf("procRSS(self) = %d, %v; want ≥ 1 MB", rss, err)
	}
	if cpu, err := procCPU(0); cpu != 0 || err != nil {
		t.Errorf("procCPU(0) = %v, %v; want 0, nil", cpu, err)
	}
}

// FuzzStatCPU checks that any line either fails to parse or yields a
// non-negative parent pid from a line that has a command name.
func FuzzStatCPU(f *testing.F) {
	f.Add([]byte("1234 (clp) S 1 1234 1234 0 -1 4194560 500 0 0 0 150 25 0 0 20 0 8 0 100 0 0"))
	f.Add([]byte("1 ()) R"))
	f.Add([]byte(")"))
	f.Add([]byte("7 (x) R -1 0 0 0 0 0 0 0 0 0 -5 2 0"))
	f.Fuzz(func(t *testing.T, line []byte) {
		_, _, err := statCPU(line)
		if err == nil && !bytes.Contains(line, []byte(")")) {
			t.Errorf("statCPU(%q) parsed a line without a command name", line)
		}
	})
}
