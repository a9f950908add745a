package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/route"
)

// replaceStream is a streamFilter for tests: each call publishes what is
// new, with old replaced by repl (the tests never split old across reads),
// gives up once it has seen giveUp, or panics once it has seen panicOn.
type replaceStream struct {
	old, repl, giveUp, panicOn string
	prev                       int
	closed                     bool
}

func (s *replaceStream) Next(body []byte, final bool, dst [][]byte) ([][]byte, int, bool) {
	if s.panicOn != "" && bytes.Contains(body, []byte(s.panicOn)) {
		panic("filter bug")
	}
	if s.giveUp != "" && bytes.Contains(body, []byte(s.giveUp)) {
		return dst, 0, false
	}
	if len(body) > s.prev {
		dst = append(dst, bytes.ReplaceAll(body[s.prev:], []byte(s.old), []byte(s.repl)))
	}
	s.prev = len(body)
	return dst, len(body), true
}

func (s *replaceStream) Report() redact.Report { return redact.Report{} }
func (s *replaceStream) Close()                { s.closed = true }

// readAsync reads r to its end in the background.
func readAsync(r io.Reader) <-chan readResult {
	ch := make(chan readResult, 1)
	go func() {
		b, err := io.ReadAll(r)
		ch <- readResult{b, err}
	}()
	return ch
}

type readResult struct {
	b   []byte
	err error
}

// feedBody returns a body of n bytes that starts with a model member, and
// a pipe that the test writes it into.
func feedBody(n int) []byte {
	head := `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"`
	tail := `"}]}`
	return []byte(head + strings.Repeat("a", n-len(head)-len(tail)) + tail)
}

// TestUploadReaderPipelines: the reader yields what has arrived before
// the rest does, applies the model's edit, holds back the last byte until
// the body is whole, and pads with spaces up to the promised length.
func TestUploadReaderPipelines(t *testing.T) {
	body := feedBody(300 << 10)
	copy(body[200<<10:], "SECRET-VALUE")
	pr, pw := io.Pipe()
	buf := make([]byte, len(body))
	sf := &replaceStream{old: "SECRET-VALUE", repl: "[X]"}
	done := make(chan *upload, 1)
	go func() {
		u, err := startUpload(pr, buf, sf)
		if err != nil {
			t.Error(err)
		}
		done <- u
	}()
	pw.Write(body[:uploadHead])
	u := <-done
	if u.finished() {
		t.Fatal("upload finished after its head")
	}
	e, ok := route.ModelEdit(u.firstPart(), "claude-renamed")
	if !ok {
		t.Fatal("no model in the first part")
	}
	n := len(body) + len(e.Value) - (e.End - e.Start)
	r := newUploadReader(u, n, e, true)
	got := readAsync(r)

	// Half of the body goes in; the reader must get past the head before
	// the rest arrives.
	pw.Write(body[uploadHead : 150<<10])
	if !eventuallyTrue(func() bool { u.mu.Lock(); defer u.mu.Unlock(); return r.pos > uploadHead }) {
		t.Fatalf("the reader got %d bytes of a body of which %d arrived", r.pos, 150<<10)
	}
	pw.Write(body[150<<10 : len(body)-1])
	time.Sleep(20 * time.Millisecond)
	select {
	case res := <-got:
		t.Fatalf("the reader ended before the body was whole: %d bytes, %v", len(res.b), res.err)
	default:
	}
	u.mu.Lock()
	if r.pos >= n {
		t.Errorf("the reader yielded %d bytes of %d before the body was whole", r.pos, n)
	}
	u.mu.Unlock()
	pw.Write(body[len(body)-1:])
	res := <-got
	if res.err != nil {
		t.Fatal(res.err)
	}
	want := bytes.Replace(body, []byte("SECRET-VALUE"), []byte("[X]"), 1)
	want = bytes.Replace(want, []byte("claude-sonnet-4-5"), []byte("claude-renamed"), 1)
	want = append(want, bytes.Repeat([]byte(" "), n-len(want))...)
	if !bytes.Equal(res.b, want) {
		t.Errorf("the reader yielded %d bytes, want %d (%q...)", len(res.b), len(want), tailOf(res.b))
	}
	u.wait()
	if !sf.closed {
		t.Error("the stream filter was not closed")
	}
}

func tailOf(b []byte) []byte { return b[max(0, len(b)-40):] }

func eventuallyTrue(cond func() bool) bool {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestUploadReaderFails: replacements that make the body longer, a filter
// that gives up and a client that goes away each fail the reader before
// it yields the promised length; Close wakes a reader waiting for parts.
func TestUploadReaderFails(t *testing.T) {
	body := feedBody(200 << 10)
	copy(body[100<<10:], "GROW")
	tests := []struct {
		name string
		sf   *replaceStream
		cut  bool // the client goes away after 150 KB
		want error
	}{
		{"grows", &replaceStream{old: "GROW", repl: "GROWN"}, false, errBodyGrew},
		{"gives up", &replaceStream{giveUp: "GROW"}, false, errNotStreamable},
		{"gives up at once", &replaceStream{giveUp: "model"}, false, errNotStreamable},
		{"client gone", &replaceStream{}, true, io.ErrUnexpectedEOF},
		// A panic in the feeder's goroutine would end the process.
		{"filter panics", &replaceStream{panicOn: "GROW"}, false, errNotStreamable},
		{"filter panics at once", &replaceStream{panicOn: "model"}, false, errNotStreamable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := io.Reader(bytes.NewReader(body))
			if tc.cut {
				src = io.LimitReader(src, 150<<10)
			}
			u, err := startUpload(src, make([]byte, len(body)), tc.sf)
			if err != nil {
				t.Fatal(err)
			}
			n := len(body)
			b, err := io.ReadAll(&uploadReader{u: u, length: n})
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if len(b) >= n {
				t.Errorf("yielded %d bytes, the whole promised length", len(b))
			}
			u.wait()
			if !tc.cut && (u.read != len(body) || u.err != nil) {
				t.Errorf("read %d bytes of %d (%v): the body must be read whole for the whole-body filter", u.read, len(body), u.err)
			}
			if (tc.sf.panicOn != "") != strings.Contains(u.fault, "filter bug") {
				t.Errorf("fault %q", u.fault)
			}
			if (tc.sf.panicOn == "") != tc.sf.closed {
				t.Errorf("filter closed %v: want it closed unless it panicked (its scratch space may be inconsistent)", tc.sf.closed)
			}
		})
	}
	t.Run("close wakes", func(t *testing.T) {
		pr, pw := io.Pipe()
		defer pw.Close()
		ch := make(chan *upload)
		go func() {
			u, _ := startUpload(pr, make([]byte, len(body)), &replaceStream{})
			ch <- u
		}()
		pw.Write(body[:uploadHead])
		u := <-ch
		r := &uploadReader{u: u, length: len(body)}
		released := 0
		r.release = func() { released++ }
		got := readAsync(r)
		time.Sleep(10 * time.Millisecond)
		r.Close()
		r.Close()
		select {
		case res := <-got:
			if !errors.Is(res.err, errUploadClosed) || len(res.b) != uploadHead {
				t.Errorf("read %d bytes, %v; want %d, errUploadClosed", len(res.b), res.err, uploadHead)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not wake the reader")
		}
		if released != 1 {
			t.Errorf("released %d times, want 1", released)
		}
	})
}

// TestUploadFallbacks sends large bodies through a handler with the filter
// on to a real upstream: one that is not JSON (filtered whole, as raw
// text) and one that a replacement makes longer (the pipelined try is cut
// off before its last byte and the body is sent again whole). Each time
// the upstream gets exactly one whole request, the filtered body with its
// true length.
func TestUploadFallbacks(t *testing.T) {
	type got struct {
		body   string
		length int64
	}
	whole := make(chan got, 8)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return // a try cut off
		}
		whole <- got{string(b), r.ContentLength}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, jsonAnswer)
	}))
	defer up.Close()
	h := testHandler(t, nil, nil)
	h.Transport = up.Client().Transport
	st := *h.Current()
	st.Service = &config.Service{Name: "claude", Upstreams: []config.Upstream{upstreamOf(t, "up", up.URL, true)}}
	h.Current = func() *State { return &st }
	var recs []*api.Record
	h.Record = func(r *api.Record) { recs = append(recs, r) }

	filler := strings.Repeat("lorem ipsum ", 30<<10)
	for _, tc := range []struct{ name, body, want string }{
		{"not JSON", "AKIAABCDEFGHIJKLMNOP " + filler + " AKIAABCDEFGHIJKLMNOP",
			"[REDACTED-AWS-KEY] " + filler + " [REDACTED-AWS-KEY]"},
		{"longer", `{"model":"claude-opus-4-5","messages":[{"role":"user","content":"` + filler + ` password=x"}]}`,
			`{"model":"claude-opus-4-5","messages":[{"role":"user","content":"` + filler + ` password=[REDACTED]"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs = nil
			srv := httptest.NewServer(h)
			defer srv.Close()
			resp, err := http.Post(srv.URL+"/v1/messages", "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			select {
			case g := <-whole:
				if g.body != tc.want || g.length != int64(len(tc.want)) {
					t.Errorf("the upstream got %d bytes (Content-Length %d), want %d: %.60q…%.60q", len(g.body), g.length, len(tc.want), g.body, g.body[max(0, len(g.body)-60):])
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the upstream got no whole request")
			}
			select {
			case g := <-whole:
				t.Errorf("the upstream got a second whole request of %d bytes", len(g.body))
			case <-time.After(50 * time.Millisecond):
			}
			srv.Close()
			if len(recs) != 1 || recs[0].Status != 200 || recs[0].RequestSize != int64(len(tc.want)) {
				t.Errorf("records %d; want one with status 200 and the sent size", len(recs))
			}
		})
	}
}
