package proxy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/bufpool"
	"github.com/clp-proxy/clp/internal/config"
)

// TestGetBodyBuf: bodies in bufpool's range get a pooled buffer of their
// length with one reference; others none.
func TestGetBodyBuf(t *testing.T) {
	for _, n := range []int64{0, bufpool.Min - 1, bufpool.Min, 10 << 20, bufpool.Max, bufpool.Max + 1, 1 << 40} {
		bb := getBodyBuf(n)
		pooled := n >= bufpool.Min && n <= bufpool.Max
		if (bb != nil) != pooled || bb != nil && (int64(len(bb.b)) != n || bb.refs.Load() != 1) {
			t.Errorf("getBodyBuf(%d) = %v, want a pooled buffer: %v", n, bb != nil, pooled)
		}
		if bb != nil {
			bb.release()
		}
	}
}

// TestPooledReader: a reader over a pooled buffer keeps it referenced until
// it is closed, reads nothing after Close, and Close is idempotent.
func TestPooledReader(t *testing.T) {
	bb := getBodyBuf(bufpool.Min)
	copy(bb.b, "hello")
	r := newPooledReader(bytes.NewReader(bb.b[:5]), bb)
	if got := bb.refs.Load(); got != 2 {
		t.Fatalf("refs = %d, want 2 (exchange and reader)", got)
	}
	p := make([]byte, 3)
	if n, err := r.Read(p); n != 3 || err != nil || string(p) != "hel" {
		t.Fatalf("Read = %d %v %q", n, err, p)
	}
	r.Close()
	r.Close()
	if got := bb.refs.Load(); got != 1 {
		t.Fatalf("refs after Close = %d, want 1", got)
	}
	if n, err := r.Read(p); n != 0 || err != errBodyClosed {
		t.Fatalf("Read after Close = %d, %v; want 0, errBodyClosed", n, err)
	}
	bb.release()
	defer func() {
		if recover() == nil {
			t.Error("a release too many did not panic")
		}
	}()
	bb.release()
}

// TestPooledBodies sends large bodies, six at a time, through a handler whose
// first config fails after reading part of each body (so every body is sent
// twice, the second time from the same pooled buffer), and checks that each
// upstream attempt got the client's bytes, filtered and routed, and each
// record kept its own request's body, while later requests reuse buffers.
func TestPooledBodies(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{} // sha256 of bodies the good upstream got
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.CopyN(io.Discard, r.Body, bufpool.Min/2)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer bad.Close()
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sum := sha256.Sum256(b)
		mu.Lock()
		seen[hex.EncodeToString(sum[:])]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, jsonAnswer)
	}))
	defer good.Close()

	var recMu sync.Mutex
	recs := map[string]*api.Record{}
	h := testHandler(t, nil, nil)
	h.Transport = http.DefaultTransport
	h.Record = func(rec *api.Record) {
		recMu.Lock()
		recs[rec.ModelRequested] = rec
		recMu.Unlock()
	}
	st := *h.Current()
	h.Pool = balance.NewPool(nil)
	st.Balance = balance.ServiceSettings{Mode: balance.ActiveFirst, Failover: true, FailureThreshold: 1000}
	st.Service = &config.Service{Name: "claude", Active: 0, Upstreams: []config.Upstream{
		upstreamOf(t, "bad", bad.URL, true), upstreamOf(t, "good", good.URL, false),
	}}
	h.Current = func() *State { return &st }

	const n = 24
	want := make([]string, n)
	sentBodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		size := bufpool.Min << (i % 5) // classes 0-4, several requests each
		filler := strings.Repeat(string(rune('a'+i%26)), size)
		// Odd requests: the model is renamed and the secret comes first,
		// so the body goes out in pieces. Even ones: nothing changes before
		// the secret at the end, so the record's prefix lies in the buffer.
		body := fmt.Sprintf(`{"model":"claude-sonnet-4-5-%d","messages":[{"role":"user","content":"AKIAABCDEFGHIJKLMNOP %s"}]}`, i, filler)
		sent := fmt.Sprintf(`{"model":"claude-renamed","messages":[{"role":"user","content":"[REDACTED-AWS-KEY] %s"}]}`, filler)
		if i%2 == 0 {
			body = fmt.Sprintf(`{"model":"claude-opus-4-5-%d","messages":[{"role":"user","content":"%s AKIAABCDEFGHIJKLMNOP"}]}`, i, filler)
			sent = fmt.Sprintf(`{"model":"claude-opus-4-5-%d","messages":[{"role":"user","content":"%s [REDACTED-AWS-KEY]"}]}`, i, filler)
		}
		sentBodies[i] = sent
		sum := sha256.Sum256([]byte(sent))
		want[i] = hex.EncodeToString(sum[:])
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient()
			h.ServeHTTP(c, newRequest(body))
			if c.status != 200 {
				t.Errorf("request %d: status %d", i, c.status)
			}
		}()
		if i%6 == 5 { // in waves, so that later ones reuse the buffers of earlier ones
			wg.Wait()
		}
	}
	wg.Wait()
	for i, sum := range want {
		if seen[sum] != 1 {
			t.Errorf("request %d: the upstream got its filtered body %d times, want 1", i, seen[sum])
		}
		model := fmt.Sprintf("claude-sonnet-4-5-%d", i)
		if i%2 == 0 {
			model = fmt.Sprintf("claude-opus-4-5-%d", i)
		}
		rec := recs[model]
		if rec == nil {
			t.Fatalf("request %d: no record", i)
		}
		if w := sentBodies[i][:min(len(sentBodies[i]), st.BodyCap)]; !bytes.Equal(rec.RequestBody, []byte(w)) {
			t.Errorf("request %d: record body is not the first %d bytes of the body sent: %.80q", i, len(w), rec.RequestBody)
		}
	}
}

func upstreamOf(t *testing.T, name, rawURL string, active bool) config.Upstream {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return config.Upstream{Name: name, BaseURL: u.String(), URL: u, AuthToken: "tok-" + name + "-0123456789", Active: active}
}

// TestRecordOutlivesPooledBuffer: requests one after the other reuse one
// pooled buffer; each record must keep its own request's body.
func TestRecordOutlivesPooledBuffer(t *testing.T) {
	up := &fakeUpstream{header: http.Header{"Content-Type": {"application/json"}}, chunks: []string{jsonAnswer}, length: true}
	var recs []*api.Record
	h := testHandler(t, up, &recs)
	var want []string
	for i := range 4 {
		body := fmt.Sprintf(`{"model":"claude-opus-4-5","messages":[{"role":"user","content":"%s"}]}`, strings.Repeat(string(rune('a'+i)), bufpool.Min))
		want = append(want, body)
		up.chunks = []string{jsonAnswer}
		h.ServeHTTP(newClient(), newRequest(body))
	}
	for i, rec := range recs {
		if string(rec.RequestBody) != want[i] {
			t.Errorf("record %d: body %.80q..., want %.80q...", i, rec.RequestBody, want[i])
		}
	}
}

// TestRecordBodyPooled: a record's body of bufpool.Min bytes or more is a
// pooled copy that its Release hands back; until then it stays intact
// (TestRecordOutlivesPooledBuffer).
func TestRecordBodyPooled(t *testing.T) {
	up := &fakeUpstream{header: http.Header{"Content-Type": {"application/json"}}, chunks: []string{jsonAnswer}, length: true}
	var recs []*api.Record
	h := testHandler(t, up, &recs)
	send := func(c byte) *api.Record {
		body := fmt.Sprintf(`{"model":"claude-opus-4-5","messages":[{"role":"user","content":"%s"}]}`, bytes.Repeat([]byte{c}, 2*bufpool.Min))
		up.chunks = []string{jsonAnswer}
		h.ServeHTTP(newClient(), newRequest(body))
		rec := recs[len(recs)-1]
		if string(rec.RequestBody) != body {
			t.Fatalf("record body %.80q..., want %.80q...", rec.RequestBody, body)
		}
		return rec
	}
	first := send('a')
	if first.Release == nil {
		t.Fatal("a record body of 2*bufpool.Min bytes has no Release")
	}
	p := &first.RequestBody[0]
	first.Release()
	if b, _ := bufpool.Get(len(first.RequestBody)); &b[0] != p {
		t.Error("Release did not hand the record's buffer back to the pool")
	} else {
		bufpool.Put(b)
	}
	send('b') // and the pool's buffers serve the next request
	small := `{"model":"claude-opus-4-5","messages":[]}`
	up.chunks = []string{jsonAnswer}
	h.ServeHTTP(newClient(), newRequest(small))
	if rec := recs[len(recs)-1]; rec.Release != nil || string(rec.RequestBody) != small {
		t.Errorf("small body: Release set %v, body %q", rec.Release != nil, rec.RequestBody)
	}
}
