package daemon

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// pacedUpstream sends "x\n" every gap, n times, then ends the response or,
// with hold, keeps it open until the client leaves.
func pacedUpstream(t *testing.T, gap time.Duration, n int, hold bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		for range n {
			select {
			case <-time.After(gap):
			case <-r.Context().Done():
				return
			}
			io.WriteString(w, "x\n")
			w.(http.Flusher).Flush()
		}
		if hold {
			<-r.Context().Done()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestIdleTransport(t *testing.T) {
	for _, tc := range []struct {
		name    string
		limit   time.Duration
		gap     time.Duration
		events  int
		hold    bool
		wait    time.Duration // how long the client reads before giving up
		wantErr bool
		wantN   int
	}{
		{"off by default: silence is not cut", 0, 0, 0, true, 600 * time.Millisecond, false, 0},
		{"silence after the headers is cut", 200 * time.Millisecond, 0, 0, true, 3 * time.Second, true, 0},
		{"silence after data is cut", 300 * time.Millisecond, 50 * time.Millisecond, 3, true, 3 * time.Second, true, 3},
		{"steady data is never cut", 300 * time.Millisecond, 100 * time.Millisecond, 10, false, 5 * time.Second, false, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := pacedUpstream(t, tc.gap, tc.events, tc.hold)
			base := &http.Transport{}
			defer base.CloseIdleConnections()
			rt := &idleTransport{rt: base, limit: func() time.Duration { return tc.limit }}
			req, _ := http.NewRequest("GET", up.URL, nil)
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			type result struct {
				b   []byte
				err error
			}
			done := make(chan result, 1)
			start := time.Now()
			go func() {
				b, err := io.ReadAll(resp.Body)
				done <- result{b, err}
			}()
			select {
			case r := <-done:
				resp.Body.Close()
				if got := strings.Count(string(r.b), "x\n"); got != tc.wantN {
					t.Errorf("read %d lines, want %d", got, tc.wantN)
				}
				if !tc.wantErr {
					if r.err != nil || tc.hold {
						t.Fatalf("read ended after %v with %v, want the stream to stay open", time.Since(start), r.err)
					}
					return
				}
				if r.err == nil || !strings.Contains(r.err.Error(), "streamIdleSeconds") {
					t.Errorf("read error %v, want one naming streamIdleSeconds", r.err)
				}
				if el := time.Since(start); el < tc.limit {
					t.Errorf("cut after %v, before the %v limit", el, tc.limit)
				}
			case <-time.After(tc.wait):
				resp.Body.Close()
				<-done
				if tc.wantErr || !tc.hold {
					t.Fatalf("read still going after %v", tc.wait)
				}
			}
		})
	}
}

// BenchmarkIdleBodyRead is the cost the idle limit adds to each read of a
// response body (a timer reset), against a body that returns at once.
func BenchmarkIdleBodyRead(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 32<<10)
	body := &idleBody{rc: io.NopCloser(zeroReader{}), cancel: func(error) {}, limit: time.Minute}
	body.timer = time.AfterFunc(time.Minute, body.expire)
	defer body.Close()
	for b.Loop() {
		body.Read(buf)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { return len(p), nil }
