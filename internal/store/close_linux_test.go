package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCloseReleasesTheFiles checks that Close leaves no descriptor open on
// the database, its WAL or its shared memory: SQLite keeps a connection
// whose statements are not all finalized open, so this fails when one of
// the writer's statements is left behind.
func TestCloseReleasesTheFiles(t *testing.T) {
	db := openTest(t, Options{})
	for i := range 10 {
		db.Add(fullRecord(i))
	}
	flush(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, db.path) {
			t.Errorf("after Close, descriptor %s is open on %s", fd.Name(), target)
		}
	}
}
