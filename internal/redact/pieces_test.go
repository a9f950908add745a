package redact

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestApplyPieces checks that ApplyPieces' pieces join to Apply's output with
// the same report, that unchanged runs alias the body instead of being
// copied, and that no piece points into scratch space a later call reuses.
func TestApplyPieces(t *testing.T) {
	f := mustCompile(t, harnessRules(), Options{Detectors: allDetectors(true)})
	aws := "AKIAZ7Q2XK4M9T3LR8WP"
	for _, tt := range []struct {
		name string
		body []byte
		// wantPieces is the number of pieces, or -1 for any.
		wantPieces int
	}{
		{"harness 1 MB, one key", harnessBody(1<<20, true), 3},
		{"harness 2 KB, clean", harnessBody(2<<10, false), 1},
		{"code 100 KB, key in the last string", codeBody(100<<10, true), 3},
		{"claude 200 KB with secrets", claudeBody(200<<10, true), -1},
		{"two rules change one string", jsonDoc("a sk-ant-api03-" + token(30, 1) + " b " + aws + " c"), 5},
		{"key at the start, removal at the end", jsonDoc(aws + " -----BEGIN RSA PRIVATE KEY-----"), 4},
		{"not JSON", []byte("text " + aws), 2},
		{"only a key", []byte(aws), 1},
		{"empty", nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, wantRep := f.Apply("claude", tt.body)
			want = bytes.Clone(want)
			pieces, rep := f.ApplyPieces("claude", tt.body, nil)
			// Another call reuses the pooled scratch: pieces must not
			// point into it.
			f.Apply("claude", jsonDoc("x "+aws+" y sk-ant-api03-"+token(40, 2)))
			if got := bytes.Join(pieces, nil); !bytes.Equal(got, want) {
				t.Fatalf("pieces join to %q, want %q", abbrev(got), abbrev(want))
			}
			if tt.wantPieces >= 0 && len(pieces) != tt.wantPieces {
				t.Errorf("%d pieces, want %d", len(pieces), tt.wantPieces)
			}
			if got, want := rep.Total(), wantRep.Total(); got != want || len(rep.Spans) != len(wantRep.Spans) {
				t.Fatalf("report %+v, want %+v", rep, wantRep)
			}
			for i := range rep.Spans {
				if rep.Spans[i] != wantRep.Spans[i] {
					t.Errorf("span %d = %+v, want %+v", i, rep.Spans[i], wantRep.Spans[i])
				}
			}
			copied := 0
			for _, p := range pieces {
				if len(p) == 0 {
					t.Fatal("an empty piece")
				}
				if !within(p, tt.body) {
					copied += len(p)
				}
			}
			if wantRep.Total() == 0 && copied > 0 || copied > len(tt.body)/2+100 {
				t.Errorf("%d of %d bytes not from the body", copied, len(tt.body))
			}
		})
	}
}

// within reports whether p lies in the memory of b.
func within(p, b []byte) bool {
	if len(b) == 0 {
		return false
	}
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	x := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return lo <= x && x+uintptr(len(p)) <= lo+uintptr(len(b))
}

// TestApplyPiecesCleanNoAlloc checks that a body with nothing to replace
// comes back as the one piece body, without allocating when dst has room.
func TestApplyPiecesCleanNoAlloc(t *testing.T) {
	f := mustCompile(t, harnessRules(), Options{})
	body := harnessBody(4<<10, false)
	dst := make([][]byte, 0, 4)
	pieces, rep := f.ApplyPieces("claude", body, dst)
	if len(pieces) != 1 || &pieces[0][0] != &body[0] || len(pieces[0]) != len(body) {
		t.Fatalf("got %d pieces, want body itself", len(pieces))
	}
	if rep.Counts != nil || rep.Spans != nil {
		t.Errorf("report %+v, want zero", rep)
	}
	if n := testing.AllocsPerRun(20, func() { f.ApplyPieces("claude", body, dst) }); n != 0 && !raceEnabled {
		t.Errorf("%v allocations per clean ApplyPieces, want 0", n)
	}
	var nilFilter *Filter
	if pieces, _ := nilFilter.ApplyPieces("claude", body, nil); len(pieces) != 1 || &pieces[0][0] != &body[0] {
		t.Errorf("nil filter: %d pieces, want body itself", len(pieces))
	}
}

// TestSplice checks that segments spliced pass after pass spell the content
// that applying the same edits to the bytes gives, also when an edit cuts
// into an earlier replacement.
func TestSplice(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	repls := [][]byte{[]byte("[R]"), []byte("XYZW"), nil, []byte("-")}
	for trial := range 500 {
		body := []byte(token(1+rng.IntN(40), uint64(trial)))
		u := span{start: rng.IntN(len(body) + 1)}
		u.end = u.start + rng.IntN(len(body)-u.start+1)
		content := bytes.Clone(body[u.start:u.end])
		segs := []seg{{lo: u.start, hi: u.end}}
		for range 1 + rng.IntN(4) {
			var edits []edit
			for p := 0; p < len(content); {
				s := p + rng.IntN(len(content)-p+1)
				e := s + rng.IntN(len(content)-s+1)
				if s == e && s == len(content) {
					break
				}
				edits = append(edits, edit{start: s, end: e, repl: repls[rng.IntN(len(repls))]})
				p = e + 1
			}
			var next []byte
			prev := 0
			for _, e := range edits {
				next = append(append(next, content[prev:e.start]...), e.repl...)
				prev = e.end
			}
			content = append(next, content[prev:]...)
			segs = splice(nil, segs, edits)
			var got []byte
			for _, s := range segs {
				if s.hi <= s.lo {
					t.Fatalf("trial %d: empty segment %+v", trial, s)
				}
				if s.repl == nil {
					got = append(got, body[s.lo:s.hi]...)
				} else {
					got = append(got, s.repl[s.lo:s.hi]...)
				}
			}
			if !bytes.Equal(got, content) {
				t.Fatalf("trial %d: segments spell %q, want %q", trial, got, content)
			}
		}
	}
}
