package metrics

import (
	"testing"

	"github.com/clp-proxy/clp/internal/api"
)

// FuzzObserve feeds records with arbitrary names (models come from client
// bodies) and checks that the exposition still parses and carries exactly
// one request with the cleaned label values and the tokens given.
func FuzzObserve(f *testing.F) {
	f.Add("claude", "prod", "claude-sonnet-4-5", 200, int64(25))
	f.Add("codex", "", "", 0, int64(0))
	f.Add("c\"l\\a\nude", "a,b=c", "m{x=\"y\"}", 529, int64(1<<40))
	f.Add("\xff\xfe", "\x00", "語\xe8", 499, int64(-3))
	f.Fuzz(func(t *testing.T, service, config, model string, status int, output int64) {
		m := New(Options{})
		m.Observe(&api.Record{Service: service, Config: config, ModelSent: model, Status: status, DurationMS: 1, Usage: &api.Usage{OutputTokens: output}})
		fams := scrape(t, m)
		reqs := fams["clp_requests_total"].GetMetric()
		if len(reqs) != 1 || reqs[0].GetCounter().GetValue() != 1 {
			t.Fatalf("clp_requests_total = %v, want one series of 1", reqs)
		}
		want := map[string]string{"service": label(service), "config": label(config), "status_class": statusClass(status)}
		for _, l := range reqs[0].GetLabel() {
			if want[l.GetName()] != l.GetValue() {
				t.Errorf("label %s = %q, want %q", l.GetName(), l.GetValue(), want[l.GetName()])
			}
		}
		var out float64
		for _, s := range fams["clp_tokens_total"].GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "kind" && l.GetValue() == KindOutput {
					out += s.GetCounter().GetValue()
				}
			}
		}
		if wantOut := float64(max(output, 0)); out != wantOut {
			t.Errorf("output tokens = %g, want %g", out, wantOut)
		}
	})
}
