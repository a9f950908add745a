package daemon

import (
	"slices"
	"testing"
)

func TestWithGODEBUG(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    []string
	}{
		{"unset", []string{"HOME=/h"}, []string{"HOME=/h", "GODEBUG=madvdontneed=0"}},
		{"empty", []string{"GODEBUG=", "HOME=/h"}, []string{"GODEBUG=madvdontneed=0", "HOME=/h"}},
		{"other settings kept", []string{"GODEBUG=gctrace=1"}, []string{"GODEBUG=gctrace=1,madvdontneed=0"}},
		{"the user's choice wins", []string{"GODEBUG=madvdontneed=1,gctrace=1"}, []string{"GODEBUG=madvdontneed=1,gctrace=1"}},
		{"a longer name is another setting", []string{"GODEBUG=madvdontneedx=1"}, []string{"GODEBUG=madvdontneedx=1,madvdontneed=0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.environ)
			got := withGODEBUG(in, "madvdontneed=0")
			if !slices.Equal(got, tt.want) {
				t.Errorf("withGODEBUG(%q) = %q, want %q", tt.environ, got, tt.want)
			}
			if !slices.Equal(in, tt.environ) {
				t.Errorf("withGODEBUG changed its input to %q", in)
			}
		})
	}
}
