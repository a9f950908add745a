package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat. Linux reports
// them in USER_HZ, which is 100 on every mainstream architecture; reading
// sysconf(_SC_CLK_TCK) would need cgo.
const clockTick = 10 * time.Millisecond

// statFields parses the fields of a /proc/PID/stat line that follow the
// command name (which may contain spaces and parentheses). fields[0] is the
// state (field 3 of proc(5)).
func statFields(line []byte) ([]string, error) {
	i := bytes.LastIndexByte(line, ')')
	if i < 0 || i+2 > len(line) {
		return nil, fmt.Errorf("parse stat: no command name")
	}
	return strings.Fields(string(line[i+2:])), nil
}

// statCPU returns utime+stime of one /proc/PID/stat line and the parent pid.
func statCPU(line []byte) (cpu time.Duration, ppid int, err error) {
	f, err := statFields(line)
	if err != nil {
		return 0, 0, err
	}
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("parse stat: %d fields", len(f))
	}
	ppid, err1 := strconv.Atoi(f[1])            // field 4
	ut, err2 := strconv.ParseInt(f[11], 10, 64) // field 14
	st, err3 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, 0, fmt.Errorf("parse stat: bad number")
	}
	return time.Duration(ut+st) * clockTick, ppid, nil
}

// procCPU returns the CPU time (user+system) of pid and its live children
// (nginx workers). It is 0 for pid 0.
func procCPU(pid int) (time.Duration, error) {
	if pid == 0 {
		return 0, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read cpu of pid %d: %w", pid, err)
	}
	total, _, err := statCPU(b)
	if err != nil {
		return 0, err
	}
	for _, c := range children(pid) {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c)); err == nil {
			if cpu, _, err := statCPU(b); err == nil {
				total += cpu
			}
		}
	}
	return total, nil
}

// children lists the pids whose parent is pid.
func children(pid int) []int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err == nil {
		var out []int
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
		return out
	}
	// Kernels without CONFIG_PROC_CHILDREN: scan /proc.
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		if _, ppid, err := statCPU(b); err == nil && ppid == pid {
			n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
			out = append(out, n)
		}
	}
	return out
}

// statusRSS returns VmRSS in bytes from a /proc/PID/status text.
func statusRSS(status []byte) (int64, error) {
	for line := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			f := strings.Fields(string(v))
			if len(f) != 2 || f[1] != "kB" {
				return 0, fmt.Errorf("parse VmRSS %q", v)
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmRSS: %w", err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS")
}

// procRSS returns the resident set size of pid and its children in bytes.
func procRSS(pid int) (int64, error) {
	var total int64
	for _, p := range append([]int{pid}, children(pid)...) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			if p == pid {
				return 0, fmt.Errorf("read rss of pid %d: %w", pid, err)
			}
			continue
		}
		n, err := statusRSS(b)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}
