package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
)

// PidInfo is the content of CLP_HOME/run/clp.pid.
type PidInfo struct {
	PID     int       `json:"pid"`
	UIAddr  string    `json:"ui_addr"`
	Started time.Time `json:"started"`
}

// PidPath is the pid file of the daemon that uses env's CLP_HOME.
func PidPath(env api.Env) string { return filepath.Join(env.RunDir(), "clp.pid") }

// LogPath is the daemon log of env's CLP_HOME.
func LogPath(env api.Env) string { return filepath.Join(env.RunDir(), "clp.log") }

// ReadPid reads the pid file. A missing file gives fs.ErrNotExist. The pid in
// it may be stale: use Alive, and the daemon's own answer on UIAddr, before
// trusting it.
func ReadPid(env api.Env) (PidInfo, error) {
	var p PidInfo
	data, err := os.ReadFile(PidPath(env))
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(data, &p); err != nil || p.PID <= 0 {
		return p, fmt.Errorf("pid file %s is damaged: %w", PidPath(env), errors.Join(err, fs.ErrNotExist))
	}
	return p, nil
}

func writePid(env api.Env, p PidInfo) error {
	data, _ := json.Marshal(p)
	return config.WriteFile(PidPath(env), append(data, '\n'), 0o600)
}

// removePid deletes the pid file if it still names pid (a newer daemon may
// have replaced it).
func removePid(env api.Env, pid int) {
	if p, err := ReadPid(env); err == nil && p.PID == pid {
		os.Remove(PidPath(env))
	}
}
