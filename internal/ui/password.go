package ui

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// ErrNoPassword means no UI password is set (no data/ui_auth.json).
var ErrNoPassword = errors.New("no UI password is set")

// DefaultIterations is the PBKDF2-SHA256 work factor for new password
// hashes (OWASP's 2023 advice). It is stored with each hash, so raising it
// later keeps old hashes valid.
const DefaultIterations = 600_000

// algorithm is the only hash this version writes and reads. PBKDF2 comes
// with the standard library, so the password needs no extra module.
const algorithm = "pbkdf2-sha256"

// PasswordHash is a salted hash of the UI password, as stored in
// CLP_HOME/data/ui_auth.json. The password itself is never stored.
type PasswordHash struct {
	Algorithm  string    `json:"algorithm"`
	Iterations int       `json:"iterations"`
	Salt       []byte    `json:"salt"` // base64 in JSON
	Hash       []byte    `json:"hash"` // base64 in JSON
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// HashPassword hashes password with a new random salt and the given number
// of iterations (DefaultIterations in production; tests use fewer).
func HashPassword(password string, iterations int) (PasswordHash, error) {
	if password == "" {
		return PasswordHash{}, errors.New("the password is empty")
	}
	if iterations < 1 {
		return PasswordHash{}, fmt.Errorf("iterations %d < 1", iterations)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	h, err := pbkdf2.Key(sha256.New, password, salt, iterations, 32)
	if err != nil {
		return PasswordHash{}, fmt.Errorf("hash password: %w", err)
	}
	return PasswordHash{Algorithm: algorithm, Iterations: iterations, Salt: salt, Hash: h}, nil
}

// Verify reports whether password matches p, in time that does not depend
// on where they differ. A malformed p matches nothing.
func (p PasswordHash) Verify(password string) bool {
	if p.Algorithm != algorithm || p.Iterations < 1 || len(p.Salt) == 0 || len(p.Hash) == 0 {
		return false
	}
	h, err := pbkdf2.Key(sha256.New, password, p.Salt, p.Iterations, len(p.Hash))
	return err == nil && subtle.ConstantTimeCompare(h, p.Hash) == 1
}

// ReadPasswordFile reads the hash stored at path (data/ui_auth.json);
// ErrNoPassword when the file does not exist.
func ReadPasswordFile(path string) (PasswordHash, error) {
	var p PasswordHash
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, ErrNoPassword
	}
	if err != nil {
		return p, fmt.Errorf("read UI password: %w", err)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("read %s: %w", path, err)
	}
	if p.Algorithm != algorithm {
		return p, fmt.Errorf("read %s: unknown algorithm %q (set the password again with `clp ui password`)", path, p.Algorithm)
	}
	return p, nil
}
