package proxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/bufpool"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/route"
)

func TestOutBody(t *testing.T) {
	body := []byte(`{"model":"claude-sonnet-4-5","messages":[]}`)
	e, ok := route.ModelEdit(body, "x")
	if !ok {
		t.Fatal("no edit")
	}
	want := `{"model":"x","messages":[]}`
	// A large body stays in pieces (a small one is joined, see joinBelow).
	large := []byte(`{"model":"claude-sonnet-4-5","messages":["` + strings.Repeat("x", joinBelow) + `"]}`)
	le, _ := route.ModelEdit(large, "x")
	largeWant := `{"model":"x","messages":["` + strings.Repeat("x", joinBelow) + `"]}`
	if b := newOutBody([][]byte{large}, le, true); len(b.parts) != 3 {
		t.Fatalf("a large edited body is in %d pieces, want 3", len(b.parts))
	}
	// The filter's output comes in pieces: the body's own bytes around a
	// replacement. The model goes into the first piece.
	cut := len(large) / 2
	filtered := [][]byte{large[:cut], []byte("[R]"), large[cut+3:]}
	filteredWant := largeWant[:cut-len(large)+len(largeWant)] + "[R]" + largeWant[cut+3-len(large)+len(largeWant):]
	if b := newOutBody(filtered, le, true); len(b.parts) != 5 {
		t.Fatalf("a large filtered and edited body is in %d pieces, want 5", len(b.parts))
	}
	smallPieces := [][]byte{body[:30], []byte("[R]"), body[33:]}
	smallWant := want[:30-16] + "[R]" + want[33-16:]
	if b := newOutBody(smallPieces, e, true); len(b.parts) != 1 {
		t.Fatalf("a small filtered and edited body is in %d pieces, want 1 (joined)", len(b.parts))
	}
	for _, tt := range []struct {
		name string
		b    *outBody
		want string
	}{
		{"edited", newOutBody([][]byte{body}, e, true), want},
		{"edited large", newOutBody([][]byte{large}, le, true), largeWant},
		{"filtered and edited large", newOutBody(filtered, le, true), filteredWant},
		{"filtered and edited small", newOutBody(smallPieces, e, true), smallWant},
		{"filtered large", newOutBody(filtered, route.Edit{}, false), string(large[:cut]) + "[R]" + string(large[cut+3:])},
		{"as is", newOutBody([][]byte{body}, route.Edit{}, false), string(body)},
		{"empty", newOutBody(nil, route.Edit{}, false), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // a reader per attempt, each from the start
				got, _ := io.ReadAll(tt.b.reader())
				if string(got) != tt.want || tt.b.n != len(tt.want) {
					t.Fatalf("reader = %q (n %d), want %q", got, tt.b.n, tt.want)
				}
				var sb strings.Builder
				if n, err := tt.b.reader().(io.WriterTo).WriteTo(&sb); err != nil || sb.String() != tt.want || n != int64(len(tt.want)) {
					t.Fatalf("WriteTo = %q, %d, %v; want %q", sb.String(), n, err, tt.want)
				}
			}
			// Small reads cross the pieces' bounds.
			var got []byte
			r, buf := tt.b.reader(), make([]byte, 5)
			for {
				n, err := r.Read(buf)
				got = append(got, buf[:n]...)
				if err != nil {
					break
				}
			}
			if string(got) != tt.want {
				t.Fatalf("5-byte reads = %q, want %q", got, tt.want)
			}
			for _, limit := range []int{-1, 0, 1, 9, 10, 11, 12, len(tt.want), 1 << 20} {
				w := tt.want[:max(0, min(limit, len(tt.want)))]
				for _, fresh := range []bool{false, true} {
					got, pooled := tt.b.prefix(limit, fresh)
					copied := len(w) > 0 && (fresh || len(w) > len(tt.b.parts[0]))
					if string(got) != w {
						t.Errorf("prefix(%d, %v) = %.40q (%d bytes), want %.40q (%d bytes)", limit, fresh, got, len(got), w, len(w))
					}
					if want := copied && len(w) >= bufpool.Min; pooled != want {
						t.Errorf("prefix(%d, %v) pooled %v, want %v", limit, fresh, pooled, want)
					}
				}
			}
		})
	}
}

func TestShiftSpans(t *testing.T) {
	// The model value is body[9:28], replaced by a 3-byte value: 16 shorter.
	e := route.Edit{Start: 9, End: 28, Value: []byte(`"x"`)}
	spans := []api.RedactionSpan{
		{Rule: "before", Start: 1, End: 5},
		{Rule: "inside", Start: 12, End: 20},
		{Rule: "after", Start: 40, End: 50},
		{Rule: "touching", Start: 28, End: 30},
	}
	got := shiftSpans(spans, e)
	want := []api.RedactionSpan{{Rule: "before", Start: 1, End: 5}, {Rule: "after", Start: 24, End: 34}, {Rule: "touching", Start: 12, End: 14}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("span %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if spans[1].Rule != "inside" || spans[2].Start != 40 {
		t.Error("shiftSpans changed its input")
	}
}

// TestSpansPointIntoTheSentBody: with a model rewrite that changes the
// body's length, the recorded spans still mark the replacements in exactly
// the bytes that were sent, and the record keeps those bytes.
func TestSpansPointIntoTheSentBody(t *testing.T) {
	filler := strings.Repeat("lorem ipsum ", joinBelow/12+1)
	for _, tt := range []struct {
		name, body, want string
	}{
		{"small, joined",
			`{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"aws AKIAABCDEFGHIJKLMNOP and password = hunter2"}]}`,
			`{"model":"claude-renamed","messages":[{"role":"user","content":"aws [REDACTED-AWS-KEY] and password=[REDACTED]"}]}`},
		{"large, sent in pieces",
			`{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"aws AKIAABCDEFGHIJKLMNOP ` + filler + ` password = hunter2"}]}`,
			`{"model":"claude-renamed","messages":[{"role":"user","content":"aws [REDACTED-AWS-KEY] ` + filler + ` password=[REDACTED]"}]}`},
		{"large, a secret before the model",
			`{"system":"aws AKIAABCDEFGHIJKLMNOP","model":"claude-sonnet-4-5","messages":[{"role":"user","content":"` + filler + ` password = hunter2"}]}`,
			`{"system":"aws [REDACTED-AWS-KEY]","model":"claude-renamed","messages":[{"role":"user","content":"` + filler + ` password=[REDACTED]"}]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up := &fakeUpstream{header: http.Header{"Content-Type": {"application/json"}}, chunks: []string{jsonAnswer}, keep: true}
			var recs []*api.Record
			h := testHandler(t, up, &recs)
			h.ServeHTTP(newClient(), newRequest(tt.body))
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			r, sent := recs[0], string(up.got)
			if sent != tt.want {
				t.Fatalf("sent %.200s..., want %.200s...", sent, tt.want)
			}
			if !strings.HasPrefix(sent, string(r.RequestBody)) || len(r.RequestBody) != min(len(sent), h.Current().BodyCap) {
				t.Errorf("record body is %d bytes, not the first %d of the sent body", len(r.RequestBody), h.Current().BodyCap)
			}
			if len(r.RedactionSpans) != 2 {
				t.Fatalf("spans %+v, want 2", r.RedactionSpans)
			}
			for _, sp := range r.RedactionSpans {
				if got := sent[sp.Start:sp.End]; got != "[REDACTED-AWS-KEY]" && got != "password=[REDACTED]" {
					t.Errorf("span %+v marks %q in the sent body", sp, got)
				}
			}
		})
	}
}

// TestFilteredPiecesOutliveTheFilterCall: the body goes out as the filter's
// pieces after the filter returned its scratch to its pool; requests that
// run meanwhile must not change them.
func TestFilteredPiecesOutliveTheFilterCall(t *testing.T) {
	h := testHandler(t, nil, nil)
	f := h.Current().Filter
	filler := strings.Repeat("x", joinBelow)
	body := func(i int) []byte {
		return []byte(fmt.Sprintf(`{"model":"m","messages":[{"role":"user","content":"a AKIA%016d b %s password = pw%d c sk-ant-api03-%030d"}]}`, i, filler, i, i))
	}
	var kept [][][]byte
	var want []string
	for i := range 20 {
		pieces, rep := f.ApplyPieces("claude", body(i), nil)
		if rep.Total() != 3 {
			t.Fatalf("body %d: %d replacements, want 3", i, rep.Total())
		}
		kept = append(kept, pieces)
		want = append(want, string(bytes.Join(pieces, nil)))
		f.Apply("claude", body(1000+i)) // reuses the pooled scratch
	}
	for i, pieces := range kept {
		if got := string(bytes.Join(pieces, nil)); got != want[i] {
			t.Errorf("body %d changed after later filter calls", i)
		}
	}
}

// TestFilterSeesTheRoutedModel: the filter runs on the body as routed, so a
// rule that matches the routed model name applies to it too (the filter
// runs once before routing only when that gives the same bytes).
func TestFilterSeesTheRoutedModel(t *testing.T) {
	up := &fakeUpstream{header: http.Header{"Content-Type": {"application/json"}}, chunks: []string{jsonAnswer}, keep: true}
	var recs []*api.Record
	h := testHandler(t, up, &recs)
	st := *h.Current()
	rules, err := redact.ParseRules([]byte(`[{"name": "rename", "source": "claude-renamed", "target": "claude-filtered"},
		{"name": "aws", "source": "AKIA[0-9A-Z]{16}", "target": "[AWS]"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if st.Filter, err = redact.Compile(rules, redact.Options{}); err != nil {
		t.Fatal(err)
	}
	h.Current = func() *State { return &st }
	h.ServeHTTP(newClient(), newRequest(`{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"key AKIAABCDEFGHIJKLMNOP"}]}`))
	sent := string(up.got)
	if want := `{"model":"claude-filtered","messages":[{"role":"user","content":"key [AWS]"}]}`; sent != want {
		t.Fatalf("sent %s, want %s", sent, want)
	}
	r := recs[0]
	if r.Redactions["rename"] != 1 || r.Redactions["aws"] != 1 || len(r.RedactionSpans) != 2 {
		t.Fatalf("redactions %v, spans %+v", r.Redactions, r.RedactionSpans)
	}
	for _, sp := range r.RedactionSpans {
		if got := sent[sp.Start:sp.End]; got != "claude-filtered" && got != "[AWS]" {
			t.Errorf("span %+v marks %q", sp, got)
		}
	}
}

// countingConn counts the writes made on a connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestSmallRequestLeavesInOneWrite: a small request whose model was
// rewritten goes out as headers and body in one write, as net/http does
// for a body it knows to be in memory; a reader of pieces would make it
// flush the headers alone first (a system call and a packet more).
func TestSmallRequestLeavesInOneWrite(t *testing.T) {
	srv := jsonUpstream(t)
	var writes atomic.Int64
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
		return countingConn{c, &writes}, err
	}}
	defer tr.CloseIdleConnections()
	var recs []*api.Record
	h := testHandler(t, nil, &recs)
	h.Transport = tr
	for _, body := range []string{
		`{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]}`, // model rewritten
		`{"model":"claude-opus-4-5","messages":[{"role":"user","content":"hi"}]}`,   // as is
	} {
		writes.Store(0)
		c := newClient()
		h.ServeHTTP(c, newRequest(body))
		if c.status != 200 {
			t.Fatalf("status %d: %s", c.status, c.body.String())
		}
		if n := writes.Load(); n != 1 {
			t.Errorf("%s left in %d writes, want 1", body, n)
		}
	}
}

// countingListener counts the writes on the connections it accepts.
type countingListener struct {
	net.Listener
	writes *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.writes}, nil
}

// TestSmallAnswerLeavesInOneWrite: a JSON answer of known length is flushed
// as soon as its last byte was written (before the record is made), and
// still reaches the client in one write with its headers, with nothing
// left for the end of the handler.
func TestSmallAnswerLeavesInOneWrite(t *testing.T) {
	up := jsonUpstream(t)
	var recs []*api.Record
	h := testHandler(t, nil, &recs)
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, up.Listener.Addr().String())
	}}
	defer tr.CloseIdleConnections()
	h.Transport = tr
	var writes atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = countingListener{srv.Listener, &writes}
	idle := make(chan struct{}, 1)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateIdle { // after the handler returned and the response was finished
			idle <- struct{}{}
		}
	}
	srv.Start()
	defer srv.Close()
	client := srv.Client()
	for range 3 {
		writes.Store(0)
		resp, err := client.Post(srv.URL+"/v1/messages", "application/json", strings.NewReader(`{"model":"claude-opus-4-5","messages":[]}`))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(got) != jsonAnswer {
			t.Fatalf("answer = %q, want %q", got, jsonAnswer)
		}
		<-idle
		if n := writes.Load(); n != 1 {
			t.Errorf("answer left in %d writes, want 1", n)
		}
	}
}

// jsonUpstream is a real upstream on loopback that reads the request and
// answers jsonAnswer; it closes when the test ends.
func jsonUpstream(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, jsonAnswer)
	}))
	t.Cleanup(srv.Close)
	return srv
}
