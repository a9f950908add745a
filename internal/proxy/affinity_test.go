package proxy

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/protocol/anthropic"
)

// hostUpstream answers by host: a host in fail gets a 500, any other a JSON
// message; hits lists the hosts in the order they were asked.
type hostUpstream struct {
	fail map[string]bool
	hits []string
}

func (u *hostUpstream) RoundTrip(req *http.Request) (*http.Response, error) {
	io.Copy(io.Discard, req.Body)
	u.hits = append(u.hits, req.URL.Host)
	code, body := 200, jsonAnswer
	if u.fail[req.URL.Host] {
		code, body = 500, `{"type":"error","error":{"type":"api_error","message":"down"}}`
	}
	return &http.Response{StatusCode: code, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// TestSessionAffinity: in a mode that spreads load, a session stays on the
// config it last succeeded on (its prompt cache is there), read from
// Claude Code's metadata.user_id; in active-first the active config leads
// whatever the session.
func TestSessionAffinity(t *testing.T) {
	for _, tt := range []struct {
		mode balance.Mode
		want string // the first host asked for the session's second request
	}{
		{balance.WeightBased, "b.test"},
		{balance.ActiveFirst, "a.test"},
	} {
		t.Run(string(tt.mode), func(t *testing.T) {
			ua, _ := url.Parse("http://a.test")
			ub, _ := url.Parse("http://b.test")
			st := &State{
				Service: &config.Service{Name: "claude", Active: 0, Upstreams: []config.Upstream{
					{Name: "a", BaseURL: ua.String(), URL: ua, AuthToken: "tok-a-0000000001", Weight: 10, Active: true},
					{Name: "b", BaseURL: ub.String(), URL: ub, AuthToken: "tok-b-0000000001", Weight: 5},
				}},
				Balance: balance.ServiceSettings{Mode: tt.mode, Failover: true, Affinity: true, FailureThreshold: 5},
			}
			up := &hostUpstream{fail: map[string]bool{"a.test": true}}
			h := &Handler{Service: "claude", Protocol: anthropic.Protocol{}, Transport: up, Pool: balance.NewPool(nil),
				Current: func() *State { return st }, Record: func(*api.Record) {}, Log: slog.New(slog.DiscardHandler)}
			ask := func(session string) []string {
				up.hits = nil
				body := `{"model":"m","messages":[{"role":"user","content":"hi"}],"metadata":{"user_id":"` + session + `"},"stream":false}`
				c := newClient()
				h.ServeHTTP(c, newRequest(body))
				if c.status != 200 {
					t.Fatalf("status %d: %s", c.status, c.body.String())
				}
				return up.hits
			}
			// a fails once (below the threshold, so it stays healthy); the
			// session's request fails over to b and succeeds there.
			if got := ask("session-1"); strings.Join(got, ",") != "a.test,b.test" {
				t.Fatalf("first request went to %v, want a then b", got)
			}
			delete(up.fail, "a.test")
			if got := ask("session-1"); got[0] != tt.want {
				t.Errorf("the session's next request went first to %v, want %s", got, tt.want)
			}
			if got := ask("session-2"); got[0] != "a.test" {
				t.Errorf("another session went first to %v, want a (the heavier)", got)
			}
		})
	}
}
